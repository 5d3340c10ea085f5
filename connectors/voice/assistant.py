"""The gateway's client for the assistant: one POST to the Rasa ``voice`` channel per utterance
(:mod:`.channel`), with the shared secret, the detected language and a timeout."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Optional

import aiohttp

from .protocol import SECRET_HEADER
from .errors import BotUnavailableError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotReply:
    texts: list[str] = field(default_factory=list)
    requested_slot: Optional[str] = None
    paused: bool = False
    handoff: bool = False


def reply_texts(messages: list) -> list[str]:
    """The speakable part of the bot's messages (buttons are read as their titles)."""
    texts: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        if isinstance(message.get("text"), str) and message["text"].strip():
            texts.append(message["text"].strip())
        titles = [b.get("title") for b in message.get("buttons") or [] if isinstance(b, dict) and b.get("title")]
        if titles:
            texts.append(", ".join(titles[:6]))
    return texts


class AssistantClient:
    def __init__(self, session: aiohttp.ClientSession, rasa_url: str, secret: str, timeout: float) -> None:
        self.session, self.url, self.secret, self.timeout = session, f"{rasa_url}/webhooks/voice/webhook", secret, timeout

    async def send(self, sender: str, text: str, language: str, source: str = "speech") -> BotReply:
        payload = {"sender": sender, "message": text, "metadata": {"language": language, "input": source}}
        try:
            async with self.session.post(self.url, json=payload, headers={SECRET_HEADER: self.secret},
                                         timeout=aiohttp.ClientTimeout(total=self.timeout)) as reply:
                if reply.status != 200:
                    raise BotUnavailableError(f"assistant answered {reply.status}")
                body = await reply.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise BotUnavailableError(f"assistant unreachable: {exc}") from exc
        return BotReply(reply_texts(body.get("messages") or []), body.get("requested_slot"), bool(body.get("paused")),
                        bool(body.get("handoff")))
