"""The console's SQLite database (stdlib ``sqlite3``, one short-lived connection per call, run
in a thread so the event loop never blocks). Everything that must survive a restart lives here:
accounts, login sessions and the hand-off queue.

Why not one shared connection: ``sqlite3`` connections are not safe across threads, and a new
connection per operation is cheap for a console with a handful of operators; SQLite's own
locking (WAL, ``busy_timeout``) then serialises writers, which is what makes the conditional
``UPDATE`` of a claim atomic.
"""
from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    active INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'claimed', 'released')),
    language TEXT NOT NULL,
    reason TEXT,
    category TEXT,
    channel TEXT,
    case_number TEXT,
    summary_json TEXT NOT NULL,
    since REAL NOT NULL,
    created_at REAL NOT NULL,
    claimed_by INTEGER REFERENCES users(id),
    claimed_at REAL,
    released_at REAL
);
-- At most one open hand-off per conversation, also when the bot asks twice at once.
CREATE UNIQUE INDEX IF NOT EXISTS handoffs_one_open
    ON handoffs (conversation_id) WHERE status != 'released';
"""


class Database:
    """Path to the SQLite file plus helpers to run a function with a connection in a thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=15.0, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA busy_timeout = 15000")
        return connection

    def migrate(self) -> None:
        """Create the file and tables (idempotent); called by the app on start and by the CLI."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = self.connect()
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(SCHEMA)
        finally:
            connection.close()

    def run_sync(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self.connect()
        try:
            return work(connection)
        finally:
            connection.close()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self.run_sync, work)


def row_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None
