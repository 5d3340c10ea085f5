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
