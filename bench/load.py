"""The load generator: closed-loop conversations over the REST channel (runs in bench/.venv).

    python -m bench.load --url http://127.0.0.1:5005 --token T --kind ours --concurrency 10 --duration 30
    python -m bench.load --url ... --kind ours --long 100

Prints one JSON object. With ``--concurrency N`` N simulated citizens each hold one
conversation at a time and start the next as soon as one ends (closed loop, no think time), for
``--duration`` seconds after ``--warmup`` warm-up conversations; throughput counts the messages
answered in that window. With ``--long T`` one conversation of T turns is played and the
latency of its first and last turns is reported.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Optional

from bench.conversations import Citizen, FilingCitizen, StockCitizen, citizen_factory, converse
from bench.stats import percentile, summarize


async def run_level(url: str, token: str, kind: str, concurrency: int, duration: float,
                    max_turns: int = 12, warmup: int = 1, session=None) -> dict:
    """N concurrent citizens for ``duration`` seconds; returns :func:`bench.stats.summarize` plus turns."""
    import aiohttp

    own_session = session is None
    if own_session:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(concurrency * 2, 10)))
    make = citizen_factory(kind, max_turns)
    latencies: list[float] = []
    turns: list[int] = []
    errors: list[str] = []
    try:
        for n in range(warmup):
            await converse(session, url, token, make(n), lambda turn, s: None)
        deadline = time.monotonic() + duration
        counter = iter(range(10**9))

        async def worker() -> None:
            while time.monotonic() < deadline:
                try:
                    turns.append(await converse(session, url, token, make(next(counter)),
                                                lambda turn, s: latencies.append(s), deadline=deadline))
                except Exception as error:  # noqa: BLE001 - counted and reported
                    errors.append(f"{type(error).__name__}: {error}")
                    await asyncio.sleep(0.1)

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.monotonic() - started
    finally:
        if own_session:
            await session.close()
    result = summarize(latencies, elapsed, errors=len(errors), conversations=len(turns))
    result.update(concurrency=concurrency, mean_turns=round(sum(turns) / len(turns), 1) if turns else 0,
                  error_samples=sorted(set(errors))[:5])
    return result


def long_citizen(kind: str, turns: int) -> Citizen:
    if kind == "ours":
        return FilingCitizen("zh", max_turns=turns, long_after=True)
    return StockCitizen(max_turns=turns, long_after=True)


async def run_long(url: str, token: str, kind: str, turns: int, window: int = 10, session=None) -> dict:
    """One conversation of ``turns`` turns; latency of its first and last ``window`` turns."""
    import aiohttp

    own_session = session is None
    if own_session:
        session = aiohttp.ClientSession()
    by_turn: list[float] = []
    try:
        played = await converse(session, url, token, long_citizen(kind, turns), lambda t, s: by_turn.append(s * 1000.0))
    finally:
        if own_session:
            await session.close()
    first, last = by_turn[:window], by_turn[-window:]
    return {
        "turns": played,
        "window": window,
        "first_p50_ms": round(percentile(first, 50), 1),
        "first_mean_ms": round(sum(first) / len(first), 1) if first else None,
        "last_p50_ms": round(percentile(last, 50), 1),
        "last_mean_ms": round(sum(last) / len(last), 1) if last else None,
        "growth": round(percentile(last, 50) / percentile(first, 50), 2) if first and last else None,
        "latency_ms_by_turn": [round(v, 1) for v in by_turn],
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", default="")
    parser.add_argument("--kind", choices=["ours", "stock"], required=True)
    parser.add_argument("--concurrency", type=int)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--max-turns", type=int, default=12)
    parser.add_argument("--long", type=int, help="play one conversation of this many turns instead")
    args = parser.parse_args(argv)
    if args.long:
        result = asyncio.run(run_long(args.url, args.token, args.kind, args.long))
    elif args.concurrency:
        result = asyncio.run(run_level(args.url, args.token, args.kind, args.concurrency, args.duration,
                                       args.max_turns, args.warmup))
    else:
        parser.error("give --concurrency N or --long TURNS")
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
