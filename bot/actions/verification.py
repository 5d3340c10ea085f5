"""One-time codes that prove a citizen owns a phone before we list its cases.

Codes are 6 random digits, stored only as a salted hash with an expiry and an attempt counter
(same SQLite file as the outbox). Sending goes through the :class:`CodeSender` seam: SMS is an
internet service outside this repository, so development logs the code instead.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Protocol

from bot.actions.storage import SqliteStore
from bot.parsing.phones import mask_phone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3

OK, WRONG, EXPIRED, LOCKED, MISSING = "ok", "wrong", "expired", "locked", "missing"


class CodeSender(Protocol):
    async def send(self, phone: str, code: str, language: str) -> None: ...


class LoggingCodeSender:
    """Development sender: writes the code to the action server's log."""

    async def send(self, phone: str, code: str, language: str) -> None:
        logger.warning("DEVELOPMENT verification code for %s: %s", mask_phone(phone), code)


def make_code_sender(kind: str) -> CodeSender:
    if kind in ("", "log"):
        return LoggingCodeSender()
    raise ValueError(f"unknown HOTLINE_CODE_SENDER {kind!r} (only 'log' exists until an SMS gateway is added)")


@dataclass(frozen=True)
class IssuedCode:
    code: str | None  # None when the rate limit refused a new code
    expires_at: float


def _digest(salt: str, phone: str, code: str) -> str:
    return hashlib.sha256(f"{salt}|{phone}|{code}".encode()).hexdigest()


class CodeStore(SqliteStore):
    """Hashed codes per phone number (one live code per phone)."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS verification_codes (
        phone TEXT PRIMARY KEY,
        salt TEXT NOT NULL,
        digest TEXT NOT NULL,
        expires_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        issued_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS verification_issues (
        phone TEXT NOT NULL,
        issued_at REAL NOT NULL
    );
    """

    def __init__(self, path, ttl: float = 300.0) -> None:
        super().__init__(path)
        self.ttl = ttl

    async def issue(self, phone: str) -> IssuedCode:
        """A fresh code for ``phone`` (replacing any earlier one), unless too many were sent."""
        code = f"{secrets.randbelow(1_000_000):06d}"
        salt = secrets.token_hex(8)
        now = time.time()

        def work(conn) -> IssuedCode:
            recent = conn.execute(
                "SELECT COUNT(*) FROM verification_issues WHERE phone = ? AND issued_at > ?", (phone, now - 3600)
            ).fetchone()[0]
            if recent >= MAX_CODES_PER_HOUR:
                return IssuedCode(None, 0.0)
            conn.execute("DELETE FROM verification_issues WHERE issued_at < ?", (now - 86400,))
            conn.execute("INSERT INTO verification_issues (phone, issued_at) VALUES (?, ?)", (phone, now))
            conn.execute(
                "INSERT OR REPLACE INTO verification_codes (phone, salt, digest, expires_at, attempts, issued_at)"
                " VALUES (?, ?, ?, ?, 0, ?)", (phone, salt, _digest(salt, phone, code), now + self.ttl, now))
            return IssuedCode(code, now + self.ttl)

        return await self._run(work)

    async def verify(self, phone: str, code: str) -> str:
        """``ok`` (and the code is used up), ``wrong``, ``expired``, ``locked`` or ``missing``."""
        now = time.time()

        def work(conn) -> str:
            row = conn.execute("SELECT * FROM verification_codes WHERE phone = ?", (phone,)).fetchone()
            if row is None:
                return MISSING
            if row["attempts"] >= MAX_ATTEMPTS:
                return LOCKED
            if row["expires_at"] < now:
                conn.execute("DELETE FROM verification_codes WHERE phone = ?", (phone,))
                return EXPIRED
            if hmac.compare_digest(row["digest"], _digest(row["salt"], phone, code)):
                conn.execute("DELETE FROM verification_codes WHERE phone = ?", (phone,))
                return OK
            conn.execute("UPDATE verification_codes SET attempts = attempts + 1 WHERE phone = ?", (phone,))
            return LOCKED if row["attempts"] + 1 >= MAX_ATTEMPTS else WRONG

        return await self._run(work)
