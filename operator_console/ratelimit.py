"""Login throttling: after N failed logins from one IP address or for one account name within
a window, further attempts are refused (HTTP 429) until the window has passed.

Kept in memory on purpose: a restart resets it, which an attacker cannot trigger, and it needs
no writes per attempt. Failures, not attempts, are counted so that a busy shared office IP is
not locked out by successful logins.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Callable


class LoginLimiter:
    def __init__(self, failures: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10000) -> None:
        self.failures, self.window, self.clock, self.max_keys = failures, window, clock, max_keys
        self._seen: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        stamps = self._seen.get(key)
        if stamps is None:
            return deque()
        cutoff = self.clock() - self.window
        while stamps and stamps[0] <= cutoff:
            stamps.popleft()
        if not stamps:
            self._seen.pop(key, None)
        return stamps

    def blocked(self, *keys: str) -> bool:
        return any(len(self._recent(key)) >= self.failures for key in keys)

    def failed(self, *keys: str) -> None:
        if len(self._seen) >= self.max_keys:  # forget the oldest keys rather than grow without bound
            for stale in list(self._seen)[: self.max_keys // 10]:
                self._seen.pop(stale, None)
        now = self.clock()
        for key in keys:
            self._seen.setdefault(key, deque()).append(now)

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._seen.pop(key, None)
