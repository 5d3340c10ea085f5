"""Settings of the voice gateway and of its Rasa channel, read once from the environment.

Gateway process (``python -m connectors.voice``):

``VOICE_HOST`` / ``VOICE_PORT``      where the push-to-talk page and API listen (127.0.0.1:8330)
``VOICE_RASA_URL``                   the Rasa server (http://127.0.0.1:5005)
``VOICE_CHANNEL_SECRET``             shared with the Rasa ``voice`` channel; sent as ``X-Voice-Secret``.
                                     Required: without it the gateway refuses to start.
``VOICE_ASR``                        ``whisper`` (default, on this machine) or the URL of a city's own
                                     recognition server (``http://…``, see docs/voice.md)
``VOICE_MODEL_DIR``                  where the joined Whisper base model lives (var/voice/whisper-base)
``VOICE_LEXICON``                    hotline vocabulary for correcting Mandarin transcripts
                                     (var/voice/lexicon.tsv, built by make; missing = no correction)
``VOICE_ASR_THREADS``                CPU threads for recognition (2)
``VOICE_ASR_PROMPT_ZH`` / ``_EN``    the prompt of hotline terms (defaults in :mod:`.asr`)
``VOICE_TTS_ZH`` / ``VOICE_TTS_EN``  ``espeak`` (zh default), ``piper`` (en default) or a URL of a
                                     synthesis server
``VOICE_MAX_UPLOAD_BYTES``           largest accepted upload (8 MiB)
``VOICE_MAX_SECONDS``                longest utterance recognised (60 s); longer audio is refused
``VOICE_MAX_PENDING``                utterances waiting for recognition before new ones are told "busy" (8)
``VOICE_ENGINE_TIMEOUT``             seconds for one recognition or synthesis (20)
``VOICE_BOT_TIMEOUT``                seconds for the assistant's answer (10)
``VOICE_SIP_PORT``                   UDP port of the SIP line on ``VOICE_SIP_HOST`` (0 = no phone line)
``VOICE_SIP_HOST``                   address the SIP line binds and announces (127.0.0.1)
``VOICE_SIP_PEER``                   the PBX (or trunk) the line registers with and answers for, ``host:port``
                                     (127.0.0.1:5060); ``VOICE_SIP_USER`` / ``VOICE_SIP_PASSWORD`` its account
``VOICE_SIP_REGISTER``               ``1`` (default) to REGISTER with the peer, ``0`` for a peer that sends
                                     calls without registration (a trunk; the loopback tests)
``VOICE_RTP_PORTS``                  RTP port range of the line (``10100-10199``)
``VOICE_OPERATOR_URI``               where a call is transferred for a person (``sip:operator@…``);
                                     without it the caller hears the staffed number instead
``VOICE_STAFFED_NUMBER``             the number read out when no transfer target exists (12345)

Rasa process (the ``voice`` channel): ``VOICE_CHANNEL_SECRET`` and ``VOICE_GATEWAY_URL`` (where operator
replies during a hand-off are pushed; default http://127.0.0.1:8330).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from backend_client.settings import positive_float

MIB = 1024 * 1024


def _int(env: Mapping[str, str], name: str, default: int, allow_zero: bool = False) -> int:
    raw = (env.get(name) or "").strip()
    if allow_zero and raw == "0":
        return 0
    value = positive_float(env, name, float(default))
    if value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _host_port(value: str) -> str:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"VOICE_SIP_PEER must be host:port, got {value!r}")
    return value


def _port_range(value: str) -> tuple[int, int]:
    low, _, high = value.partition("-")
    if not (low.isdigit() and high.isdigit() and 1024 <= int(low) < int(high) < 65536):
        raise ValueError(f"VOICE_RTP_PORTS must be LOW-HIGH, got {value!r}")
    return int(low), int(high)


@dataclass(frozen=True)
class VoiceSettings:
    """Everything the gateway process reads from the environment; see the module docstring."""

    host: str = "127.0.0.1"
    port: int = 8330
    rasa_url: str = "http://127.0.0.1:5005"
    channel_secret: str = field(default="", repr=False)
    asr: str = "whisper"
    model_dir: Path = Path("var/voice/whisper-base")
    asr_threads: int = 2
    lexicon: Path = Path("var/voice/lexicon.tsv")
    prompt_zh: Optional[str] = None
    prompt_en: Optional[str] = None
    tts_zh: str = "espeak"
    tts_en: str = "piper"
    max_upload_bytes: int = 8 * MIB
    max_seconds: float = 60.0
    engine_timeout: float = 20.0
    max_pending: int = 8
    bot_timeout: float = 10.0
    sip_port: int = 0
    sip_host: str = "127.0.0.1"
    sip_peer: str = "127.0.0.1:5060"
    sip_user: str = "hotline"
    sip_password: str = field(default="", repr=False)
    sip_register: bool = True
    rtp_ports: tuple[int, int] = (10100, 10199)
    operator_uri: str = ""
    staffed_number: str = "12345"

    @property
    def sip_peer_address(self) -> tuple[str, int]:
        host, _, port = self.sip_peer.rpartition(":")
        return host, int(port)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "VoiceSettings":
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("VOICE_HOST") or cls.host,
            port=_int(env, "VOICE_PORT", cls.port),
            rasa_url=(env.get("VOICE_RASA_URL") or cls.rasa_url).rstrip("/"),
            channel_secret=env.get("VOICE_CHANNEL_SECRET", ""),
            asr=env.get("VOICE_ASR") or cls.asr,
            model_dir=Path(env.get("VOICE_MODEL_DIR") or cls.model_dir),
            asr_threads=_int(env, "VOICE_ASR_THREADS", cls.asr_threads),
            lexicon=Path(env.get("VOICE_LEXICON") or cls.lexicon),
            prompt_zh=env.get("VOICE_ASR_PROMPT_ZH") or None,
            prompt_en=env.get("VOICE_ASR_PROMPT_EN") or None,
            tts_zh=env.get("VOICE_TTS_ZH") or cls.tts_zh,
            tts_en=env.get("VOICE_TTS_EN") or cls.tts_en,
            max_upload_bytes=_int(env, "VOICE_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            max_seconds=positive_float(env, "VOICE_MAX_SECONDS", cls.max_seconds),
            engine_timeout=positive_float(env, "VOICE_ENGINE_TIMEOUT", cls.engine_timeout),
            max_pending=_int(env, "VOICE_MAX_PENDING", cls.max_pending, allow_zero=True),
            bot_timeout=positive_float(env, "VOICE_BOT_TIMEOUT", cls.bot_timeout),
            sip_port=_int(env, "VOICE_SIP_PORT", 0, allow_zero=True),
            sip_host=env.get("VOICE_SIP_HOST") or cls.sip_host,
            sip_peer=_host_port(env.get("VOICE_SIP_PEER") or cls.sip_peer),
            sip_user=env.get("VOICE_SIP_USER") or cls.sip_user,
            sip_password=env.get("VOICE_SIP_PASSWORD", ""),
            sip_register=(env.get("VOICE_SIP_REGISTER") or "1").strip() not in ("0", "false", "no"),
            rtp_ports=_port_range(env.get("VOICE_RTP_PORTS") or "10100-10199"),
            operator_uri=env.get("VOICE_OPERATOR_URI", ""),
            staffed_number=env.get("VOICE_STAFFED_NUMBER") or cls.staffed_number,
        )


@dataclass(frozen=True)
class ChannelSettings:
    """What the Rasa-side ``voice`` channel reads."""

    secret: str = field(default="", repr=False)
    gateway_url: str = "http://127.0.0.1:8330"
    push_timeout: float = 5.0

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "ChannelSettings":
        env = os.environ if environ is None else environ
        return cls(
            secret=env.get("VOICE_CHANNEL_SECRET", ""),
            gateway_url=(env.get("VOICE_GATEWAY_URL") or cls.gateway_url).rstrip("/"),
            push_timeout=positive_float(env, "VOICE_PUSH_TIMEOUT", cls.push_timeout),
        )
