"""Service time: one time zone for case numbers and for rendered timestamps.

The hotline serves Beijing, so the daily sequence of case numbers rolls over at
midnight China Standard Time (UTC+8, no daylight saving). The database stores
naive UTC; everything rendered carries an explicit ``+08:00`` offset.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

SERVICE_TZ = timezone(timedelta(hours=8), "CST")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


def service_day(moment: datetime) -> str:
    """``YYYYMMDD`` of ``moment`` in service time: the case number prefix."""
    return moment.astimezone(SERVICE_TZ).strftime("%Y%m%d")


def to_iso(moment: datetime | None) -> str | None:
    """W3C/ISO 8601 with offset in service time, second precision."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(SERVICE_TZ).isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a missing offset means service
    time. Raises ``ValueError`` for anything else (no guessing of formats)."""
    text = text.strip()
    if _ISO_DATE.match(text):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=SERVICE_TZ)
    if not _ISO_DATETIME.match(text):
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SERVICE_TZ)
    return moment


def to_utc_naive(moment: datetime) -> datetime:
    """What the database stores: naive UTC (portable across SQLite and PostgreSQL)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def from_utc_naive(moment: datetime | None) -> datetime | None:
    """Inverse of :func:`to_utc_naive`."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
