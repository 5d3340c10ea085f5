"""Fixtures of the case service suite: the same tests on SQLite and PostgreSQL.

``backend`` is a session-scoped parameter, so pytest runs the whole suite
against one server per backend (SQLite first, then PostgreSQL), starting each
server once. ``api`` wraps an aiohttp session: it checks the status and
validates every JSON body against the shipped JSON Schemas.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator

import aiohttp
import pytest

from tests.support.case_api import Api, case_fields, run_sql
from tests.support.servers import CaseService, running_case_service, sqlite_url

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_factory(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], str]:
    """``make(name) -> URL`` of a new, empty database on the current backend."""
    counter = itertools.count()
    if backend == "sqlite":
        directory = tmp_path_factory.mktemp("sqlite")
        return lambda name: sqlite_url(directory / f"{name}_{next(counter)}.db")
    cluster = request.getfixturevalue("postgres_cluster")
    return lambda name: cluster.create_database(f"{name}_{next(counter)}")


@pytest.fixture(scope="session")
def case_service(
    backend: str, database_factory: Callable[[str], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CaseService]:
    """The suite's server (overrides the SQLite-only one of tests/conftest.py)."""
    log_path = tmp_path_factory.mktemp(f"log_{backend}") / "server.log"
    with running_case_service(database_factory("main"), log_path=log_path) as service:
        yield service


@pytest.fixture
def fresh_database_url(database_factory: Callable[[str], str]) -> str:
    return database_factory("fresh")


@pytest.fixture
def sql(case_service: CaseService) -> Callable[..., list[tuple[Any, ...]]]:
    return lambda statement, **params: run_sql(case_service.database_url, statement, **params)


@pytest.fixture
def fields() -> Callable[..., dict[str, Any]]:
    return case_fields


@pytest.fixture
async def api(case_service: CaseService) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield Api(session, case_service)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parents[2]
