"""Alembic migrations, run programmatically with a sync driver.

The server calls :func:`upgrade` at start (in a worker thread) so that a
deployed database upgrades in place; ``python -m case_service.cli migrate``
does the same by hand. Alembic is synchronous, hence the sync URL derived
from the async one (aiosqlite → sqlite3, asyncpg → psycopg2).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from .db import ensure_sqlite_directory, sync_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """An Alembic config pointing at the package's migrations (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> Optional[str]:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(database_url: str, action: str, revision: str) -> None:
    url = sync_url(database_url)
    ensure_sqlite_directory(url)
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest)."""
    log.info("migrating database to %s", revision)
    _run(database_url, "upgrade", revision)


def downgrade(database_url: str, revision: str) -> None:
    """Step the database back to ``revision`` (``base`` drops everything)."""
    log.info("downgrading database to %s", revision)
    _run(database_url, "downgrade", revision)


def current_revision(database_url: str) -> Optional[str]:
    """The revision the database is at, ``None`` for an unmigrated one."""
    url = sync_url(database_url)
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
