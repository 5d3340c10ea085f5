"""Migrations and start-up configuration, on fresh databases of each backend."""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
import urllib.request

import aiohttp
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from case_service import migrate
from case_service.db import sync_url
from case_service.models import Base
from tests.support.servers import running_case_service

from tests.support.case_api import case_fields, run_sql

TABLES = {"services", "divisions", "daily_counters", "cases", "case_events", "media", "alembic_version"}


def _tables(database_url: str) -> set[str]:
    engine = create_engine(sync_url(database_url), future=True, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _cli_migrate(database_url: str, project_root) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "case_service.cli", "migrate", "--database-url", database_url],
        cwd=project_root, capture_output=True, text=True, timeout=120,
    )


def test_cli_migrate_is_idempotent(fresh_database_url, project_root):
    for _ in range(2):
        result = _cli_migrate(fresh_database_url, project_root)
        assert result.returncode == 0, result.stderr
        assert "0001_initial" in result.stdout
    assert migrate.current_revision(fresh_database_url) == migrate.head_revision()
    assert TABLES <= _tables(fresh_database_url)


def test_models_match_migrations(fresh_database_url):
    migrate.upgrade(fresh_database_url)
    engine = create_engine(sync_url(fresh_database_url), future=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_round_trip(fresh_database_url):
    migrate.upgrade(fresh_database_url)
    migrate.downgrade(fresh_database_url, "base")
    assert _tables(fresh_database_url) <= {"alembic_version"}
    assert migrate.current_revision(fresh_database_url) is None
    migrate.upgrade(fresh_database_url)
    assert TABLES <= _tables(fresh_database_url)


def _post(url: str, api_key: str, **overrides: str) -> bytes:
    data = urllib.parse.urlencode({**case_fields(**overrides), "api_key": api_key}).encode()
    with urllib.request.urlopen(f"{url}/requests.json", data=data, timeout=30) as response:
        return response.read()


def test_restart_on_existing_database_keeps_data(fresh_database_url, tmp_path):
    import json

    with running_case_service(fresh_database_url, log_path=tmp_path / "first.log") as first:
        number = json.loads(_post(first.url, first.api_key))[0]["service_request_id"]
    with running_case_service(fresh_database_url, log_path=tmp_path / "second.log") as second:
        with urllib.request.urlopen(f"{second.url}/requests/{number}.json") as response:
            assert json.loads(response.read())[0]["service_request_id"] == number
        following = json.loads(_post(second.url, second.api_key))[0]["service_request_id"]
        assert int(following) == int(number) + 1
        assert "Running upgrade" not in second.log_text(), "already at head: nothing to run"
    assert run_sql(fresh_database_url, "SELECT count(*) FROM services")[0][0] == 133
    assert run_sql(fresh_database_url, "SELECT version_num FROM alembic_version") == [("0001_initial",)]


def test_server_upgrades_an_unmigrated_database(fresh_database_url, tmp_path):
    migrate.upgrade(fresh_database_url)
    migrate.downgrade(fresh_database_url, "base")  # a database that exists but predates the schema
    with running_case_service(fresh_database_url, log_path=tmp_path / "server.log") as service:
        assert "Running upgrade  -> 0001_initial" in service.log_text()
    assert migrate.current_revision(fresh_database_url) == migrate.head_revision()


async def test_without_api_keys_posts_are_refused(fresh_database_url, tmp_path):
    from case_service import schemas

    with running_case_service(fresh_database_url, api_keys=(), log_path=tmp_path / "server.log") as service:
        assert "no API key configured" in service.log_text()
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{service.url}/requests.json", data={**case_fields(), "api_key": ""}) as reply:
                assert reply.status == 403
                body = await reply.json()
                schemas.validate(body, "errors")
                assert "no API key is configured" in body[0]["description"]
            async with session.post(f"{service.url}/x12345/media", params={"api_key": "x"}, data=b"x",
                                    headers={"Content-Type": "image/png"}) as reply:
                assert reply.status == 403
            async with session.get(f"{service.url}/services.json") as reply:
                assert reply.status == 200
    assert run_sql(fresh_database_url, "SELECT count(*) FROM cases") == [(0,)]


def test_database_url_from_environment(fresh_database_url, tmp_path):
    import json

    with running_case_service(
        fresh_database_url,
        extra_env={"CASE_SERVICE_DATABASE_URL": fresh_database_url},
        log_path=tmp_path / "server.log",
    ) as service:
        assert "--database-url" not in " ".join(service.process.args)
        number = json.loads(_post(service.url, service.api_key))[0]["service_request_id"]
    assert run_sql(fresh_database_url, "SELECT case_number FROM cases") == [(number,)]


def test_unreachable_database_stops_start_up_cleanly(tmp_path):
    import pytest

    from tests.support.servers import free_port, start_case_service

    url = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/none"
    with pytest.raises(RuntimeError, match="exited with 2") as failure:
        start_case_service(url, log_path=tmp_path / "server.log", startup_timeout=30)
    assert "cannot start" in str(failure.value)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
