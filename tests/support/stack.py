"""Real processes for end-to-end tests: the action server and the Rasa server.

Plain functions (no pytest here), like :mod:`tests.support.servers`:

* :func:`start_action_server` runs ``python -m rasa_sdk --actions bot.actions`` against a
  case service, with its own state directory (the trained categorizer is linked in);
* :func:`start_rasa_server` runs ``rasa run --enable-api`` with the trained model and the
  repository's ``credentials.yml`` (so every configured channel, the web chat included,
  is tested as deployed) on a free port, and waits until the model is loaded.

Both are started by :func:`start_stack` concurrently (loading the model is the slow part);
:func:`launch_stack` starts them without waiting, so that a session can work meanwhile.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from tests.support.servers import PROJECT_ROOT, PYTHON, CaseService, free_port, terminate

MODEL_PATH = PROJECT_ROOT / "var" / "models" / "hotline.tar.gz"
RASA = Path(PYTHON).with_name("rasa")


@dataclass
class Process:
    """A started server process with its log file."""

    name: str
    url: str
    port: int
    process: subprocess.Popen
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        terminate(self.process, timeout)


@dataclass
class RasaStack:
    """The action server and the Rasa server of one test session."""

    rasa: Process
    actions: Process
    token: str
    case_service: CaseService
    work_dir: Path
    telegram: Optional[Any] = None
    """The Bot API double the Rasa server's Telegram channel talks to (tests/support/telegram_double.py)."""
    voice_env: dict = field(default_factory=dict)
    """``VOICE_CHANNEL_SECRET`` and ``VOICE_GATEWAY_URL`` given to the Rasa server's voice channel."""

    @property
    def url(self) -> str:
        return self.rasa.url

    def stop(self) -> None:
        self.rasa.stop()
        self.actions.stop()
        if self.telegram is not None:
            self.telegram.stop()
        shutil.rmtree(self.work_dir, ignore_errors=True)


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait(process: Process, probe: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited with {process.process.returncode}:\n{process.log_text()[-4000:]}")
        if _http_ok(probe):
            return
        time.sleep(0.25)
    raise RuntimeError(f"{process.name} did not start in time:\n{process.log_text()[-4000:]}")


def _base_env(case_service: CaseService, var_dir: Path, extra: Optional[Mapping[str, str]]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CASE_SERVICE_", "WEBCHAT_", "RASA_", "TELEGRAM_", "VOICE_"))}
    env.update(
        CASE_SERVICE_URL=case_service.url,
        CASE_SERVICE_API_KEY=case_service.api_key or "",
        HOTLINE_VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
    )
    env.update(extra or {})
    return env


def _spawn(name: str, command: list[str], env: dict[str, str], port: int, log_path: Path, url: str) -> Process:
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    return Process(name=name, url=url, port=port, process=process, log_path=log_path, env=env)


class StackLaunch:
    """A stack whose processes were started but maybe not yet ready (see :func:`launch_stack`)."""

    def __init__(self, stack: RasaStack, startup_timeout: float) -> None:
        self.stack = stack
        self.deadline = time.monotonic() + startup_timeout
        self._ready = False

    def wait_ready(self) -> RasaStack:
        """Block until both servers answer; stops them and raises with the log tails if not."""
        if not self._ready:
            try:
                _wait(self.stack.actions, f"{self.stack.actions.url}/health", self.deadline)
                _wait(self.stack.rasa, f"{self.stack.rasa.url}/status?token={self.stack.token}", self.deadline)
            except BaseException:
                self.stack.stop()
                raise
            self._ready = True
        return self.stack


def launch_stack(
    case_service: CaseService,
    *,
    model: Path = MODEL_PATH,
    extra_env: Optional[Mapping[str, str]] = None,
    rasa_env: Optional[Mapping[str, str]] = None,
    startup_timeout: float = 240.0,
) -> StackLaunch:
    """Start the action server and the Rasa server without waiting for them.

    Loading the model takes most of a minute on two cores; a test session can launch the
    stack early and do other work while it loads (:meth:`StackLaunch.wait_ready`). ``extra_env``
    goes to both servers, ``rasa_env`` only to the Rasa server (channel secrets such as ``TELEGRAM_*``).
    """
    work_dir = Path(tempfile.mkdtemp(prefix="hotline-stack-"))
    var_dir = work_dir / "var"
    var_dir.mkdir()
    models = PROJECT_ROOT / "var" / "models"
    if models.is_dir():
        (var_dir / "models").symlink_to(models, target_is_directory=True)
    token = secrets.token_hex(12)
    action_port, rasa_port = free_port(), free_port()
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    env = _base_env(case_service, var_dir, extra_env)
    env.update(RASA_URL=rasa_url, RASA_TOKEN=token, ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook")
    env.setdefault("HOTLINE_TRACKER_DB", str(var_dir / "rasa_tracker.sqlite3"))  # endpoints.yml tracker_store
    actions = _spawn(
        "action server",
        [PYTHON, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(action_port)],
        dict(env, HOTLINE_OUTBOX_WORKER=env.get("HOTLINE_OUTBOX_WORKER", "0")),
        action_port,
        work_dir / "actions.log",
        f"http://127.0.0.1:{action_port}",
    )
    rasa = _spawn(
        "rasa server",
        [str(RASA), "run", "--enable-api", "--auth-token", token, "--model", str(model),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--port", str(rasa_port), "--interface", "127.0.0.1"],
        dict(env, **(rasa_env or {})),
        rasa_port,
        work_dir / "rasa.log",
        rasa_url,
    )
    stack = RasaStack(rasa=rasa, actions=actions, token=token, case_service=case_service, work_dir=work_dir)
    return StackLaunch(stack, startup_timeout)


def start_stack(case_service: CaseService, **options: object) -> RasaStack:
    """Start the action server and the Rasa server and wait until both answer."""
    return launch_stack(case_service, **options).wait_ready()  # type: ignore[arg-type]
