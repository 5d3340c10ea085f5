"""Scripted citizens and the REST-channel conversation driver.

A citizen is a small state machine: ``next_message(replies, slots)`` gets the bot's replies to
the last message (and, if ``needs_tracker``, the tracker's slots) and returns the next message,
or ``None`` when the conversation is over. :func:`converse` plays one against a Rasa server and
times only the ``POST /webhooks/rest/webhook`` calls; the tracker reads the filing citizen needs
(to answer whatever the form asks, like tests/e2e/test_rest_filing.py) are not timed, but they
do load the server, so they make our numbers slightly worse, never better.
"""
from __future__ import annotations

import itertools
import re
import time
import uuid
from typing import Callable, Optional

CASE_NUMBER = re.compile(r"\b(20\d{11})\b")

# Answers to each slot of case_form, as in tests/e2e/test_rest_filing.py.
ANSWERS = {
    "zh": {
        "description": "望京西路12号门口的路灯坏了一个星期了，晚上很黑",
        "appeal_type": "投诉",
        "district": "朝阳区",
        "subdistrict": "望京街道",
        "address": "望京西路12号",
        "occurred_at": "每天晚上",
        "anonymous": "不匿名",
        "contact_name": "我叫张三",
        "contact_phone": "13800138000",
        "case_confirmed": "是的，提交",
    },
    "en": {
        "description": "The street light at 12 Wangjing West Road has been broken for a week",
        "appeal_type": "complaint",
        "district": "Chaoyang",
        "subdistrict": "Wangjing",
        "address": "12 Wangjing West Road",
        "occurred_at": "every night",
        "anonymous": "no",
        "contact_name": "my name is John Smith",
        "contact_phone": "13900139000",
        "case_confirmed": "yes, submit it",
    },
}
PHRASES = {
    "zh": {
        "greet": "你好",
        "open": "我要投诉，朝阳区望京街道望京西路12号门口的路灯坏了一个星期了，晚上很黑",
        "status": "案件{case}的进度怎么样了",
        "thank": "谢谢",
        "bye": "再见",
    },
    "en": {
        "greet": "hello",
        "open": "I want to complain: the street light at 12 Wangjing West Road in Chaoyang has been broken for a week",
        "status": "what's the status of case {case}",
        "thank": "thanks",
        "bye": "bye",
    },
}
# The stock `rasa init` bot's own intents (greet, mood_*, affirm, deny, bot_challenge, goodbye).
STOCK_SCRIPT = ["hello", "I am sad", "no", "are you a bot?", "I am feeling great", "yes", "ok thanks", "bye"]
STOCK_FILLER = ["hi there", "I am sad", "yes", "are you a bot?", "perfect", "good afternoon"]


class Citizen:
    """Base class: a scripted citizen; ``max_turns`` bounds the conversation."""

    needs_tracker = False
    language = "en"

    def __init__(self, max_turns: int = 12, long_after: bool = False) -> None:
        self.max_turns = max_turns
        self.turns = 0
        self.long_after = long_after  # keep talking (filler turns) up to max_turns

    def first_message(self) -> str:
        self.turns = 1
        return self._first()

    def next_message(self, replies: list[dict], slots: Optional[dict]) -> Optional[str]:
        if self.turns >= self.max_turns:
            return None
        message = self._next(replies, slots or {})
        if message is None and self.long_after:
            message = self._filler()
        if message is not None:
            self.turns += 1
        return message

    def wants_tracker(self) -> bool:
        return self.needs_tracker

    def _first(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def _next(self, replies: list[dict], slots: dict) -> Optional[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _filler(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class FilingCitizen(Citizen):
    """Greets, files a case answering whatever the form asks, checks its status, thanks, leaves."""

    def __init__(self, language: str, max_turns: int = 12, long_after: bool = False) -> None:
        super().__init__(max_turns, long_after)
        self.language = language
        self.phrases = PHRASES[language]
        self.answers = ANSWERS[language]
        self.phase = "greet"
        self.case_number: Optional[str] = None
        self._tail = iter([])
        self._fillers = itertools.cycle(["status", "thank", "greet"])

    def wants_tracker(self) -> bool:
        return self.phase == "file"

    def _first(self) -> str:
        return self.phrases["greet"]

    def _next(self, replies: list[dict], slots: dict) -> Optional[str]:
        if self.phase == "greet":
            self.phase = "file"
            return self.phrases["open"]
        if self.phase == "file":
            found = self._case_number(replies, slots)
            if found:
                self.case_number = found
                self.phase = "status"
                return self.phrases["status"].format(case=found)
            return self._answer(replies, slots)
        if self.phase == "status":
            if slots.get("requested_slot") == "case_number" and self.case_number:
                return self.case_number
            self.phase = "tail"
            self._tail = iter([self.phrases["thank"], self.phrases["bye"]])
        return next(self._tail, None)

    def _filler(self) -> str:
        kind = next(self._fillers)
        if kind == "status" and self.case_number:
            return self.phrases["status"].format(case=self.case_number)
        return self.phrases["thank" if kind == "thank" else "greet"]

    @staticmethod
    def _case_number(replies: list[dict], slots: dict) -> Optional[str]:
        for reply in replies:
            found = CASE_NUMBER.search(reply.get("text") or "")
            if found:
                return found.group(1)
        return slots.get("last_case_number")

    def _answer(self, replies: list[dict], slots: dict) -> str:
        requested = slots.get("requested_slot")
        buttons = [b for r in replies for b in (r.get("buttons") or [])]
        if requested in self.answers and not (requested == "appeal_type" and buttons):
            return self.answers[requested]
        if buttons:
            return buttons[0]["payload"]
        return self.answers.get(requested or "", self.answers["case_confirmed"])


class StockCitizen(Citizen):
    """Talks to the stock `rasa init` bot in its own vocabulary."""

    def __init__(self, max_turns: int = 12, long_after: bool = False) -> None:
        super().__init__(max_turns, long_after)
        self._script = iter(STOCK_SCRIPT[1:])
        self._fillers = itertools.cycle(STOCK_FILLER)

    def _first(self) -> str:
        return STOCK_SCRIPT[0]

    def _next(self, replies: list[dict], slots: dict) -> Optional[str]:
        return next(self._script, None)

    def _filler(self) -> str:
        return next(self._fillers)


def citizen_factory(kind: str, max_turns: int = 12) -> Callable[[int], Citizen]:
    """``ours`` alternates zh and en filing citizens; ``stock`` talks to the stock bot."""
    if kind == "ours":
        return lambda n: FilingCitizen("zh" if n % 2 == 0 else "en", max_turns=max_turns)
    if kind == "stock":
        return lambda n: StockCitizen(max_turns=max_turns)
    raise ValueError(f"unknown bot kind: {kind}")


async def converse(session, base_url: str, token: str, citizen: Citizen,
                   record: Callable[[int, float], None], *, deadline: Optional[float] = None,
                   timeout: float = 60.0) -> int:
    """Play ``citizen`` against the REST channel of ``base_url`` (an aiohttp ``ClientSession``).

    ``record(turn, seconds)`` gets the latency of every answered message. Stops at the end of the
    script or at ``deadline`` (``time.monotonic()``, checked before each message; a message in
    flight is finished). Returns the number of turns; raises on an HTTP error.
    """
    import aiohttp

    sender = f"bench-{citizen.language}-{uuid.uuid4().hex[:12]}"
    webhook = f"{base_url}/webhooks/rest/webhook"
    tracker_url = f"{base_url}/conversations/{sender}/tracker"
    # Only the slots are read: no events in the answer (the server still loads the tracker).
    params = {"include_events": "NONE", **({"token": token} if token else {})}
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    message: Optional[str] = citizen.first_message()
    turn = 0
    while message is not None:
        if deadline is not None and time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        async with session.post(webhook, json={"sender": sender, "message": message}, timeout=client_timeout) as response:
            response.raise_for_status()
            replies = await response.json(content_type=None)
        record(turn, time.perf_counter() - started)
        turn += 1
        slots = None
        if citizen.wants_tracker():
            async with session.get(tracker_url, params=params, timeout=client_timeout) as response:
                response.raise_for_status()
                slots = (await response.json(content_type=None)).get("slots") or {}
        message = citizen.next_message(replies or [], slots)
    return turn
