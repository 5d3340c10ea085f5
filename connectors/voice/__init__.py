"""Voice: the gateway process (``python -m connectors.voice``: push-to-talk page and SIP line,
recognition, the assistant, synthesis) and its Rasa channel ``connectors.voice.VoiceInput``.

``VoiceInput`` is imported on first use only, so the gateway process never loads Rasa; the speech
engines are loaded by the gateway when it starts. See docs/voice.md.
"""

from typing import Any

__all__ = ["VoiceInput"]


def __getattr__(name: str) -> Any:
    if name == "VoiceInput":
        from .channel import VoiceInput

        return VoiceInput
    raise AttributeError(name)
