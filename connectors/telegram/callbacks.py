"""Button payloads ↔ Telegram ``callback_data`` (at most 64 bytes).

Rasa payloads such as ``/inform{"district": "朝阳区"}`` easily exceed 64 UTF-8 bytes. A short
payload travels as itself (so buttons keep working after a restart); a long one is replaced by a
key derived from its hash and remembered in a bounded in-memory table (least recently used
evicted). A click on a forgotten key (restart, eviction) is reported as expired, never guessed.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Optional

MAX_CALLBACK_BYTES = 64
KEY_PREFIX = "#cb:"


class CallbackTable:
    """Bounded map from short callback keys to long payloads."""

    def __init__(self, max_size: int = 10_000) -> None:
        if max_size < 1:
            raise ValueError("max_size must be positive")
        self.max_size = max_size
        self._payloads: "OrderedDict[str, str]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._payloads)

    @staticmethod
    def fits(payload: str) -> bool:
        """Can ``payload`` be sent as callback data as it is?"""
        size = len(payload.encode("utf-8"))
        return 0 < size <= MAX_CALLBACK_BYTES and not payload.startswith(KEY_PREFIX)

    def encode(self, payload: str) -> str:
        """The ``callback_data`` for a button payload (the same payload always gets the same key)."""
        if self.fits(payload):
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.max_size:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str) -> Optional[str]:
        """The payload behind ``data``; ``None`` when it is a key we no longer (or never) knew."""
        if not data.startswith(KEY_PREFIX):
            return data or None
        payload = self._payloads.get(data)
        if payload is not None:
            self._payloads.move_to_end(data)
        return payload
