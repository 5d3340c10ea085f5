"""Operator accounts: creation (CLI) and password checks (login)."""
from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass

from operator_console.db import Database
from operator_console.passwords import DUMMY_HASH, hash_password, verify_password

ROLES = ("operator", "supervisor")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


class AccountExists(ValueError):
    """An account with that name exists already."""


def create_user_sync(db: Database, name: str, password: str, role: str) -> User:
    """Create an account (the CLI is the only caller: no web route creates accounts)."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("a name needs 1 to 64 characters")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    hashed = hash_password(password)

    def insert(connection: sqlite3.Connection) -> User:
        try:
            cursor = connection.execute(
                "INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                (name, hashed, role, time.time()),
            )
        except sqlite3.IntegrityError:
            raise AccountExists(f"account {name!r} exists already") from None
        return User(int(cursor.lastrowid), name, role)

    return db.run_sync(insert)


async def authenticate(db: Database, name: str, password: str) -> User | None:
    """The user if name and password match an active account; same work when the name is unknown."""
    row = await db.run(lambda c: c.execute(
        "SELECT id, name, role, password_hash FROM users WHERE name = ? AND active = 1", (name.strip(),)
    ).fetchone())
    stored = row["password_hash"] if row is not None else DUMMY_HASH
    ok = await asyncio.to_thread(verify_password, password, stored)
    if row is None or not ok:
        return None
    return User(int(row["id"]), row["name"], row["role"])
