"""Voice activity detection (WebRTC VAD): find where speech starts and ends.

Two uses: :func:`trim` cuts leading/trailing silence from an upload (and says whether there is any
speech at all), and :class:`Endpointer` watches a live phone stream frame by frame and reports the
end of an utterance after a pause, which starts recognition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .audio import SAMPLE_RATE, Audio, to_pcm16

FRAME_MS = 30
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000


def _vad(aggressiveness: int):
    import webrtcvad

    return webrtcvad.Vad(aggressiveness)


def speech_flags(samples: np.ndarray, aggressiveness: int = 2) -> list[bool]:
    """One flag per 30 ms frame: does it contain speech?"""
    vad = _vad(aggressiveness)
    pcm = to_pcm16(samples)
    step = FRAME_SAMPLES * 2
    return [vad.is_speech(pcm[i:i + step], SAMPLE_RATE) for i in range(0, len(pcm) - step + 1, step)]


def trim(audio: Audio, pad_ms: int = 300, min_speech_ms: int = 150) -> Optional[Audio]:
    """``audio`` without the silence around the speech, or ``None`` when there is no speech."""
    flags = speech_flags(audio.samples)
    voiced = [i for i, flag in enumerate(flags) if flag]
    if len(voiced) * FRAME_MS < min_speech_ms:
        return None
    pad = pad_ms // FRAME_MS
    start = max(0, voiced[0] - pad) * FRAME_SAMPLES
    end = min(len(flags), voiced[-1] + 1 + pad) * FRAME_SAMPLES
    return Audio(audio.samples[start:end])


@dataclass
class Endpointer:
    """Feeds of 16 kHz audio in, whole utterances out.

    An utterance starts after ``start_ms`` of speech and ends after ``end_ms`` of silence, or at
    ``max_seconds`` (a caller who never pauses still gets an answer).
    """

    start_ms: int = 150
    end_ms: int = 700
    max_seconds: float = 30.0
    aggressiveness: int = 2
    _buffer: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    _frames: list[np.ndarray] = field(default_factory=list)
    _speaking: bool = False
    _voiced_run: int = 0
    _silent_run: int = 0

    def __post_init__(self) -> None:
        self._vad = _vad(self.aggressiveness)

    @property
    def speaking(self) -> bool:
        return self._speaking

    def reset(self) -> None:
        self._buffer = np.zeros(0, np.float32)
        self._frames.clear()
        self._speaking = False
        self._voiced_run = self._silent_run = 0

    def feed(self, samples: np.ndarray) -> Optional[Audio]:
        """Add audio; return a finished utterance when one just ended."""
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float32)])
        finished: Optional[Audio] = None
        while len(self._buffer) >= FRAME_SAMPLES and finished is None:
            frame, self._buffer = self._buffer[:FRAME_SAMPLES], self._buffer[FRAME_SAMPLES:]
            finished = self._frame(frame)
        return finished

    def _frame(self, frame: np.ndarray) -> Optional[Audio]:
        voiced = self._vad.is_speech(to_pcm16(frame), SAMPLE_RATE)
        if not self._speaking:
            self._frames.append(frame)
            self._frames = self._frames[-(300 // FRAME_MS + self.start_ms // FRAME_MS):]  # keep a lead-in
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            if self._voiced_run * FRAME_MS >= self.start_ms:
                self._speaking, self._silent_run = True, 0
            return None
        self._frames.append(frame)
        self._silent_run = 0 if voiced else self._silent_run + 1
        too_long = len(self._frames) * FRAME_MS >= self.max_seconds * 1000
        if self._silent_run * FRAME_MS >= self.end_ms or too_long:
            utterance = Audio(np.concatenate(self._frames))
            self._frames = []
            self._speaking = False
            self._voiced_run = self._silent_run = 0
            return utterance
        return None
