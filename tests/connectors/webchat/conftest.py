"""Fixtures of the web chat tests: an echo server, the real stack, one browser per session.

* ``webchat_echo`` (session): the channel in a bare Sanic app with a predictable echo bot
  (``tests/support/webchat_echo.py``), storing uploads in the session's case service;
* ``rasa_stack`` / ``rasa_server`` / ``action_server`` (session, from ``tests/conftest.py``):
  the real thing, see ``tests/support/fixtures.py`` (skipped when the model is not built);
  launched at the first web chat test so that the model loads while the others run;
* ``browser`` (session): Debian's chromium driven by Playwright (never a downloaded
  browser); each test opens its own context (fresh storage) with ``new_page``.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator

import pytest
import pytest_asyncio

from tests.support.fixtures import launch_early
from tests.support.servers import PROJECT_ROOT, PYTHON, CaseService, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
VENDOR = PROJECT_ROOT / "connectors" / "webchat" / "node_modules"


@pytest.fixture(scope="session", autouse=True)
def _load_the_model_meanwhile(request: pytest.FixtureRequest) -> None:
    """Launch the Rasa stack at the first web chat test if any selected test needs it:
    the model loads (most of a minute) while the echo and browser tests run."""
    launch_early(request)


@dataclass
class EchoServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    @property
    def page_url(self) -> str:
        return f"{self.url}/webhooks/webchat/"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def webchat_echo(case_service: CaseService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoServer]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("webchat_echo") / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEBCHAT_", "CASE_SERVICE_"))}
    env.update(
        CASE_SERVICE_URL=case_service.url,
        CASE_SERVICE_API_KEY=case_service.api_key or "",
        WEBCHAT_RATE_BURST="6",
        WEBCHAT_RATE_PER_MINUTE="30",
        WEBCHAT_OUTBOX_SIZE="20",
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
    )
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [PYTHON, "-m", "tests.support.webchat_echo", "--port", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = EchoServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"echo server exited:\n{server.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/webhooks/webchat/health", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"echo server did not start:\n{server.log_text()[-3000:]}")
            time.sleep(0.1)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    """One chromium for the session (async API: the sync one would leave a loop running
    under every later async test). ``launch`` gives it a fresh temporary user-data-dir."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed: run scripts/webchat-deps.sh")
    if not (VENDOR / "socket.io-client").is_dir() or not (VENDOR / "rasa-webchat").is_dir():
        pytest.skip("web chat npm packages are not installed: run scripts/webchat-deps.sh")
    async_api = pytest.importorskip("playwright.async_api", reason="playwright is not installed (requirements.txt)")
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest_asyncio.fixture(loop_scope="session")
async def new_page(browser: Any) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``await new_page(locale="zh-CN", viewport=(w, h), **context_options)`` → a page in a fresh context."""
    contexts: list[Any] = []

    async def make(locale: str = "zh-CN", viewport: tuple[int, int] = (1280, 800), **options: Any) -> Any:
        context = await browser.new_context(
            locale=locale, viewport={"width": viewport[0], "height": viewport[1]}, **options
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = await context.new_page()
        page.errors = []  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        await context.close()
