"""Failure handling over real HTTP: error mapping, retries, timeouts, refused connections."""

from __future__ import annotations

import logging
import time

import pytest

from backend_client import (
    CaseBackend,
    CaseDraft,
    Forbidden,
    NotFound,
    ProtocolError,
    Rejected,
    Unavailable,
)

from tests.backend_client.fake_open311 import SECRET, Fault, open311_errors

DRAFT = CaseDraft(service_code="0101", description="井盖丢失", phone="13800138000", appeal_type="投诉")


@pytest.fixture(autouse=True)
def _no_secret_in_logs(caplog: pytest.LogCaptureFixture):
    """Every test here also checks that the API key never reaches a log line."""
    caplog.set_level(logging.DEBUG, logger="backend_client")
    yield
    assert SECRET not in caplog.text


async def test_400_with_open311_errors_is_rejected_and_not_retried(make_backend, fake_server):
    backend = make_backend()
    fake_server.fail("create", Fault(400, open311_errors(400, "service_code is not valid", "lat is out of range")))
    with pytest.raises(Rejected) as info:
        await backend.submit(DRAFT, idempotency_key="conv-1")
    assert info.value.status == 400
    assert info.value.messages == ("service_code is not valid", "lat is out of range")
    assert fake_server.hits["create"] == 1  # a 4xx is never retried, even with a key


async def test_server_side_validation_message_reaches_caller(make_backend, fake_server):
    backend = make_backend()
    with pytest.raises(Rejected) as info:
        await backend.submit(CaseDraft(service_code="9999", description="x"))
    assert "service_code is not valid" in info.value.messages


async def test_403_is_forbidden_and_secret_is_redacted(make_backend, fake_server):
    # the fake echoes the posted key in its error text; the client must not repeat it
    backend = make_backend(api_key=SECRET[::-1])
    fake_server.fail("create", Fault(403, open311_errors(403, f"api_key {SECRET[::-1]} is not valid")))
    with pytest.raises(Forbidden) as info:
        await backend.submit(DRAFT)
    assert SECRET[::-1] not in str(info.value)
    assert all(SECRET[::-1] not in m for m in info.value.messages)
    assert info.value.messages == ("api_key *** is not valid",)
    assert fake_server.hits["create"] == 1


async def test_404_is_not_found(make_backend, fake_server):
    backend = make_backend()
    with pytest.raises(NotFound) as info:
        await backend.get_case("2026113099999")
    assert info.value.messages == ("no such request",)
    assert fake_server.hits["get"] == 1


async def test_500_then_503_then_success_is_retried(make_backend, fake_server):
    fake_server.add_case("2026113000042")
    fake_server.fail("get", 500, 503)
    case = await make_backend().get_case("2026113000042")
    assert case.id == "2026113000042"
    assert fake_server.hits["get"] == 3


async def test_idempotent_post_is_retried_after_5xx(make_backend, fake_server):
    fake_server.fail("create", 503)
    submitted = await make_backend().submit(DRAFT, idempotency_key="conv-7")
    assert submitted.case_id.startswith("20261130")
    assert fake_server.hits["create"] == 2


async def test_post_without_key_is_never_retried(make_backend, fake_server):
    fake_server.fail("create", 503)
    with pytest.raises(Unavailable) as info:
        await make_backend().submit(DRAFT)
    assert info.value.status == 503 and info.value.attempts == 1
    assert fake_server.hits["create"] == 1


async def test_persistent_5xx_gives_unavailable_after_all_attempts(make_backend, fake_server):
    fake_server.fail_always("services", 502)
    with pytest.raises(Unavailable) as info:
        await make_backend(retry_attempts=4).services()
    assert info.value.status == 502
    assert info.value.attempts == 4
    assert fake_server.hits["services"] == 4


async def test_slow_get_times_out_and_is_retried(make_backend, fake_server):
    fake_server.add_case("2026113000042")
    await make_backend().capabilities()  # warm: only the case read is slow
    fake_server.fail_always("get", Fault.slow(1.0))
    backend = make_backend(timeout=0.2)
    started = time.monotonic()
    with pytest.raises(Unavailable) as info:
        await backend.get_case("2026113000042")
    assert "timed out" in str(info.value)
    assert info.value.attempts == 3
    assert fake_server.hits["get"] == 3
    assert time.monotonic() - started < 1.5  # per-attempt timeout, not the server's pace


async def test_slow_post_without_key_times_out_once(make_backend, fake_server):
    backend = make_backend(timeout=0.2)
    await backend.capabilities()
    fake_server.fail_always("create", Fault.slow(1.0))
    with pytest.raises(Unavailable):
        await backend.submit(DRAFT)
    assert fake_server.hits["create"] == 1


async def test_slow_then_fast_post_with_key_gives_one_case(make_backend, fake_server):
    backend = make_backend(timeout=0.3)
    await backend.capabilities()
    # the first reply is slow: the server files the case, the client times out,
    # retries with the same key and receives the same case, not a duplicate
    fake_server.fail("create", Fault.slow_reply(0.6))
    submitted = await backend.submit(DRAFT, idempotency_key="conv-slow")
    assert fake_server.hits["create"] == 2
    assert list(fake_server.cases) == [submitted.case_id]
    again = await backend.submit(DRAFT, idempotency_key="conv-slow")
    assert again.case_id == submitted.case_id


async def test_refused_connection_is_unavailable(http, closed_port):
    backend = CaseBackend(f"http://127.0.0.1:{closed_port}/open311/v2", http, api_key=SECRET, backoff=0.01)
    with pytest.raises(Unavailable) as info:
        await backend.get_case("2026113000042")
    assert info.value.attempts == 3
    assert info.value.status is None
    assert SECRET not in str(info.value)


async def test_malformed_json_is_protocol_error_and_not_retried(make_backend, fake_server):
    fake_server.fail("services", Fault(200, b'[{"service_code": "0101",'))
    with pytest.raises(ProtocolError):
        await make_backend().services()
    assert fake_server.hits["services"] == 1


async def test_unexpected_shape_is_protocol_error(make_backend, fake_server):
    backend = make_backend()
    await backend.capabilities()
    fake_server.fail("create", Fault(201, b'{"service_request_id": "1"}'))
    with pytest.raises(ProtocolError):
        await backend.submit(DRAFT)
    fake_server.fail("create", Fault(201, b'[{"service_notice": "no id"}]'))
    with pytest.raises(ProtocolError):
        await backend.submit(DRAFT)


async def test_html_error_page_still_maps_by_status(make_backend, fake_server):
    fake_server.fail("get", Fault(404, b"<html>not here</html>"))
    with pytest.raises(NotFound) as info:
        await make_backend().get_case("1")
    assert info.value.messages == ()


async def test_discovery_outage_is_not_cached_as_plain(make_backend, fake_server):
    backend = make_backend(retry_attempts=1)
    fake_server.fail("discovery", 503)
    with pytest.raises(Unavailable):
        await backend.capabilities()
    assert (await backend.capabilities()).extensions is True
