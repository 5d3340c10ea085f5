"""Pure units: parsing, form encoding, settings and the process-wide runtime."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from backend_client import BackendSettings, CaseDraft, ProtocolError, runtime
from backend_client.forms import DESCRIPTION_LIMIT, plain_form
from backend_client.parsing import (
    parse_capabilities,
    parse_case,
    parse_datetime,
    parse_error_messages,
    parse_submitted,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T09:00:00Z", datetime(2026, 11, 30, 9, tzinfo=timezone.utc)),
        ("2026-11-30T09:00:00.5+00:00", datetime(2026, 11, 30, 9, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2026-11-30T09:00:00", datetime(2026, 11, 30, 9)),
        ("yesterday", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_datetime(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        (b'[{"code": 400, "description": "a"}, {"code": 400, "description": "b"}]', ("a", "b")),
        (b'{"code": 403, "description": "no key"}', ("no key",)),
        (b'{"errors": [{"description": "x"}]}', ("x",)),
        (b"<html>oops</html>", ()),
        (b"", ()),
    ],
)
def test_parse_error_messages(body, messages):
    assert parse_error_messages(body) == messages


def test_capabilities_shapes():
    assert not parse_capabilities({"endpoints": []}).extensions
    assert parse_capabilities({"endpoints": [{"specification": "urn:hotline12345:extensions:v1"}]}).extensions
    with pytest.raises(ProtocolError):
        parse_capabilities([])


def test_submitted_and_case_shapes():
    assert parse_submitted([{"service_request_id": 2026113000001}]).case_id == "2026113000001"
    with pytest.raises(ProtocolError):
        parse_submitted([])
    with pytest.raises(ProtocolError):
        parse_case({"status": "open"})
    case = parse_case({"service_request_id": "1", "lat": "north", "x12345": {"x12345_level1": "城乡建设"}})
    assert case.lat is None and case.level1 == "城乡建设" and case.extended


def test_plain_description_summary_respects_limit():
    long = "字" * (DESCRIPTION_LIMIT - 10)
    form = dict(plain_form(CaseDraft(service_code="1", description=long, appeal_type="投诉", level1="城乡建设")))
    assert len(form["description"]) == DESCRIPTION_LIMIT
    assert form["description"].startswith(long)


def test_settings_from_env():
    s = BackendSettings.from_env(
        {"CASE_SERVICE_URL": "http://h:1/open311/v2/", "CASE_SERVICE_API_KEY": "k3y", "CASE_SERVICE_TIMEOUT": "2.5"}
    )
    assert (s.url, s.api_key, s.timeout) == ("http://h:1/open311/v2", "k3y", 2.5)
    assert "k3y" not in repr(s)
    assert BackendSettings.from_env({}).url == "http://127.0.0.1:8311/open311/v2"
    with pytest.raises(ValueError):
        BackendSettings.from_env({"CASE_SERVICE_TIMEOUT": "soon"})
    with pytest.raises(ValueError):
        BackendSettings.from_env({"CASE_SERVICE_TIMEOUT": "0"})


async def test_runtime_open_is_shared_and_close_is_idempotent(monkeypatch):
    monkeypatch.setenv("CASE_SERVICE_URL", "http://127.0.0.1:9/open311/v2")
    monkeypatch.setenv("CASE_SERVICE_API_KEY", "rt-key")
    first = await runtime.open_backend()
    try:
        assert await runtime.open_backend() is first
        assert first.base_url == "http://127.0.0.1:9/open311/v2"
        assert "rt-key" not in repr(first)
    finally:
        await runtime.close()
    await runtime.close()
    second = await runtime.open_backend(BackendSettings(url="http://127.0.0.1:9/x"))
    try:
        assert second is not first and second.base_url == "http://127.0.0.1:9/x"
    finally:
        await runtime.close()


def test_positive_float_is_the_one_env_number_parser():
    import pytest as _pytest

    from backend_client.settings import positive_float

    assert positive_float({}, "X", 2.5) == 2.5
    assert positive_float({"X": " 3 "}, "X", 1.0) == 3.0
    for bad in ("abc", "0", "-1", "nan"):
        with _pytest.raises(ValueError, match="X must be"):
            positive_float({"X": bad}, "X", 1.0)


def test_http_url_is_the_one_url_check():
    import pytest as _pytest

    from backend_client.settings import http_url

    assert http_url("X", "https://example.org/a") == "https://example.org/a"
    assert http_url("X", "", optional=True) == ""
    for bad in ("", "javascript:alert(1)", "example.org", "ftp://example.org"):
        with _pytest.raises(ValueError, match="X must be an http"):
            http_url("X", bad)
