"""The Telegram channel inside the real Rasa server (trained model, action server, case service),
with the real python-telegram-bot talking to the Bot API double on loopback.

Each test posts Update JSON as Telegram sends it to ``/webhooks/telegram/webhook`` and asserts
the Bot API calls the update caused; each uses its own chat id (= its own conversation).
"""

from __future__ import annotations

import re
import time
from typing import Optional

import aiohttp
import pytest

from tests.support import telegram_updates as tg
from tests.support.webchat_client import tiny_png

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
CASE_NUMBER = re.compile(r"(?<!\d)(20\d{11})(?!\d)")
CJK = re.compile(r"[\u4e00-\u9fff]")


def keyboard(reply: dict) -> list[dict]:
    markup = reply.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


async def test_wrong_or_missing_secret_is_refused_and_nothing_is_processed(telegram):
    chat_id = 5_000_001
    before = len(telegram.api.calls)
    assert await telegram.post(tg.text(chat_id, "你好"), secret=None) == 403
    assert await telegram.post(tg.text(chat_id, "你好"), secret="wrong-secret") == 403
    assert await telegram.post(tg.text(chat_id, "你好"), secret=telegram.secret[:-1]) == 403
    assert await telegram.post(tg.text(chat_id, "你好"), secret=telegram.secret + "x") == 403
    assert telegram.api.calls[before:] == []
    tracker = await telegram.tracker(chat_id)
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    async with telegram.http.post(telegram.webhook_url, data=b"not json",
                                  headers={"X-Telegram-Bot-Api-Secret-Token": telegram.secret}) as response:
        assert response.status == 400


async def test_start_greets_in_the_users_language_with_an_inline_keyboard(telegram):
    zh = await telegram.replies(tg.text(5_000_002, "/start", language_code="zh-hans"))
    assert zh and "12345" in zh[0]["text"] and CJK.search(zh[0]["text"])
    buttons = keyboard(zh[-1])
    assert buttons and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    tracker = await telegram.tracker(5_000_002)
    assert tracker["latest_input_channel"] == "telegram"
    assert tracker["latest_message"]["metadata"] == {"language": "zh"}

    en = await telegram.replies(tg.text(5_000_003, "/start", language_code="en-GB"))
    assert en and not CJK.search(" ".join(r["text"] for r in en))


async def test_button_click_answers_the_query_and_sends_the_payload(telegram):
    chat_id = 5_000_004
    greeting = await telegram.replies(tg.text(chat_id, "/start"))
    button = next(b for b in keyboard(greeting[-1]) if b.get("callback_data"))
    calls = await telegram.send(tg.callback(chat_id, button["callback_data"], message_id=42))
    methods = [c.method for c in calls]
    assert methods[0] == "answerCallbackQuery"
    assert "editMessageReplyMarkup" in methods and "sendMessage" in methods
    tracker = await telegram.tracker(chat_id)
    assert tracker["latest_message"]["text"] == button["callback_data"]

    calls = await telegram.send(tg.callback(chat_id, "#cb:0123456789abcdef01234567"))  # forgotten long payload
    assert [c.method for c in calls] == ["answerCallbackQuery"] and calls[0].params.get("text")


async def test_voice_note_is_declined_politely_in_the_users_language(telegram):
    zh = await telegram.replies(tg.voice(5_000_005, "zh-CN"))
    assert len(zh) == 1 and "语音" in zh[0]["text"]
    en = await telegram.replies(tg.voice(5_000_006, "en"))
    assert len(en) == 1 and "Voice messages are not supported" in en[0]["text"]


async def test_updates_we_do_not_handle_are_acknowledged_and_ignored(telegram):
    chat_id = 5_000_007
    old_poll = tg.update(poll={"id": "p0", "question": "?", "options": [{"text": "a", "voter_count": 0}],
                               "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
                               "type": "regular", "allows_multiple_answers": False})  # PTB cannot build this one
    for update in (tg.edited(chat_id), tg.sticker(chat_id), tg.channel_post(), tg.poll(), old_poll,
                   tg.unknown_kind(), tg.text(chat_id, "大家好", chat_kind="group")):
        assert await telegram.send(update) == []
    tracker = await telegram.tracker(chat_id)
    assert not [e for e in tracker["events"] if e["event"] == "user"]
    update = tg.text(chat_id, "你好")
    assert await telegram.replies(update)
    assert await telegram.send(update) == []  # redelivered by Telegram: handled once


async def test_pushes_split_long_text_and_survive_blocked_and_flood_control(telegram):
    chat_id = 5_000_008
    assert await telegram.replies(tg.text(chat_id, "你好"))
    path = f"/conversations/tg-{chat_id}/tracker/events"
    params = {"output_channel": "latest", "execute_side_effects": "true"}

    async def operator_says(text: str) -> list[dict]:
        before = len(telegram.api.calls)
        await telegram.rasa("POST", path, params=params, json=[{"event": "bot", "text": text}])
        return [c.params for c in telegram.api.calls[before:] if c.method == "sendMessage"]

    sent = await operator_says("您好，我是 12345 的工作人员，已看到您的留言。")
    assert [s["text"] for s in sent] == ["您好，我是 12345 的工作人员，已看到您的留言。"]
    assert int(sent[0]["chat_id"]) == chat_id

    long = "\n".join(f"第{i}条：处理进展已更新。" for i in range(400))
    parts = await operator_says(long)
    assert len(parts) == 2 and "\n".join(p["text"] for p in parts) == long

    telegram.api.fail_next("sendMessage", blocked=True)
    assert [s["text"] for s in await operator_says("您还在吗？")] == ["您还在吗？"]  # blocked: tried once, dropped

    telegram.api.fail_next("sendMessage", retry_after=1)
    started = time.monotonic()
    tried = await operator_says("工单已派至朝阳区城管委。")
    assert [t["text"] for t in tried] == ["工单已派至朝阳区城管委。"] * 2 and time.monotonic() - started >= 1.0

    telegram.api.fail_next("sendMessage", retry_after=1, times=2)
    assert len(await operator_says("第二次限流")) == 2  # retried once, then dropped
    assert await telegram.replies(tg.text(chat_id, "谢谢"))  # the conversation goes on


async def ask_for_my_cases(telegram, chat_id: int) -> list[dict]:
    """"查一下我的工单" asks for a case number and offers "不知道编号" (/my_cases): click it."""
    asked = await telegram.replies(tg.text(chat_id, "查一下我的工单"))
    button = next(b for b in keyboard(asked[-1]) if b.get("callback_data") == "/my_cases")
    return await telegram.replies(tg.callback(chat_id, button["callback_data"]))


async def test_own_contact_verifies_the_phone_for_my_cases(telegram):
    chat_id = 5_000_009
    assert await ask_for_my_cases(telegram, chat_id)
    listed = await telegram.replies(tg.contact(chat_id, "+86 139 0000 0009", owner=chat_id))
    tracker = await telegram.tracker(chat_id)
    assert tracker["latest_message"]["metadata"] == {"verified_phone": "+8613900000009"}
    assert tracker["slots"]["phone_verified"] is True
    assert not [e for e in tracker["events"] if e["event"] == "slot" and e["name"] == "verification_code" and e["value"]]
    assert listed and "验证码" not in " ".join(r["text"] for r in listed)  # no SMS code asked

    other = 5_000_010
    assert await ask_for_my_cases(telegram, other)
    replies = await telegram.replies(tg.contact(other, "13900000010", owner=1234))
    tracker = await telegram.tracker(other)
    assert "verified_phone" not in (tracker["latest_message"]["metadata"] or {})
    assert tracker["slots"]["phone_verified"] is not True
    assert replies  # the number is taken as typed, and verified the usual way (a code)


def answer(text: str) -> Optional[str]:
    rules = [("核对", "/affirm"), ("咨询、求助、投诉", "投诉"), ("哪个区", "朝阳区"), ("街道或乡镇", "建外街道"),
             ("具体的地址", "建国路88号门口"), ("什么时候发生", "三天前开始，每天晚上"), ("怎么称呼", "/anonymous"),
             ("联系电话", "13800138000"), ("具体说一说", "建国路88号门口的路灯坏了三天了，晚上很黑，老人容易摔倒。")]
    return next((reply for cue, reply in rules if cue in text), None)


async def test_a_case_with_photo_and_location_is_filed_end_to_end(telegram, rasa_stack):
    chat_id = 5_000_011
    telegram.api.add_file("e2e-photo", tiny_png())
    replies = await telegram.replies(tg.photo(chat_id, "e2e-photo", len(tiny_png()),
                                              caption="我要投诉：朝阳区建国路88号门口的路灯坏了三天了，晚上很黑。"))
    assert telegram.api.calls_to("getFile") and [c for c in telegram.api.calls if c.method == "download"]
    tracker = await telegram.tracker(chat_id)
    (media_url,) = tracker["latest_message"]["metadata"]["media_urls"]
    assert media_url.startswith(rasa_stack.case_service.url) and telegram.api.token not in str(tracker)

    replies += await telegram.replies(tg.location(chat_id, 39.9087, 116.4575))
    case_number = None
    for _ in range(14):
        found = [CASE_NUMBER.search(r.get("text", "")) for r in replies]
        if any(found):
            case_number = next(m.group(1) for m in found if m)
            break
        last = replies[-1]
        reply = answer(last.get("text", ""))
        if reply is None:
            buttons = keyboard(last)
            assert buttons, f"no scripted answer for {last}"
            replies = await telegram.replies(tg.callback(chat_id, buttons[0]["callback_data"]))
        elif reply.startswith("/") and any(b.get("callback_data") == reply for b in keyboard(last)):
            replies = await telegram.replies(tg.callback(chat_id, reply))
        else:
            replies = await telegram.replies(tg.text(chat_id, reply))
    assert case_number, f"no case filed; last replies: {replies}"
    async with aiohttp.ClientSession() as http:
        url = f"{rasa_stack.case_service.url}/requests/{case_number}.json"
        async with http.get(url, params={"extensions": "true"}) as response:
            assert response.status == 200, await response.text()
            (case,) = await response.json()
    assert case["lat"] == pytest.approx(39.9087) and case["long"] == pytest.approx(116.4575)
    assert media_url in case["x12345"]["media_urls"] or case.get("media_url") == media_url
    assert case["x12345"]["channel"] == "telegram"
