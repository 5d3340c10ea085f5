"""The voice gateway process against the real stack: recognition → assistant → synthesis over
HTTP, the Rasa voice channel's secret and metadata, read-back and keypad, bad input, pushes."""

from __future__ import annotations

import asyncio

import aiohttp
import numpy as np
import pytest

from connectors.voice.audio import read_wav, wav_bytes
from tests.connectors.voice.conftest import clip_bytes


async def new_session(http: aiohttp.ClientSession, url: str) -> str:
    async with http.post(f"{url}/api/session") as reply:
        assert reply.status == 200
        return (await reply.json())["session"]


async def turn(http, url, session, data: bytes, lang: str | None = None, expect: int = 200) -> dict:
    query = f"?session={session}" + (f"&lang={lang}" if lang else "")
    async with http.post(f"{url}/api/turn{query}", data=data, headers={"Content-Type": "audio/wav"}) as reply:
        assert reply.status == expect, await reply.text()
        return await reply.json()


async def keys(http, url, session, value: str) -> dict:
    async with http.post(f"{url}/api/keys", json={"session": session, "keys": value}) as reply:
        assert reply.status == 200
        return await reply.json()


def reply_text(body: dict) -> str:
    return " ".join(r["text"] for r in body["replies"])


@pytest.fixture
async def http():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def test_page_is_served_with_a_strict_policy(voice_gateway, http):
    async with http.get(voice_gateway.url + "/") as reply:
        assert reply.status == 200
        assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
        assert "按住说话" in await reply.text()
    async with http.get(voice_gateway.url + "/static/../__main__.py") as reply:
        assert reply.status == 404


async def test_a_mandarin_question_is_answered_in_mandarin_with_audio(voice_gateway, http):
    session = await new_session(http, voice_gateway.url)
    body = await turn(http, voice_gateway.url, session, clip_bytes("zh1"))
    assert body["language"] == "zh" and body["notice"] is None
    assert "投诉" in body["transcript"] and "小区" in body["transcript"]
    assert body["replies"] and all("\u4e00" <= ch <= "\u9fff" for ch in "".join(r["text"] for r in body["replies"]) if ch.isalpha())
    async with http.get(voice_gateway.url + body["replies"][0]["audio"]) as reply:
        assert reply.status == 200 and reply.content_type == "audio/wav"
        samples, rate = read_wav(await reply.read())
    assert len(samples) / rate > 0.5
    assert body["timings"]["asr_s"] > 0


async def test_an_english_question_on_the_telephone_band_gets_an_english_reply(voice_gateway, http):
    session = await new_session(http, voice_gateway.url)
    body = await turn(http, voice_gateway.url, session, clip_bytes("en3.8k"), lang="zh")
    assert body["language"] == "en"
    assert "construction" in body["transcript"].lower()
    text = reply_text(body)
    assert text and not any("\u4e00" <= ch <= "\u9fff" for ch in text), text


@pytest.mark.parametrize("data, notice", [
    (b"this is not audio" * 50, "bad_format"),
    (wav_bytes(np.zeros(16000 * 3, np.float32), 16000), "no_speech"),
    (wav_bytes((np.random.default_rng(1).standard_normal(16000 * 3) * 0.002).astype(np.float32), 16000), "no_speech"),
    (wav_bytes(np.sign(np.sin(np.arange(16000 * 2) / 8)).astype(np.float32), 16000), "clipped"),
])
async def test_bad_audio_gets_a_clear_notice_not_an_error(voice_gateway, http, data, notice):
    session = await new_session(http, voice_gateway.url)
    body = await turn(http, voice_gateway.url, session, data)
    assert body["notice"] == notice
    assert body["replies"] and body["replies"][0]["audio"]
    assert "WARNING" in voice_gateway.log_text()


async def test_an_upload_over_the_size_limit_is_refused_with_a_spoken_notice(voice_gateway, http):
    session = await new_session(http, voice_gateway.url)
    ten_minutes = wav_bytes(np.zeros(16000 * 600, np.float32), 16000)  # 19 MB
    body = await turn(http, voice_gateway.url, session, ten_minutes, expect=413)
    assert body["notice"] == "too_long" and body["replies"]
    async with http.get(voice_gateway.url + "/healthz") as reply:
        assert reply.status == 200


async def test_unknown_sessions_and_bad_keypad_input_are_refused_cleanly(voice_gateway, http):
    async with http.post(f"{voice_gateway.url}/api/turn?session=forged-session-id-123456", data=b"x") as reply:
        assert reply.status == 401
    async with http.post(f"{voice_gateway.url}/api/keys", data=b"{not json") as reply:
        assert reply.status == 400
    session = await new_session(http, voice_gateway.url)
    body = await keys(http, voice_gateway.url, session, "<script>")
    assert body["replies"] == []


async def test_a_spoken_phone_number_is_read_back_and_sent_only_after_yes(voice_gateway, rasa_stack, http, say):
    """Speech is never trusted with digits: the number is repeated, 2 asks again, 1 confirms."""
    url = voice_gateway.url
    session = await new_session(http, url)
    sender = f"voice-web-{session}"
    first = await turn(http, url, session, clip_bytes("en1"))  # a broken street light: the case form starts
    assert first["notice"] is None and first["replies"]
    assert (await _tracker(http, rasa_stack, sender))["latest_message"]["metadata"] == {"language": "en", "input": "speech"}
    assert (await keys(http, url, session, "2"))["replies"] == []  # nothing pending: ignored quietly
    number = await say("Call me on 1 3 9, 1 2 3 4, 5 6 7 8.")  # as people say it
    spoken = await turn(http, url, session, number)
    assert spoken["notice"] == "readback", spoken
    assert "1 3 9, 1 2 3 4, 5 6 7 8" in reply_text(spoken)
    before = len((await _tracker(http, rasa_stack, sender))["events"])
    again = await keys(http, url, session, "2")
    assert again["notice"] == "repeat_digits"
    assert len((await _tracker(http, rasa_stack, sender))["events"]) == before  # nothing reached the bot
    await turn(http, url, session, number)
    confirmed = await keys(http, url, session, "1")
    assert confirmed["notice"] is None and "13912345678" in confirmed["transcript"].replace("-", "").replace(" ", "")
    tracker = await _tracker(http, rasa_stack, sender)
    assert tracker["latest_message"]["text"] == confirmed["transcript"]


async def test_keypad_digits_need_no_read_back_and_zero_asks_for_a_person(voice_gateway, rasa_stack, http):
    url = voice_gateway.url
    session = await new_session(http, url)
    sender = f"voice-web-{session}"
    await turn(http, url, session, clip_bytes("zh5"))
    typed = await keys(http, url, session, "13800138000#")
    assert typed["notice"] is None
    tracker = await _tracker(http, rasa_stack, sender)
    assert tracker["latest_message"]["text"] == "13800138000"
    assert tracker["latest_message"]["metadata"]["input"] == "keypad"
    person = await keys(http, url, session, "0")
    assert person["transfer"] is True and person["replies"]
    tracker = await _tracker(http, rasa_stack, sender)
    assert tracker["latest_message"]["intent"]["name"] == "request_human"


@pytest.fixture(scope="session")
def piper():
    from connectors.voice.tts import PiperSynthesizer

    return PiperSynthesizer().load()


@pytest.fixture
def say(piper):
    """English speech from the neural voice (Whisper reads it; espeak output it cannot)."""
    async def synthesize(text: str) -> bytes:
        speech = await piper.synthesize(text, "en")
        return wav_bytes(speech.samples, speech.rate)

    return synthesize


async def _tracker(http, rasa_stack, sender: str) -> dict:
    async with http.get(f"{rasa_stack.url}/conversations/{sender}/tracker", params={"token": rasa_stack.token}) as reply:
        assert reply.status == 200
        return await reply.json()


async def test_the_rasa_voice_channel_requires_the_shared_secret(rasa_stack, http):
    url = f"{rasa_stack.url}/webhooks/voice/webhook"
    payload = {"sender": "voice-secret-test", "message": "你好"}
    async with http.post(url, json=payload) as reply:
        assert reply.status == 403
    async with http.post(url, json=payload, headers={"X-Voice-Secret": "wrong"}) as reply:
        assert reply.status == 403
    secret = rasa_stack.voice_env["VOICE_CHANNEL_SECRET"]
    async with http.post(url, json={"sender": "", "message": 5}, headers={"X-Voice-Secret": secret}) as reply:
        assert reply.status == 400


async def test_the_language_metadata_decides_the_reply_language(rasa_stack, http):
    url = f"{rasa_stack.url}/webhooks/voice/webhook"
    secret = rasa_stack.voice_env["VOICE_CHANNEL_SECRET"]
    async with http.post(url, json={"sender": "voice-lang-test", "message": "hello",
                                    "metadata": {"language": "en", "input": "speech", "evil": "x"}},
                         headers={"X-Voice-Secret": secret}) as reply:
        assert reply.status == 200
        body = await reply.json()
    assert body["messages"] and not any("\u4e00" <= ch <= "\u9fff" for m in body["messages"] for ch in m.get("text", ""))
    assert set(body) >= {"requested_slot", "paused", "handoff"}


async def test_operator_replies_are_pushed_to_the_page(voice_gateway, http):
    session = await new_session(http, voice_gateway.url)
    sender = f"voice-web-{session}"
    async with http.post(f"{voice_gateway.url}/internal/push", json={"sender": sender, "message": {"text": "您好，我是工作人员。"}},
                         headers={"X-Voice-Secret": "wrong"}) as reply:
        assert reply.status == 403
    poll = asyncio.ensure_future(http.get(f"{voice_gateway.url}/api/events", params={"session": session, "after": 0}))
    await asyncio.sleep(0.3)
    async with http.post(f"{voice_gateway.url}/internal/push", json={"sender": sender, "message": {"text": "您好，我是工作人员。"}},
                         headers={"X-Voice-Secret": voice_gateway.secret}) as reply:
        assert reply.status == 200
    async with await poll as reply:
        events = (await reply.json())["events"]
    assert events and events[0]["replies"][0]["text"] == "您好，我是工作人员。"
    assert events[0]["replies"][0]["audio"]
