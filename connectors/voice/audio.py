"""Audio in and out: decode whatever a browser or a file brings (WAV, WebM/Opus, Ogg, MP3, via
PyAV, which ships its own FFmpeg) into 16 kHz mono float32, refuse what cannot be used, and encode
replies as WAV.

Decoding stops as soon as the audio passes the length limit, so a 10-minute upload costs a few
milliseconds, not a 10-minute decode.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np

from .errors import AudioFormatError, AudioTooLongError, ClippedAudioError, NoSpeechError

SAMPLE_RATE = 16_000
#: Below this level (dBFS, RMS over the whole clip) there is nothing to recognise.
SILENCE_DBFS = -50.0
#: Share of samples at full scale above which the recording is too distorted.
CLIPPED_SHARE = 0.05


@dataclass(frozen=True)
class Audio:
    """Mono float32 samples in [-1, 1] at :data:`SAMPLE_RATE`."""

    samples: np.ndarray

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def decode(data: bytes, max_seconds: float) -> Audio:
    """Decode any container/codec PyAV knows into :class:`Audio`; raise an :class:`AudioInputError`."""
    import av  # PyAV: imported here so the Rasa-side channel never loads FFmpeg

    if not data:
        raise AudioFormatError("empty upload")
    limit = int(max_seconds * SAMPLE_RATE)
    pieces: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioFormatError("no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    pieces.append(chunk)
                    total += len(chunk)
                if total > limit:
                    raise AudioTooLongError(f"longer than {max_seconds:.0f} s")
            for out in resampler.resample(None):
                pieces.append(out.to_ndarray().reshape(-1))
    except (AudioFormatError, AudioTooLongError):
        raise
    except Exception as exc:  # av.error.* and friends: anything undecodable is a format problem
        raise AudioFormatError(f"cannot decode: {type(exc).__name__}: {exc}") from exc
    if not pieces:
        raise AudioFormatError("no audio samples")
    samples = np.concatenate(pieces).astype(np.float32) / 32768.0
    if len(samples) > limit:
        raise AudioTooLongError(f"longer than {max_seconds:.0f} s")
    return Audio(samples)


def from_pcm16(data: bytes, rate: int) -> Audio:
    """Signed 16-bit little-endian mono PCM at ``rate`` (the phone line) as :class:`Audio`."""
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return Audio(resample(samples, rate, SAMPLE_RATE))


def resample(samples: np.ndarray, source: int, target: int) -> np.ndarray:
    """Linear-interpolation resampling: enough for speech between 8, 16 and 22.05 kHz."""
    if source == target or len(samples) == 0:
        return samples.astype(np.float32)
    count = max(1, int(round(len(samples) * target / source)))
    positions = np.linspace(0, len(samples) - 1, count)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def dbfs(samples: np.ndarray) -> float:
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(max(rms, 1e-6))


def check_level(audio: Audio) -> None:
    """Refuse silence and badly clipped recordings before spending a second on recognition."""
    if dbfs(audio.samples) < SILENCE_DBFS:
        raise NoSpeechError("silence")
    clipped = float(np.mean(np.abs(audio.samples) >= 0.999))
    if clipped > CLIPPED_SHARE:
        raise ClippedAudioError(f"{clipped:.0%} of samples at full scale")


def to_pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """A mono 16-bit WAV file of ``samples`` (float32 in [-1, 1])."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(to_pcm16(samples))
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """(float32 samples, rate) of a mono 16-bit WAV, as produced by the synthesizers."""
    with wave.open(io.BytesIO(data), "rb") as handle:
        rate = handle.getframerate()
        frames = handle.readframes(handle.getnframes())
        width, channels = handle.getsampwidth(), handle.getnchannels()
    if width != 2:
        raise AudioFormatError(f"{width * 8}-bit WAV")
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate
