"""Alembic environment for the case service.

Run through ``case_service.migrate`` (server start or ``python -m
case_service.cli migrate``), which passes an open sync connection in
``config.attributes["connection"]``; there is no alembic.ini and no logging
setup here, so the host process keeps its own logging.
"""

from __future__ import annotations

from alembic import context

from case_service.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through case_service.migrate, which supplies a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
