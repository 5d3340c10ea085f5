"""Speech recognition behind one small interface, so a city can point the gateway at its own
recognition server instead of the bundled Whisper.

``Recognizer.transcribe(audio, hint)`` → :class:`Transcript` (text in Simplified Chinese or English,
the detected language, a confidence). Engines:

* :class:`WhisperRecognizer` — faster-whisper (CTranslate2, int8) with the pinned Whisper base model.
  It encodes the audio once and uses that encoding both to choose zh/en and to decode, and it
  encodes only as much of Whisper's 30 s window as the utterance needs (in 5 s steps, at least 10 s):
  on two cores that takes recognition of a 3 s question from ~2.2 s to ~0.7 s (bench/voice.py).
  Mandarin transcripts are converted to Simplified and corrected against the hotline lexicon
  (:mod:`.homophones`).
* :class:`HttpRecognizer` — POSTs the WAV to ``<url>`` and expects ``{"text": …, "language": …}``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

import aiohttp
import numpy as np

from . import model_files
from .audio import SAMPLE_RATE, Audio, wav_bytes
from .errors import EngineError, NoSpeechError
from .textnorm import to_simplified

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
#: Prompts, chosen by measurement (bench/voice.py variants, on the checked-in clips): Mandarin reads
#: best with no prompt at all (CER 10.8%; a short style prompt 12.3%, a list of hotline words 13.8%);
#: OpenCC and the hotline lexicon do the Simplified conversion and the vocabulary instead. English
#: gains from one sentence about the hotline (WER 5% vs 7%). Override with VOICE_ASR_PROMPT_ZH / _EN.
DEFAULT_PROMPTS = {
    "zh": "",
    "en": "A resident calls the 12345 city service hotline to report a problem, make a complaint or ask a question.",
}
#: What Whisper is known to "hear" in silence or noise (it was trained on subtitled video).
HALLUCINATIONS = re.compile(
    r"^(?:谢谢观看|谢谢大家|感谢观看|请不吝点赞|字幕|中文字幕|订阅|明镜|thank you\.?|thanks for watching\.?|you|bye\.?)[!！。.\s]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    language_probability: float
    no_speech_probability: float = 0.0
    seconds: float = 0.0


class Recognizer(Protocol):
    async def transcribe(self, audio: Audio, hint: Optional[str] = None) -> Transcript:
        """Recognise one utterance; raise :class:`NoSpeechError` or :class:`EngineError`."""

    async def close(self) -> None:
        """Release the engine."""


def _clean(text: str, language: str, corrector=None) -> str:
    text = text.strip()
    if language == "zh":
        text = to_simplified(text)
        if corrector is not None:
            text = corrector.correct(text)
    return text


class WhisperRecognizer:
    """faster-whisper on this machine; load with :meth:`load` (seconds, so never at import)."""

    def __init__(self, model_dir: Path, threads: int = 2, prompts: Optional[dict[str, str]] = None,
                 timeout: float = 20.0, window: str = "auto", beam_size: int = 5,
                 lexicon: Optional[Path] = None) -> None:
        self.model_dir = model_dir
        self.window = window  # "auto": as much of the 30 s window as needed; "full": always 30 s
        self.beam_size = beam_size
        self.lexicon = lexicon
        self.corrector = None
        self.threads = threads
        self.prompts = {**DEFAULT_PROMPTS, **(prompts or {})}
        self.timeout = timeout
        self._model = None
        self._lock = threading.Lock()  # one decode at a time: two would only share the same cores
        self._slots = asyncio.Semaphore(2)

    def load(self) -> "WhisperRecognizer":
        """Verify the pinned sha256 (refusing a mismatch), then load the model."""
        from faster_whisper import WhisperModel

        model_files.ensure(self.model_dir)
        if self.lexicon is not None:
            from .homophones import Corrector

            self.corrector = Corrector.load(self.lexicon)
        self._model = WhisperModel(str(self.model_dir), device="cpu", compute_type="int8",
                                   cpu_threads=self.threads, num_workers=1)
        return self

    async def transcribe(self, audio: Audio, hint: Optional[str] = None) -> Transcript:
        if self._model is None:
            raise EngineError("recognizer not loaded")
        async with self._slots:
            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(loop.run_in_executor(None, self._run, audio, hint), self.timeout)
            except asyncio.TimeoutError as exc:
                raise EngineError(f"recognition took longer than {self.timeout:.0f} s") from exc

    def _run(self, audio: Audio, hint: Optional[str]) -> Transcript:
        with self._lock:
            try:
                return self._recognize(audio.samples, hint)
            except NoSpeechError:
                raise
            except Exception as exc:
                log.exception("whisper failed")
                raise EngineError(f"whisper failed: {exc}") from exc

    def _recognize(self, samples: np.ndarray, hint: Optional[str]) -> Transcript:
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        features = model.feature_extractor(samples)
        frames = features.shape[-1]
        if frames > 3000:  # > 30 s: one language decision, then faster-whisper's own long-form path
            language, probability, _ = self._language(pad_or_trim(features), hint)
            segments, _ = model.transcribe(samples, language=language, beam_size=self.beam_size,
                                           initial_prompt=self.prompts.get(language))
            text = _clean("".join(s.text for s in segments), language, self.corrector)
            return self._checked(Transcript(text, language, probability, 0.0, len(samples) / SAMPLE_RATE))
        window = 3000 if self.window == "full" else min(3000, max(1000, -(-frames // 500) * 500))
        segment = pad_or_trim(features, window)
        language, probability, encoded = self._language(segment, hint)
        tokenizer = Tokenizer(model.hf_tokenizer, True, task="transcribe", language=language)
        prompt_text = self.prompts.get(language) or None
        previous = tokenizer.encode(" " + prompt_text.strip()) if prompt_text else None
        prompt = model.get_prompt(tokenizer, previous_tokens=previous, without_timestamps=True)
        result = model.model.generate(encoded, [prompt], beam_size=self.beam_size, max_length=224, return_scores=True,
                                      return_no_speech_prob=True, suppress_blank=True,
                                      suppress_tokens=[-1], repetition_penalty=1.1, no_repeat_ngram_size=4)[0]
        text = _clean(tokenizer.decode(result.sequences_ids[0]), language, self.corrector)
        return self._checked(Transcript(text, language, probability, float(result.no_speech_prob),
                                        len(samples) / SAMPLE_RATE))

    def _language(self, segment: np.ndarray, hint: Optional[str]):
        model = self._model
        encoded = model.encode(segment)
        scores = dict(model.model.detect_language(encoded)[0])
        zh, en = scores.get("<|zh|>", 0.0), scores.get("<|en|>", 0.0)
        total = zh + en
        if total < 0.2 and hint in LANGUAGES:  # neither: noise or a third language; trust the page
            return hint, (max(zh, en) / total if total else 0.0), encoded
        language = "zh" if zh >= en else "en"
        return language, (max(zh, en) / total if total else 0.0), encoded

    def _checked(self, transcript: Transcript) -> Transcript:
        """Refuse what Whisper makes of noise: known subtitle phrases, its own prompt read back, and
        one-word "transcripts" it is itself unsure are speech."""
        text = transcript.text
        if not re.search(r"[\w\u4e00-\u9fff]", text) or HALLUCINATIONS.match(text):
            raise NoSpeechError(f"nothing recognisable ({text!r})")
        bare = re.sub(r"[\W_]+", "", text.lower())
        prompt = re.sub(r"[\W_]+", "", (self.prompts.get(transcript.language) or "").lower())
        if len(bare) >= 4 and bare in prompt:
            raise NoSpeechError(f"the prompt read back ({text!r})")
        short = len(bare) <= 3 if transcript.language == "zh" else len(text.split()) <= 1
        if transcript.no_speech_probability > 0.8 or (short and transcript.no_speech_probability > 0.5):
            raise NoSpeechError(f"no speech (p={transcript.no_speech_probability:.2f}, {text!r})")
        return transcript

    async def close(self) -> None:
        self._model = None


class HttpRecognizer:
    """A city's own recognition server: ``POST <url>`` with ``audio/wav``, answer JSON
    ``{"text": "...", "language": "zh"|"en"}`` (docs/voice.md)."""

    def __init__(self, url: str, session: aiohttp.ClientSession, timeout: float = 20.0) -> None:
        self.url, self.session, self.timeout = url, session, timeout

    async def transcribe(self, audio: Audio, hint: Optional[str] = None) -> Transcript:
        params = {"hint": hint} if hint else {}
        try:
            async with self.session.post(self.url, data=wav_bytes(audio.samples, SAMPLE_RATE), params=params,
                                         headers={"Content-Type": "audio/wav"},
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as reply:
                if reply.status != 200:
                    raise EngineError(f"recognition server answered {reply.status}")
                body = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise EngineError(f"recognition server unreachable: {exc}") from exc
        if not isinstance(body, dict):
            raise EngineError(f"recognition server answered {type(body).__name__}, not an object")
        language = body.get("language") if body.get("language") in LANGUAGES else (hint or "zh")
        text = _clean(str(body.get("text") or ""), language)
        if not text:
            raise NoSpeechError("empty transcript")
        try:
            probability = float(body.get("language_probability") or 1.0)
        except (TypeError, ValueError):
            probability = 1.0
        return Transcript(text, language, probability, 0.0, audio.seconds)

    async def close(self) -> None:
        return None
