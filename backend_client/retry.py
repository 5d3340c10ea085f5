"""Retry policy: exponential backoff, only for failures that retrying can fix.

The client decides *whether* a call may be retried (GETs, and POSTs whose
idempotency key the server honours); this module decides *how*: only
:class:`Unavailable` errors marked ``retryable`` (timeouts, refused connections,
5xx) are retried — never a 4xx, never a malformed answer.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from .errors import Unavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, Unavailable) and exc.retryable


def _log_retry(what: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s failed (attempt %d): %s; retrying in %.2fs", what, state.attempt_number, exc, wait)

    return before_sleep


async def call_with_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    what: str,
    attempts: int,
    backoff: float,
    max_backoff: float = 2.0,
) -> T:
    """Run ``attempt`` up to ``attempts`` times while it raises a transient :class:`Unavailable`.

    ``what`` names the call in logs (method and path, never the query, which may hold the key).
    The final :class:`Unavailable` is re-raised with ``.attempts`` set.
    """
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        # jitter keeps concurrent callers (e.g. retries of one idempotent submission) apart
        wait=wait_exponential(multiplier=backoff, max=max_backoff) + wait_random(0, backoff / 2),
        retry=retry_if_exception(_is_transient),
        before_sleep=_log_retry(what),
        reraise=True,
    )
    number = 0
    try:
        async for state in retrying:
            number = state.retry_state.attempt_number
            with state:
                return await attempt()
    except Unavailable as exc:
        exc.attempts = number
        raise
    raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover
