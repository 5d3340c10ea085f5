"""In-process unit tests of the small modules (no server, no backend)."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from case_service import clock, schemas, workflow
from case_service.app import create_app
from case_service.catalog import build_services, load_catalog
from case_service.db import async_url, ensure_sqlite_directory, sync_url
from case_service.errors import (
    BadRequest,
    CaseServiceError,
    ClientError,
    ConfigurationError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from case_service.formats import to_json, to_xml
from case_service.forms import decode_urlencoded
from case_service.media import sniff_image
from case_service.middleware import error_middleware
from case_service.numbering import format_case_number, is_case_number
from case_service.render import mask_phone
from case_service.settings import PROJECT_ROOT, Settings
from case_service.submission import normalize_phone



# ---------------------------------------------------------------- middleware


async def _client(handler) -> TestClient:
    app = web.Application(middlewares=[error_middleware])
    app.router.add_get("/open311/v2/boom.{fmt}", handler)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_unexpected_exception_becomes_logged_json_500(caplog):
    async def boom(request):
        raise RuntimeError("secret internals")

    client = await _client(boom)
    try:
        with caplog.at_level(logging.ERROR, logger="case_service.middleware"):
            response = await client.get("/open311/v2/boom.json")
            body = await response.json()
        assert response.status == 500
        schemas.validate(body, "errors")
        assert body == [{"code": 500, "description": "internal server error"}]
        assert "secret" not in json.dumps(body)
        assert any("unexpected error" in r.message and r.exc_info for r in caplog.records)

        response = await client.get("/open311/v2/boom.xml")
        assert response.status == 500
        assert ET.fromstring(await response.read()).findtext("error/code") == "500"
    finally:
        await client.close()


async def test_client_errors_and_http_errors_become_error_arrays(caplog):
    async def reject(request):
        raise BadRequest("first problem", "second problem")

    client = await _client(reject)
    try:
        with caplog.at_level(logging.WARNING, logger="case_service.middleware"):
            response = await client.get("/open311/v2/boom.json")
            body = await response.json()
        assert response.status == 400
        assert [e["description"] for e in body] == ["first problem", "second problem"]
        assert any(r.levelno == logging.WARNING for r in caplog.records)
        response = await client.get("/open311/v2/nowhere.json")
        assert response.status == 404
        schemas.validate(await response.json(), "errors")
    finally:
        await client.close()


async def test_unreachable_database_is_503():
    from sqlalchemy.exc import OperationalError

    async def down(request):
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    client = await _client(down)
    try:
        response = await client.get("/open311/v2/boom.json")
        assert response.status == 503
        schemas.validate(await response.json(), "errors")
    finally:
        await client.close()


def test_exception_hierarchy():
    for cls, status in [(BadRequest, 400), (Forbidden, 403), (NotFound, 404), (PayloadTooLarge, 413),
                        (UnsupportedMediaType, 415)]:
        assert issubclass(cls, ClientError) and issubclass(cls, CaseServiceError)
        assert cls("x").status == status
    assert issubclass(ConfigurationError, CaseServiceError) and not issubclass(ConfigurationError, ClientError)
    assert BadRequest().messages == ("request rejected",)


# ---------------------------------------------------------------- settings and app


def test_settings_from_env(tmp_path):
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite+aiosqlite:///{(PROJECT_ROOT / 'var' / 'cases.db').as_posix()}"
    assert settings.api_keys == frozenset()
    env = {
        "CASE_SERVICE_API_KEYS": " a, b ,,c ",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "CASE_SERVICE_PUBLIC_URL": "https://12345.example.org/open311/v2/",
    }
    settings = Settings.from_env(env, port=9000, database_url=None)
    assert settings.api_keys == frozenset({"a", "b", "c"})
    assert settings.database_url.endswith(f"{tmp_path.as_posix()}/cases.db")
    assert settings.public_url == "https://12345.example.org/open311/v2"
    assert settings.port == 9000
    assert Settings.from_env({"CASE_SERVICE_DATABASE_URL": "sqlite:///x.db"}).database_url == "sqlite:///x.db"
    with pytest.raises(FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_create_app_opens_nothing():
    # an unreachable database is fine until the application starts
    app = create_app(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    assert isinstance(app, web.Application)


def test_database_urls(tmp_path):
    assert async_url("sqlite:///a.db").drivername == "sqlite+aiosqlite"
    assert async_url("postgres://u@h/db").drivername == "postgresql+asyncpg"
    assert sync_url("sqlite+aiosqlite:///a.db").drivername == "sqlite"
    assert sync_url("postgresql+asyncpg://u:p@h:5/db").render_as_string(hide_password=False) == (
        "postgresql+psycopg2://u:p@h:5/db"
    )
    with pytest.raises(ConfigurationError):
        async_url("mysql://u@h/db")
    with pytest.raises(ConfigurationError):
        async_url("not a url")
    nested = tmp_path / "a" / "b" / "cases.db"
    ensure_sqlite_directory(async_url(f"sqlite:///{nested}"))
    assert nested.parent.is_dir()


# ---------------------------------------------------------------- small rules


def test_clock_parsing_and_rendering():
    utc = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)
    assert clock.to_iso(utc) == "2026-12-01T00:30:00+08:00"
    assert clock.service_day(utc) == "20261201"
    assert clock.parse_iso("2026-11-30T16:30:00Z") == utc
    assert clock.parse_iso("2026-12-01T00:30:00+08:00") == utc
    assert clock.parse_iso("2026-12-01T00:30:00+0800") == utc
    assert clock.parse_iso("2026-12-01 00:30") == utc
    assert clock.parse_iso("2026-12-01") == datetime(2026, 11, 30, 16, tzinfo=timezone.utc)
    for bad in ("yesterday", "2026-13-01", "2026-11-30T25:00:00", "1700000000", ""):
        with pytest.raises(ValueError):
            clock.parse_iso(bad)


def test_case_numbers():
    assert format_case_number("20261130", 42) == "2026113000042"
    assert is_case_number("2026113000042")
    assert not is_case_number("202611300004") and not is_case_number("2026113000042x")


def test_workflow_rules():
    assert workflow.status_for("resolved") == "open" and workflow.status_for("closed") == "closed"
    workflow.check_transition("received", "received")
    workflow.check_transition("received", "closed")
    with pytest.raises(BadRequest):
        workflow.check_transition("resolved", "dispatched")
    with pytest.raises(BadRequest):
        workflow.check_transition("received", "archived")
    assert workflow.department_for("环境保护", "朝阳区") == "朝阳区生态环境局"
    assert workflow.department_for("环境保护", None) == "北京市生态环境局"
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert workflow.expected_at(start, "咨询") - start == timedelta(days=1)
    assert workflow.expected_at(start, None) - start == timedelta(days=7)


def test_phone_handling():
    assert normalize_phone("138 0013-8000") == ("13800138000", "13800138000")
    assert normalize_phone("+86 138 0013 8000") == ("+8613800138000", "13800138000")
    assert normalize_phone("008613800138000")[1] == "13800138000"
    assert normalize_phone("8613800138000")[1] == "13800138000"
    assert normalize_phone("010-12345678") == ("01012345678", "01012345678")
    for bad in ("abc", "12", "+", "1" * 21, "138\n0013"):
        with pytest.raises(ValueError):
            normalize_phone(bad)
    assert mask_phone("13800138000") == "*******8000"
    assert mask_phone("+8613800138000") == "*********8000"
    assert mask_phone("123") == "***"
    assert mask_phone(None) is None


def test_image_sniffing():
    assert sniff_image(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_image(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert sniff_image(b"GIF87a...") == "image/gif"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert sniff_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert sniff_image(b"") is None


def test_form_decoding():
    form = decode_urlencoded("a=1&b=%E4%B8%AD&b=2&c=&d".encode())
    assert form.one("a") == "1" and form.many("b") == ["中", "2"]
    assert form.one("c") is None and form.one("d") is None and form.one("zzz") is None
    with pytest.raises(BadRequest):
        form.one("b")
    with pytest.raises(BadRequest):
        decode_urlencoded(b"a=\xff")
    with pytest.raises(BadRequest):
        decode_urlencoded(b"a=%ff")
    with pytest.raises(BadRequest):
        decode_urlencoded(b"a=%00")


def test_json_and_xml_rendering_escape_markup():
    text = to_json([{"d": "<script>&</script>\u2028"}])
    assert "<" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == [{"d": "<script>&</script>\u2028"}]
    xml = to_xml([{"description": "<b>&\x01", "ok": True, "none": None, "timeline": [{"stage": "x"}]}], "requests")
    root = ET.fromstring(xml.split("\n", 1)[1])
    assert root.findtext("request/description") == "<b>&\ufffd"
    assert root.findtext("request/ok") == "true"
    assert root.find("request/none").text is None
    assert root.findtext("request/timeline/event/stage") == "x"


def test_catalog_codes(project_root: Path):
    services = build_services([("A", "a1", "x"), ("A", "a2", "y"), ("B", "b1", "z"), ("A", "a1", "w")])
    assert list(services) == ["0100", "0101", "0102", "0200", "0201"]
    assert services["0100"].name == "A（综合）" and services["0100"].level2 is None
    assert services["0101"].keywords == ("x", "w")
    catalog = load_catalog(project_root / "data")
    assert len(catalog.services) == 133
    assert catalog.district("110105").name == "朝阳区"
    assert catalog.subdistrict("110105") is None and catalog.district("110105001") is None


def test_every_schema_loads():
    names = schemas.names()
    assert {"request", "requests", "service", "services", "service-definition", "errors", "discovery",
            "x12345", "x12345-requests", "request-response", "request-responses", "media-upload"} <= set(names)
    for name in names:
        schemas.validator(name).check_schema(schemas.load(name))
    with pytest.raises(Exception):
        schemas.validate([{"service_request_id": "1", "status": "open", "service_code": "1",
                           "requested_datetime": "not a date"}], "requests")
