"""Conversation state the channel keeps in memory, per session id.

A web chat session outlives any one socket (reloads, flaky phone networks), so the
outbox, the rate limit, the photos uploaded and the quick replies offered belong to the
session, not the socket. The registry is bounded (least recently used sessions are
forgotten first) so that a flood of new sessions cannot exhaust memory; a forgotten
session simply starts afresh — Rasa's tracker store still has the dialogue.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Iterable, Optional

from .outbox import Outbox
from .ratelimit import TokenBucket
from .settings import WebChatSettings

log = logging.getLogger(__name__)

MAX_REMEMBERED_MEDIA = 20
MAX_REMEMBERED_PAYLOADS = 50


@dataclass
class Session:
    """One conversation: ``session_id`` is also Rasa's sender id."""

    session_id: str
    outbox: Outbox
    messages: TokenBucket
    uploads: TokenBucket
    epoch: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    language: str = "zh"
    language_pinned: bool = False
    throttled: bool = False
    dropped: int = 0
    media: Deque[str] = field(default_factory=lambda: deque(maxlen=MAX_REMEMBERED_MEDIA))
    offered: Deque[str] = field(default_factory=lambda: deque(maxlen=MAX_REMEMBERED_PAYLOADS))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def remember_payloads(self, payloads: Iterable[str]) -> None:
        for payload in payloads:
            if isinstance(payload, str) and payload.startswith("/") and payload not in self.offered:
                self.offered.append(payload)

    def remember_media(self, url: str) -> None:
        if url not in self.media:
            self.media.append(url)


class SessionRegistry:
    """Sessions by id, at most ``settings.max_sessions`` of them (LRU)."""

    def __init__(self, settings: WebChatSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._sessions: "OrderedDict[str, Session]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, session_id: str) -> Optional[Session]:
        session = self._sessions.get(session_id)
        if session is not None:
            self._sessions.move_to_end(session_id)
        return session

    def get_or_create(self, session_id: str) -> Session:
        session = self.get(session_id)
        if session is not None:
            return session
        settings = self._settings
        session = Session(
            session_id=session_id,
            outbox=Outbox(settings.outbox_size),
            messages=TokenBucket(settings.rate_burst, settings.rate_per_minute / 60.0, self._clock),
            uploads=TokenBucket(max(1, int(settings.uploads_per_minute)), settings.uploads_per_minute / 60.0, self._clock),
        )
        self._sessions[session_id] = session
        while len(self._sessions) > settings.max_sessions:
            forgotten, _ = self._sessions.popitem(last=False)
            log.info("web chat: forgot least recently used session %s (limit %d)", forgotten[:8], settings.max_sessions)
        return session
