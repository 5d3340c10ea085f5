"""A hand-off survives a restart of every process (docs/handoff.md, "Restarts").

Real processes: its own action server + Rasa server (``start_stack``, with the tracker store
``HOTLINE_TRACKER_DB`` in this test's temporary directory, not the shared ``rasa_stack``) and
its own operator console (``python -m operator_console``, its own SQLite file). A citizen on the
REST channel asks for a person; the hand-off is queued at the console. Then all three
processes are stopped and started again on the same ports with the same files: the conversation
is still paused (the bot stays silent), the hand-off is still queued and the operator's login
still valid; the operator claims and releases it and the bot answers again.

One extra model load (about 45 s on two cores) on top of the stack's own start.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import pytest
import requests

from tests.support.servers import PROJECT_ROOT, PYTHON, CaseService, free_port
from tests.support.stack import MODEL_PATH, Process, RasaStack, start_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

OPERATOR = "restart-op"
OPERATOR_PASSWORD = "operator password 1"
STARTUP_TIMEOUT = 300.0


def _tail(*processes: Process | None) -> str:
    parts = []
    for process in processes:
        if process is not None:
            parts.append(f"--- {process.name} ({process.log_path}) ---\n{process.log_text()[-3000:]}")
    return "\n".join(parts)


def _wait_http(process: Process, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited with {process.process.returncode}\n{_tail(process)}")
        try:
            if requests.get(probe, timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{process.name} not ready after {timeout:.0f} s\n{_tail(process)}")


def _spawn(name: str, args: list[str], env: dict[str, str], port: int, url: str, log_path: Path) -> Process:
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    return Process(name=name, url=url, port=port, process=process, log_path=log_path, env=env)


def _restart(process: Process, log_path: Path) -> Process:
    """Stop ``process`` and start the same command with the same environment (same port, same files)."""
    process.stop()
    return _spawn(process.name, list(process.process.args), process.env, process.port, process.url, log_path)


class System:
    """The stack and the console of this test, restartable, stopped by the fixture."""

    def __init__(self, stack: RasaStack, console: Process) -> None:
        self.stack = stack
        self.console = console

    def tails(self) -> str:
        return _tail(self.stack.rasa, self.stack.actions, self.console)

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            pytest.fail(f"{message}\n{self.tails()}", pytrace=True)

    def rest(self, sender: str, text: str) -> list[str]:
        try:
            response = requests.post(f"{self.stack.url}/webhooks/rest/webhook",
                                     json={"sender": sender, "message": text}, timeout=90)
        except requests.RequestException as error:
            pytest.fail(f"REST channel: {error!r}\n{self.tails()}")
        self.check(response.status_code == 200, f"REST channel answered {response.status_code}: {response.text[:500]}")
        return [m.get("text") or "" for m in response.json()]

    def tracker(self, sender: str) -> dict[str, Any]:
        response = requests.get(f"{self.stack.url}/conversations/{quote(sender, safe='')}/tracker",
                                params={"token": self.stack.token, "include_events": "ALL"}, timeout=30)
        self.check(response.status_code == 200, f"tracker: {response.status_code} {response.text[:500]}")
        return response.json()

    def restart_all(self, directory: Path, round_: int) -> None:
        """Stop Rasa, the action server and the console, then start all three again."""
        rasa = _restart(self.stack.rasa, directory / f"rasa.{round_}.log")
        self.stack.rasa = rasa
        actions = _restart(self.stack.actions, directory / f"actions.{round_}.log")
        self.stack.actions = actions
        self.console = _restart(self.console, directory / f"console.{round_}.log")
        try:
            _wait_http(self.console, f"{self.console.url}/health", 60)
            _wait_http(actions, f"{actions.url}/health", STARTUP_TIMEOUT)
            _wait_http(rasa, f"{rasa.url}/status?token={self.stack.token}", STARTUP_TIMEOUT)
        except RuntimeError as error:
            pytest.fail(f"restart failed: {error}\n{self.tails()}")


class Operator:
    """A logged-in console user (cookie session, CSRF header)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf = ""

    def login(self) -> None:
        import re

        form = self.http.get(f"{self.base}/login", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        response = self.http.post(f"{self.base}/login", data={"csrf_token": token, "name": OPERATOR,
                                                             "password": OPERATOR_PASSWORD},
                                  allow_redirects=False, timeout=30)
        assert response.status_code == 303, f"login: {response.status_code} {response.text[:300]}"
        page = self.http.get(f"{self.base}/", timeout=10)
        self.csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)

    def api(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        response = self.http.request(method, f"{self.base}{path}", headers={"X-CSRF-Token": self.csrf},
                                     allow_redirects=False, timeout=30, **kwargs)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text


def _queue_entries(operator: Operator, conversation: str) -> list[dict]:
    status, body = operator.api("GET", "/api/queue")
    assert status == 200, f"GET /api/queue: {status} {body}"
    items = body.get("handoffs", body.get("queue", body)) if isinstance(body, dict) else body
    return [h for h in items if h.get("conversation_id") == conversation]


@pytest.fixture
def system(case_service: CaseService, tmp_path: Path) -> Iterator[System]:
    if not MODEL_PATH.is_file():
        pytest.skip(f"trained model {MODEL_PATH} not built: run `make models`")
    console_port = free_port()
    console_url = f"http://127.0.0.1:{console_port}"
    secret = secrets.token_hex(12)
    tracker_db = tmp_path / "rasa_tracker.sqlite3"
    console_env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1",
                   "OPERATOR_CONSOLE_DB": str(tmp_path / "console.sqlite3"), "OPERATOR_CONSOLE_SECRET": secret,
                   "OPERATOR_CONSOLE_PASSWORD": OPERATOR_PASSWORD,
                   "CASE_SERVICE_URL": case_service.url, "CASE_SERVICE_API_KEY": case_service.api_key or ""}
    created = subprocess.run([PYTHON, "-m", "operator_console.cli", "create-user", OPERATOR, "--role", "operator"],
                             env=console_env, cwd=PROJECT_ROOT, capture_output=True, timeout=60)
    assert created.returncode == 0, created.stdout.decode(errors="replace") + created.stderr.decode(errors="replace")
    stack = start_stack(case_service, startup_timeout=STARTUP_TIMEOUT,
                        extra_env={"OPERATOR_CONSOLE_URL": console_url, "OPERATOR_CONSOLE_SECRET": secret,
                                   "HOTLINE_HANDOFF_TIMEOUT": "4", "HOTLINE_TRACKER_DB": str(tracker_db)})
    running = System(stack, console=None)  # type: ignore[arg-type]
    try:
        console_env.update(RASA_URL=stack.url, RASA_TOKEN=stack.token)
        running.console = _spawn("operator console", [PYTHON, "-m", "operator_console", "--port", str(console_port)],
                                 console_env, console_port, console_url, tmp_path / "console.0.log")
        _wait_http(running.console, f"{console_url}/health", 60)
        yield running
    finally:
        if running.console is not None:
            running.console.stop()
        stack.stop()  # the (possibly restarted) Rasa and action servers, and the stack's work directory


def test_handoff_survives_restart_of_rasa_actions_and_console(system: System, tmp_path: Path) -> None:
    sender = f"restart-{secrets.token_hex(4)}"
    said = system.rest(sender, "我要找人工客服")
    system.check(any("预计等待" in text for text in said), f"no queue position in the bot's answer: {said}")
    system.check(system.tracker(sender)["paused"] is True, "not paused after the hand-off")

    operator = Operator(system.console.url)
    operator.login()
    before = _queue_entries(operator, sender)
    system.check(len(before) == 1, f"hand-off not queued at the console: {operator.api('GET', '/api/queue')}")

    system.restart_all(tmp_path, 1)

    tracker = system.tracker(sender)
    system.check(tracker["paused"] is True, f"not paused after the restart: {json.dumps(tracker)[:1000]}")
    kinds = [event["event"] for event in tracker["events"]]
    system.check("pause" in kinds and "resume" not in kinds[kinds.index("pause"):], f"events: {kinds}")
    system.check(system.rest(sender, "我家楼下的路灯坏了三天了") == [], "the bot answered a paused conversation")
    last_user = [e for e in system.tracker(sender)["events"] if e["event"] == "user"][-1]
    system.check(last_user.get("text") == "我家楼下的路灯坏了三天了", f"citizen message not logged: {last_user}")

    # the console kept the queue and the operator's session (both in its SQLite file)
    after = _queue_entries(operator, sender)
    system.check([h["id"] for h in after] == [h["id"] for h in before], f"queue after restart: {after} vs {before}")
    handoff = after[0]["id"]
    status, body = operator.api("POST", f"/api/handoffs/{handoff}/claim")
    system.check(status == 200, f"claim: {status} {body}")
    status, body = operator.api("GET", f"/api/handoffs/{handoff}/messages")
    system.check(status == 200 and "路灯坏了" in json.dumps(body, ensure_ascii=False),
                 f"messages after restart: {status} {body}")
    status, body = operator.api("POST", f"/api/handoffs/{handoff}/release")
    system.check(status == 200, f"release: {status} {body}")
    system.check(system.tracker(sender)["paused"] is False, "still paused after the release")
    system.check(_queue_entries(operator, sender) == [], "hand-off still queued after the release")

    answer = system.rest(sender, "你好")
    system.check(answer != [], "the bot did not answer after the release")
