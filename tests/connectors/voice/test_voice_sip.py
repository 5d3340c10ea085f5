"""The phone line, end to end on loopback: Debian's baresip calls the gateway's SIP line, speaks a
recorded question, and what it hears back is transcribed and checked; keypad 0 transfers the call;
a caller who hangs up mid-reply leaves nothing behind."""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from connectors.voice.audio import Audio, decode, resample
from tests.connectors.voice.conftest import clip_bytes
from tests.support.sip_caller import BARESIP, caller_audio, place_call

WELCOME_SECONDS = 8.0  # the bilingual welcome is ~7 s; the caller speaks after it (no barge-in)

pytestmark = pytest.mark.skipif(not Path(BARESIP).exists(), reason="baresip is not installed: scripts/voice-deps.sh")


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/healthz", timeout=5) as reply:
        return reply.status == 200


def call_sender(log: str, before: int) -> str:
    answered = re.findall(r"answered call (voice-phone-\w+)", log[before:])
    assert answered, log[before:][-3000:]
    return answered[-1]


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']{3,}", text.lower()))


async def test_a_spoken_question_gets_a_spoken_answer_in_the_callers_language(voice_gateway, rasa_stack, recognizer,
                                                                             tmp_path, http_get_json):
    question = decode(clip_bytes("en2.8k"), 60).samples  # "How do I apply for a residence permit?"
    microphone = caller_audio(question, lead_seconds=WELCOME_SECONDS, hold_seconds=16)
    before = len(voice_gateway.log_text())
    result = place_call(tmp_path, target_port=voice_gateway.sip_port, caller_port=voice_gateway.caller_port,
                        microphone=microphone, seconds=45)
    assert result.established, result.log[-2000:]
    log = voice_gateway.log_text()
    sender = call_sender(log, before)
    assert re.search(rf"heard {sender} \(en, .*residence permit", log), log[before:][-3000:]
    tracker = await http_get_json(f"{rasa_stack.url}/conversations/{sender}/tracker?token={rasa_stack.token}")
    bot_text = " ".join(e.get("text") or "" for e in tracker["events"] if e["event"] == "bot")
    assert bot_text and tracker["latest_message"]["metadata"]["language"] == "en"
    # What came back down the line after the question is the English answer: transcribe it.
    received = result.received_samples()
    reply_start = int((WELCOME_SECONDS + len(question) / 16000 + 0.3) * 8000)
    reply = received[reply_start:reply_start + 8000 * 25]
    assert np.sqrt(np.mean(reply ** 2)) > 0.01, "no reply audio on the line"
    heard = await recognizer.transcribe(Audio(resample(reply, 8000, 16000)), "en")
    assert heard.language == "en"
    overlap = words(heard.text) & words(bot_text)
    assert len(overlap) >= 3, (heard.text, bot_text)
    assert f"call {sender} released" in voice_gateway.log_text()


async def test_keypad_zero_transfers_the_call_to_the_operator(voice_gateway, tmp_path):
    operator = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    operator.bind(("127.0.0.1", voice_gateway.operator_port))
    operator.settimeout(0.5)
    invites: list[str] = []

    def listen() -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not invites:
            try:
                data, _ = operator.recvfrom(65535)
            except socket.timeout:
                continue
            if data.startswith(b"INVITE "):
                invites.append(data.decode(errors="replace"))

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        microphone = caller_audio(np.zeros(1600, np.float32), lead_seconds=1, hold_seconds=30)
        before = len(voice_gateway.log_text())
        result = place_call(tmp_path, target_port=voice_gateway.sip_port, caller_port=voice_gateway.caller_port,
                            microphone=microphone, seconds=35, keys=((3.0, "0"),))
        listener.join(5)
    finally:
        operator.close()
    log = voice_gateway.log_text()[before:]
    assert result.established
    assert "keypad 0" in log and "transferred to sip:operator@" in log, log[-3000:]
    assert invites and invites[0].startswith(f"INVITE sip:operator@127.0.0.1:{voice_gateway.operator_port}"), invites


async def test_a_caller_who_hangs_up_mid_reply_leaves_nothing_behind(voice_gateway, tmp_path):
    question = decode(clip_bytes("zh2.8k"), 60).samples  # "请问社保卡怎么办理？"
    microphone = caller_audio(question, lead_seconds=WELCOME_SECONDS, hold_seconds=20)
    before = len(voice_gateway.log_text())
    result = place_call(tmp_path, target_port=voice_gateway.sip_port, caller_port=voice_gateway.caller_port,
                        microphone=microphone, seconds=30,
                        hang_up_after=WELCOME_SECONDS + len(question) / 16000 + 2.5)
    assert result.established
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "released" not in voice_gateway.log_text()[before:]:
        time.sleep(0.2)
    log = voice_gateway.log_text()[before:]
    sender = call_sender(log, 0)
    assert f"call {sender} released" in log
    assert "Traceback" not in log
    assert healthy(voice_gateway.url)
