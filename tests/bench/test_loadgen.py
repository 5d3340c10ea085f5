"""Smoke test of the benchmark's load generator (bench/): percentiles and the conversation driver
against a tiny in-process fake of Rasa's REST channel — not a benchmark, it takes about a second."""
from __future__ import annotations

import asyncio
import itertools
import math

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bench import report
from bench.conversations import ANSWERS, FilingCitizen, StockCitizen, converse
from bench.load import run_level, run_long
from bench.stats import percentile, summarize

STATE = web.AppKey("state", dict)
SLOTS = ["description", "district", "contact_phone", "case_confirmed"]


def test_percentile_interpolates_like_numpy():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3.0], 95) == 3.0
    assert percentile([5, 1, 3], 0) == 1 and percentile([5, 1, 3], 100) == 5
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_summarize_reports_milliseconds_and_throughput():
    summary = summarize([0.010, 0.020, 0.030, 0.040], elapsed_s=2.0, errors=1, conversations=1)
    assert summary["messages"] == 4 and summary["throughput_msg_s"] == 2.0
    assert summary["p50_ms"] == 25.0 and summary["max_ms"] == 40.0 and summary["errors"] == 1


def fake_rasa() -> web.Application:
    """A form that asks SLOTS in order (requested_slot in the tracker), then gives a case number;
    a status question answers with the case number again. Records every message per sender."""
    numbers = itertools.count(2026113000001)
    state: dict[str, dict] = {}

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        sender, text = body["sender"], body["message"]
        conv = state.setdefault(sender, {"requested": None, "slots": {}, "messages": [], "case": None})
        conv["messages"].append(text)
        if conv["requested"] is None and ("投诉" in text or "complain" in text):
            conv["requested"] = SLOTS[0]
            return web.json_response([{"text": "ask " + SLOTS[0]}])
        if conv["requested"]:
            conv["slots"][conv["requested"]] = text
            following = SLOTS.index(conv["requested"]) + 1
            if following < len(SLOTS):
                conv["requested"] = SLOTS[following]
                return web.json_response([{"text": "ask " + conv["requested"]}])
            conv["requested"], conv["case"] = None, str(next(numbers))
            return web.json_response([{"text": f"filed as {conv['case']}"}])
        if conv["case"] and conv["case"] in text:
            return web.json_response([{"text": f"case {conv['case']} is being handled"}])
        return web.json_response([{"text": "ok"}])

    async def tracker(request: web.Request) -> web.Response:
        conv = state.get(request.match_info["sender"], {})
        return web.json_response({"slots": {"requested_slot": conv.get("requested"), "last_case_number": conv.get("case")}})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{sender}/tracker", tracker)
    app[STATE] = state
    return app


async def _with_server(body):
    import aiohttp

    app = fake_rasa()
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            return await body(str(server.make_url("")).rstrip("/"), session, app[STATE])
    finally:
        await server.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_filing_citizen_answers_the_form_then_checks_the_status(language):
    async def body(url, session, state):
        latencies = []
        citizen = FilingCitizen(language)
        turns = await converse(session, url, "", citizen, lambda turn, s: latencies.append((turn, s)))
        return turns, latencies, citizen, next(iter(state.values()))["messages"]

    turns, latencies, citizen, messages = asyncio.run(_with_server(body))
    answers = ANSWERS[language]
    assert citizen.case_number == "2026113000001"
    assert messages[2:6] == [answers[slot] for slot in SLOTS]
    assert citizen.case_number in messages[6]  # the status question
    assert turns == len(messages) == len(latencies) == 9 and 6 <= turns <= 12
    assert [t for t, _ in latencies] == list(range(turns)) and all(s > 0 for _, s in latencies)


def test_stock_citizen_and_turn_limit():
    citizen = StockCitizen(max_turns=3)
    played = [citizen.first_message()]
    while (message := citizen.next_message([], None)) is not None:
        played.append(message)
    assert played == ["hello", "I am sad", "no"] and not citizen.wants_tracker()


def test_run_level_and_long_conversation():
    async def body(url, session, state):
        level = await run_level(url, "", "ours", concurrency=3, duration=0.5, warmup=1, session=session)
        long = await run_long(url, "", "ours", turns=30, window=5, session=session)
        return level, long

    level, long = asyncio.run(_with_server(body))
    assert level["concurrency"] == 3 and level["errors"] == 0
    assert level["messages"] > 0 and level["throughput_msg_s"] > 0 and level["conversations"] >= 3
    assert level["p50_ms"] <= level["p95_ms"] <= level["p99_ms"] <= level["max_ms"]
    assert long["turns"] == 30 and len(long["latency_ms_by_turn"]) == 30 and long["growth"] > 0


def test_report_targets_and_ratios():
    level = {"concurrency": 10, "messages": 100, "errors": 0, "throughput_msg_s": 30.0, "p50_ms": 20.0,
             "p95_ms": 90.0, "p99_ms": 250.0, "mean_turns": 9}
    stock = dict(level, throughput_msg_s=10.0, p99_ms=100.0)
    result = {"started_at": "2026-11-30T00:00:00Z", "host": "test",
              "ours": {"levels": [level], "ready_s": 20.0, "long": {"growth": 1.1}, "rss_peak_mb": {"rasa": 800.0}},
              "stock": {"levels": [stock]}, "training": {"ours_s": None}}
    result["ratios"] = report.ratios(result["ours"], result["stock"])
    assert result["ratios"]["levels"][0] == {"concurrency": 10, "throughput": 3.0, "p50": 1.0, "p99": 2.5}
    met = {name: ok for name, _, ok in report.targets(result)}
    assert met["throughput >= 3x stock (every level)"] is True
    assert met["p99 <= 300 ms at 10 concurrent"] is True
    assert met["p50 <= 30 ms at 1 concurrent"] is None and met["full training <= 5 min"] is None
    assert "ours/stock at 10: throughput 3.00x" in report.table(result)
