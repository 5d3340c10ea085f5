"""Fixtures of the console tests: a database with two operators and a supervisor, a fake Rasa
HTTP API that records what the console appends, and the real console app on a free port."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from operator_console.accounts import create_user_sync
from operator_console.app import create_app
from operator_console.db import Database
from operator_console.settings import ConsoleSettings

PASSWORD = "correct horse battery"
SECRET = "internal-test-secret"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(tmp_path / "console.sqlite3")
    database.migrate()
    for name, role in (("alice", "operator"), ("bob", "operator"), ("sue", "supervisor")):
        create_user_sync(database, name, PASSWORD, role)
    return database


@dataclass
class FakeRasa:
    """Rasa's tracker API as far as the console uses it; ``posted`` records appended events."""

    events: dict[str, list[dict]] = field(default_factory=dict)
    posted: list[tuple[str, dict, list]] = field(default_factory=list)
    url: str = ""

    def citizen_says(self, conversation: str, text: str) -> None:
        self.events.setdefault(conversation, []).append({"event": "user", "text": text, "timestamp": time.time()})

    def app(self) -> web.Application:
        async def tracker(request: web.Request) -> web.Response:
            if request.query.get("token") != "rasa-token":
                return web.json_response({"error": "auth"}, status=401)
            conversation = request.match_info["cid"]
            paused = any(e["event"] == "pause" for e in self.events.get(conversation, [])) and not any(
                e["event"] == "resume" for e in self.events.get(conversation, []))
            return web.json_response({"sender_id": conversation, "paused": paused,
                                      "events": self.events.get(conversation, [])})

        async def append(request: web.Request) -> web.Response:
            conversation = request.match_info["cid"]
            body = await request.json()
            self.posted.append((conversation, dict(request.query), body))
            for event in body:
                self.events.setdefault(conversation, []).append({**event, "timestamp": time.time()})
            return web.json_response({"sender_id": conversation})

        app = web.Application()
        app.router.add_get("/conversations/{cid}/tracker", tracker)
        app.router.add_post("/conversations/{cid}/tracker/events", append)
        return app


@pytest_asyncio.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    rasa = FakeRasa()
    async with TestServer(rasa.app(), host="127.0.0.1") as server:
        rasa.url = str(server.make_url("")).rstrip("/")
        yield rasa


@pytest_asyncio.fixture
async def console_url(db: Database, fake_rasa: FakeRasa) -> AsyncIterator[str]:
    settings = ConsoleSettings(database=db.path, internal_secret=SECRET, rasa_url=fake_rasa.url,
                               rasa_token="rasa-token", login_failures=3, login_window=60)
    async with TestServer(create_app(settings), host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


class Browser:
    """A cookie-keeping HTTP client that logs in like the login form does."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf: str | None = None

    async def login_form(self) -> str:
        async with self.http.get(f"{self.base}/login") as response:
            assert response.status == 200
            return CSRF_FIELD.search(await response.text()).group(1)

    async def login(self, name: str, password: str = PASSWORD) -> int:
        token = await self.login_form()
        async with self.http.post(f"{self.base}/login", data={"csrf_token": token, "name": name, "password": password},
                                  allow_redirects=False) as response:
            if response.status == 303:
                async with self.http.get(f"{self.base}/") as page:
                    self.csrf = re.search(r'data-csrf="([^"]+)"', await page.text()).group(1)
            return response.status

    async def api(self, method: str, path: str, csrf: bool = True, **kwargs: Any) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf} if csrf and self.csrf else {}
        headers.update(kwargs.pop("headers", {}))
        async with self.http.request(method, f"{self.base}{path}", headers=headers, allow_redirects=False,
                                     **kwargs) as response:
            try:
                body = await response.json()
            except (aiohttp.ContentTypeError, ValueError):
                body = await response.text()
            return response.status, body

    async def close(self) -> None:
        await self.http.close()


@pytest_asyncio.fixture
async def browsers(console_url: str) -> AsyncIterator[Any]:
    opened: list[Browser] = []

    def make() -> Browser:
        browser = Browser(console_url)
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        await browser.close()


async def enqueue(console_url: str, conversation: str, **extra: Any) -> dict:
    body = {"conversation_id": conversation, "language": "zh", "since": time.time() - 1, **extra}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{console_url}/internal/handoffs", json=body,
                             headers={"Authorization": f"Bearer {SECRET}"}) as response:
            assert response.status == 200, await response.text()
            return await response.json()
