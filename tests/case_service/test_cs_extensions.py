"""12345 extensions: work-order fields, deadlines, idempotency, phone look-up,
media, timeline and the operator CLI — against the real server."""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
import uuid
import zlib
from datetime import datetime, timedelta

import pytest

from case_service import schemas


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


async def test_extension_fields_round_trip(api):
    media = ["https://example.org/a.jpg", "https://example.org/b.png"]
    created = await api.submit(
        x12345_subdistrict_code="110105003",
        x12345_contact_name="张先生",
        x12345_anonymous="false",
        x12345_occurred_at="昨天晚上八点",
        x12345_level1="城乡建设",
        x12345_level2="城市建设和市政管理",
        x12345_media_url=media,
        phone="138 0013 8000",
    )
    request = await api.case(created["service_request_id"])
    ext = request["x12345"]
    assert ext["appeal_type"] == "投诉"
    assert (ext["level1"], ext["level2"]) == ("城乡建设", "城市建设和市政管理")
    assert (ext["district_code"], ext["district_name"]) == ("110105", "朝阳区")
    assert (ext["subdistrict_code"], ext["subdistrict_name"]) == ("110105003", "呼家楼街道")
    assert ext["contact_name"] == "张先生" and ext["anonymous"] is False
    assert ext["phone"] == "*******8000"
    assert ext["channel"] == "web" and ext["language"] == "zh"
    assert ext["conversation_id"].startswith("conv-")
    assert ext["occurred_at"] == "昨天晚上八点"
    assert ext["media_urls"] == media
    assert request["media_url"] == media[0]
    assert ext["stage"] == "received"
    assert ext["department"] == "朝阳区住房和城乡建设委员会" == request["agency_responsible"]
    (entry,) = ext["timeline"]
    assert entry["stage"] == "received" and entry["department"] == ext["department"]
    assert entry["at"] == request["requested_datetime"]
    assert request["status_notes"] == entry["note"]


async def test_plain_get_has_no_extension_object(api):
    created = await api.submit()
    request = await api.case(created["service_request_id"], extensions=False)
    assert "x12345" not in request


async def test_anonymous_hides_name_and_subdistrict_implies_district(api):
    created = await api.submit(
        x12345_district_code=None, x12345_subdistrict_code="110108001",
        x12345_contact_name="李女士", x12345_anonymous="TRUE",
    )
    ext = (await api.case(created["service_request_id"]))["x12345"]
    assert ext["anonymous"] is True and ext["contact_name"] is None
    assert (ext["district_code"], ext["district_name"]) == ("110108", "海淀区")
    assert ext["subdistrict_name"] == "万寿路街道"


async def test_general_service_takes_level2(api):
    created = await api.submit(service_code="0100", x12345_level2="安全生产")
    ext = (await api.case(created["service_request_id"]))["x12345"]
    assert (ext["level1"], ext["level2"]) == ("城乡建设", "安全生产")
    created = await api.submit(service_code="0100", **{"attribute[level2]": "城乡规划"})
    assert (await api.case(created["service_request_id"]))["x12345"]["level2"] == "城乡规划"


@pytest.mark.parametrize(
    "appeal_type, days", [("咨询", 1), ("求助", 3), ("投诉", 7), ("举报", 15), ("建议", 15), (None, 7)]
)
async def test_deadline_follows_appeal_type(api, appeal_type, days):
    created = await api.submit(x12345_appeal_type=appeal_type)
    request = await api.case(created["service_request_id"])
    delta = _parse(request["expected_datetime"]) - _parse(request["requested_datetime"])
    assert delta == timedelta(days=days)
    assert created["expected_datetime"] == request["expected_datetime"]


async def test_english_notice_and_city_department_without_district(api):
    created = await api.submit(x12345_language="en", x12345_district_code=None, service_code="0401")
    assert created["service_notice"].startswith("Your request has been received as case ")
    request = await api.case(created["service_request_id"])
    assert request["agency_responsible"] == "北京市生态环境局"


async def test_idempotency_key_returns_same_case(api, fields):
    key = f"conv-{uuid.uuid4()}"
    form = [*fields().items(), ("api_key", api.api_key)]
    first = await api.call("POST", "requests.json", data=form, headers={"Idempotency-Key": key},
                           schema="request-responses")
    second = await api.call("POST", "requests.json", data=form, headers={"Idempotency-Key": key},
                            schema="request-responses")
    assert first.raw == second.raw
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    other = await api.submit(headers={"Idempotency-Key": key + "-other"})
    assert other["service_request_id"] != first.body[0]["service_request_id"]


async def test_concurrent_identical_posts_create_exactly_one_case(api, fields, sql):
    key = f"race-{uuid.uuid4()}"
    form = [*fields().items(), ("api_key", api.api_key)]

    async def post():
        return await api.call("POST", "requests.json", data=form, headers={"Idempotency-Key": key},
                              schema="request-responses")

    replies = await asyncio.gather(*(post() for _ in range(20)))
    numbers = {reply.body[0]["service_request_id"] for reply in replies}
    assert len(numbers) == 1
    assert len({reply.raw for reply in replies}) == 1
    assert sum("Idempotent-Replayed" not in reply.headers for reply in replies) == 1
    assert sql("SELECT count(*) FROM cases WHERE idempotency_key = :k", k=key) == [(1,)]
    # the losers rolled back their sequence numbers: no gap after the winner
    (number,) = numbers
    following = (await api.submit())["service_request_id"]
    assert int(following) == int(number) + 1


async def test_concurrent_posts_get_distinct_consecutive_numbers(api):
    replies = await asyncio.gather(*(api.submit() for _ in range(20)))
    numbers = sorted(int(reply["service_request_id"]) for reply in replies)
    assert numbers == list(range(numbers[0], numbers[0] + 20))


async def test_idempotency_key_is_validated(api):
    await api.submit(status=400, headers={"Idempotency-Key": "x" * 201})
    await api.submit(status=400, headers={"Idempotency-Key": "has space"})


async def test_recent_cases_by_phone(api, case_service):
    phone = "139" + str(uuid.uuid4().int)[:8]
    made = [(await api.submit(phone=phone, service_code="0101"))["service_request_id"] for _ in range(12)]
    params = {"x12345_phone": phone, "extensions": "true", "api_key": api.api_key}
    body = await api.get("requests.json", params=params, schema="x12345-requests")
    assert [r["service_request_id"] for r in body] == list(reversed(made))[:10]
    assert all(r["x12345"]["phone"] == "*******" + phone[-4:] for r in body)

    spelled = dict(params, x12345_phone=f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}")
    body = await api.get("requests.json", params=spelled, schema="x12345-requests")
    assert len(body) == 10

    await api.get("requests.json", params=dict(params, api_key="wrong"), status=403)
    await api.get("requests.json", params={"x12345_phone": phone}, status=403)
    await api.get("requests.json", params=dict(params, x12345_phone="call me"), status=400)
    nobody = dict(params, x12345_phone="10000000000")
    assert await api.get("requests.json", params=nobody, schema="x12345-requests") == []
    log = case_service.log_text()
    assert "GET /open311/v2/requests.json" in log
    assert phone not in log and api.api_key not in log, "query strings stay out of the access log"


# ---------------------------------------------------------------- media


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


IMAGES = {
    "image/png": _png(),
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    "image/gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    "image/webp": b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00",
}


@pytest.mark.parametrize("content_type", sorted(IMAGES))
async def test_media_upload_and_download(api, content_type):
    data = IMAGES[content_type]
    reply = await api.call("POST", "x12345/media", params={"api_key": api.api_key}, data=data,
                           headers={"Content-Type": content_type}, status=201, schema="media-upload")
    url = reply.body["media_url"]
    assert url.startswith(api.url + "/x12345/media/")
    assert reply.headers["Location"] == url
    download = await api.call("GET", url)
    assert download.raw == data
    assert download.headers["Content-Type"] == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    created = await api.submit(x12345_media_url=url)
    assert (await api.case(created["service_request_id"]))["x12345"]["media_urls"] == [url]


async def test_media_rejections(api):
    key = {"api_key": api.api_key}
    png = IMAGES["image/png"]
    await api.call("POST", "x12345/media", params=key, data=png, headers={"Content-Type": "image/jpeg"}, status=415)
    await api.call("POST", "x12345/media", params=key, data=b"<html><script>alert(1)</script></html>",
                   headers={"Content-Type": "image/png"}, status=415)
    await api.call("POST", "x12345/media", params=key, data=png, headers={"Content-Type": "text/html"}, status=415)
    await api.call("POST", "x12345/media", params=key, data=png, headers={"Content-Type": "image/svg+xml"},
                   status=415)
    await api.call("POST", "x12345/media", params=key, data=b"", headers={"Content-Type": "image/png"}, status=400)
    await api.call("POST", "x12345/media", data=png, headers={"Content-Type": "image/png"}, status=403)
    await api.call("POST", "x12345/media", params={"api_key": "nope"}, data=png,
                   headers={"Content-Type": "image/png"}, status=403)
    too_big = png + b"\x00" * (5 * 1024 * 1024)
    await api.call("POST", "x12345/media", params=key, data=too_big, headers={"Content-Type": "image/png"},
                   status=413)

    async def chunked():
        yield png
        for _ in range(6):
            yield b"\x00" * (1024 * 1024)

    await api.call("POST", "x12345/media", params=key, data=chunked(), headers={"Content-Type": "image/png"},
                   status=413)
    exactly = png + b"\x00" * (5 * 1024 * 1024 - len(png))
    await api.call("POST", "x12345/media", params=key, data=exactly, headers={"Content-Type": "image/png"},
                   status=201, schema="media-upload")
    await api.call("GET", "x12345/media/" + "0" * 32, status=404)
    await api.call("GET", "x12345/media/../../etc/passwd", status=404)
    await api.call("GET", "x12345/media/not-an-id", status=404)


# ---------------------------------------------------------------- timeline


async def test_timeline_advances_through_stages(api):
    number = (await api.submit())["service_request_id"]
    path = f"x12345/requests/{number}/timeline.json"
    body = await api.post_form(path, {"stage": "dispatched", "department": "朝阳区城市管理委员会",
                                      "note": "已派单"}, schema="x12345-requests")
    request = body[0]
    assert request["agency_responsible"] == "朝阳区城市管理委员会"
    assert request["status"] == "open" and request["status_notes"] == "已派单"
    assert [e["stage"] for e in request["x12345"]["timeline"]] == ["received", "dispatched"]

    await api.post_form(path, {"stage": "in_progress"}, schema="x12345-requests")
    request = await api.case(number)
    assert request["x12345"]["stage"] == "in_progress"
    assert request["agency_responsible"] == "朝阳区城市管理委员会", "department carries over"
    assert request["status_notes"] == "已派单", "latest note carries over"

    await api.post_form(path, {"stage": "in_progress", "note": "现场已勘查"}, schema="x12345-requests")
    await api.post_form(path, {"stage": "received"}, status=400)
    await api.post_form(path, {"stage": "finished"}, status=400)
    await api.post_form(path, {"note": "no stage"}, status=400)
    await api.post_form(path, {"stage": "resolved", "note": "x" * 2001}, status=400)
    await api.post_form(path, {"stage": "resolved"}, api_key=False, status=403)
    await api.post_form("x12345/requests/2000010199999/timeline.json", {"stage": "resolved"}, status=404)

    reply = await api.call("POST", f"x12345/requests/{number}/timeline.xml",
                           data={"stage": "resolved", "note": "已修复", "api_key": api.api_key})
    assert b"<stage>resolved</stage>" in reply.raw
    body = await api.post_form(path, {"stage": "closed", "note": "市民满意"}, schema="x12345-requests")
    request = body[0]
    assert request["status"] == "closed" and request["status_notes"] == "市民满意"
    timeline = request["x12345"]["timeline"]
    assert [e["stage"] for e in timeline] == ["received", "dispatched", "in_progress", "in_progress",
                                             "resolved", "closed"]
    assert request["updated_datetime"] == timeline[-1]["at"]
    times = [_parse(e["at"]) for e in timeline]
    assert times == sorted(times)


def _cli(*args: str, database_url: str, project_root) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "case_service.cli", *args, "--database-url", database_url],
        cwd=project_root, capture_output=True, text=True, timeout=60,
    )


async def test_cli_advance_and_show(api, case_service, project_root):
    number = (await api.submit())["service_request_id"]
    result = _cli("advance", number, "--stage", "dispatched", "--department", "朝阳区水务局",
                  "--note", "CLI 派单", database_url=case_service.database_url, project_root=project_root)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    schemas.validate([printed], "x12345-requests")
    assert printed["x12345"]["stage"] == "dispatched"

    request = await api.case(number)
    assert request["agency_responsible"] == "朝阳区水务局"
    assert request["status_notes"] == "CLI 派单"

    shown = _cli("show", number, database_url=case_service.database_url, project_root=project_root)
    assert shown.returncode == 0 and json.loads(shown.stdout)["service_request_id"] == number

    backwards = _cli("advance", number, "--stage", "received", database_url=case_service.database_url,
                     project_root=project_root)
    assert backwards.returncode == 1 and "cannot go back" in backwards.stderr
    missing = _cli("show", "2000010199999", database_url=case_service.database_url, project_root=project_root)
    assert missing.returncode == 1 and "not found" in missing.stderr
    bad_stage = _cli("advance", number, "--stage", "done", database_url=case_service.database_url,
                     project_root=project_root)
    assert bad_stage.returncode == 2
