"""The voice gateway as a real process, for the voice tests and ``bench/voice_stack.py``.

:func:`spawn_gateway` starts ``python -m connectors.voice`` with the project's model and lexicon
and only the given ``VOICE_*`` settings; :func:`start_gateway` also waits until it serves (its
engines are loaded before the port opens).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping

from tests.support.servers import PROJECT_ROOT, PYTHON, wait_serving

MODEL_DIR = PROJECT_ROOT / "var" / "voice" / "whisper-base"


def spawn_gateway(env_overrides: Mapping[str, str], log_path: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOICE_")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), PYTHONUNBUFFERED="1", VOICE_MODEL_DIR=str(MODEL_DIR))
    env.update(env_overrides)
    with open(log_path, "wb") as log:
        return subprocess.Popen([PYTHON, "-m", "connectors.voice", "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def start_gateway(env_overrides: Mapping[str, str], log_path: Path, port: int, timeout: float = 90.0) -> subprocess.Popen:
    process = spawn_gateway(env_overrides, log_path, port)
    wait_serving(process, f"http://127.0.0.1:{port}/healthz", log_path, "voice gateway", timeout=timeout)
    return process
