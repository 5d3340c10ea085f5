"""Plain Open311 GeoReport v2 behaviour of the real case service (JSON and XML)."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from case_service import schemas

XML_TYPE = "text/xml"


async def test_discovery_announces_open311_and_extensions(api):
    body = await api.get("discovery.json", schema="discovery")
    specs = {endpoint["specification"] for endpoint in body["endpoints"]}
    assert specs == {"http://wiki.open311.org/GeoReport_v2", "urn:hotline12345:extensions:v1"}
    for endpoint in body["endpoints"]:
        assert endpoint["url"] == api.url
        assert "application/json" in endpoint["formats"] and "text/xml" in endpoint["formats"]


async def test_services_follow_taxonomy_codes(api, project_root):
    body = await api.get("services.json", schema="services")
    with (project_root / "data" / "taxonomy.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    level1s = list(dict.fromkeys(row["level1"] for row in rows))
    level2s = {l1: list(dict.fromkeys(r["level2"] for r in rows if r["level1"] == l1)) for l1 in level1s}
    assert len(body) == len(level1s) + sum(len(v) for v in level2s.values())
    by_code = {service["service_code"]: service for service in body}
    for i, level1 in enumerate(level1s, start=1):
        general = by_code[f"{i:02d}00"]
        assert general["service_name"] == f"{level1}（综合）"
        assert general["group"] == level1
        for j, level2 in enumerate(level2s[level1], start=1):
            service = by_code[f"{i:02d}{j:02d}"]
            assert service["service_name"] == level2
            assert service["group"] == level1
            level3s = [r["level3"] for r in rows if r["level1"] == level1 and r["level2"] == level2]
            assert service["keywords"].split(",") == list(dict.fromkeys(level3s))
            assert service["type"] == "realtime"
    assert all(re.fullmatch(r"\d{4}", code) for code in by_code)


async def test_service_definition_lists_level3_values(api):
    body = await api.get("services/0101.json", schema="service-definition")
    assert body["service_code"] == "0101"
    (attribute,) = body["attributes"]
    assert attribute["code"] == "level3" and attribute["datatype"] == "singlevaluelist"
    assert [v["key"] for v in attribute["values"]] == ["事故处理", "安全生产管理", "安全隐患"]
    general = await api.get("services/0100.json", schema="service-definition")
    assert general["attributes"][0]["code"] == "level2"


async def test_unknown_service_definition_is_404(api):
    body = await api.get("services/9999.json", status=404)
    assert "9999" in body[0]["description"]
    await api.get("services/9999.xml", status=404)


async def test_post_then_get_one(api, fields):
    created = await api.submit(description="井盖缺失，有安全隐患")
    number = created["service_request_id"]
    assert re.fullmatch(r"\d{13}", number)
    today = datetime.now(timezone(timedelta(hours=8))).strftime("%Y%m%d")
    assert number[:8] == today
    assert created["account_id"] is None
    assert number in created["service_notice"]

    body = await api.get(f"requests/{number}.json", schema="requests")
    (request,) = body
    assert request["service_request_id"] == number
    assert request["status"] == "open"
    assert request["service_code"] == "0102"
    assert request["service_name"] == "城市建设和市政管理"
    assert request["description"] == "井盖缺失，有安全隐患"
    assert request["lat"] == 39.9219 and request["long"] == 116.4436
    assert request["address"] == "北京市朝阳区工体北路 1 号"
    assert request["expected_datetime"] == created["expected_datetime"]
    assert request["agency_responsible"]


async def test_post_with_attribute_and_address_id_only(api):
    created = await api.submit(
        service_code="0101", lat=None, long=None, address_string=None, address_id="ADDR-42",
        **{"attribute[level3]": "安全隐患"},
    )
    request = await api.case(created["service_request_id"])
    assert request["address_id"] == "ADDR-42" and request["lat"] is None
    assert request["x12345"]["attributes"] == {"level3": "安全隐患"}


async def test_unknown_request_is_404(api):
    await api.get("requests/2000010199999.json", status=404)
    await api.get("requests/not-a-number.json", status=404)
    await api.get("requests/2000010199999.xml", status=404)


async def test_get_requests_filters(api):
    a = (await api.submit(service_code="0101"))["service_request_id"]
    b = (await api.submit(service_code="0201"))["service_request_id"]

    body = await api.get("requests.json", params={"service_request_id": f"{a},{b}"}, schema="requests")
    assert {r["service_request_id"] for r in body} == {a, b}

    body = await api.get("requests.json", params={"service_code": "0201"}, schema="requests")
    assert b in {r["service_request_id"] for r in body}
    assert all(r["service_code"] == "0201" for r in body)

    body = await api.get("requests.json", schema="requests")
    numbers = [r["service_request_id"] for r in body]
    assert a in numbers and b in numbers
    assert numbers.index(b) < numbers.index(a), "newest first"

    await api.post_form(f"x12345/requests/{a}/timeline.json", {"stage": "closed", "note": "已办结"},
                        schema="x12345-requests")
    closed = await api.get("requests.json", params={"status": "closed"}, schema="requests")
    assert a in {r["service_request_id"] for r in closed}
    assert all(r["status"] == "closed" for r in closed)
    opened = await api.get("requests.json", params={"status": "open"}, schema="requests")
    assert a not in {r["service_request_id"] for r in opened} and b in {r["service_request_id"] for r in opened}

    now = datetime.now(timezone.utc)
    future = {"start_date": (now + timedelta(days=1)).isoformat(), "end_date": (now + timedelta(days=2)).isoformat()}
    assert await api.get("requests.json", params=future, schema="requests") == []
    window = {"start_date": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end_date": (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    body = await api.get("requests.json", params=window, schema="requests")
    assert {a, b} <= {r["service_request_id"] for r in body}


async def test_default_window_is_90_days(api, sql):
    old = (await api.submit())["service_request_id"]
    long_ago = datetime.utcnow() - timedelta(days=100)
    sql("UPDATE cases SET requested_at = :at WHERE case_number = :n", at=long_ago, n=old)

    recent = {r["service_request_id"] for r in await api.get("requests.json", schema="requests")}
    assert old not in recent
    window = {"start_date": (long_ago - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end_date": (long_ago + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    found = await api.get("requests.json", params=window, schema="requests")
    assert [r["service_request_id"] for r in found] == [old]
    # a lookup by id ignores the window
    assert (await api.case(old, extensions=False))["service_request_id"] == old


async def test_request_filters_are_validated(api):
    await api.get("requests.json", params={"status": "pending"}, status=400)
    await api.get("requests.json", params={"start_date": "yesterday"}, status=400)
    await api.get("requests.json", params={"start_date": "2026-01-01", "end_date": "2025-01-01"}, status=400)
    await api.get("requests.json", params={"start_date": "2025-01-01", "end_date": "2025-06-01"}, status=400)
    await api.get("requests.json", params={"extensions": "maybe"}, status=400)


async def test_xml_formats(api):
    created = await api.post_form("requests.xml", {"service_code": "0102", "address_string": "a & <b>",
                                                   "description": "<script>x</script>"})
    assert created is None  # XML body, not JSON
    reply = await api.call("GET", "requests.xml", params={"extensions": "true"})
    assert reply.headers["Content-Type"].startswith(XML_TYPE)
    root = ET.fromstring(reply.raw)
    assert root.tag == "service_requests"
    first = root.find("request")
    assert first is not None
    assert first.findtext("description") == "<script>x</script>"
    assert first.findtext("address") == "a & <b>"
    assert first.find("x12345/timeline/event/stage").text == "received"

    number = first.findtext("service_request_id")
    one = ET.fromstring((await api.call("GET", f"requests/{number}.xml")).raw)
    assert one.findtext("request/service_request_id") == number

    services = ET.fromstring((await api.call("GET", "services.xml")).raw)
    assert services.tag == "services" and services.find("service/service_code").text == "0100"
    definition = ET.fromstring((await api.call("GET", "services/0101.xml")).raw)
    assert definition.findtext("attributes/attribute/values/value/key") == "事故处理"
    discovery = ET.fromstring((await api.call("GET", "discovery.xml")).raw)
    assert len(discovery.findall("endpoints/endpoint")) == 2

    error = await api.call("GET", "requests/2000010199999.xml", status=404)
    tree = ET.fromstring(error.raw)
    assert tree.tag == "errors" and tree.findtext("error/code") == "404"


async def test_post_xml_response(api, fields):
    reply = await api.call("POST", "requests.xml", data={**fields(), "api_key": api.api_key})
    tree = ET.fromstring(reply.raw)
    assert tree.tag == "service_requests"
    assert re.fullmatch(r"\d{13}", tree.findtext("request/service_request_id"))
    assert tree.find("request/account_id") is not None


async def test_unknown_route_and_method_are_open311_errors(api):
    await api.get("nothing.json", status=404)
    await api.get("services.csv", status=404)
    reply = await api.call("DELETE", "requests.json", status=405)
    assert "GET" in reply.headers.get("Allow", "") or "POST" in reply.headers.get("Allow", "")


def test_shipped_schemas_are_the_open311_ones(project_root):
    import json

    shared = project_root.parent / "shared" / "open311"
    if not shared.exists():
        return  # the copy is what ships; the comparison needs the shared folder
    for name in ("request", "requests", "service", "services", "service-definition"):
        original = json.loads((shared / f"{name}.json").read_text(encoding="utf-8"))
        assert schemas.load(name) == original
