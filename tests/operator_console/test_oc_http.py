"""The console app on a free port against a fake Rasa: sessions, CSRF, rate limit, headers,
the internal API, claim/reply/release and who may see what."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from yarl import URL

from operator_console.security import CSP
from tests.operator_console.conftest import SECRET, enqueue

ROOT = Path(__file__).resolve().parents[2]


async def test_every_route_but_login_static_and_health_needs_a_session(console_url):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{console_url}/", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/login"
        for method, path in (("GET", "/api/queue"), ("GET", "/api/handoffs/1/messages"),
                             ("POST", "/api/handoffs/1/claim"), ("POST", "/api/handoffs/1/reply"),
                             ("POST", "/api/handoffs/1/release"), ("POST", "/logout")):
            async with http.request(method, f"{console_url}{path}", allow_redirects=False) as r:
                assert r.status == 401, (method, path)
        for path in ("/login", "/static/console.js", "/static/console.css", "/health"):
            async with http.get(f"{console_url}{path}") as r:
                assert r.status == 200, path
                assert r.headers["Content-Security-Policy"] == CSP and r.headers["X-Content-Type-Options"] == "nosniff"
        async with http.get(URL(f"{console_url}/static/%2e%2e/app.py", encoded=True), allow_redirects=False) as r:
            assert r.status in (303, 403, 404) and "create_app" not in await r.text()


async def test_login_needs_the_forms_csrf_token_and_rotates_the_session(browsers):
    browser = browsers()
    token = await browser.login_form()
    anonymous = browser.http.cookie_jar.filter_cookies(browser.base)["oc_session"].value
    for bad in ({}, {"csrf_token": "forged"}):
        async with browser.http.post(f"{browser.base}/login", data={"name": "alice", "password": "correct horse battery",
                                                                     **bad}, allow_redirects=False) as r:
            assert r.status == 403
    async with browser.http.post(f"{browser.base}/login", data={"csrf_token": token, "name": "alice",
                                                                 "password": "correct horse battery"},
                                 allow_redirects=False) as r:
        assert r.status == 303
        cookie = r.cookies["oc_session"]
        assert cookie.value != anonymous and cookie["httponly"] and cookie["samesite"] == "Strict"
    status, body = await browser.api("GET", "/api/queue")
    assert status == 200 and body["me"] == {"name": "alice", "role": "operator"}


async def test_api_posts_need_the_sessions_csrf_token(browsers, console_url):
    alice, bob = browsers(), browsers()
    assert await alice.login("alice") == 303 and await bob.login("bob") == 303
    ticket = await enqueue(console_url, "conv-csrf")
    assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/claim", csrf=False))[0] == 403
    # another session's token is no good either
    status, _ = await alice.api("POST", f"/api/handoffs/{ticket['id']}/claim", csrf=False,
                                headers={"X-CSRF-Token": bob.csrf})
    assert status == 403
    assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/claim"))[0] == 200


async def test_logins_are_rate_limited(browsers):
    browser = browsers()
    for _ in range(3):
        assert await browser.login("alice", "wrong password!!") == 401
    assert await browser.login("alice") == 429  # even the right password, until the window passes
    other = browsers()
    assert await other.login("bob", "wrong password!!") == 429  # same IP


async def test_logout_ends_the_session(browsers):
    browser = browsers()
    assert await browser.login("alice") == 303
    async with browser.http.post(f"{browser.base}/logout", data={"csrf_token": browser.csrf},
                                 allow_redirects=False) as r:
        assert r.status == 303
    assert (await browser.api("GET", "/api/queue"))[0] == 401


async def test_internal_api_needs_the_shared_secret(console_url):
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"Authorization": "Bearer nope"}):
            async with http.post(f"{console_url}/internal/handoffs", json={"conversation_id": "x"},
                                 headers=headers) as r:
                assert r.status == 403
        async with http.post(f"{console_url}/internal/handoffs", data="[",
                             headers={"Authorization": f"Bearer {SECRET}"}) as r:
            assert r.status == 400
    first = await enqueue(console_url, "conv-1")
    second = await enqueue(console_url, "conv-2")
    assert (first["position"], second["position"]) == (1, 2) and second["expected_wait_minutes"] == 6


async def test_racing_claims_over_http_and_who_sees_what(browsers, console_url, fake_rasa):
    alice, bob, sue = browsers(), browsers(), browsers()
    for browser, name in ((alice, "alice"), (bob, "bob"), (sue, "sue")):
        assert await browser.login(name) == 303
    ticket = await enqueue(console_url, "conv-race", category="城乡建设",
                           slots={"description": "<img src=x onerror=alert(1)>"},
                           last_turns=[{"who": "user", "text": "我要找人工客服"}])
    fake_rasa.citizen_says("conv-race", "有人吗")
    path = f"/api/handoffs/{ticket['id']}"
    results = await asyncio.gather(alice.api("POST", f"{path}/claim"), bob.api("POST", f"{path}/claim"))
    assert sorted(status for status, _ in results) == [200, 409]
    winner, loser = (alice, bob) if results[0][0] == 200 else (bob, alice)
    status, queue = await loser.api("GET", "/api/queue")
    item = queue["handoffs"][0]
    assert item["status"] == "claimed" and not item["mine"] and item["category"] == "城乡建设"
    assert item["slots"]["description"] == "<img src=x onerror=alert(1)>"  # data, rendered with textContent
    assert (await loser.api("GET", f"{path}/messages"))[0] == 403
    assert (await loser.api("POST", f"{path}/reply", json={"text": "hi"}))[0] == 403
    assert (await loser.api("POST", f"{path}/release"))[0] == 403
    status, body = await winner.api("GET", f"{path}/messages")
    assert status == 200 and [m["text"] for m in body["messages"]] == ["有人吗"]
    assert (await sue.api("GET", f"{path}/messages"))[0] == 200  # supervisors may look in
    assert (await winner.api("GET", "/api/handoffs/999/messages"))[0] == 404

    assert (await winner.api("POST", f"{path}/reply", json={"text": " "}))[0] == 400
    assert (await winner.api("POST", f"{path}/reply", json={"text": "您好，我是工作人员"}))[0] == 200
    conversation, query, events = fake_rasa.posted[-1]
    assert conversation == "conv-race" and query["output_channel"] == "latest"
    assert query["execute_side_effects"] == "true" and events[0]["event"] == "bot"
    assert events[0]["text"] == "您好，我是工作人员" and events[0]["metadata"]["operator"]

    fake_rasa.citizen_says("conv-race", "谢谢")
    status, body = await winner.api("GET", f"{path}/messages")
    assert [(m["who"], m["text"]) for m in body["messages"]] == [
        ("citizen", "有人吗"), ("operator", "您好，我是工作人员"), ("citizen", "谢谢")]

    assert (await winner.api("POST", f"{path}/release"))[0] == 200
    farewell, resume = fake_rasa.posted[-2], fake_rasa.posted[-1]
    assert "人工客服已结束" in farewell[2][0]["text"]
    assert resume[2] == [{"event": "slot", "name": "handoff_requested", "value": False}, {"event": "resume"}]
    assert (await winner.api("POST", f"{path}/release"))[0] == 409
    assert (await winner.api("GET", "/api/queue"))[1]["handoffs"] == []


async def test_release_keeps_the_handoff_open_when_rasa_fails(browsers, console_url, fake_rasa):
    alice = browsers()
    assert await alice.login("alice") == 303
    ticket = await enqueue(console_url, "conv-down")
    assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/claim"))[0] == 200
    fake_rasa.url, real = "http://127.0.0.1:9", fake_rasa.url  # not used by the app; break the app's client instead
    from operator_console import rasa_api

    original = rasa_api.RasaApi.resume

    async def broken(self, conversation_id):
        raise rasa_api.RasaUnavailable("down")

    rasa_api.RasaApi.resume = broken
    try:
        assert (await alice.api("POST", f"/api/handoffs/{ticket['id']}/release"))[0] == 502
    finally:
        rasa_api.RasaApi.resume = original
        fake_rasa.url = real
    status, queue = await alice.api("GET", "/api/queue")
    assert queue["handoffs"][0]["status"] == "claimed"


def test_cli_creates_the_first_supervisor(tmp_path):
    env = {**os.environ, "OPERATOR_CONSOLE_DB": str(tmp_path / "c.sqlite3"),
           "OPERATOR_CONSOLE_PASSWORD": "a very long password", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "operator_console.cli", "create-user", "chief", "--role", "supervisor"],
                         env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    again = subprocess.run([sys.executable, "-m", "operator_console.cli", "create-user", "chief"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert again.returncode == 1 and "exists" in again.stderr
    weak = subprocess.run([sys.executable, "-m", "operator_console.cli", "create-user", "x"],
                          env={**env, "OPERATOR_CONSOLE_PASSWORD": "short"}, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert weak.returncode == 1
