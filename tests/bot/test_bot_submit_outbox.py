"""Filing a case: success, outage → outbox → delivered exactly once, rejection, idempotency —
against a fake backend and against the real case_service."""
from __future__ import annotations

import random
from typing import Any

import aiohttp
import pytest
from rasa_sdk.executor import CollectingDispatcher

from backend_client import CaseBackend, Unavailable
from bot.actions import runtime
from bot.actions.case_record import CaseRecord, idempotency_key
from bot.actions.common import SKIPPED
from bot.actions.my_cases import ActionListMyCases
from bot.actions.outbox import PENDING, REJECTED, SUBMITTED, ActionDeliverPendingCase, Outbox, OutboxWorker
from bot.actions.status import ActionCheckStatus
from bot.actions.submit_case import ActionSubmitCase
from tests.bot.helpers import DOMAIN_DICT, action_event, make_tracker, slot_event, stamp, texts, user_event

CASE = {
    "description": "楼下饭馆每天晚上很吵", "appeal_type": "投诉", "category_level1": "城乡建设",
    "category_level2": "城市建设和市政管理", "district": "海淀区", "subdistrict": "学院路街道", "address": "学院路12号",
    "occurred_at": "每天晚上", "contact_name": "张三", "contact_phone": "13800138000", "anonymous": False,
    "case_confirmed": True, "media_urls": ["https://x.test/1.jpg"],
}


def filed_tracker(sender: str = "citizen-1", started: float = 1_764_480_000.5, language: str = "zh",
                  **overrides: Any):
    """The conversation right after the case form completed."""
    slots = {**CASE, "language": language, **overrides}
    events = [action_event("action_session_start"), {"event": "session_started"}]
    events += [action_event("action_listen"), user_event("我要投诉", "report_problem")]
    events.append({"event": "active_loop", "name": "case_form", "timestamp": started})
    events += [slot_event(k, v) for k, v in slots.items()]
    events += [{"event": "active_loop", "name": None, "timestamp": stamp()}, action_event("case_form")]
    return make_tracker("对", "affirm", slots=slots, events=events, sender_id=sender)


def next_message(sender: str = "citizen-1", key: str | None = None, intent: str = "greet", **slots):
    return make_tracker("你好", intent, slots={"pending_case_key": key, **slots}, sender_id=sender)


async def submit(tracker) -> tuple[list[dict], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitCase().run(dispatcher, tracker, DOMAIN_DICT)
    return events, dispatcher


def slots_of(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_success_reports_number_and_deadline(rt, backend):
    events, dispatcher = await submit(filed_tracker())
    message = dispatcher.messages[0]
    assert message["response"] == "utter_case_submitted"
    assert message["case_number"] == "2026113000001"
    assert message["deadline"] == "2026年12月7日（周一）"
    slots = slots_of(events)
    assert slots["last_case_number"] == "2026113000001" and slots["description"] is None
    key, draft = backend.submissions[0]
    assert key.startswith("conv-")
    assert draft.district_code == "110108" and draft.subdistrict_code.startswith("110108")
    assert draft.address == "北京市海淀区学院路街道 学院路12号"
    assert draft.appeal_type == "投诉" and draft.phone == "13800138000" and draft.media_urls == ("https://x.test/1.jpg",)
    assert draft.conversation_id == "citizen-1" and draft.language == "zh"


async def test_english_deadline(rt):
    _, dispatcher = await submit(filed_tracker(language="en"))
    assert dispatcher.messages[0]["deadline"] == "Monday, 7 December 2026"


async def test_retrying_the_action_never_files_twice(rt, backend):
    tracker = filed_tracker()
    first_events, first = await submit(tracker)
    second_events, second = await submit(filed_tracker())
    assert len(backend.submissions) == 1
    assert first.messages[0]["case_number"] == second.messages[0]["case_number"]


async def test_idempotency_key_follows_the_form_start():
    a = idempotency_key(filed_tracker(started=1.0))
    assert a == idempotency_key(filed_tracker(started=1.0))
    assert a != idempotency_key(filed_tracker(started=2.0))
    assert a != idempotency_key(filed_tracker(sender="someone-else", started=1.0))


async def test_anonymous_and_skipped_values_are_not_sent(rt, backend):
    await submit(filed_tracker(anonymous=True, occurred_at=SKIPPED, subdistrict=SKIPPED))
    _, draft = backend.submissions[0]
    assert draft.anonymous is True and draft.phone is None and draft.contact_name is None
    assert draft.occurred_at is None and draft.subdistrict_code is None


async def test_not_confirmed_files_nothing(rt, backend):
    events, dispatcher = await submit(filed_tracker(case_confirmed=None))
    assert events == [] and dispatcher.messages == [] and backend.calls == 0


async def test_incomplete_case(rt, backend):
    events, dispatcher = await submit(filed_tracker(description=None))
    assert texts(dispatcher) == ["utter_case_incomplete"] and backend.calls == 0


async def test_rejection_offers_a_person(rt, backend):
    backend.reject = True
    events, dispatcher = await submit(filed_tracker())
    assert texts(dispatcher) == ["utter_case_rejected"]
    assert slots_of(events)["case_confirmed"] is None and slots_of(events)["description"] is None
    entry = (await rt.outbox().unannounced())
    assert entry == []  # already announced by the rejection message
    assert (await rt.outbox().get(idempotency_key(filed_tracker()))).status == REJECTED


async def test_outage_queues_then_next_message_delivers_once(rt, backend):
    backend.down = True
    events, dispatcher = await submit(filed_tracker())
    assert texts(dispatcher) == ["utter_case_queued"]
    key = slots_of(events)["pending_case_key"]
    assert slots_of(events)["description"] is None  # the draft lives in the outbox, not the tracker
    assert (await rt.outbox().get(key)).status == PENDING

    # Still down on the next message: nothing is said, the key stays.
    dispatcher = CollectingDispatcher()
    assert await ActionDeliverPendingCase().run(dispatcher, next_message(key=key), DOMAIN_DICT) == []
    assert dispatcher.messages == []

    backend.down = False
    import bot.actions.outbox as outbox_module

    outbox_module.MESSAGE_RETRY_SECONDS = 0.0
    try:
        dispatcher = CollectingDispatcher()
        events = await ActionDeliverPendingCase().run(dispatcher, next_message(key=key), DOMAIN_DICT)
        assert texts(dispatcher) == ["utter_pending_case_filed"]
        assert dispatcher.messages[0]["case_number"] == "2026113000001"
        assert slots_of(events) == {"last_case_number": "2026113000001", "pending_case_key": None}
        # Another message (or a stale key) never announces or files again.
        dispatcher = CollectingDispatcher()
        events = await ActionDeliverPendingCase().run(dispatcher, next_message(key=key), DOMAIN_DICT)
        assert dispatcher.messages == [] and slots_of(events) == {"pending_case_key": None}
    finally:
        outbox_module.MESSAGE_RETRY_SECONDS = 20.0
    assert len(backend.submissions) == 1


class RecordingNotifier:
    def __init__(self):
        self.notified: list[Any] = []

    async def notify(self, entry):
        self.notified.append(entry)
        return True


async def test_background_worker_files_and_announces_once(rt, backend):
    backend.down = True
    events, _ = await submit(filed_tracker(sender="tg-42"))
    key = slots_of(events)["pending_case_key"]
    notifier = RecordingNotifier()

    async def backend_factory():
        return backend

    worker = OutboxWorker(rt.outbox(), backend_factory, notifier, interval=0.01, timeout=1.0)
    assert await worker.run_once() == 1  # still down
    backend.down = False
    assert await worker.run_once() == 0
    assert [e.case_number for e in notifier.notified] == ["2026113000001"]
    assert notifier.notified[0].sender_id == "tg-42"

    # Rasa answers trigger_intent by running the deliver action (slot mapping + rule).
    external = make_tracker("", "EXTERNAL_case_filed", slots={"pending_case_key": key}, sender_id="tg-42",
                            ents=[{"entity": "case_number", "value": "2026113000001"}])
    dispatcher = CollectingDispatcher()
    events = await ActionDeliverPendingCase().run(dispatcher, external, DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_pending_case_filed"]
    dispatcher = CollectingDispatcher()
    await ActionDeliverPendingCase().run(dispatcher, external, DOMAIN_DICT)  # the rule runs it again
    assert dispatcher.messages == []
    await worker.run_once()
    assert len(notifier.notified) == 1 and len(backend.submissions) == 1


async def test_lost_response_is_retried_with_the_same_key(rt, backend):
    original = backend.submit

    async def lose_response(draft, idempotency_key=None):
        await original(draft, idempotency_key)
        raise Unavailable("timeout after the server stored the case")

    backend.submit = lose_response
    events, dispatcher = await submit(filed_tracker())
    assert texts(dispatcher) == ["utter_case_queued"]
    backend.submit = original
    worker = OutboxWorker(rt.outbox(), lambda: _async(backend), None, interval=0.01)
    await worker.run_once()
    entry = await rt.outbox().get(slots_of(events)["pending_case_key"])
    assert entry.status == SUBMITTED and entry.case_number == "2026113000001"
    assert len(backend.submissions) == 1


async def _async(value):
    return value


async def test_outbox_survives_a_restart(tmp_path):
    path = tmp_path / "state.sqlite3"
    record = CaseRecord(description="路灯坏了", level1="城乡建设", district="海淀区")
    await Outbox(path).enqueue("k1", "s1", record)
    await Outbox(path).enqueue("k1", "s1", record)  # same key: ignored
    again = Outbox(path)
    pending = await again.pending()
    assert [(e.key, e.record) for e in pending] == [("k1", record)]
    await again.mark_submitted("k1", "2026113000009", None)
    assert await again.claim_notification("k1") is True
    assert await again.claim_notification("k1") is False
    assert await again.pending() == []


async def test_deliver_action_is_silent_without_pending_case(rt, backend):
    dispatcher = CollectingDispatcher()
    assert await ActionDeliverPendingCase().run(dispatcher, next_message(), DOMAIN_DICT) == []
    assert dispatcher.messages == [] and backend.calls == 0


# ---------------------------------------------------------------------------- the real case service


@pytest.fixture
def service(request: pytest.FixtureRequest) -> Any:
    try:
        return request.getfixturevalue("case_service")
    except pytest.FixtureLookupError:
        pytest.skip("fixture 'case_service' (tests/conftest.py) is not available")


@pytest.fixture
async def real_rt(service, settings, code_sender, no_categorizer):
    async with aiohttp.ClientSession() as session:
        backend = CaseBackend(service.url, session, api_key=service.api_key, timeout=5.0, backoff=0.05)
        instance = runtime.Runtime(settings, backend=backend, categorizer=no_categorizer, code_sender=code_sender)
        runtime.set_runtime(instance)
        try:
            yield instance
        finally:
            runtime.set_runtime(None)


async def test_against_the_real_case_service(real_rt, code_sender):
    phone = "139" + "".join(random.choice("0123456789") for _ in range(8))
    sender = f"it-{random.random()}"
    tracker = filed_tracker(sender=sender, contact_phone=phone, media_urls=[])
    events, dispatcher = await submit(tracker)
    assert texts(dispatcher) == ["utter_case_submitted"], dispatcher.messages
    number = dispatcher.messages[0]["case_number"]
    assert len(number) == 13 and number.isdigit()
    assert dispatcher.messages[0]["deadline"]

    # A retried action (same conversation, same form start) returns the same case.
    _, again = await submit(filed_tracker(sender=sender, contact_phone=phone, media_urls=[]))
    assert again.messages[0]["case_number"] == number

    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, make_tracker("查询", "ask_status", slots={"case_number": number}),
                                  DOMAIN_DICT)
    status = dispatcher.messages[0]
    assert status["response"] == "utter_case_status" and status["case_number"] == number
    assert status["status"] == "已受理" and status["deadline"]

    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(
        dispatcher, make_tracker("查询", "ask_status", slots={"case_number": "2020010100001"}), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_case_not_found"]

    dispatcher = CollectingDispatcher()
    await ActionListMyCases().run(
        dispatcher, make_tracker("", "my_cases", slots={"status_phone": phone, "phone_verified": True}), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_my_cases"]
    assert number in dispatcher.messages[0]["cases"]


async def test_runtime_worker_retries_in_the_background(settings, backend, no_categorizer, code_sender):
    import asyncio
    from dataclasses import replace

    notifier = RecordingNotifier()
    instance = runtime.Runtime(replace(settings, outbox_worker=True, outbox_retry_seconds=0.05), backend=backend,
                               categorizer=no_categorizer, code_sender=code_sender, notifier=notifier)
    runtime.set_runtime(instance)
    try:
        backend.down = True
        events, _ = await submit(filed_tracker(sender="bg"))
        key = slots_of(events)["pending_case_key"]
        assert instance._worker_task is not None
        backend.down = False
        for _ in range(100):
            entry = await instance.outbox().get(key)
            if entry.status == SUBMITTED and notifier.notified:
                break
            await asyncio.sleep(0.02)
        assert entry.status == SUBMITTED and [e.key for e in notifier.notified] == [key]
        assert len(backend.submissions) == 1
    finally:
        await instance.aclose()
        runtime.set_runtime(None)
