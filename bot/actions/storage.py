"""A tiny SQLite helper shared by the outbox and the verification codes.

The standard library's sqlite3 runs in a worker thread (``asyncio.to_thread``) so the action
server's event loop never blocks on disk. Each call opens its own short-lived connection: the
file is small, and this keeps the helper safe across threads and event loops. The schema is
created on first use, never at import time.
"""
from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

from bot.actions.errors import StorageError

T = TypeVar("T")


class SqliteStore:
    """Base class: subclasses define ``SCHEMA`` (a script of ``CREATE … IF NOT EXISTS``)."""

    SCHEMA = ""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._ready = False
        self._ready_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    with sqlite3.connect(self.path, timeout=10) as conn:
                        conn.execute("PRAGMA journal_mode=WAL")
                        conn.executescript(self.SCHEMA)
                    self._ready = True
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    def _sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            conn = self._connect()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"cannot open {self.path}: {exc}") from exc
        try:
            conn.execute("BEGIN IMMEDIATE")
            result = fn(conn)
            conn.execute("COMMIT")
            return result
        except sqlite3.Error as exc:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise StorageError(f"{self.path}: {exc}") from exc
        except BaseException:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        finally:
            conn.close()

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(self._sync, fn)


def row_dict(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None
