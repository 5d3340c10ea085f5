"""`make bench`: runs the whole benchmark of issue #8 and prints its table (see bench/README.md).

Run with the project venv (``.venv/bin/python -m bench.run``): it starts the servers with the
project's Python and drives them with the load generator in bench/.venv, created here.

Environment: ``BENCH_DURATION`` seconds per load level (30), ``BENCH_LEVELS`` (``1,10,50``),
``BENCH_LONG_TURNS`` (100), ``BENCH_TRAIN=1`` to measure a full ``rasa train`` of ours (~4 min
of CPU; otherwise the last measured value in bench/results/ is reported), ``BENCH_STOCK=0`` to
skip the stock bot.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import report
from bench.servers import MB, Bot, init_stock, rss_bytes, start_ours, start_stock, train_ours

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / "bench" / ".venv"
BENCH_PY = BENCH_VENV / "bin" / "python"
LOADGEN_REQUIREMENTS = ["aiohttp==3.9.5"]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ensure_loadgen_venv() -> None:
    """bench/.venv with aiohttp, for the load generator only (the servers use .venv)."""
    if BENCH_PY.exists() and subprocess.run([str(BENCH_PY), "-c", "import aiohttp"], capture_output=True).returncode == 0:
        return
    python = subprocess.run([str(ROOT / "scripts" / "find-python.sh")], capture_output=True, text=True,
                            check=True).stdout.strip()
    log(f"creating {BENCH_VENV} for the load generator")
    subprocess.run([python, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(BENCH_PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *LOADGEN_REQUIREMENTS], check=True)


class RssSampler:
    """Peak resident memory of some processes (with their children), sampled twice a second."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = {name: rss_bytes(pid) for name, pid in pids.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak[name] = max(self.peak[name], rss_bytes(pid))

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def megabytes(self) -> dict[str, float]:
        return {name: round(value / MB, 1) for name, value in self.peak.items()}


def loadgen(bot: Bot, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([str(BENCH_PY), "-m", "bench.load", "--url", bot.url, "--token", bot.token,
                          "--kind", bot.name, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout)


def measure(bot: Bot, levels: list[int], duration: float, long_turns: int) -> dict:
    pids = {"rasa": bot.pid, **bot.extra_pids}
    idle = {name: round(rss_bytes(pid) / MB, 1) for name, pid in pids.items()}
    result: dict = {"ready_s": round(bot.ready_s, 2), "rss_idle_mb": idle, "levels": []}
    with RssSampler(pids) as sampler:
        for concurrency in levels:
            log(f"{bot.name}: {concurrency} concurrent conversations for {duration:.0f} s")
            level = loadgen(bot, "--concurrency", str(concurrency), "--duration", str(duration))
            log(f"{bot.name}: {level['throughput_msg_s']} msg/s, p50 {level['p50_ms']} ms, p99 {level['p99_ms']} ms,"
                f" {level['errors']} errors")
            result["levels"].append(level)
        if long_turns:
            log(f"{bot.name}: one {long_turns}-turn conversation")
            result["long"] = loadgen(bot, "--long", str(long_turns))
    result["rss_peak_mb"] = sampler.megabytes()
    return result


def main() -> int:
    duration = float(os.environ.get("BENCH_DURATION", "30"))
    levels = [int(x) for x in os.environ.get("BENCH_LEVELS", "1,10,50").split(",") if x.strip()]
    long_turns = int(os.environ.get("BENCH_LONG_TURNS", "100"))
    with_stock = os.environ.get("BENCH_STOCK", "1") != "0"
    result: dict = {
        "started_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": f"{platform.node()} ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at start)",
        "settings": {"duration_s": duration, "levels": levels, "long_turns": long_turns, "max_turns": 12},
    }
    ensure_loadgen_venv()
    work = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    try:
        # Training first, while nothing else of ours runs (2 cores, shared machine).
        training: dict = {}
        if os.environ.get("BENCH_TRAIN") == "1":
            log("training our model into a temporary directory (BENCH_TRAIN=1, a few minutes)")
            try:
                training.update(ours_s=round(train_ours(work, log), 1), ours_source="measured")
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as error:
                log(f"training failed ({error}); see the log in the work directory (BENCH_KEEP=1 keeps it)")
                training.update(ours_s=None, ours_source=f"failed: {error}")
        else:
            last = report.last_training()
            if last:
                training.update(ours_s=last["ours_s"], ours_source=f"last measured {last['measured_at']}")
            else:
                training.update(ours_s=None, ours_source="never measured; run with BENCH_TRAIN=1")
        result["training"] = training
        stock_project = None
        if with_stock:
            log("rasa init --no-prompt (scaffolds and trains the stock bot)")
            try:
                stock_project, seconds = init_stock(work, log)
                training["stock_init_s"] = round(seconds, 1)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError) as error:
                log(f"the stock bot could not be set up: {error}")
                result["stock_error"] = str(error)

        log("starting our stack (case service, action server, Rasa server)")
        bot = start_ours(work)
        try:
            log(f"ours ready in {bot.ready_s:.1f} s")
            result["ours"] = measure(bot, levels, duration, long_turns)
        finally:
            bot.stop()
        if stock_project is not None:
            log("starting the stock bot")
            try:
                bot = start_stock(stock_project, work)
            except RuntimeError as error:
                log(str(error))
                result["stock_error"] = str(error)
            else:
                try:
                    log(f"stock ready in {bot.ready_s:.1f} s")
                    result["stock"] = measure(bot, levels, duration, long_turns)
                finally:
                    bot.stop()
                result["ratios"] = report.ratios(result["ours"], result["stock"])
        result["finished_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = report.write(result)
        print(report.table(result))
        print(f"\nwritten to {path.relative_to(ROOT)}")
        return 0
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
