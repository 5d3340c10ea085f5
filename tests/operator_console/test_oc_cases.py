"""Filing a case and adding a timeline note on the citizen's behalf: the console app on a free
port, the fake Rasa of conftest.py and the real case service (tests/conftest.py ``case_service``)."""
from __future__ import annotations

from typing import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer

from backend_client import CaseBackend
from operator_console.app import create_app
from operator_console.cases import CaseForm, filed_message, idempotency_key
from operator_console.db import Database
from operator_console.settings import ConsoleSettings
from tests.operator_console.conftest import SECRET, Browser, FakeRasa, enqueue

SLOTS = {"description": "我要举报某街道办干部收受贿赂，已经持续半年", "appeal_type": "举报",
         "category_level1": "纪检监察", "category_level2": "贪污贿赂", "district": "海淀区",
         "subdistrict": "学院路街道", "address": "学院路12号", "contact_name": "张三",
         "contact_phone": "13800138000"}


def form_from(slots: dict, **changes) -> dict:
    """What the console page sends: the form prefilled from the hand-off's slots."""
    form = {"description": slots.get("description"), "appeal_type": slots.get("appeal_type"),
            "level1": slots.get("category_level1"), "level2": slots.get("category_level2"),
            "district": slots.get("district"), "subdistrict": slots.get("subdistrict"),
            "address": slots.get("address"), "contact_name": slots.get("contact_name"),
            "contact_phone": slots.get("contact_phone"), "anonymous": bool(slots.get("anonymous"))}
    return {**form, **changes}


def _settings(db: Database, rasa: FakeRasa, url: str, api_key: str | None) -> ConsoleSettings:
    return ConsoleSettings(database=db.path, internal_secret=SECRET, rasa_url=rasa.url, rasa_token="rasa-token",
                           case_service_url=url, case_service_api_key=api_key, case_service_timeout=3)


@pytest_asyncio.fixture
async def console_url(db: Database, fake_rasa: FakeRasa, case_service) -> AsyncIterator[str]:
    """Overrides conftest's: the same console, plus the real case service."""
    async with TestServer(create_app(_settings(db, fake_rasa, case_service.url, case_service.api_key)),
                          host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


@pytest_asyncio.fixture
async def backend(case_service) -> AsyncIterator[CaseBackend]:
    async with aiohttp.ClientSession() as http:
        yield CaseBackend(case_service.url, http, api_key=case_service.api_key)


async def claimed(browsers, console_url, conversation: str, **extra):
    alice = browsers()
    assert await alice.login("alice") == 303
    ticket = await enqueue(console_url, conversation, slots=SLOTS, category="纪检监察", **extra)
    assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/claim"))[0] == 200
    return alice, ticket["id"]


async def test_operator_files_the_case_and_the_citizen_gets_the_number(browsers, console_url, fake_rasa, backend):
    alice, hid = await claimed(browsers, console_url, "conv-file")
    bob = browsers()
    assert await bob.login("bob") == 303
    form = form_from(SLOTS)
    assert (await alice.api("POST", f"/api/handoffs/{hid}/case", csrf=False, json=form))[0] == 403
    assert (await bob.api("POST", f"/api/handoffs/{hid}/case", json=form))[0] == 403  # not his
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form)
    assert status == 200, body
    number = body["case_number"]
    assert body["notified"] is True and body["expected_datetime"]
    conversation, query, events = fake_rasa.posted[-1]
    assert conversation == "conv-file" and query["output_channel"] == "latest"
    assert number in events[0]["text"] and "已为您登记" in events[0]["text"]
    assert events[0]["metadata"] == {"operator": "alice"}
    case = await backend.get_case(number)
    assert case.level1 == "纪检监察" and case.level2 == "贪污贿赂" and case.phone.endswith("8000")
    assert "收受贿赂" in case.description
    # the queue shows the number; filing again (a double click, a retry) is the same case
    _, queue = await alice.api("GET", "/api/queue")
    assert [h["case_number"] for h in queue["handoffs"] if h["id"] == hid] == [number]
    status, again = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS, address="别处"))
    assert status == 200 and again["case_number"] == number


async def test_filed_case_carries_channel_language_and_division_codes(browsers, console_url, case_service):
    alice, hid = await claimed(browsers, console_url, "conv-codes", language="en")
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/case",
                                   json=form_from(SLOTS, anonymous=True, contact_name="x", contact_phone="y"))
    assert status == 200, body
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{case_service.url}/requests/{body['case_number']}.json",
                            params={"extensions": "true", "api_key": case_service.api_key}) as response:
            document = (await response.json())[0]
    text = str(document)
    assert "operator" in text and "'en'" in text and "110108" in text  # channel, language, 海淀区 code
    assert "13800138000" not in text and "张三" not in text  # anonymous


async def test_english_conversation_gets_the_number_in_english(browsers, console_url, fake_rasa):
    alice, hid = await claimed(browsers, console_url, "conv-en", language="en")
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS))
    assert status == 200
    assert fake_rasa.posted[-1][2][0]["text"].startswith(f"Your request has been registered as case {body['case_number']}")


async def test_bad_forms_are_refused_before_the_case_service(browsers, console_url, fake_rasa):
    alice, hid = await claimed(browsers, console_url, "conv-bad")
    for changes in ({"description": " "}, {"district": "火星区"}, {"level1": "不存在"}, {"appeal_type": "抱怨"},
                    {"contact_phone": "12"}, {"contact_phone": None}):
        status, body = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS, **changes))
        assert status == 400 and body["error"] == "bad_case", changes
    assert (await alice.api("POST", f"/api/handoffs/{hid}/case", data="not json"))[0] == 400
    assert fake_rasa.posted == []


async def test_timeline_note_on_the_handoffs_case(browsers, console_url, backend):
    alice, hid = await claimed(browsers, console_url, "conv-note")
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/note", json={"note": "市民补充：又发生了"})
    assert status == 400 and body["error"] == "no_case_number"
    _, filed = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS))
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/note", json={"note": "市民补充：又发生了"})
    assert status == 200 and body["case_number"] == filed["case_number"] and body["stage"] == "received"
    case = await backend.get_case(filed["case_number"])
    assert any("市民补充：又发生了" in (entry.note or "") and "alice" in entry.note for entry in case.timeline)
    assert (await alice.api("POST", f"/api/handoffs/{hid}/note", json={"note": ""}))[0] == 400
    assert (await alice.api("POST", f"/api/handoffs/{hid}/note", csrf=False, json={"note": "x"}))[0] == 403
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/note",
                                   json={"note": "x", "case_number": "20990101999999"})
    assert status == 404 and body["error"] == "case_not_found"


async def test_note_uses_the_case_number_from_the_bots_summary(browsers, console_url, backend):
    from backend_client import CaseDraft

    service = await backend.service_for("城乡建设")
    existing = await backend.submit(CaseDraft(service_code=service, description="路灯坏了一个星期，晚上很黑",
                                              level1="城乡建设", appeal_type="投诉", phone="13800138000",
                                              address="北京市海淀区 学院路12号"))
    alice, hid = await claimed(browsers, console_url, "conv-existing", case_number=existing.case_id)
    status, body = await alice.api("POST", f"/api/handoffs/{hid}/note", json={"note": "市民来电催办"})
    assert status == 200 and body["case_number"] == existing.case_id


async def test_only_an_open_claimed_handoff(browsers, console_url, fake_rasa):
    alice, hid = await claimed(browsers, console_url, "conv-released")
    assert (await alice.api("POST", f"/api/handoffs/{hid}/release"))[0] == 200
    assert (await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS)))[0] in (403, 409)
    ticket = await enqueue(console_url, "conv-queued")
    assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/case", json=form_from(SLOTS)))[0] == 403


async def test_case_service_down_means_503_and_no_message(db, fake_rasa):
    async with TestServer(create_app(_settings(db, fake_rasa, "http://127.0.0.1:9/open311/v2", None)),
                          host="127.0.0.1") as server:
        url = str(server.make_url("")).rstrip("/")
        alice, hid = await claimed(lambda: Browser(url), url, "conv-down")
        status, body = await alice.api("POST", f"/api/handoffs/{hid}/case", json=form_from(SLOTS))
        assert status == 503 and body["error"] == "case_service_unavailable"
        assert fake_rasa.posted == []
        await alice.close()


def test_case_form_and_message_units():
    form = CaseForm.from_json(form_from(SLOTS, contact_phone="138 0013 8000"))
    assert form.contact_phone == "13800138000" and form.address_string() == "北京市海淀区学院路街道 学院路12号"
    draft = form.draft("0101", {"id": 3, "conversation_id": "c", "language": "zh"})
    assert draft.channel == "operator" and draft.district_code == "110108" and draft.subdistrict_code
    with pytest.raises(ValueError, match="description is required.*level1 is required"):
        CaseForm.from_json({"anonymous": True})
    assert "编号：2026" in filed_message("2026113000001", None, "zh")
    one = {"id": 1, "conversation_id": "a", "created_at": 1.5}
    assert idempotency_key(one) == idempotency_key(dict(one)) != idempotency_key({**one, "conversation_id": "b"})
    assert idempotency_key(one).startswith("operator-handoff-1-")


def test_console_reads_the_case_service_settings():
    settings = ConsoleSettings.from_env({"CASE_SERVICE_URL": "http://cases:1/open311/v2/",
                                         "CASE_SERVICE_API_KEY": "key-xyzzy", "CASE_SERVICE_TIMEOUT": "2"})
    assert (settings.case_service_url, settings.case_service_api_key, settings.case_service_timeout) == (
        "http://cases:1/open311/v2", "key-xyzzy", 2.0)
    assert "xyzzy" not in repr(settings)
