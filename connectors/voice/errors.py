"""What can go wrong in the voice gateway, as a small hierarchy the server and the phone line map
to a spoken or shown message (never a crash, never a 500).

``VoiceError``
    ``ModelIntegrityError``  the joined Whisper model is missing or its sha256 differs: refuse to start
    ``AudioInputError``      the caller's audio cannot be used; ``message_key`` names what to tell them
        ``AudioFormatError``     not audio we can decode (wrong format, truncated, empty)
        ``AudioTooLongError``    longer or larger than the limits (a 10-minute upload)
        ``NoSpeechError``        silence, noise, or nothing recognisable
        ``ClippedAudioError``    so loud that it is distorted beyond recognition
    ``EngineError``          recognition or synthesis failed or timed out (engine bug, remote server down)
    ``BotUnavailableError``  the Rasa server did not answer in time
"""

from __future__ import annotations


class VoiceError(Exception):
    """Base of every error the voice gateway raises on purpose."""


class ModelIntegrityError(VoiceError):
    """The recognition model on disk is not the one we pinned."""


class AudioInputError(VoiceError):
    """The caller's audio cannot be used; ``message_key`` selects the notice in :mod:`.notices`."""

    message_key = "bad_audio"


class AudioFormatError(AudioInputError):
    message_key = "bad_format"


class AudioTooLongError(AudioInputError):
    message_key = "too_long"


class NoSpeechError(AudioInputError):
    message_key = "no_speech"


class ClippedAudioError(AudioInputError):
    message_key = "clipped"


class EngineError(VoiceError):
    """A speech engine failed; the turn is answered with a notice, the gateway keeps running."""


class BotUnavailableError(VoiceError):
    """The assistant did not answer (down, slow, or refused our secret)."""
