"""action_handoff: queued at the console → ConversationPaused and a position; console down → no
pause and the phone line; a session that restarts while handed off stays paused."""
from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.handoff import ActionHandoff, queued_message
from bot.actions.handoff_desk import ConsoleDesk, DeskUnavailable, QueueTicket
from bot.actions.session import ActionSessionStart
from tests.bot.helpers import DOMAIN_DICT, make_tracker, texts


class FakeDesk:
    def __init__(self, ticket: QueueTicket | None) -> None:
        self.ticket, self.requests = ticket, []

    async def request(self, summary):
        self.requests.append(summary)
        if self.ticket is None:
            raise DeskUnavailable("down")
        return self.ticket


async def test_handoff_pauses_and_tells_the_position(rt):
    rt._desk = desk = FakeDesk(QueueTicket(7, 3, 9))
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("我要找人工客服", "request_human", active_loop="case_form",
                           slots={"description": "楼下噪音", "category_level1": "城乡建设"})
    events = await ActionHandoff().run(dispatcher, tracker, DOMAIN_DICT)
    assert texts(dispatcher)[0] == "utter_handoff"
    assert "第 3 位" in texts(dispatcher)[1] and "9 分钟" in texts(dispatcher)[1]
    kinds = [e["event"] for e in events]
    assert kinds[-1] == "pause" and {"event": "slot", "name": "handoff_requested"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    summary = desk.requests[0]
    assert summary["conversation_id"] == "citizen-1" and summary["language"] == "zh"
    assert summary["category"] == "城乡建设" and summary["slots"]["description"] == "楼下噪音"
    assert summary["last_turns"][-1] == {"who": "user", "text": "我要找人工客服"}
    assert summary["since"] > 0 and summary["reason"] == "request_human"


async def test_console_down_means_no_pause_and_the_phone_line(rt):
    rt._desk = FakeDesk(None)
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, make_tracker("转人工", "request_human"), DOMAIN_DICT)
    assert "12345" in texts(dispatcher)[0] and len(texts(dispatcher)) == 1
    assert all(e["event"] != "pause" for e in events)


def test_queued_message_in_english():
    assert "next in line" in queued_message(QueueTicket(1, 1, 3), "en")
    assert "number 4" in queued_message(QueueTicket(1, 4, 12), "en")
    assert "已在处理" in queued_message(QueueTicket(1, 0, 0), "zh")


async def test_session_restart_keeps_a_handed_off_conversation_paused():
    tracker = make_tracker("还在吗", "greet", slots={"handoff_requested": True})
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, DOMAIN_DICT)
    assert events[-1]["event"] == "pause"
    tracker = make_tracker("你好", "greet")
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, DOMAIN_DICT)
    assert all(e["event"] != "pause" for e in events)


@pytest.mark.parametrize("status, body, ok", [
    (200, {"id": 5, "position": 2, "expected_wait_minutes": 6}, True),
    (403, {"error": "forbidden"}, False),
    (200, {"unexpected": True}, False),
])
async def test_console_desk_speaks_the_internal_api(rt, status, body, ok):
    seen = {}

    async def handle(request):
        seen["auth"] = request.headers.get("Authorization")
        seen["body"] = await request.json()
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/internal/handoffs", handle)
    async with TestServer(app) as server:
        desk = ConsoleDesk(rt.session, str(server.make_url("")), "s3cret", timeout=2)
        if ok:
            assert await desk.request({"conversation_id": "c"}) == QueueTicket(5, 2, 6)
        else:
            with pytest.raises(DeskUnavailable):
                await desk.request({"conversation_id": "c"})
    assert seen["auth"] == "Bearer s3cret" and seen["body"] == {"conversation_id": "c"}


async def test_console_desk_unreachable(rt):
    desk = ConsoleDesk(rt.session, "http://127.0.0.1:9", "x", timeout=1)
    with pytest.raises(DeskUnavailable):
        await desk.request({"conversation_id": "c"})


# ---------------------------------------------------------------------------- always-human categories

ALWAYS_HUMAN = [("纪检监察", "贪污贿赂", 0.85), ("党务政务", "政治体制", 0.1), ("政法", "社会治安", 0.05)]


def _case_dialogue(language: str = "zh"):
    from bot.actions.case_form import ValidateCaseForm
    from tests.bot.helpers import FormDialogue

    return FormDialogue(ValidateCaseForm(), "case_form", language=language)


def _paused(d) -> bool:
    return any(e.get("event") == "pause" for e in d.events)


async def test_always_human_category_predicted_from_the_opening_narrative(rt, categorizer_with):
    rt._desk = desk = FakeDesk(QueueTicket(11, 2, 6))
    categorizer_with(ALWAYS_HUMAN)
    d = _case_dialogue()
    await d.say("我要举报海淀区某街道办的干部收受贿赂，我叫张三", "report_problem")
    assert not d.active and _paused(d) and d.slots["handoff_requested"] is True
    assert d.slots["requested_slot"] is None and d.asked == []  # no further question
    said = [m.get("text") or m.get("response") for m in d.last_messages]
    assert "纪检监察" in said[0] and "人工" in said[0] and "第 2 位" in said[1] and len(said) == 2
    summary = desk.requests[0]
    assert summary["reason"] == "always_human" and summary["category"] == "纪检监察"
    assert summary["slots"]["description"].startswith("我要举报") and summary["slots"]["appeal_type"] == "举报"
    assert summary["slots"]["contact_name"] == "张三" and summary["slots"]["category_level2"] == "贪污贿赂"
    # cleared afterwards: a new report after the release is not handed off by a stale category
    assert d.slots["category_level1"] is None and d.slots["category_level2"] is None


async def test_always_human_category_chosen_by_the_citizen_in_english(rt):
    rt._desk = desk = FakeDesk(QueueTicket(12, 1, 3))
    d = _case_dialogue("en")
    await d.say("I want to report something", "report_problem")
    await d.say("An official at the district office keeps asking for bribes", "inform")
    assert d.asked[-1] == "category_level1" and d.active and not desk.requests
    await d.say("Discipline and supervision", "inform")
    assert not d.active and _paused(d)
    said = [m.get("text") for m in d.last_messages]
    assert "Discipline and supervision" in said[0] and "member of staff" in said[0] and "next in line" in said[1]
    assert desk.requests[0]["language"] == "en" and desk.requests[0]["slots"]["category_level1"] == "纪检监察"
    d.slots["handoff_requested"] = False  # released
    await d.say("I want to complain about a broken street lamp", "report_problem")
    assert d.active and d.asked[-1] == "category_level1" and len(desk.requests) == 1


async def test_always_human_with_the_console_down_ends_the_form_without_pausing(rt, categorizer_with):
    rt._desk = FakeDesk(None)
    categorizer_with(ALWAYS_HUMAN)
    d = _case_dialogue()
    await d.say("举报某局领导贪污受贿", "report_problem")
    assert not d.active and not _paused(d)
    said = [m.get("text") for m in d.last_messages]
    assert "人工" in said[0] and "12345" in said[1]


async def test_other_categories_and_an_empty_setting_do_not_hand_off(rt, categorizer_with):
    from dataclasses import replace

    rt._desk = desk = FakeDesk(QueueTicket(1, 1, 3))
    categorizer_with([("城乡建设", "城市建设和市政管理", 0.9)])
    d = _case_dialogue()
    await d.say("小区门口的路灯坏了一个星期", "report_problem")
    assert d.active and not desk.requests
    rt.settings = replace(rt.settings, always_human_categories=())
    categorizer_with(ALWAYS_HUMAN)
    d = _case_dialogue()
    await d.say("举报某局领导贪污受贿", "report_problem")
    assert d.active and not desk.requests and d.slots["category_level1"] == "纪检监察"


def test_always_human_setting_is_read_from_the_environment():
    from bot.actions.settings import ActionSettings

    assert ActionSettings.from_env({}).always_human_categories == ("纪检监察",)
    assert ActionSettings.from_env({"HANDOFF_ALWAYS_HUMAN_CATEGORIES": "纪检监察, 政法，纪检监察"}).always_human_categories \
        == ("纪检监察", "政法")
    assert ActionSettings.from_env({"HANDOFF_ALWAYS_HUMAN_CATEGORIES": " "}).always_human_categories == ()
    with pytest.raises(ValueError):
        ActionSettings.from_env({"HANDOFF_ALWAYS_HUMAN_CATEGORIES": "纪委"})
