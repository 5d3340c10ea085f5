"""Bad input gets an Open311 error (never a 500) and writes nothing."""

from __future__ import annotations

import json
import urllib.parse

import pytest

FORM = "application/x-www-form-urlencoded"


def _encode(fields: dict) -> bytes:
    return urllib.parse.urlencode(fields, doseq=True).encode("ascii")


async def _cases_and_counter(sql):
    cases = sql("SELECT count(*) FROM cases")[0][0]
    events = sql("SELECT count(*) FROM case_events")[0][0]
    counter = sql("SELECT coalesce(sum(last_value), 0) FROM daily_counters")[0][0]
    return cases, events, counter


INVALID_FIELDS = [
    pytest.param({"service_code": None}, "service_code is required", id="missing-service-code"),
    pytest.param({"service_code": "9999"}, "unknown service_code", id="unknown-service-code"),
    pytest.param({"service_code": "0101' OR '1'='1"}, "service_code", id="sql-in-service-code"),
    pytest.param({"lat": None, "long": None, "address_string": None}, "location is required", id="no-location"),
    pytest.param({"lat": "91"}, "lat", id="lat-out-of-range"),
    pytest.param({"long": "-180.5"}, "long", id="long-out-of-range"),
    pytest.param({"lat": "nan"}, "lat", id="lat-nan"),
    pytest.param({"lat": "1e999"}, "lat", id="lat-inf"),
    pytest.param({"lat": "north"}, "lat", id="lat-not-a-number"),
    pytest.param({"long": None}, "together", id="lat-without-long"),
    pytest.param({"description": "长" * 4001}, "description", id="description-too-long"),
    pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
    pytest.param({"phone": "call me maybe"}, "phone", id="bad-phone"),
    pytest.param({"media_url": "javascript:alert(1)"}, "media_url", id="javascript-url"),
    pytest.param({"x12345_media_url": "ftp://x/y"}, "x12345_media_url", id="ftp-extension-url"),
    pytest.param({"x12345_appeal_type": "抱怨"}, "x12345_appeal_type", id="unknown-appeal-type"),
    pytest.param({"x12345_channel": "fax"}, "x12345_channel", id="unknown-channel"),
    pytest.param({"x12345_language": "fr"}, "x12345_language", id="unknown-language"),
    pytest.param({"x12345_anonymous": "yes"}, "x12345_anonymous", id="bad-boolean"),
    pytest.param({"x12345_district_code": "999999"}, "district", id="unknown-district"),
    pytest.param({"x12345_district_code": "110105001"}, "district", id="subdistrict-as-district"),
    pytest.param({"x12345_subdistrict_code": "110108001"}, "not in", id="subdistrict-of-other-district"),
    pytest.param({"x12345_level1": "民政"}, "x12345_level1", id="level1-mismatch"),
    pytest.param({"x12345_level2": "安全生产"}, "x12345_level2", id="level2-mismatch"),
    pytest.param({"x12345_colour": "red"}, "unknown extension field", id="unknown-extension-field"),
    pytest.param({"attribute[level3]": "不存在"}, "level3", id="bad-attribute-value"),
    pytest.param({"attribute[nope]": "x"}, "nope", id="unknown-attribute"),
    pytest.param({"x12345_contact_name": "名" * 101}, "x12345_contact_name", id="name-too-long"),
    pytest.param({"description": "bad\x00byte"}, "control characters", id="nul-character"),
    pytest.param({"description": "bell\x07"}, "control characters", id="control-character"),
    pytest.param({"service_code": ["0101", "0102"]}, "more than once", id="duplicate-field"),
]


@pytest.mark.parametrize("overrides, message", INVALID_FIELDS)
async def test_invalid_fields_are_rejected_without_writing(api, fields, sql, overrides, message):
    before = await _cases_and_counter(sql)
    body = await api.post_form("requests.json", fields(**overrides), status=400)
    assert any(message in entry["description"] for entry in body), body
    assert await _cases_and_counter(sql) == before


async def test_all_problems_are_reported_at_once(api):
    body = await api.post_form("requests.json", {"lat": "100", "x12345_channel": "fax"}, status=400)
    descriptions = " | ".join(entry["description"] for entry in body)
    assert "service_code is required" in descriptions
    assert "lat" in descriptions and "x12345_channel" in descriptions


async def test_description_of_exactly_4000_characters_is_accepted(api):
    created = await api.submit(description="字" * 4000)
    assert len((await api.case(created["service_request_id"]))["description"]) == 4000


async def test_html_and_sql_are_stored_verbatim_and_escaped(api, sql):
    payload = "<script>alert('x')</script>\"; DROP TABLE cases; -- & <img src=x onerror=alert(1)>"
    name = "Robert'); DROP TABLE cases;--"
    created = await api.submit(description=payload, x12345_contact_name=name, address_string="<b>1 & 2</b>")
    reply = await api.call("GET", f"requests/{created['service_request_id']}.json", params={"extensions": "true"},
                           schema="x12345-requests")
    request = reply.body[0]
    assert request["description"] == payload
    assert request["x12345"]["contact_name"] == name
    assert request["address"] == "<b>1 & 2</b>"
    assert b"<script>" not in reply.raw and b"<img" not in reply.raw and b"&" not in reply.raw
    assert b"\\u003cscript\\u003e" in reply.raw
    assert sql("SELECT count(*) FROM cases")[0][0] >= 1  # the table survived


@pytest.mark.parametrize(
    "body, message",
    [
        pytest.param(b"service_code=0102&address_string=\xff\xfe", "UTF-8", id="raw-non-utf8"),
        pytest.param(b"service_code=0102&address_string=%FF%FE", "UTF-8", id="percent-non-utf8"),
        pytest.param(b"service_code=0102&address_string=%E4%B8", "UTF-8", id="truncated-utf8"),
        pytest.param(b"&&&==&=&service_code", "service_code", id="garbage"),
        pytest.param(b"", "service_code is required", id="empty-body"),
        pytest.param(b"a=1&" * 300, "too many", id="too-many-fields"),
    ],
)
async def test_malformed_bodies(api, sql, body, message):
    before = await _cases_and_counter(sql)
    data = body + f"&api_key={api.api_key}".encode() if body else f"api_key={api.api_key}".encode()
    reply = await api.call("POST", "requests.json", data=data, headers={"Content-Type": FORM}, status=400)
    assert any(message in entry["description"] for entry in reply.body), reply.body
    assert await _cases_and_counter(sql) == before


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "text/plain", "multipart/form-data; boundary=x", None,
     "application/x-www-form-urlencoded; charset=latin-1"],
)
async def test_wrong_content_type_is_415(api, fields, content_type):
    data = _encode({**fields(), "api_key": api.api_key})
    if content_type == "application/json":
        data = json.dumps(fields()).encode()
    headers = {"Content-Type": content_type} if content_type else {"Content-Type": ""}
    await api.call("POST", "requests.json", data=data, headers=headers, status=415)


async def test_form_with_utf8_charset_is_accepted(api, fields):
    data = _encode({**fields(), "api_key": api.api_key})
    await api.call("POST", "requests.json", data=data, headers={"Content-Type": f"{FORM}; charset=UTF-8"},
                   schema="request-responses")


async def test_huge_body_is_413(api, fields, sql):
    before = await _cases_and_counter(sql)
    data = _encode({**fields(description="x" * (2 * 1024 * 1024)), "api_key": api.api_key})
    reply = await api.call("POST", "requests.json", data=data, headers={"Content-Type": FORM}, status=413)
    assert "too large" in reply.body[0]["description"]
    assert await _cases_and_counter(sql) == before


async def test_api_key_is_required_for_post(api, fields, sql):
    before = await _cases_and_counter(sql)
    await api.post_form("requests.json", fields(), api_key=False, status=403)
    await api.post_form("requests.json", {**fields(), "api_key": "wrong"}, api_key=False, status=403)
    await api.call("POST", "requests.json", params={"api_key": api.api_key}, data=fields(),
                   schema="request-responses")  # key in the query string also works
    after = await _cases_and_counter(sql)
    assert after[0] == before[0] + 1


async def test_bad_query_strings(api):
    await api.call("GET", f"{api.url}/requests.json?service_code=%FF", status=400)
    await api.call("GET", f"{api.url}/requests.json?status=open&status=closed", status=400)
    await api.call("GET", f"{api.url}/requests.json?service_request_id=%00", status=400)


async def test_rejected_input_is_logged_as_warning(api, case_service):
    await api.post_form("requests.json", {"service_code": "0000"}, status=400)
    log = case_service.log_text()
    assert "WARNING case_service.middleware: rejected POST /open311/v2/requests.json with 400" in log
    assert "Traceback" not in log
