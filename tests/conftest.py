"""Project-wide fixtures: a real case service and a throw-away PostgreSQL cluster.

* ``case_service`` (session): ``python -m case_service`` on a free port with a
  temporary SQLite database; yields a ``CaseService`` with ``.url`` (base
  ``…/open311/v2``), ``.api_key`` and ``.database_url``.
* ``case_service_url`` (session): just that base URL.
* ``postgres_cluster`` (session): a ``PostgresCluster`` started with
  initdb/pg_ctl; skips the test when PostgreSQL cannot be installed or started.

tests/case_service/ overrides ``case_service`` to run its suite on SQLite and
on PostgreSQL. The plain functions behind these live in tests/support/servers.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.support.servers import (  # noqa: E402
    CaseService,
    PostgresCluster,
    PostgresUnavailable,
    running_case_service,
    sqlite_url,
    start_postgres_cluster,
)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = start_postgres_cluster()
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL unavailable: {error}")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def case_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseService]:
    directory = tmp_path_factory.mktemp("case_service")
    with running_case_service(sqlite_url(directory / "cases.db"), log_path=directory / "server.log") as service:
        yield service


@pytest.fixture(scope="session")
def case_service_url(case_service: CaseService) -> str:
    return case_service.url


# The whole stack (action server + Rasa server with the trained model), shared by the e2e and
# channel tests; defined once here so one session starts it once.
from tests.support.fixtures import action_server, rasa_server, rasa_stack  # noqa: E402,F401
