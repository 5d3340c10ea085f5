"""Encode a :class:`CaseDraft` as the Open311 ``POST requests.json`` form.

Two shapes, chosen by what the server announced:

* with the 12345 extensions: standard fields plus ``x12345_*`` work-order fields;
* plain Open311: standard fields only; the work-order information is appended to
  the description as a short summary, so a human at a plain server still sees it.
  An anonymous caller's name and phone are then *not* sent, because a plain
  server cannot honour the confidentiality flag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

from .models import AttributeValue, CaseDraft

#: Open311 description limit in the contract.
DESCRIPTION_LIMIT = 4000

Form = list[tuple[str, str]]


def _fmt(value: float) -> str:
    return repr(float(value))


def _occurred(value: str | datetime | None) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return value or None


def _attributes(attributes: Mapping[str, AttributeValue]) -> Form:
    """``attribute[CODE]=v``; a multivaluelist becomes ``attribute[CODE][]=v`` per value."""
    form: Form = []
    for code, value in attributes.items():
        if isinstance(value, str):
            form.append((f"attribute[{code}]", value))
        elif isinstance(value, Iterable):
            form.extend((f"attribute[{code}][]", str(v)) for v in value)
        elif value is not None:
            form.append((f"attribute[{code}]", str(value)))
    return form


def _standard(draft: CaseDraft, description: str, *, with_personal: bool, first_name: bool) -> Form:
    form: Form = [("service_code", draft.service_code)]
    if draft.lat is not None and draft.long is not None:
        form += [("lat", _fmt(draft.lat)), ("long", _fmt(draft.long))]
    if draft.address:
        form.append(("address_string", draft.address))
    if draft.address_id:
        form.append(("address_id", draft.address_id))
    if description:
        form.append(("description", description))
    if with_personal:
        if first_name and draft.contact_name:
            form.append(("first_name", draft.contact_name))
        if draft.phone:
            form.append(("phone", draft.phone))
    if draft.media_urls:
        form.append(("media_url", draft.media_urls[0]))
    form += _attributes(draft.attributes)
    return form


def extended_form(draft: CaseDraft) -> Form:
    """The form for a server with the 12345 extensions."""
    form = _standard(draft, draft.description, with_personal=True, first_name=False)
    optional = {
        "x12345_appeal_type": draft.appeal_type,
        "x12345_level1": draft.level1,
        "x12345_level2": draft.level2,
        "x12345_district_code": draft.district_code,
        "x12345_subdistrict_code": draft.subdistrict_code,
        "x12345_contact_name": draft.contact_name,
        "x12345_channel": draft.channel,
        "x12345_language": draft.language,
        "x12345_conversation_id": draft.conversation_id,
        "x12345_occurred_at": _occurred(draft.occurred_at),
    }
    form += [(name, value) for name, value in optional.items() if value]
    form.append(("x12345_anonymous", "true" if draft.anonymous else "false"))
    form += [("x12345_media_url", url) for url in draft.media_urls]
    return form


def work_order_summary(draft: CaseDraft) -> str:
    """The work-order fields as a few readable lines, for plain servers."""
    lines = []
    if draft.appeal_type:
        lines.append(f"诉求类型: {draft.appeal_type}")
    category = "/".join(p for p in (draft.level1, draft.level2) if p)
    if category:
        lines.append(f"分类: {category}")
    division = "/".join(p for p in (draft.district_code, draft.subdistrict_code) if p)
    if division:
        lines.append(f"区划: {division}")
    occurred = _occurred(draft.occurred_at)
    if occurred:
        lines.append(f"发生时间: {occurred}")
    if draft.anonymous:
        lines.append("匿名: 是")
    if draft.channel:
        lines.append(f"渠道: {draft.channel}")
    if draft.language:
        lines.append(f"语言: {draft.language}")
    if draft.conversation_id:
        lines.append(f"会话: {draft.conversation_id}")
    if len(draft.media_urls) > 1:
        lines.append("附件: " + " ".join(draft.media_urls[1:]))
    return "\n".join(lines)


def _with_summary(description: str, summary: str) -> str:
    """Append the summary without pushing the citizen's own text over the limit."""
    if not summary:
        return description
    block = f"\n\n[工单 / work order]\n{summary}" if description else f"[工单 / work order]\n{summary}"
    room = DESCRIPTION_LIMIT - len(description)
    if room <= 0:
        return description
    return description + block[:room]


def plain_form(draft: CaseDraft) -> Form:
    """The form for a plain Open311 server: standard fields only."""
    description = _with_summary(draft.description, work_order_summary(draft))
    return _standard(draft, description, with_personal=not draft.anonymous, first_name=True)
