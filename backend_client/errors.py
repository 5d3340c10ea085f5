"""Exceptions raised by :mod:`backend_client`.

Actions catch these instead of aiohttp/tenacity exceptions, so that the way the
backend is reached can change without touching the dialogue code::

    BackendError            anything that went wrong talking to the case service
    ├── NotFound            404, or an empty result for a single case
    ├── Rejected            400/413/415/…: the server refused the input; ``.messages``
    │                       holds its Open311 error descriptions (safe to show or log)
    ├── Forbidden           401/403: missing or wrong API key
    ├── Unavailable         timeout, refused connection, 5xx (after retries)
    ├── ProtocolError       malformed JSON or an unexpected response shape
    └── NotSupported        the server does not announce the 12345 extensions a call needs

Texts never contain the API key: the client redacts it before building them.
"""

from __future__ import annotations


class BackendError(Exception):
    """Base class: the case backend could not do what was asked.

    ``status`` is the HTTP status when there was a response, ``messages`` the
    server's error descriptions (Open311 ``[{"code", "description"}]``).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        messages: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.messages = tuple(messages)


class NotFound(BackendError):
    """The case (or endpoint) does not exist."""


class Rejected(BackendError):
    """The server rejected the request as invalid; retrying the same input will not help."""


class Forbidden(BackendError):
    """The API key is missing or not accepted."""


class Unavailable(BackendError):
    """The backend could not be reached or failed (timeout, refused, 5xx).

    ``attempts`` says how many attempts were made before giving up.
    ``retryable`` is internal: whether the retry policy may try again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        messages: tuple[str, ...] = (),
        retryable: bool = True,
    ) -> None:
        super().__init__(message, status=status, messages=messages)
        self.retryable = retryable
        self.attempts = 1


class ProtocolError(BackendError):
    """The server answered, but not with what the Open311 contract promises."""


class NotSupported(BackendError):
    """The operation needs the 12345 extensions, which this server does not announce."""


__all__ = [
    "BackendError",
    "NotFound",
    "Rejected",
    "Forbidden",
    "Unavailable",
    "ProtocolError",
    "NotSupported",
]
