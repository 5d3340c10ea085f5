"""Server-side login sessions in SQLite.

The cookie carries a random token; the database keeps only its SHA-256, so a copy of the
database does not let anyone log in. Every session, also the anonymous one that the login page
gets, has its own CSRF token, which every POST must echo (form field or ``X-CSRF-Token``).
A successful login replaces the anonymous session by a new one (no session fixation).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from operator_console.accounts import User
from operator_console.db import Database

COOKIE = "oc_session"
ANONYMOUS_SECONDS = 1800.0


@dataclass(frozen=True)
class Session:
    token: str
    csrf_token: str
    user: User | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class SessionStore:
    def __init__(self, db: Database, lifetime: float) -> None:
        self.db = db
        self.lifetime = lifetime

    async def create(self, user: User | None) -> Session:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        expires = now + (self.lifetime if user else ANONYMOUS_SECONDS)

        def insert(connection) -> None:
            connection.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            connection.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (_digest(token), user.id if user else None, csrf, now, expires),
            )

        await self.db.run(insert)
        return Session(token, csrf, user)

    async def load(self, token: str | None) -> Session | None:
        if not token or len(token) > 100:
            return None
        row = await self.db.run(lambda c: c.execute(
            "SELECT s.csrf_token, s.user_id, u.name, u.role, u.active FROM sessions s "
            "LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (_digest(token), time.time()),
        ).fetchone())
        if row is None:
            return None
        user = None
        if row["user_id"] is not None:
            if not row["active"]:
                return None
            user = User(int(row["user_id"]), row["name"], row["role"])
        return Session(token, row["csrf_token"], user)

    async def delete(self, token: str) -> None:
        await self.db.run(lambda c: c.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),)))


def csrf_matches(session: Session, presented: str | None) -> bool:
    return bool(presented) and secrets.compare_digest(session.csrf_token, presented or "")
