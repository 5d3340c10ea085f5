"""Fixtures of the voice tests: the recognizer in-process, the gateway process against the real
stack (with its SIP line on loopback), and Chromium with a WAV file as its microphone.

* ``recognizer`` (session): the pinned Whisper base model, loaded once (about a second);
* ``voice_gateway`` (session): ``python -m connectors.voice`` on the port the Rasa server's voice
  channel pushes to (``rasa_stack.voice_env``), with the SIP line on a free UDP port whose peer is
  the baresip caller of :mod:`tests.support.sip_caller`, and an operator address for transfers;
* ``clip(name)``: bytes of a checked-in clip (bench/voice_clips).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.fixtures import launch_early
from tests.support.servers import PROJECT_ROOT, terminate
from tests.support.voice import MODEL_DIR, start_gateway
from tests.support.sip_caller import free_sip_ports
from tests.support.stack import RasaStack

CLIPS = PROJECT_ROOT / "bench" / "voice_clips"


@pytest.fixture(scope="session", autouse=True)
def _load_the_model_meanwhile(request: pytest.FixtureRequest) -> None:
    launch_early(request)


@pytest.fixture(scope="session")
def recognizer():
    if not (MODEL_DIR / "model.bin").is_file():
        pytest.skip("the Whisper model is not joined: run `make voice-model`")
    from connectors.voice.asr import WhisperRecognizer

    return WhisperRecognizer(MODEL_DIR, threads=2, lexicon=PROJECT_ROOT / "var" / "voice" / "lexicon.tsv").load()


def clip_bytes(name: str) -> bytes:
    return (CLIPS / f"{name}.wav").read_bytes()


@dataclass
class VoiceGateway:
    url: str
    process: subprocess.Popen
    log_path: Path
    sip_port: int
    caller_port: int
    operator_port: int
    secret: str

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def voice_gateway(rasa_stack: RasaStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoiceGateway]:
    if not (MODEL_DIR / "model.bin").is_file():
        pytest.skip("the Whisper model is not joined: run `make voice-model`")
    url = rasa_stack.voice_env["VOICE_GATEWAY_URL"]
    port = int(url.rsplit(":", 1)[1])
    sip_port, caller_port, operator_port = free_sip_ports(3)
    log_path = tmp_path_factory.mktemp("voice") / "gateway.log"
    rtp_low = 20000 + (os.getpid() % 200) * 100
    process = start_gateway({
        "VOICE_CHANNEL_SECRET": rasa_stack.voice_env["VOICE_CHANNEL_SECRET"],
        "VOICE_RASA_URL": rasa_stack.url,
        "VOICE_SIP_PORT": str(sip_port),
        "VOICE_SIP_REGISTER": "0",
        "VOICE_SIP_PEER": f"127.0.0.1:{caller_port}",
        "VOICE_RTP_PORTS": f"{rtp_low}-{rtp_low + 49}",
        "VOICE_OPERATOR_URI": f"sip:operator@127.0.0.1:{operator_port}",
        "VOICE_MAX_SECONDS": "60",
    }, log_path, port)
    gateway = VoiceGateway(url, process, log_path, sip_port, caller_port, operator_port,
                           rasa_stack.voice_env["VOICE_CHANNEL_SECRET"])
    try:
        yield gateway
    finally:
        terminate(process)


@pytest.fixture
def http_get_json():
    import aiohttp

    async def get(url: str) -> dict:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            async with session.get(url) as reply:
                assert reply.status == 200, await reply.text()
                return await reply.json()

    return get
