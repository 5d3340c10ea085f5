"""Exception hierarchy of the case service.

::

    CaseServiceError                 anything the service raises on purpose
    ├── ClientError                  the caller's fault; becomes an Open311 error array
    │   ├── BadRequest               400 malformed or invalid input
    │   ├── Forbidden                403 missing or wrong api_key
    │   ├── NotFound                 404 unknown case, service, media or route
    │   ├── PayloadTooLarge          413 body over the size limit
    │   └── UnsupportedMediaType     415 wrong Content-Type or unrecognised image bytes
    ├── ConfigurationError           bad settings (e.g. an unsupported database URL)
    └── CatalogError                 taxonomy.csv / divisions.csv cannot be used

Handlers raise ``ClientError`` subclasses; the error middleware renders them,
so no handler builds an error response by hand.
"""

from __future__ import annotations

from typing import Iterable


class CaseServiceError(Exception):
    """Base class of every exception the case service raises deliberately."""


class ClientError(CaseServiceError):
    """A request was rejected; ``messages`` become the Open311 error array."""

    status: int = 400

    def __init__(self, *messages: str) -> None:
        self.messages: tuple[str, ...] = tuple(messages) or ("request rejected",)
        super().__init__("; ".join(self.messages))

    @classmethod
    def collect(cls, messages: Iterable[str]) -> "ClientError":
        """Build one error carrying every validation message at once, so a
        client sees all its mistakes in one round trip."""
        return cls(*messages)


class BadRequest(ClientError):
    """400: the input is malformed or fails validation."""

    status = 400


class Forbidden(ClientError):
    """403: the api_key is missing, unknown, or no key is configured."""

    status = 403


class NotFound(ClientError):
    """404: the addressed case, service, media or route does not exist."""

    status = 404


class PayloadTooLarge(ClientError):
    """413: the body is larger than the configured limit."""

    status = 413


class UnsupportedMediaType(ClientError):
    """415: wrong Content-Type, or bytes that are not the declared image type."""

    status = 415


class ConfigurationError(CaseServiceError):
    """The settings cannot work (unsupported database URL, bad port...)."""


class CatalogError(CaseServiceError):
    """The taxonomy or divisions file is missing or inconsistent."""
