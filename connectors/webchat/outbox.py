"""Per-conversation outbox: every bot message gets a number, the last few are kept for replay.

Why numbers: a phone's socket can die silently, and a message pushed later (an operator
reply, a status change, Rasa's ``trigger_intent``) may be emitted into a connection that
is already gone. The page remembers the highest number it has shown, acks it, and after a
reconnect asks for everything after it; numbers also let it drop anything it has already
shown, so a replay never duplicates. The outbox is bounded: a conversation that nobody
reads cannot grow without limit, and the oldest messages are the least useful to replay.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Deque

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Numbered:
    """One bot message (the plain rasa-webchat dict) with its number in the conversation."""

    seq: int
    message: dict[str, Any]

    def with_seq(self) -> dict[str, Any]:
        """The message as sent to a page that asked for numbers (``seq`` added)."""
        return {**self.message, "seq": self.seq}


class Outbox:
    """Numbered bot messages of one conversation; numbers start at 1 and never repeat.

    ``delivered`` is the highest number that was emitted while a socket of the
    conversation was connected; a client that cannot ack (the stock rasa-webchat widget)
    is replayed only what came after it, i.e. what nobody was connected to receive.
    ``acked`` is the highest number a page confirmed; acked messages are dropped.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("outbox capacity must be at least 1")
        self._items: Deque[Numbered] = deque()
        self._capacity = capacity
        self._last = 0
        self.acked = 0
        self.delivered = 0

    @property
    def last_seq(self) -> int:
        return self._last

    def __len__(self) -> int:
        return len(self._items)

    def add(self, message: dict[str, Any]) -> Numbered:
        """Number and keep ``message``; the oldest one is dropped when full."""
        self._last += 1
        item = Numbered(self._last, message)
        self._items.append(item)
        while len(self._items) > self._capacity:
            dropped = self._items.popleft()
            if dropped.seq > self.acked:
                log.warning("web chat outbox full: unacknowledged message %d dropped", dropped.seq)
        return item

    def after(self, seq: int) -> list[Numbered]:
        """Messages numbered above ``seq``, oldest first (what a page asks for on reconnect)."""
        return [item for item in self._items if item.seq > seq]

    def ack(self, seq: int) -> None:
        """The page has shown everything up to ``seq``: forget those messages.

        A number above what was ever sent is clamped, so a confused or hostile page cannot
        make the outbox skip messages it has not yet sent.
        """
        seq = min(int(seq), self._last)
        if seq <= self.acked:
            return
        self.acked = seq
        self.delivered = max(self.delivered, seq)
        while self._items and self._items[0].seq <= seq:
            self._items.popleft()

    def mark_delivered(self, seq: int) -> None:
        self.delivered = max(self.delivered, min(seq, self._last))
