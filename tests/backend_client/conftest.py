"""Fixtures for the backend_client tests: a fault-injecting server and client factory."""

from __future__ import annotations

import socket
from typing import Any, AsyncIterator, Callable

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from backend_client import CaseBackend
from tests.backend_client.fake_open311 import BASE, SECRET, FakeOpen311, make_app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """One client session per test, as the action server has one per process."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def fake_server() -> AsyncIterator[FakeOpen311]:
    """A running fake server with the 12345 extensions (tests may switch them off)."""
    state = FakeOpen311()
    server = TestServer(make_app(state), host="127.0.0.1")
    await server.start_server()
    state.url = str(server.make_url(BASE))
    try:
        yield state
    finally:
        await server.close()


@pytest.fixture
def make_backend(http: aiohttp.ClientSession, fake_server: FakeOpen311) -> Callable[..., CaseBackend]:
    """Build a client against the fake server with fast backoff (tests stay quick)."""

    def build(**kwargs: Any) -> CaseBackend:
        kwargs.setdefault("api_key", SECRET)
        kwargs.setdefault("timeout", 2.0)
        kwargs.setdefault("backoff", 0.01)
        return CaseBackend(kwargs.pop("url", fake_server.url), http, **kwargs)

    return build


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
