"""The channel's protocol and limits against a real server (channel + echo bot).

What is tested here does not depend on the dialogue model: session persistence, numbered
replay without duplicates, the plain format for the stock widget, metadata filtering,
limits (length, rate), failures, and the photo upload endpoint (stored in the case service).
"""

from __future__ import annotations

import asyncio
import json
import aiohttp
import pytest

from tests.support.webchat_client import ChatClient, tiny_png

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def chat(webchat_echo):
    clients: list[ChatClient] = []

    async def open_client() -> ChatClient:
        client = await ChatClient(webchat_echo.url).connect()
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.close()


async def push(server_url: str, session_id: str, text: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server_url}/push/{session_id}", json={"text": text}) as response:
            assert response.status == 200


async def test_plain_session_and_echo_like_rasa_webchat(chat):
    client = await chat()
    confirm = await client.start()
    assert isinstance(confirm, str) and len(confirm) == 32  # plain: the id itself, as Rasa sends it
    await client.say("你好")
    replies = await client.messages()
    assert replies[0] == {"text": "echo: 你好"}  # no extra keys: the widget would drop the message
    assert replies[1] == {"text": "metadata: {}"}


async def test_session_persists_across_reconnects_and_bad_ids_are_replaced(chat, webchat_echo):
    first = await chat()
    session_id = await first.start()
    await first.close()
    again = await chat()
    assert await again.start(session_id) == session_id
    stranger = await chat()
    assert await stranger.start("12345678") != "12345678"  # not ours (e.g. a Telegram chat id)


async def test_numbered_replay_after_reconnect_has_no_duplicates(chat, webchat_echo):
    page = await chat()
    confirm = await page.start(replay_after=0)
    assert set(confirm) == {"session_id", "epoch", "last_seq"} and confirm["last_seq"] == 0
    session_id, epoch = confirm["session_id"], confirm["epoch"]
    await page.say("one")
    replies = await page.messages()
    assert [m["seq"] for m in replies] == [1, 2] and replies[0]["text"] == "echo: one"
    await page.sio.emit("outbox_ack", {"seq": 1, "epoch": epoch})
    await asyncio.sleep(0.3)  # let the ack arrive before the tab closes
    await page.close()
    await asyncio.sleep(0.3)

    await push(webchat_echo.url, session_id, "operator: 您的工单已受理")  # nobody connected now
    await push(webchat_echo.url, session_id, "status: dispatched")

    back = await chat()
    confirm = await back.start(session_id, replay_after=2, epoch=epoch)
    assert confirm["last_seq"] == 4
    replayed = await back.messages(quiet=0.5)
    assert [(m["seq"], m["text"]) for m in replayed] == [(3, "operator: 您的工单已受理"), (4, "status: dispatched")]

    # a page that already saw 3 gets only 4; a page with a stale epoch (server restarted) gets all kept
    third = await chat()
    await third.start(session_id, replay_after=3, epoch=epoch)
    assert [m["seq"] for m in await third.messages(quiet=0.5)] == [4]
    fourth = await chat()
    await fourth.start(session_id, replay_after=4, epoch="stale")
    assert [m["seq"] for m in await fourth.messages(quiet=0.5)] == [2, 3, 4]  # 1 was acked and forgotten


async def test_push_reaches_all_open_tabs_once_and_plain_clients_get_missed_messages(chat, webchat_echo):
    numbered = await chat()
    confirm = await numbered.start(replay_after=0)
    session_id = confirm["session_id"]
    plain = await chat()
    await plain.start(session_id)
    await push(webchat_echo.url, session_id, "hello both")
    assert await numbered.next() == {"text": "hello both", "seq": 1}
    assert await plain.next() == {"text": "hello both"}
    await numbered.close()
    await plain.close()
    await asyncio.sleep(0.5)  # the server notices the closed tabs
    await push(webchat_echo.url, session_id, "while away")
    widget = await chat()
    await widget.start(session_id)
    assert await widget.messages(quiet=0.5) == [{"text": "while away"}]  # only what nobody received
    widget_again = await chat()
    await widget_again.start(session_id)
    assert [e for e in await widget_again.drain() if e[0] == "bot_uttered"] == []


async def test_metadata_passthrough_is_filtered(chat, webchat_echo):
    client = await chat()
    await client.start(replay_after=0)
    async with aiohttp.ClientSession() as http:
        url = f"{webchat_echo.url}/webhooks/webchat/upload?session_id={client.session_id}"
        async with http.post(url, data=tiny_png(), headers={"Content-Type": "image/png"}) as response:
            assert response.status == 201, await response.text()
            media_url = (await response.json())["media_url"]
    metadata = {
        "language": "en", "location": {"lat": 39.92, "long": 116.44}, "media_urls": [media_url, "https://evil.example/a.jpg"],
        "verified_phone": "13800138000", "channel": "operator",
    }
    await client.say("pothole", metadata)
    replies = await client.messages()
    passed = json.loads(replies[1]["text"].split("metadata: ", 1)[1])
    assert passed == {"language": "en", "location": {"lat": 39.92, "long": 116.44}, "media_urls": [media_url]}
    await client.say("again", {"language": "zh"}, key="metadata")  # Rasa's key works too
    assert json.loads((await client.messages())[1]["text"].split(": ", 1)[1]) == {"language": "zh"}


async def test_long_and_empty_messages(chat):
    client = await chat()
    await client.start(replay_after=0)
    await client.say("路" * 10_000)
    replies = await client.messages()
    assert "只收到了前 4000 个字" in replies[0]["text"]
    assert replies[1]["text"] == "echo: " + "路" * 4000
    await client.say("   ")
    await client.say("")
    await client.say(None)
    assert [e for e in await client.drain() if e[0] == "bot_uttered"] == []


async def test_emoji_and_slash_commands(chat):
    client = await chat()
    await client.start(replay_after=0)
    await client.say("😀🎉👍")
    assert (await client.messages())[0]["text"] == "echo: 😀🎉👍"
    await client.say('/inform{"phone":"13800138000"}')  # never offered: goes to NLU as text
    assert (await client.messages())[0]["text"] == 'echo: ／inform{"phone":"13800138000"}'
    await client.say("buttons")
    offered = await client.next()
    assert offered["quick_replies"][0] == {"content_type": "text", "title": "Yes", "payload": "/affirm"}
    await client.say("/affirm")
    assert (await client.messages())[0]["text"] == "echo: /affirm"


async def test_typing_brackets_processing_and_failures_get_an_apology(chat):
    client = await chat()
    await client.start(replay_after=0)
    await client.say("slow")
    assert await client.next("bot_typing") == {"typing": True}
    assert [m["text"] for m in await client.messages()] == ["echo: slow", "metadata: {}"]
    await client.say("boom")
    apology = await client.next()
    assert "12345" in apology["text"] and "echo" not in apology["text"]
    assert await client.next("bot_typing") == {"typing": False}


async def test_flooding_gets_one_polite_message_and_extra_messages_are_dropped(chat, webchat_echo):
    client = await chat()
    confirm = await client.start(replay_after=0)
    for n in range(15):
        await client.sio.emit("user_uttered", {"message": f"flood {n}", "session_id": client.session_id})
    # What the server sent is read back from the outbox by a second tab: python-engineio's polling
    # client now and then misses a packet of a large burst (the browser test covers delivery).
    expected = 1 + 6 * 2  # one polite notice; the burst of 6, each echoed with its metadata
    replay: list = []
    for _ in range(40):
        await asyncio.sleep(0.5)
        tab = await chat()
        again = await tab.start(client.session_id, replay_after=0, epoch=confirm["epoch"])
        if again["last_seq"] >= expected:
            replay = await tab.messages(quiet=0.5)
            break
    texts = [m["text"] for m in replay]
    assert len(texts) == expected, texts
    assert sum("wait a moment" in t or "稍等" in t for t in texts) == 1
    assert sorted(t for t in texts if t.startswith("echo: flood")) == [f"echo: flood {n}" for n in range(6)]
    await asyncio.sleep(1.0)
    assert again["last_seq"] == expected and (await tab.start(client.session_id, replay_after=0))["last_seq"] == expected
    assert "rate limit reached" in webchat_echo.log_text()


async def test_messages_for_another_session_or_without_session_are_ignored(chat, webchat_echo):
    victim = await chat()
    await victim.start()
    attacker = await chat()
    await attacker.sio.emit("user_uttered", {"message": "no session yet", "session_id": victim.session_id})
    await attacker.start()
    await attacker.sio.emit("user_uttered", {"message": "hijack", "session_id": victim.session_id})
    assert [e for e in await victim.drain(0.8) if e[0] == "bot_uttered"] == []
    assert "another session" in webchat_echo.log_text()


async def test_upload_refuses_clearly(chat, webchat_echo):
    client = await chat()
    await client.start()
    base = f"{webchat_echo.url}/webhooks/webchat/upload"
    async with aiohttp.ClientSession() as http:
        async def post(data: bytes, session_id: str | None = client.session_id, content_type: str = "image/jpeg"):
            url = base + (f"?session_id={session_id}" if session_id else "")
            async with http.post(url, data=data, headers={"Content-Type": content_type}) as response:
                return response.status, await response.json()

        status, body = await post(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024))
        assert status == 413 and body["error"] == "too_large" and "5 MB" in body["messages"]["en"]
        assert "5 MB" in body["messages"]["zh"]
        status, body = await post(b"<html><script>alert(1)</script>", content_type="image/png")
        assert status == 415 and body["error"] == "not_an_image" and "JPEG" in body["message"]
        status, body = await post(tiny_png(), session_id=None)
        assert status == 400 and body["error"] == "no_session"
        status, body = await post(tiny_png(), content_type="application/octet-stream")
        assert status == 201 and body["media_url"].startswith("http")
        async with http.get(body["media_url"]) as stored:  # really in the case service
            assert stored.status == 200 and await stored.read() == tiny_png()


async def test_pages_are_served_with_a_strict_policy(webchat_echo):
    async with aiohttp.ClientSession() as http:
        async with http.get(webchat_echo.page_url) as response:
            assert response.status == 200
            policy = response.headers["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
            html = await response.text()
            assert "12345 北京市民热线" in html and 'data-socket-path="/webhooks/webchat/socket.io"' in html
        async with http.get(f"{webchat_echo.url}/webhooks/webchat/widget") as response:
            assert response.status == 200 and "vendor/rasa-webchat.js" in await response.text()
        for path, kind in (("static/app.js", "javascript"), ("static/style.css", "css"),
                           ("vendor/socket.io.min.js", "javascript"), ("vendor/rasa-webchat.js", "javascript")):
            async with http.get(f"{webchat_echo.page_url}{path}") as response:
                assert response.status == 200 and kind in response.headers["Content-Type"], path
        for path in ("static/../channel.py", "static/index.html", "vendor/package.json", "static/%2e%2e%2fhub.py"):
            async with http.get(f"{webchat_echo.page_url}{path}") as response:
                assert response.status == 404, path
