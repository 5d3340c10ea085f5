"""One HTTP exchange with the case service, mapped onto :mod:`backend_client.errors`.

Kept apart from the API methods so the status → exception mapping lives in one
place, and so that everything that could carry the API key (URLs with a query,
server texts) is redacted before it reaches a log line or an exception.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Mapping

import aiohttp

from .errors import BackendError, Forbidden, NotFound, Rejected, Unavailable
from .parsing import load_json, parse_error_messages

log = logging.getLogger(__name__)

USER_AGENT = "hotline12345-backend-client/1"


@dataclass(frozen=True)
class Response:
    """Status and raw body of a finished exchange (the body is already read)."""

    status: int
    body: bytes

    def json(self, what: str) -> Any:
        return load_json(self.body, what)


class Transport:
    """Performs single attempts; the caller wraps them in the retry policy."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, *, api_key: str | None, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._secret = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    def redact(self, text: str) -> str:
        """Remove the API key from any text we are about to log or raise."""
        if self._secret:
            text = text.replace(self._secret, "***")
        return text

    async def once(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """One attempt. Raises :class:`Unavailable` (retryable) on timeouts, connection
        failures and 5xx; the matching :class:`BackendError` on 4xx; returns 2xx."""
        what = f"{method} {path}"
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        try:
            async with self._session.request(
                method,
                f"{self.base_url}/{path}",
                params=params,
                data=data,
                headers=all_headers,
                timeout=self._timeout,
                allow_redirects=method == "GET",
            ) as resp:
                body = await resp.read()
                status = resp.status
        except asyncio.TimeoutError:
            raise Unavailable(f"{what}: timed out after {self._timeout.total}s") from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            # str(exc) names host:port and the OS error, never the query string
            raise Unavailable(self.redact(f"{what}: {type(exc).__name__}: {exc}")) from None
        except aiohttp.ClientError as exc:
            raise BackendError(self.redact(f"{what}: {type(exc).__name__}")) from None
        if 200 <= status < 300:
            return Response(status, body)
        raise self._error(what, status, body)

    def _error(self, what: str, status: int, body: bytes) -> BackendError:
        messages = tuple(self.redact(m) for m in parse_error_messages(body))
        detail = "; ".join(messages) or f"HTTP {status}"
        text = f"{what}: HTTP {status}: {detail}"
        # an unknown case number is an everyday conversational event, not an operational warning
        log.log(logging.INFO if status == 404 else logging.WARNING, "%s", text)
        if status >= 500:
            return Unavailable(text, status=status, messages=messages)
        if status in (401, 403):
            return Forbidden(text, status=status, messages=messages)
        if status in (404, 410):
            return NotFound(text, status=status, messages=messages)
        if status in (408, 429):
            # the server is busy, but a 4xx is never retried (the request may have been seen)
            return Unavailable(text, status=status, messages=messages, retryable=False)
        return Rejected(text, status=status, messages=messages)
