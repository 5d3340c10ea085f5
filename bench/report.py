"""The benchmark's table, its targets (issue #8) and its JSON file under bench/results/."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable, Optional

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1024 * 1024


def targets(result: dict) -> list[tuple[str, str, Optional[bool]]]:
    """(target, measured, met) for each target of issue #8; met is None when not measured."""
    ours = result.get("ours", {})
    levels = {lvl["concurrency"]: lvl for lvl in ours.get("levels", [])}
    ratios = result.get("ratios", {})
    rows: list[tuple[str, str, Optional[bool]]] = []

    def add(name: str, value: Optional[float], fmt: str, ok: Callable[[float], bool]) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            rows.append((name, "not measured", None))
        else:
            rows.append((name, fmt.format(value), bool(ok(value))))

    tput = [r["throughput"] for r in ratios.get("levels", []) if r.get("throughput") is not None]
    add("throughput >= 3x stock (every level)", min(tput) if tput else None, "{:.2f}x (lowest level)", lambda v: v >= 3)
    add("p99 <= 300 ms at 10 concurrent", levels.get(10, {}).get("p99_ms"), "{:.0f} ms", lambda v: v <= 300)
    add("p50 <= 30 ms at 1 concurrent", levels.get(1, {}).get("p50_ms"), "{:.0f} ms", lambda v: v <= 30)
    growth = ours.get("long", {}).get("growth")
    add("latency flat with length (last/first 10 turns p50 <= 1.5)", growth, "{:.2f}x", lambda v: v <= 1.5)
    add("ready <= 30 s", ours.get("ready_s"), "{:.1f} s", lambda v: v <= 30)
    training = result.get("training", {}).get("ours_s")
    add("full training <= 5 min", training, "{:.0f} s", lambda v: v <= 300)
    rss = ours.get("rss_peak_mb", {}).get("rasa")
    add("Rasa server RSS <= 900 MB", rss, "{:.0f} MB", lambda v: v <= 900)
    return rows


def table(result: dict) -> str:
    lines = [f"hotline12345 bench — {result['started_at']} on {result['host']}", ""]
    lines.append(f"{'bot':6} {'conc':>4} {'msgs':>6} {'err':>4} {'msg/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'turns':>5}")
    for bot in ("ours", "stock"):
        for lvl in result.get(bot, {}).get("levels", []):
            lines.append(f"{bot:6} {lvl['concurrency']:>4} {lvl['messages']:>6} {lvl['errors']:>4} "
                         f"{lvl['throughput_msg_s']:>7.1f} {lvl['p50_ms']:>7.0f} {lvl['p95_ms']:>7.0f} "
                         f"{lvl['p99_ms']:>7.0f} {lvl['mean_turns']:>5}")
    lines.append("")
    for r in result.get("ratios", {}).get("levels", []):
        lines.append(f"ours/stock at {r['concurrency']:>2}: throughput {r['throughput']:.2f}x, "
                     f"p50 {r['p50']:.2f}x, p99 {r['p99']:.2f}x")
    lines.append("")
    for bot in ("ours", "stock"):
        info = result.get(bot)
        if not info:
            continue
        long = info.get("long", {})
        rss = info.get("rss_peak_mb", {})
        lines.append(f"{bot}: ready {info.get('ready_s', math.nan):.1f} s; "
                     f"{long.get('turns', 0)}-turn conversation p50 first 10 {long.get('first_p50_ms', math.nan)} ms, "
                     f"last 10 {long.get('last_p50_ms', math.nan)} ms ({long.get('growth')}x); "
                     f"peak RSS " + ", ".join(f"{k} {v:.0f} MB" for k, v in rss.items()))
    training = result.get("training", {})
    ours_s = training.get("ours_s")
    lines.append(f"training: ours {'%.0f s' % ours_s if ours_s else 'not measured'}"
                 f" ({training.get('ours_source', '')}); stock rasa init+train "
                 f"{'%.0f s' % training['stock_init_s'] if training.get('stock_init_s') else 'n/a'}")
    lines += ["", "targets (issue #8):"]
    for name, measured, met in targets(result):
        mark = {True: "PASS", False: "FAIL", None: "----"}[met]
        lines.append(f"  [{mark}] {name}: {measured}")
    return "\n".join(lines)


def ratios(ours: dict, stock: dict) -> dict:
    stock_levels = {lvl["concurrency"]: lvl for lvl in stock.get("levels", [])}
    out = []
    for lvl in ours.get("levels", []):
        other = stock_levels.get(lvl["concurrency"])
        if not other:
            continue

        def div(a: float, b: float) -> Optional[float]:
            return round(a / b, 2) if b and not math.isnan(b) and not math.isnan(a) else None

        out.append({"concurrency": lvl["concurrency"],
                    "throughput": div(lvl["throughput_msg_s"], other["throughput_msg_s"]),
                    "p50": div(lvl["p50_ms"], other["p50_ms"]), "p99": div(lvl["p99_ms"], other["p99_ms"])})
    return {"levels": out}


def last_training(results_dir: Path = RESULTS) -> Optional[dict]:
    """The newest measured training time in bench/results/*.json, with its file name."""
    for path in sorted(results_dir.glob("bench-*.json"), reverse=True):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        training = data.get("training", {})
        if training.get("ours_source") == "measured" and training.get("ours_s"):
            return {"ours_s": training["ours_s"], "measured_at": data.get("started_at"), "file": path.name}
    return None


def write(result: dict, results_dir: Path = RESULTS) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = result["started_at"].replace(":", "").replace("-", "")[:15]
    path = results_dir / f"bench-{stamp}.json"
    text = json.dumps(result, ensure_ascii=False, indent=1)
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    return path
