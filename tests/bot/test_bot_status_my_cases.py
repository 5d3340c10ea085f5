"""Status by case number and "my recent cases" with phone verification."""
from __future__ import annotations

import time

import pytest
from rasa_sdk.executor import CollectingDispatcher

from backend_client import SubmittedCase
from bot.actions.common import MISSES
from bot.actions.my_cases import ActionListMyCases, ValidateMyCasesForm
from bot.actions.status import ActionAskCaseNumber, ActionCheckStatus, ValidateStatusForm
from bot.actions.verification import EXPIRED, LOCKED, MAX_ATTEMPTS, OK, WRONG, CodeStore
from tests.bot.helpers import DOMAIN_DICT, FormDialogue, entities, make_tracker, texts


async def file_case(backend, phone="13800138000") -> str:
    from backend_client import CaseDraft

    result: SubmittedCase = await backend.submit(
        CaseDraft(service_code="0101", level1="城乡建设", level2="城市建设和市政管理", phone=phone), idempotency_key=None)
    return result.case_id


@pytest.mark.parametrize("said", ["我想查一下2026113000001的进度", "查询 二〇二六一一三〇〇〇〇〇一", "第2026113000001号",
                                  "case 20261130-00001 please"])
async def test_case_number_in_the_asking_message(rt, backend, said):
    number = await file_case(backend)
    d = FormDialogue(ValidateStatusForm(), "status_form")
    await d.say(said, "ask_status")
    assert d.slots["case_number"] == number and not d.active


async def test_case_number_asked_then_given_in_chinese_digits(rt, backend):
    number = await file_case(backend)
    d = FormDialogue(ValidateStatusForm(), "status_form")
    await d.say("我想查进度", "ask_status")
    assert d.asked == ["case_number"]
    await d.say("二零二六 一一三零 零零零零一", "inform")
    assert d.slots["case_number"] == number and not d.active


async def test_unknown_number_and_two_misses(rt, backend):
    d = FormDialogue(ValidateStatusForm(), "status_form")
    await d.say("查进度", "ask_status")
    await d.say("2026113000077", "inform", entities(case_number="2026113000077"))
    assert d.said[-1] == "utter_case_not_found" and d.last_messages[0]["case_number"] == "20261130-00077"
    assert d.slots.get("case_number") is None and d.active
    await d.say("202611300", "inform")
    assert d.said[-2:] == ["utter_case_number_invalid", "utter_explain_case_number"]
    assert d.slots[MISSES] == 2


async def test_no_number_offers_my_cases(rt):
    d = FormDialogue(ValidateStatusForm(), "status_form")
    await d.say("查进度", "ask_status")
    await d.say("不知道", "skip")
    assert d.said[-1] == "utter_case_number_unknown"


async def test_ask_case_number_offers_the_last_case(rt):
    dispatcher = CollectingDispatcher()
    await ActionAskCaseNumber().run(dispatcher, make_tracker(slots={"last_case_number": "2026113000001"}), DOMAIN_DICT)
    assert dispatcher.messages[0]["response"] == "utter_ask_case_number_last"
    assert dispatcher.messages[0]["buttons"] == [{"title": "2026113000001", "payload": "2026113000001"}]
    dispatcher = CollectingDispatcher()
    await ActionAskCaseNumber().run(dispatcher, make_tracker(), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_ask_case_number"]


@pytest.mark.parametrize("language, status, deadline", [("zh", "已受理", "2026年12月7日（周一）"),
                                                         ("en", "received", "Monday, 7 December 2026")])
async def test_status_reply_in_the_citizens_language(rt, backend, language, status, deadline):
    number = await file_case(backend)
    dispatcher = CollectingDispatcher()
    events = await ActionCheckStatus().run(
        dispatcher, make_tracker("查询", "ask_status", slots={"case_number": number, "language": language}), DOMAIN_DICT)
    message = dispatcher.messages[0]
    assert message["response"] == "utter_case_status"
    assert (message["status"], message["deadline"]) == (status, deadline)
    assert message["department"] in ("待确定", "to be confirmed")
    assert "2026" in message["latest"]
    assert {e["name"]: e["value"] for e in events} == {"case_number": None, "last_case_number": number}


async def test_status_from_the_message_itself_and_outage(rt, backend):
    number = await file_case(backend)
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, make_tracker(f"进度怎么样了 {number}", "ask_status"), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_case_status"]
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, make_tracker("进度怎么样了", "ask_status"), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_case_number_needed"]
    backend.down = True
    dispatcher = CollectingDispatcher()
    await ActionCheckStatus().run(dispatcher, make_tracker(number, "ask_status"), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_status_unavailable"]


async def test_my_cases_with_a_one_time_code(rt, backend, code_sender):
    number = await file_case(backend, "13800138000")
    d = FormDialogue(ValidateMyCasesForm(), "my_cases_form")
    await d.say("查一下我的诉求", "my_cases")
    assert d.asked == ["status_phone"]
    await d.say("幺三八 零零幺三 八零零零", "inform")
    assert d.slots["status_phone"] == "13800138000" and d.slots["phone_verified"] is False
    assert "utter_code_sent" in d.said and d.asked[-1] == "verification_code"
    assert d.last_messages[0]["masked_phone"] == "*******8000"
    (phone, code), = code_sender.sent
    await d.say("000000" if code != "000000" else "111111", "inform")
    assert d.said[-1] == "utter_code_wrong" and d.active
    await d.say(f"验证码 {code}", "inform")
    assert d.slots["phone_verified"] is True and not d.active
    dispatcher = CollectingDispatcher()
    await ActionListMyCases().run(dispatcher, d.tracker(), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_my_cases"] and number in dispatcher.messages[0]["cases"]
    assert "城乡建设" in dispatcher.messages[0]["cases"]


async def test_my_cases_resend_and_landline(rt, code_sender):
    d = FormDialogue(ValidateMyCasesForm(), "my_cases_form")
    await d.say("我的诉求", "my_cases")
    await d.say("010-62345678", "inform")
    assert d.said[-1] == "utter_phone_needs_mobile"
    await d.say("13800138000", "inform", entities(phone="13800138000"))
    await d.say("没收到，重新发送", "inform")
    assert len(code_sender.sent) == 2 and d.slots.get(MISSES, 0) == 0


async def test_channel_verified_phone_skips_the_code(rt, backend, code_sender):
    await file_case(backend, "13900139000")
    d = FormDialogue(ValidateMyCasesForm(), "my_cases_form")
    await d.say("my recent cases", "my_cases", metadata={"verified_phone": "+86 139 0013 9000"})
    assert d.slots["status_phone"] == "13900139000" and d.slots["phone_verified"] is True
    assert not d.active and code_sender.sent == []


async def test_list_requires_verification_and_handles_no_cases(rt, backend):
    dispatcher = CollectingDispatcher()
    await ActionListMyCases().run(dispatcher, make_tracker(slots={"status_phone": "13800138000"}), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_phone_not_verified"]
    dispatcher = CollectingDispatcher()
    await ActionListMyCases().run(
        dispatcher, make_tracker(slots={"status_phone": "13700137000", "phone_verified": True}), DOMAIN_DICT)
    assert texts(dispatcher) == ["utter_no_cases"]


async def test_code_store_hashes_expires_and_locks(tmp_path):
    store = CodeStore(tmp_path / "codes.sqlite3", ttl=60)
    issued = await store.issue("13800138000")
    assert len(issued.code) == 6 and issued.code.isdigit()
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        stored = conn.execute("SELECT digest FROM verification_codes").fetchone()[0]
    assert issued.code not in stored  # only a salted hash is kept
    assert await store.verify("13800138000", issued.code) == OK
    assert await store.verify("13800138000", issued.code) != OK  # used up

    issued = await store.issue("13800138000")
    wrong = "000000" if issued.code != "000000" else "111111"
    results = [await store.verify("13800138000", wrong) for _ in range(MAX_ATTEMPTS)]
    assert results[:-1] == [WRONG] * (MAX_ATTEMPTS - 1) and results[-1] == LOCKED
    assert await store.verify("13800138000", issued.code) == LOCKED

    assert (await store.issue("13800138000")).code is not None  # the third code of the hour
    assert (await store.issue("13800138000")).code is None  # three codes an hour at most

    expiring = CodeStore(tmp_path / "other.sqlite3", ttl=0.01)
    code = (await expiring.issue("13900139000")).code
    time.sleep(0.02)
    assert await expiring.verify("13900139000", code) == EXPIRED
