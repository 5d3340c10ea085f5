"""One caller's conversation as the gateway sees it: what the assistant expects next, an
utterance waiting for read-back confirmation, and keypad input.

Both channels (the push-to-talk page and the phone line) drive the same :class:`Conversation`:
``on_speech`` with a transcript, ``on_keys`` with keypad digits. Each returns a :class:`Turn`:
what to say, in which language, and whether the caller asked for a person.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Optional

from . import readback
from .assistant import AssistantClient
from .errors import BotUnavailableError
from .notices import notice

log = logging.getLogger(__name__)

HANDOFF_PAYLOAD = "/request_human"
KEY_OPERATOR = "0"
KEY_YES, KEY_NO = "1", "2"
_KEYS = re.compile(r"^[0-9*#]{1,32}$")


@dataclass
class Turn:
    language: str
    texts: list[str] = field(default_factory=list)
    transcript: Optional[str] = None
    transfer: bool = False
    notice: Optional[str] = None
    timings: dict = field(default_factory=dict)

    @classmethod
    def notice_for(cls, key: str, language: str) -> "Turn":
        """A turn that only tells the caller something (busy line, silence, bad audio…)."""
        return cls(language, [notice(key, language)], notice=key)


@dataclass
class Conversation:
    sender: str
    assistant: AssistantClient
    language: str = "zh"
    expecting: Optional[str] = None
    pending: Optional[readback.Pending] = None
    paused: bool = False

    async def on_speech(self, text: str, language: str) -> Turn:
        """A recognised utterance: confirm a pending read-back, start one, or pass it on."""
        self.language = language
        if self.pending is not None:
            answer = readback.confirmation(text)
            if answer is True:
                return await self._confirmed()
            if answer is False:
                return self._denied()
            self.pending = None  # a fresh answer instead of yes/no: treat it as new
        if not self.paused:
            pending = readback.needs_readback(text, self.expecting)
            if pending is not None:
                self.pending = pending
                return Turn(language, [readback.prompt(pending, language)], transcript=text, notice="readback")
        turn = await self._ask(text, "speech")
        turn.transcript = text
        return turn

    async def on_keys(self, keys: str) -> Turn:
        """Keypad input (DTMF on the phone, the page's keypad): 1/2 answer a read-back, 0 asks for a
        person, digits ending in # are an exact number (no read-back needed)."""
        language = self.language
        keys = (keys or "").strip()
        if not _KEYS.match(keys):
            log.warning("ignored keypad input %r from %s", keys[:40], self.sender)
            return Turn(language)
        if keys == KEY_OPERATOR:
            self.pending = None
            turn = await self._ask(HANDOFF_PAYLOAD, "keypad")
            turn.transfer = True
            return turn
        if self.pending is not None and keys in (KEY_YES, KEY_NO):
            return await self._confirmed() if keys == KEY_YES else self._denied()
        digits = keys.rstrip("#").replace("*", "")
        if keys.endswith("#") and len(digits) >= 3:
            self.pending = None
            return await self._ask(digits, "keypad")
        if self.pending is not None:
            return Turn.notice_for("confirm_first", language)
        return Turn(language)

    async def _confirmed(self) -> Turn:
        pending, self.pending = self.pending, None
        turn = await self._ask(pending.text, "speech")
        turn.transcript = pending.text
        return turn

    def _denied(self) -> Turn:
        pending, self.pending = self.pending, None
        key = "repeat_digits" if pending.kind in ("phone", "case_number") else "repeat_please"
        return Turn.notice_for(key, self.language)

    async def _ask(self, text: str, source: str) -> Turn:
        try:
            reply = await self.assistant.send(self.sender, text, self.language, source)
        except BotUnavailableError as exc:
            log.warning("assistant unavailable for %s: %s", self.sender, exc)
            return Turn.notice_for("bot_down", self.language)
        self.expecting = reply.requested_slot
        self.paused = reply.paused
        return Turn(self.language, reply.texts, transfer=reply.handoff)
