"""Typed, immutable values exchanged with the case backend.

Frozen dataclasses so that cached values (services, capabilities) cannot be
changed by one caller under another's feet, and so that actions get attribute
access instead of digging through raw Open311 dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping, Sequence, Union

#: An Open311 attribute value: a single value, or several for a ``multivaluelist``.
AttributeValue = Union[str, Sequence[str]]


@dataclass(frozen=True)
class Capabilities:
    """What the server announced in ``discovery.json``.

    ``extensions`` is true only when discovery lists ``urn:hotline12345:extensions:v1``;
    ``discovery`` is false when the server has no discovery document at all.
    """

    extensions: bool
    discovery: bool = True
    extension_url: str | None = None


@dataclass(frozen=True)
class Service:
    """One Open311 service; on the 12345 server a taxonomy level-2 category
    (``group`` = level 1, ``keywords`` = level-3 names) or a level-1 general service."""

    service_code: str
    service_name: str
    group: str | None = None
    description: str | None = None
    metadata: bool = False
    type: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseDraft:
    """Everything the bot collected for a new case.

    Only ``service_code`` is required. Work-order fields (appeal type, taxonomy,
    divisions, channel, …) travel as ``x12345_*`` fields when the server
    supports the extensions, otherwise they are summarised in the description.
    """

    service_code: str
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address: str | None = None
    address_id: str | None = None
    district_code: str | None = None
    subdistrict_code: str | None = None
    appeal_type: str | None = None
    level1: str | None = None
    level2: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    anonymous: bool = False
    channel: str | None = None
    language: str | None = None
    conversation_id: str | None = None
    occurred_at: str | datetime | None = None
    media_urls: tuple[str, ...] = ()
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Accept a list for convenience but keep the frozen value immutable.
        if not isinstance(self.media_urls, tuple):
            object.__setattr__(self, "media_urls", tuple(self.media_urls))


@dataclass(frozen=True)
class SubmittedCase:
    """The server's answer to a submission: the case number to read out to the citizen."""

    case_id: str
    expected_datetime: datetime | None = None
    notice: str | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One step of a case's life (received → dispatched → in_progress → resolved → closed)."""

    stage: str
    at: datetime | None = None
    department: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Case:
    """A case as read back from the server.

    Standard Open311 fields are always filled as far as the server sent them;
    the extension fields stay ``None``/empty unless the server has the
    extensions (``extended`` tells which).
    """

    id: str
    status: str | None = None
    status_notes: str | None = None
    service_code: str | None = None
    service_name: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    # 12345 extensions (present only when the server sent an ``x12345`` object)
    extended: bool = False
    stage: str | None = None
    department: str | None = None
    appeal_type: str | None = None
    level1: str | None = None
    level2: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    subdistrict_code: str | None = None
    subdistrict_name: str | None = None
    contact_name: str | None = None
    phone: str | None = None  # masked by the server except the last 4 digits
    anonymous: bool | None = None
    channel: str | None = None
    language: str | None = None
    conversation_id: str | None = None
    occurred_at: str | None = None
    media_urls: tuple[str, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()


__all__ = [
    "AttributeValue",
    "Capabilities",
    "Service",
    "CaseDraft",
    "SubmittedCase",
    "TimelineEntry",
    "Case",
]
