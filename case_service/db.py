"""Database access: URLs, the async engine, and one-transaction-per-use sessions.

Every request handler does its work inside exactly one ``read()`` or
``write()`` block, so a failure anywhere rolls back everything that request
wrote: nothing is ever half-written.

SQLite needs care under concurrency: a deferred transaction that reads and then
writes can dead-lock against another one and fail at once with "database is
locked". Write transactions therefore start with ``BEGIN IMMEDIATE`` (writers
queue on the busy timeout instead), while reads stay deferred and, in WAL mode,
never block.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

from .errors import ConfigurationError

log = logging.getLogger(__name__)

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg2"}
SQLITE_BUSY_TIMEOUT_S = 30.0


def parse_url(url: str) -> URL:
    """Parse a database URL; ``postgres://`` is accepted as ``postgresql://``."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise ConfigurationError(f"invalid database URL: {error}") from error
    backend = parsed.get_backend_name()
    if backend == "postgres":
        parsed = parsed.set(drivername="postgresql")
        backend = "postgresql"
    if backend not in _ASYNC_DRIVERS:
        raise ConfigurationError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return parsed


def async_url(url: str) -> URL:
    """The URL with the async driver (aiosqlite / asyncpg) the server uses."""
    parsed = parse_url(url)
    return parsed.set(drivername=_ASYNC_DRIVERS[parsed.get_backend_name()])


def sync_url(url: str) -> URL:
    """The URL with a sync driver (sqlite3 / psycopg2), for Alembic and tests."""
    parsed = parse_url(url)
    return parsed.set(drivername=_SYNC_DRIVERS[parsed.get_backend_name()])


def render_url(url: URL) -> str:
    """The URL as a string, password included (for handing on, not for logs)."""
    return url.render_as_string(hide_password=False)


def ensure_sqlite_directory(url: URL) -> None:
    """Create the directory of a SQLite file so a fresh checkout just works."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    """WAL + foreign keys on connect; explicit BEGIN [IMMEDIATE] instead of
    pysqlite's implicit transactions."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("hotline_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """The async engine plus session factories for read and write transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        writer = engine.execution_options(hotline_write=True)
        self._read_sessions = sessionmaker(
            bind=engine, class_=AsyncSession, expire_on_commit=False, future=True
        )
        self._write_sessions = sessionmaker(
            bind=writer, class_=AsyncSession, expire_on_commit=False, future=True
        )

    @classmethod
    def connect(cls, url: str, **engine_options: Any) -> "Database":
        """Create the engine (no connection is opened until first use)."""
        target = async_url(url)
        options: dict[str, Any] = {"future": True}
        if target.get_backend_name() == "sqlite":
            ensure_sqlite_directory(target)
            options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        else:
            options.update(pool_size=5, max_overflow=15, pool_pre_ping=True)
        options.update(engine_options)
        engine = create_async_engine(target, **options)
        if target.get_backend_name() == "sqlite":
            _install_sqlite_hooks(engine)
        return cls(engine)

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session in a read transaction (rolled back or committed at exit)."""
        async with self._read_sessions() as session:
            async with session.begin():
                yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in a write transaction: committed on success, rolled back
        on any exception."""
        async with self._write_sessions() as session:
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
