"""Async client for the hotline12345 case service (Open311 GeoReport v2 + 12345 extensions).

See ``docs/architecture.md`` for the contract. Importing this package does no I/O.
"""

from .client import CaseBackend
from .errors import BackendError, Forbidden, NotFound, NotSupported, ProtocolError, Rejected, Unavailable
from .models import Capabilities, Case, CaseDraft, Service, SubmittedCase, TimelineEntry
from .settings import BackendSettings

__all__ = [
    "CaseBackend",
    "BackendSettings",
    "Capabilities",
    "Case",
    "CaseDraft",
    "Service",
    "SubmittedCase",
    "TimelineEntry",
    "BackendError",
    "NotFound",
    "Rejected",
    "Forbidden",
    "Unavailable",
    "ProtocolError",
    "NotSupported",
]
