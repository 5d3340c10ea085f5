"""Token bucket: a burst of messages is fine, a steady flood is not.

A citizen typing fast sends a few messages in a row (the burst); a script or a stuck key
sends many per second. Each accepted message takes a token; tokens come back at a steady
rate. The clock is injectable so that tests need not sleep.
"""

from __future__ import annotations

import time
from typing import Callable


class TokenBucket:
    """``capacity`` tokens, refilled at ``rate`` tokens per second."""

    def __init__(self, capacity: float, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        if capacity < 1 or rate <= 0:
            raise ValueError("a token bucket needs capacity >= 1 and a positive rate")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self._clock = clock
        self._tokens = float(capacity)
        self._stamp = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)

    def take(self, tokens: float = 1.0) -> bool:
        """Take ``tokens`` if available; ``False`` means the caller is over the limit."""
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens: float = 1.0) -> float:
        """Seconds until ``tokens`` would be available (0 when they are now)."""
        self._refill()
        return max(0.0, (tokens - self._tokens) / self.rate)
