"""What the client sends and reads, with and without the 12345 extensions (fake server)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from backend_client import CaseDraft, NotSupported, Unavailable

from tests.backend_client.fake_open311 import SECRET

FULL = CaseDraft(
    service_code="0101",
    description="工地夜间施工扰民",
    lat=39.9,
    long=116.4,
    address="朝阳区建国路1号",
    district_code="110105",
    subdistrict_code="110105001",
    appeal_type="投诉",
    level1="城乡建设",
    level2="安全生产",
    contact_name="张三",
    phone="13800138000",
    anonymous=True,
    channel="telegram",
    language="zh",
    conversation_id="conv-abc",
    occurred_at=datetime(2026, 11, 29, 22, 30, tzinfo=timezone(timedelta(hours=8))),
    media_urls=["http://m/1", "http://m/2"],
    attributes={"NOISE": "night", "DAYS": ["mon", "tue"]},
)


def sent_form(fake_server) -> list[tuple[str, str]]:
    return list(fake_server.posts[-1]["form"])


async def test_capabilities_see_extensions_and_are_cached(make_backend, fake_server):
    backend = make_backend()
    results = await asyncio.gather(*(backend.capabilities() for _ in range(5)))
    assert all(r.extensions and r.discovery for r in results)
    assert results[0].extension_url.endswith("/x12345")
    await backend.capabilities()
    assert fake_server.hits["discovery"] == 1


async def test_construction_does_no_io(make_backend, fake_server):
    make_backend()
    await asyncio.sleep(0)
    assert sum(fake_server.hits.values()) == 0


async def test_services_cached_and_parsed(make_backend, fake_server):
    backend = make_backend()
    services = await backend.services()
    again = await backend.services()
    assert services == again and fake_server.hits["services"] == 1
    by_code = {s.service_code: s for s in services}
    assert by_code["0101"].group == "城乡建设"
    assert by_code["0101"].keywords == ("事故处理", "安全隐患")
    assert by_code["0102"].keywords == ("园林绿化环卫", "城管执法")  # comma-separated form accepted


async def test_services_cache_expires(make_backend, fake_server):
    backend = make_backend(services_ttl=0.0)
    await backend.services()
    await backend.services()
    assert fake_server.hits["services"] == 2


@pytest.mark.parametrize(
    ("level1", "level2", "code"),
    [
        ("城乡建设", "安全生产", "0101"),
        ("城乡建设", "城管执法", "0102"),  # a level-3 name matched by keyword
        ("城乡建设", "不存在的分类", "0100"),  # falls back to the level-1 general service
        ("交通运输", None, "0200"),
        ("不存在", "安全生产", None),
        (None, "安全生产", None),
    ],
)
async def test_service_for(make_backend, level1, level2, code):
    assert await make_backend().service_for(level1, level2) == code


async def test_extended_submit_sends_work_order_fields(make_backend, fake_server):
    submitted = await make_backend().submit(FULL, idempotency_key="conv-abc")
    assert submitted.case_id == "2026113000001"
    assert submitted.notice == "受理成功"
    assert submitted.expected_datetime == datetime(2026, 12, 7, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    form = sent_form(fake_server)
    fields = dict(form)
    assert fields["api_key"] == SECRET
    assert fields["x12345_appeal_type"] == "投诉"
    assert fields["x12345_level1"] == "城乡建设" and fields["x12345_level2"] == "安全生产"
    assert fields["x12345_district_code"] == "110105" and fields["x12345_subdistrict_code"] == "110105001"
    assert fields["x12345_contact_name"] == "张三" and fields["phone"] == "13800138000"
    assert fields["x12345_anonymous"] == "true"
    assert fields["x12345_channel"] == "telegram" and fields["x12345_language"] == "zh"
    assert fields["x12345_conversation_id"] == "conv-abc"
    assert fields["x12345_occurred_at"] == "2026-11-29T22:30:00+08:00"
    assert [v for k, v in form if k == "x12345_media_url"] == ["http://m/1", "http://m/2"]
    assert fields["media_url"] == "http://m/1"
    assert fields["description"] == "工地夜间施工扰民"
    assert fields["lat"] == "39.9" and fields["long"] == "116.4"
    assert fields["address_string"] == "朝阳区建国路1号"
    assert fields["attribute[NOISE]"] == "night"
    assert [v for k, v in form if k == "attribute[DAYS][]"] == ["mon", "tue"]
    assert fake_server.posts[-1]["headers"]["Idempotency-Key"] == "conv-abc"


async def test_same_key_returns_same_case(make_backend, fake_server):
    backend = make_backend()
    first = await backend.submit(FULL, idempotency_key="k1")
    second = await backend.submit(FULL, idempotency_key="k1")
    assert first == second and len(fake_server.cases) == 1


async def test_get_case_reads_extensions_and_timeline(make_backend, fake_server):
    fake_server.add_case("2026113000042")
    case = await make_backend().get_case(" 2026113000042 ")
    seen = fake_server.requests_seen[-1]
    assert seen["query"] == {"extensions": "true"}  # no api key where none is needed
    assert case.extended and case.stage == "dispatched" and case.department == "朝阳区城管委"
    assert case.appeal_type == "投诉" and case.level2 == "安全生产"
    assert case.district_name == "朝阳区" and case.subdistrict_name == "建外街道"
    assert case.lat == 39.9 and case.long == 116.4
    assert case.media_urls == ("http://x/m/1", "http://x/m/2")
    assert case.updated_datetime == datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
    assert case.expected_datetime.microsecond == 123456  # 7 fraction digits tolerated
    assert [e.stage for e in case.timeline] == ["received", "dispatched"]
    assert case.timeline[1].department == "朝阳区城管委"
    assert case.timeline[0].at == datetime(2026, 11, 30, 9, tzinfo=timezone(timedelta(hours=8)))


async def test_cases_by_phone(make_backend, fake_server):
    fake_server.add_case("2026113000001")
    fake_server.add_case("2026113000002")
    fake_server.add_case("2026113000003", _phone="13900000000")
    cases = await make_backend().cases_by_phone("138-0013 8000", limit=1)
    assert [c.id for c in cases] == ["2026113000002"]
    query = fake_server.requests_seen[-1]["query"]
    assert query == {"x12345_phone": "13800138000", "extensions": "true", "api_key": SECRET}


async def test_upload_media_and_timeline(make_backend, fake_server):
    backend = make_backend()
    url = await backend.upload_media(b"\x89PNG....", "image/png")
    assert url.endswith("/x12345/media/8")
    assert fake_server.posts[-1]["media"] == b"\x89PNG...."
    assert fake_server.posts[-1]["headers"]["Content-Type"] == "image/png"
    fake_server.add_case("2026113000042")
    case = await backend.add_timeline("2026113000042", "in_progress", "朝阳区城管委", "已到场")
    assert case is not None and case.stage == "in_progress"
    assert case.timeline[-1].note == "已到场"


# ---------------------------------------------------------------- plain Open311 server


async def test_plain_server_without_discovery(make_backend, fake_server):
    fake_server.discovery = False
    fake_server.extensions = False
    backend = make_backend()
    caps = await backend.capabilities()
    assert not caps.extensions and not caps.discovery

    await backend.submit(FULL, idempotency_key="conv-abc")
    form = sent_form(fake_server)
    names = {k for k, _ in form}
    assert not any(k.startswith("x12345_") for k in names)
    assert names <= {"api_key", "service_code", "lat", "long", "address_string", "description",
                     "media_url", "attribute[NOISE]", "attribute[DAYS][]"}
    # anonymous: a plain server cannot keep the caller confidential, so no name or phone
    assert "phone" not in names and "first_name" not in names
    description = dict(form)["description"]
    assert description.startswith("工地夜间施工扰民")
    for text in ("投诉", "城乡建设/安全生产", "110105/110105001", "匿名", "http://m/2"):
        assert text in description

    fake_server.add_case("2026113000042")
    case = await backend.get_case("2026113000042")
    assert fake_server.requests_seen[-1]["query"] == {}
    assert not case.extended and case.timeline == () and case.stage is None

    with pytest.raises(NotSupported):
        await backend.cases_by_phone("13800138000")
    with pytest.raises(NotSupported):
        await backend.upload_media(b"x", "image/png")
    with pytest.raises(NotSupported):
        await backend.add_timeline("2026113000042", "closed")


async def test_plain_server_named_contact_and_no_post_retry(make_backend, fake_server):
    fake_server.extensions = False  # discovery exists but does not list the URN
    backend = make_backend()
    assert (await backend.capabilities()).discovery
    fake_server.fail("create", 503)
    draft = CaseDraft(service_code="0101", description="d", contact_name="李四", phone="13900000000")
    with pytest.raises(Unavailable):
        # the plain server ignores Idempotency-Key, so even a keyed POST is not retried
        await backend.submit(draft, idempotency_key="k")
    assert fake_server.hits["create"] == 1
    await backend.submit(draft)
    fields = dict(sent_form(fake_server))
    assert fields["first_name"] == "李四" and fields["phone"] == "13900000000"
