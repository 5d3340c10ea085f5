"""The two bots under test, their start-up time, training time and memory (runs in the project venv).

* :func:`start_ours` — case service (temporary SQLite), action server and Rasa server with
  ``var/models/hotline.tar.gz``, started on free ports by tests/support (as the e2e tests do);
* :func:`start_stock` — ``rasa init --no-prompt`` in a temporary directory (it scaffolds the stock
  project and trains it) and ``rasa run`` on its model;
* :func:`train_ours` — ``rasa train`` of our project into a temporary directory with an empty cache;
* :func:`rss_bytes` — resident memory of a process and its children, from /proc.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from tests.support.servers import (PROJECT_ROOT, PYTHON, free_port, sqlite_url, start_case_service, terminate,
                                  wait_serving)
from tests.support.stack import MODEL_PATH, launch_stack

MB = 1024 * 1024
RASA = str(Path(PYTHON).with_name("rasa"))
TRAINING = ("rasa train", "rasa init")


@dataclass
class Bot:
    """A running bot: base URL, token, server pid, ready time and how to stop it."""

    name: str
    url: str
    token: str
    pid: int
    ready_s: float
    stop: Callable[[], None]
    extra_pids: dict[str, int] = field(default_factory=dict)
    info: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------ memory
def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def rss_bytes(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants (0 if it is gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
        stack.extend(_children(current))
    return total


# ------------------------------------------------------------------------------------ training guard
def other_training() -> list[str]:
    """Command lines of running ``rasa train`` / ``rasa init`` processes (other engineers' included)."""
    found = []
    for pattern in TRAINING:
        out = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True).stdout
        found += [line for line in out.splitlines() if line.strip() and "pgrep" not in line]
    return found


def wait_for_no_training(log: Callable[[str], None], timeout: float = 1800.0) -> None:
    """The machine is shared: never train while someone else does."""
    deadline = time.monotonic() + timeout
    warned = False
    while other_training():
        if not warned:
            log("another model is training on this machine; waiting for it to finish")
            warned = True
        if time.monotonic() > deadline:
            raise RuntimeError("gave up waiting for another training to finish")
        time.sleep(5)


# ------------------------------------------------------------------------------------ our stack
def start_ours(work: Path, model: Path = MODEL_PATH) -> Bot:
    if not model.exists():
        raise RuntimeError(f"{model} is missing: run `make models` first")
    case_service = start_case_service(sqlite_url(work / "cases.db"), log_path=work / "case_service.log")
    console_env = {"OPERATOR_CONSOLE_URL": f"http://127.0.0.1:{free_port()}",
                   "OPERATOR_CONSOLE_SECRET": secrets.token_hex(12)}
    started = time.monotonic()
    try:
        launch = launch_stack(case_service, model=model, extra_env=console_env)
        stack = launch.wait_ready()
    except BaseException:
        case_service.stop()
        raise
    ready = time.monotonic() - started

    def stop() -> None:
        stack.stop()
        case_service.stop()

    return Bot("ours", stack.url, stack.token, stack.rasa.process.pid, ready, stop,
               extra_pids={"actions": stack.actions.process.pid, "case_service": case_service.process.pid})


# ------------------------------------------------------------------------------------ the stock bot
def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RASA_")}
    env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    return env


def init_stock(work: Path, log: Callable[[str], None]) -> tuple[Path, float]:
    """``rasa init --no-prompt`` (scaffold + train) into ``work/stock``; returns the dir and seconds."""
    project = work / "stock"
    project.mkdir(parents=True, exist_ok=True)  # rasa init wants an existing (empty) directory
    wait_for_no_training(log)
    started = time.monotonic()
    with open(work / "stock-init.log", "wb") as out:
        subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(project)], cwd=work, env=_env(),
                       stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=True, timeout=1800)
    seconds = time.monotonic() - started
    if not list((project / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init trained no model; see {work / 'stock-init.log'}")
    return project, seconds


def _spawn_rasa(project: Path, model: Path, log_path: Path) -> tuple[subprocess.Popen, str, str]:
    token, port = secrets.token_hex(12), free_port()
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            [RASA, "run", "--enable-api", "--auth-token", token, "--model", str(model),
             "--port", str(port), "--interface", "127.0.0.1"],
            cwd=project, env=_env(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}", token


def start_stock(project: Path, work: Path, timeout: float = 240.0) -> Bot:
    model = sorted((project / "models").glob("*.tar.gz"))[-1]
    started = time.monotonic()
    process, url, token = _spawn_rasa(project, model, work / "stock-rasa.log")
    wait_serving(process, f"{url}/status?token={token}", work / "stock-rasa.log", "stock rasa server", timeout)
    return Bot("stock", url, token, process.pid, time.monotonic() - started, lambda: terminate(process, 20))


# ------------------------------------------------------------------------------------ training ours
def train_ours(work: Path, log: Callable[[str], None]) -> float:
    """Full ``rasa train`` of our project (empty cache, temporary output); returns seconds."""
    out = work / "trained"
    env = _env()
    env.update(HOTLINE_VAR_DIR=str(PROJECT_ROOT / "var"), RASA_CACHE_DIRECTORY=str(work / "rasa-cache"),
               SQLALCHEMY_SILENCE_UBER_WARNING="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])))
    wait_for_no_training(log)
    started = time.monotonic()
    with open(work / "train-ours.log", "wb") as handle:
        subprocess.run([RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "bot/data",
                        "--out", str(out), "--fixed-model-name", "hotline"],
                       cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, check=True, timeout=3600)
    return time.monotonic() - started
