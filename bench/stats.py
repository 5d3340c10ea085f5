"""Percentiles and the summary of one load level (standard library only)."""
from __future__ import annotations

import math
from typing import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(latencies_s: Iterable[float], elapsed_s: float, errors: int = 0, conversations: int = 0) -> dict:
    """Latency percentiles in milliseconds and throughput in messages per second."""
    values = list(latencies_s)
    ms = [v * 1000.0 for v in values]
    return {
        "messages": len(values),
        "errors": errors,
        "conversations": conversations,
        "elapsed_s": round(elapsed_s, 3),
        "throughput_msg_s": round(len(values) / elapsed_s, 2) if elapsed_s > 0 else math.nan,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else math.nan,
        "mean_ms": round(sum(ms) / len(ms), 1) if ms else math.nan,
    }
