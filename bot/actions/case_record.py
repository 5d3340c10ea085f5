"""The case as collected by the dialogue, in a form that can wait in the outbox (plain JSON)
and be turned into a ``backend_client.CaseDraft`` whenever the backend is reachable."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from rasa_sdk import Tracker

from backend_client import CaseBackend, CaseDraft
from bot.actions.common import CASE_FORM, SKIPPED, channel_of, language_of, loop_started_at
from bot.actions.errors import IncompleteCase, UnknownCategory
from bot.parsing import places
from bot.parsing.descriptions import MAX_DESCRIPTION


def _value(tracker: Tracker, name: str) -> Any:
    value = tracker.get_slot(name)
    return None if value == SKIPPED else value


def _text(tracker: Tracker, name: str, limit: int = 500) -> str | None:
    value = _value(tracker, name)
    if value is None:
        return None
    value = str(value).strip()
    return value[:limit] or None


@dataclass(frozen=True)
class CaseRecord:
    """Everything needed to file one case; JSON-serialisable via :meth:`to_dict`."""

    description: str
    appeal_type: str | None = None
    level1: str | None = None
    level2: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    occurred_at: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    anonymous: bool = False
    language: str = "zh"
    channel: str = "rest"
    conversation_id: str | None = None
    media_urls: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CaseRecord":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["media_urls"] = list(known.get("media_urls") or [])
        return cls(**known)

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> "CaseRecord":
        """Collect the case from the slots; raises :class:`IncompleteCase` when the core is missing."""
        description = _text(tracker, "description", MAX_DESCRIPTION)
        level1 = _text(tracker, "category_level1", 50)
        if not description or not level1:
            raise IncompleteCase("description and category are required")
        lat, long = _value(tracker, "location_lat"), _value(tracker, "location_long")
        has_geo = isinstance(lat, (int, float)) and isinstance(long, (int, float))
        district = _text(tracker, "district", 50)
        if not has_geo and not district:
            raise IncompleteCase("a location is required")
        anonymous = _value(tracker, "anonymous") is True
        media = _value(tracker, "media_urls")
        return cls(
            description=description,
            appeal_type=_text(tracker, "appeal_type", 10),
            level1=level1,
            level2=_text(tracker, "category_level2", 50),
            district=district,
            subdistrict=_text(tracker, "subdistrict", 50),
            address=_text(tracker, "address", 300),
            lat=float(lat) if has_geo else None,
            long=float(long) if has_geo else None,
            occurred_at=_text(tracker, "occurred_at", 200),
            contact_name=None if anonymous else _text(tracker, "contact_name", 60),
            phone=None if anonymous else _text(tracker, "contact_phone", 30),
            anonymous=anonymous,
            language=language_of(tracker),
            channel=channel_of(tracker),
            conversation_id=tracker.sender_id,
            media_urls=[u for u in media if isinstance(u, str)] if isinstance(media, list) else [],
        )

    def address_string(self) -> str | None:
        """Readable address for Open311 (district and subdistrict first, as Beijing writes it)."""
        head = "".join(p for p in (self.district, self.subdistrict) if p)
        parts = [f"北京市{head}" if head else None, self.address]
        text = " ".join(p for p in parts if p)
        return text or None

    async def to_draft(self, backend: CaseBackend) -> CaseDraft:
        """The backend draft; the service code comes from the server's own service list."""
        service_code = await backend.service_for(self.level1, self.level2)
        if service_code is None:
            raise UnknownCategory(f"no service for {self.level1}/{self.level2}")
        return CaseDraft(
            service_code=service_code,
            description=self.description,
            lat=self.lat,
            long=self.long,
            address=self.address_string(),
            district_code=places.district_code(self.district),
            subdistrict_code=places.subdistrict_code(self.subdistrict, self.district),
            appeal_type=self.appeal_type,
            level1=self.level1,
            level2=self.level2,
            contact_name=self.contact_name,
            phone=self.phone,
            anonymous=self.anonymous,
            channel=self.channel,
            language=self.language,
            conversation_id=self.conversation_id,
            occurred_at=self.occurred_at,
            media_urls=tuple(self.media_urls),
        )


def idempotency_key(tracker: Tracker) -> str:
    """The same key for every retry of one filing: sender + the timestamp of the form's start.

    A second case in the same conversation starts the form again, so it gets a new key.
    Without a form start (a story skipped it) the case content stands in for the timestamp.
    """
    started = loop_started_at(tracker, CASE_FORM)
    if started is not None:
        basis = f"{tracker.sender_id}|{started!r}"
    else:
        record = CaseRecord.from_tracker(tracker)
        basis = f"{tracker.sender_id}|{sorted(record.to_dict().items())!r}"
    return "conv-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40]
