"""The speech engines one at a time, and the gateway's refusals to start.

The gateway tests exercise the engines only through a whole conversation, where a wrong transcript,
an engine error or a missing fallback shows up as a vague failure several layers away. These tests
pin each engine's own contract instead: what it returns, and that every failure of a city's remote
server (error status, timeout, nothing heard, nobody listening) becomes an ``EngineError`` or
``NoSpeechError`` that the gateway turns into a spoken notice, never a crash. The remote servers are
small aiohttp applications on loopback standing in for a city's recognition/synthesis service; the
local engines (Whisper, espeak-ng, piper) are the real ones. Last, the gateway process must refuse
to start without its channel secret (exit 2) or with a model whose sha256 differs (exit 3).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import aiohttp
import numpy as np
import pytest
from aiohttp import web

from connectors.voice.asr import HttpRecognizer, Transcript
from connectors.voice.audio import SAMPLE_RATE, Audio, dbfs, decode, wav_bytes
from connectors.voice.errors import EngineError, NoSpeechError
from connectors.voice.model_files import PINNED_SHA256
from connectors.voice.tts import (EspeakSynthesizer, HttpSynthesizer, PiperSynthesizer, Speech, build_synthesizers,
                                  to_pinyin)
from tests.connectors.voice.conftest import clip_bytes
from tests.support.voice import MODEL_DIR, spawn_gateway
from tests.support.servers import free_port

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.bin").is_file(),
                                 reason="the Whisper model is not joined: run `make voice-model`")
needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def tone(seconds: float, rate: int, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@asynccontextmanager
async def remote_server(handler: Handler) -> AsyncIterator[str]:
    """A city's engine server on a free loopback port; yields the URL it answers on."""
    app = web.Application()
    app.router.add_post("/engine", handler)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, shutdown_timeout=1.0).start()
    try:
        yield f"http://127.0.0.1:{port}/engine"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def http_recognizer(handler: Handler, timeout: float = 5.0) -> AsyncIterator[HttpRecognizer]:
    async with remote_server(handler) as url, aiohttp.ClientSession() as session:
        yield HttpRecognizer(url, session, timeout=timeout)


def utterance() -> Audio:
    return Audio(tone(1.0, SAMPLE_RATE))


# --- a city's recognition server -----------------------------------------------------------------
async def test_remote_transcript_is_simplified_and_the_server_gets_a_wav_and_the_hint():
    received: dict = {}

    async def handler(request: web.Request) -> web.Response:
        received.update(content_type=request.content_type, body=await request.read(), query=dict(request.query))
        return web.json_response({"text": "我要投訴噪音", "language": "zh"})

    async with http_recognizer(handler) as recognizer:
        transcript = await recognizer.transcribe(utterance(), hint="zh")

    assert isinstance(transcript, Transcript)
    assert (transcript.text, transcript.language) == ("我要投诉噪音", "zh")
    assert received["content_type"] == "audio/wav"
    assert received["body"][:4] == b"RIFF" and received["body"][8:12] == b"WAVE"
    assert decode(received["body"], 60).seconds == pytest.approx(1.0, abs=0.05)
    assert received["query"] == {"hint": "zh"}


async def test_remote_server_error_is_an_engine_error():
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async with http_recognizer(handler) as recognizer:
        with pytest.raises(EngineError, match="500"):
            await recognizer.transcribe(utterance(), hint="zh")


async def test_slow_remote_server_times_out_as_an_engine_error():
    release = asyncio.Event()

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        try:
            await asyncio.wait_for(release.wait(), 10)
        except asyncio.TimeoutError:
            pass
        return web.json_response({"text": "too late", "language": "en"})

    async with http_recognizer(handler, timeout=0.5) as recognizer:
        started = time.monotonic()
        try:
            with pytest.raises(EngineError):
                await recognizer.transcribe(utterance(), hint="en")
        finally:
            release.set()
        assert time.monotonic() - started < 3


async def test_remote_empty_transcript_is_no_speech():
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"text": ""})

    async with http_recognizer(handler) as recognizer:
        with pytest.raises(NoSpeechError):
            await recognizer.transcribe(utterance())


async def test_unreachable_remote_server_is_an_engine_error():
    async with aiohttp.ClientSession() as session:
        recognizer = HttpRecognizer(f"http://127.0.0.1:{free_port()}/engine", session, timeout=5)
        with pytest.raises(EngineError, match="unreachable"):
            await recognizer.transcribe(utterance(), hint="zh")


# --- a city's synthesis server -------------------------------------------------------------------
async def test_remote_synthesis_returns_the_servers_wav():
    samples = tone(0.8, 22050)
    received: dict = {}

    async def handler(request: web.Request) -> web.Response:
        received.update(await request.json())
        return web.Response(body=wav_bytes(samples, 22050), content_type="audio/wav")

    async with remote_server(handler) as url, aiohttp.ClientSession() as session:
        speech = await HttpSynthesizer(url, session, timeout=5).synthesize("您好", "zh")

    assert received == {"text": "您好", "language": "zh"}
    assert isinstance(speech, Speech)
    assert speech.rate == 22050 and len(speech.samples) == len(samples)
    assert np.allclose(speech.samples, samples, atol=1e-3)


async def test_remote_synthesis_not_found_is_an_engine_error():
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=404)

    async with remote_server(handler) as url, aiohttp.ClientSession() as session:
        with pytest.raises(EngineError, match="404"):
            await HttpSynthesizer(url, session, timeout=5).synthesize("hello", "en")


# --- local synthesis -----------------------------------------------------------------------------
@needs_espeak
@pytest.mark.parametrize("text, language", [("您好，这里是市民服务热线。", "zh"), ("Hello, this is the city hotline.", "en")],
                         ids=["zh", "en"])
async def test_espeak_speaks_both_languages(text: str, language: str):
    speech = await EspeakSynthesizer().synthesize(text, language)
    assert speech.seconds > 0.3
    assert dbfs(speech.samples) > -40


def test_pinyin_uses_the_phrase_reading_with_tone_numbers():
    spoken = to_pinyin("重庆银行")
    assert spoken.split() == ["chong2", "qing4", "yin2", "hang2"]


async def test_piper_speaks_english_at_22050_hz():
    speech = await PiperSynthesizer().load().synthesize("Your case number is one two three.", "en")
    assert speech.rate == 22050
    assert speech.seconds > 0.5
    assert dbfs(speech.samples) > -40


def test_unknown_or_sessionless_synthesizer_specs_are_refused():
    with pytest.raises(ValueError, match="festival"):
        build_synthesizers(None, "festival", "piper")
    with pytest.raises(ValueError, match="session"):
        build_synthesizers(None, "espeak", "http://127.0.0.1:9/tts")


# --- Whisper on this machine ---------------------------------------------------------------------
async def test_whisper_hears_a_mandarin_question_in_simplified(recognizer):
    transcript = await recognizer.transcribe(decode(clip_bytes("zh2"), 60), hint="zh")
    assert transcript.language == "zh"
    assert "社保卡" in transcript.text


@pytest.mark.parametrize("samples", [
    pytest.param(np.random.default_rng(7).normal(size=3 * SAMPLE_RATE).astype(np.float32) * 0.05, id="noise"),
    pytest.param(np.zeros(3 * SAMPLE_RATE, dtype=np.float32), id="silence"),
])
async def test_whisper_on_noise_or_silence_hears_nothing_or_something_quickly(recognizer, samples: np.ndarray):
    # The gateway refuses silence (check_level) before recognition; here the recognizer alone must
    # still answer promptly with a transcript or NoSpeechError, never another error.
    started = time.monotonic()
    try:
        transcript = await recognizer.transcribe(Audio(samples), hint="zh")
    except NoSpeechError:
        pass
    else:
        assert transcript.text.strip()
    assert time.monotonic() - started < 10


# --- the gateway process refuses to start --------------------------------------------------------
def finish(process: subprocess.Popen, timeout: float) -> int:
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
        pytest.fail(f"the gateway was still running after {timeout:.0f} s")


def test_gateway_without_channel_secret_exits_2(tmp_path: Path):
    log_path = tmp_path / "gateway.log"
    started = time.monotonic()
    code = finish(spawn_gateway({}, log_path, free_port()), 30)
    assert code == 2, log_path.read_text(errors="replace")
    assert "VOICE_CHANNEL_SECRET" in log_path.read_text(errors="replace")
    assert time.monotonic() - started < 30


@needs_model
def test_gateway_with_a_changed_model_file_exits_3(tmp_path: Path):
    model_dir = tmp_path / "whisper-base"
    model_dir.mkdir()
    for name in PINNED_SHA256:
        if name != "config.json":
            (model_dir / name).symlink_to(MODEL_DIR / name)
    config = json.loads((MODEL_DIR / "config.json").read_text(encoding="utf-8"))
    config["edited_by"] = "someone"  # still valid JSON: only the sha256 can tell
    (model_dir / "config.json").write_text(json.dumps(config), encoding="utf-8")

    log_path = tmp_path / "gateway.log"
    process = spawn_gateway({"VOICE_CHANNEL_SECRET": "x", "VOICE_MODEL_DIR": str(model_dir)}, log_path, free_port())
    code = finish(process, 60)
    log = log_path.read_text(errors="replace")
    assert code == 3, log
    assert "sha256" in log and "config.json" in log
