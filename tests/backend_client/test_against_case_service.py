"""backend_client against the real case_service (the reference server).

Uses the ``case_service`` fixture from tests/conftest.py (``.url`` = …/open311/v2,
``.api_key``, ``.database_url``). If that fixture does not exist, every test here
is skipped with a clear reason instead of erroring.
"""

from __future__ import annotations

import asyncio
import random
import struct
import uuid
import zlib
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from backend_client import CaseBackend, CaseDraft, Forbidden, NotFound, Rejected


@pytest.fixture
def service(request: pytest.FixtureRequest) -> Any:
    """The running case service, or a clean skip when its fixture is not provided."""
    try:
        return request.getfixturevalue("case_service")
    except pytest.FixtureLookupError:
        pytest.skip("fixture 'case_service' (tests/conftest.py) is not available")


@pytest.fixture
def backend(service: Any, http: aiohttp.ClientSession) -> CaseBackend:
    return CaseBackend(service.url, http, api_key=service.api_key, timeout=5.0, backoff=0.05)


def unique_phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def tiny_png() -> bytes:
    """A valid 1×1 PNG, made here so the test ships no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def draft(service_code: str, phone: str, **extra: Any) -> CaseDraft:
    fields: dict[str, Any] = dict(
        service_code=service_code,
        description="建外街道某工地夜间施工，噪音扰民。",
        address="朝阳区建国路1号",
        district_code="110105",
        subdistrict_code="110105001",
        appeal_type="投诉",
        level1="城乡建设",
        level2="安全生产",
        contact_name="张三",
        phone=phone,
        channel="web",
        language="zh",
        conversation_id=f"conv-{uuid.uuid4()}",
        occurred_at="昨晚十点",
    )
    fields.update(extra)
    return CaseDraft(**fields)


async def test_discovery_and_service_mapping(backend: CaseBackend) -> None:
    assert (await backend.capabilities()).extensions
    services = await backend.services()
    assert len(services) > 10
    code = await backend.service_for("城乡建设", "安全生产")
    assert code == "0101"
    assert await backend.service_for("城乡建设", "没有这个分类") == "0100"


async def test_submit_get_case_round_trip_with_timeline(backend: CaseBackend) -> None:
    phone = unique_phone()
    code = await backend.service_for("城乡建设", "安全生产")
    submitted = await backend.submit(draft(code, phone), idempotency_key=f"rt-{uuid.uuid4()}")
    assert len(submitted.case_id) == 13 and submitted.case_id.isdigit()

    case = await backend.get_case(submitted.case_id)
    assert case.id == submitted.case_id and case.status == "open"
    assert case.service_code == code
    assert case.extended
    assert (case.appeal_type, case.level1, case.level2) == ("投诉", "城乡建设", "安全生产")
    assert (case.district_code, case.district_name) == ("110105", "朝阳区")
    assert (case.subdistrict_code, case.subdistrict_name) == ("110105001", "建外街道")
    assert case.stage == "received"
    assert case.phone is not None and case.phone.endswith(phone[-4:]) and phone not in case.phone
    assert [e.stage for e in case.timeline] == ["received"]
    assert case.requested_datetime is not None and case.expected_datetime is not None
    assert case.expected_datetime - case.requested_datetime == timedelta(days=7)  # 投诉: 7 days
    assert submitted.expected_datetime == case.expected_datetime

    updated = await backend.add_timeline(submitted.case_id, "dispatched", "朝阳区城市管理委员会", "已派单至朝阳区")
    case = await backend.get_case(submitted.case_id)
    assert updated == case  # the timeline answer is the updated request
    assert case.stage == "dispatched" and case.status == "open"
    assert case.agency_responsible == "朝阳区城市管理委员会"
    assert case.status_notes == "已派单至朝阳区"
    assert [e.stage for e in case.timeline] == ["received", "dispatched"]
    assert case.timeline[-1].department == "朝阳区城市管理委员会"
    assert case.timeline[-1].at is not None


async def test_concurrent_duplicates_with_one_key_make_one_case(backend: CaseBackend) -> None:
    phone = unique_phone()
    key = f"dup-{uuid.uuid4()}"
    await backend.capabilities()
    results = await asyncio.gather(*(backend.submit(draft("0101", phone), idempotency_key=key) for _ in range(10)))
    assert len({r.case_id for r in results}) == 1
    cases = await backend.cases_by_phone(phone, limit=10)
    assert [c.id for c in cases] == [results[0].case_id]


async def test_cases_by_phone_newest_first(backend: CaseBackend) -> None:
    phone = unique_phone()
    first = await backend.submit(draft("0101", phone), idempotency_key=f"p1-{uuid.uuid4()}")
    second = await backend.submit(draft("0101", phone, appeal_type="咨询"), idempotency_key=f"p2-{uuid.uuid4()}")
    cases = await backend.cases_by_phone(phone)
    assert [c.id for c in cases] == [second.case_id, first.case_id]
    assert cases[0].appeal_type == "咨询"
    assert [c.id for c in await backend.cases_by_phone(phone, limit=1)] == [second.case_id]
    assert await backend.cases_by_phone(unique_phone()) == []


async def test_upload_media_and_attach(backend: CaseBackend, http: aiohttp.ClientSession) -> None:
    png = tiny_png()
    url = await backend.upload_media(png, "image/png")
    assert url.startswith("http") and "/x12345/media/" in url
    async with http.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == png
    submitted = await backend.submit(draft("0101", unique_phone(), media_urls=(url,)), idempotency_key=str(uuid.uuid4()))
    case = await backend.get_case(submitted.case_id)
    assert case.media_url == url
    assert case.media_urls == (url,)


async def test_server_errors_map_to_exceptions(backend: CaseBackend, service: Any, http: aiohttp.ClientSession) -> None:
    with pytest.raises(NotFound):
        await backend.get_case("2000010199999")
    with pytest.raises(Rejected) as info:
        await backend.submit(draft("9999", unique_phone()))
    assert info.value.messages  # the server's own Open311 descriptions
    with pytest.raises(Rejected):
        await backend.upload_media(b"not an image", "image/png")
    wrong = CaseBackend(service.url, http, api_key="not-the-key")
    with pytest.raises(Forbidden) as forbidden:
        await wrong.submit(draft("0101", unique_phone()))
    assert "not-the-key" not in str(forbidden.value)
