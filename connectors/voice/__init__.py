"""Voice: the gateway process (``python -m connectors.voice``: push-to-talk page and SIP line,
recognition, the assistant, synthesis) and its Rasa channel ``connectors.voice.VoiceInput``.

Importing this package loads only the channel (Rasa, Sanic): the speech engines are imported by the
gateway when it starts. See docs/voice.md.
"""

from .channel import VoiceInput

__all__ = ["VoiceInput"]
