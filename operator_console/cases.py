"""Filing or updating a case on the citizen's behalf, from a claimed hand-off (docs/handoff.md).

The operator's form starts from the slots the bot collected (the console page prefills it from
the hand-off summary); :class:`CaseForm` checks it and turns it into a
:class:`backend_client.CaseDraft` with channel ``operator`` and the conversation's language.
The idempotency key is derived from the hand-off id, so a retried or repeated "file" never
creates a second case for one hand-off (the case service answers with the first one).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend_client import CaseDraft
from bot.parsing import categories as taxonomy
from bot.parsing import places
from bot.parsing.appeal_types import APPEAL_TYPES
from bot.parsing.phones import parse_phone

MAX_DESCRIPTION = 4000
MAX_FIELD = 200
MAX_NOTE = 2000
CHANNEL = "operator"


def idempotency_key(handoff: dict[str, Any]) -> str:
    """One key per hand-off: its id, plus conversation and creation time so that a recreated console
    database (ids restart at 1) never replays another conversation's case."""
    basis = f"{handoff['conversation_id']}|{handoff['created_at']!r}".encode()
    return f"operator-handoff-{handoff['id']}-{hashlib.sha256(basis).hexdigest()[:16]}"


@dataclass(frozen=True)
class CaseForm:
    description: str
    appeal_type: str | None = None
    level1: str | None = None
    level2: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    address: str | None = None
    occurred_at: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    anonymous: bool = False

    @classmethod
    def from_json(cls, body: Any) -> "CaseForm":
        """Validate the operator's form; ``ValueError`` with every problem (``; ``-joined)."""
        if not isinstance(body, dict):
            raise ValueError("body must be an object")

        def text(name: str, limit: int = MAX_FIELD) -> str | None:
            value = body.get(name)
            if value is None:
                return None
            value = str(value).strip()
            if len(value) > limit:
                problems.append(f"{name} is longer than {limit} characters")
            return value or None

        problems: list[str] = []
        description = text("description", MAX_DESCRIPTION)
        appeal_type, level1, level2 = text("appeal_type"), text("level1"), text("level2")
        district, subdistrict = text("district"), text("subdistrict")
        anonymous = body.get("anonymous") in (True, "true", "1", "on")
        name, phone = (None, None) if anonymous else (text("contact_name", 60), text("contact_phone", 40))
        if not description:
            problems.append("description is required")
        if appeal_type is not None and appeal_type not in APPEAL_TYPES:
            problems.append(f"appeal_type must be one of {', '.join(APPEAL_TYPES)}")
        if not level1:
            problems.append("level1 is required")
        elif not taxonomy.is_known(level1, level2):
            problems.append(f"unknown category {level1}/{level2 or ''}")
        if district is not None and places.district_code(district) is None:
            problems.append(f"unknown district {district}")
        if subdistrict is not None and places.subdistrict_code(subdistrict, district) is None:
            problems.append(f"unknown subdistrict {subdistrict}")
        if phone is not None:
            phone = parse_phone(phone)
            if phone is None:
                problems.append("contact_phone is not a phone number")
        if not anonymous and phone is None and "contact_phone is not a phone number" not in problems:
            problems.append("contact_phone is required unless the citizen stays anonymous")
        if problems:
            raise ValueError("; ".join(problems))
        return cls(description=description or "", appeal_type=appeal_type, level1=level1, level2=level2,
                   district=district, subdistrict=subdistrict, address=text("address"),
                   occurred_at=text("occurred_at", 100), contact_name=name, contact_phone=phone,
                   anonymous=anonymous)

    def address_string(self) -> str | None:
        """As the bot writes it: 北京市 + district + subdistrict, then the street address."""
        head = "".join(p for p in (self.district, self.subdistrict) if p)
        text = " ".join(p for p in (f"北京市{head}" if head else None, self.address) if p)
        return text or None

    def draft(self, service_code: str, handoff: dict[str, Any]) -> CaseDraft:
        return CaseDraft(
            service_code=service_code,
            description=self.description,
            address=self.address_string(),
            district_code=places.district_code(self.district),
            subdistrict_code=places.subdistrict_code(self.subdistrict, self.district),
            appeal_type=self.appeal_type,
            level1=self.level1,
            level2=self.level2,
            contact_name=self.contact_name,
            phone=self.contact_phone,
            anonymous=self.anonymous,
            channel=CHANNEL,
            language=handoff.get("language") or "zh",
            conversation_id=handoff["conversation_id"],
            occurred_at=self.occurred_at,
        )


def filed_message(case_number: str, expected: datetime | None, language: str) -> str:
    """What the citizen reads once the operator filed the case (the reply path)."""
    when = expected.strftime("%Y-%m-%d") if expected else None
    if language == "en":
        due = f" You should hear back by {when}." if when else ""
        return (f"Your request has been registered as case {case_number}.{due} "
                "You can check its progress here at any time with this number.")
    due = f"预计 {when} 前答复。" if when else ""
    return f"已为您登记诉求，编号：{case_number}。{due}您可以随时凭编号在这里查询办理进度。"


def note_text(body: Any) -> str:
    """The timeline note of ``POST …/note``; ``ValueError`` if empty or too long."""
    note = str((body or {}).get("note") or "").strip() if isinstance(body, dict) else ""
    if not note or len(note) > MAX_NOTE:
        raise ValueError(f"note must be 1 to {MAX_NOTE} characters")
    return note
