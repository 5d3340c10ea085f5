"""Turn Open311 JSON into the typed models, and error bodies into messages.

Structural problems (not JSON, not the promised array/object, no case id) raise
:class:`ProtocolError`; a malformed *optional* value (a bad date, a non-numeric
latitude) becomes ``None`` with a warning, so one odd field does not hide a
whole case from the citizen.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime
from typing import Any, Mapping

from .errors import ProtocolError
from .models import Capabilities, Case, Service, SubmittedCase, TimelineEntry

log = logging.getLogger(__name__)

#: The discovery ``specification`` that announces the 12345 extensions.
EXTENSIONS_SPEC = "urn:hotline12345:extensions:v1"

_FRACTION = re.compile(r"(\.\d+)")


def load_json(body: bytes, what: str) -> Any:
    """Decode a response body, or raise :class:`ProtocolError` (never echoing the body)."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"{what}: response is not valid JSON") from exc


def parse_datetime(value: Any, field: str = "datetime") -> datetime | None:
    """Parse an ISO 8601 time as Open311 servers write it (``Z``, offsets, any fraction)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        log.warning("ignoring non-string %s: %r", field, type(value).__name__)
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat only takes 3 or 6 fraction digits.
    text = _FRACTION.sub(lambda m: (m.group(1) + "000000")[:7], text, count=1)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        log.warning("ignoring malformed %s %r", field, value)
        return None


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value)
        return text if text != "" else None
    return None


def _float(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        log.warning("ignoring malformed %s %r", field, value)
        return None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    return None


def _object_list(data: Any, what: str) -> list[Mapping[str, Any]]:
    """Open311 answers with arrays of objects; insist on that shape."""
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ProtocolError(f"{what}: expected a JSON array of objects")
    return data


def parse_error_messages(body: bytes) -> tuple[str, ...]:
    """Extract descriptions from an Open311 error body ``[{"code", "description"}]``.

    Also accepts a single object or ``{"errors": [...]}``; anything else gives ``()``.
    """
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return ()
    if isinstance(data, dict):
        data = data.get("errors", [data])
    if not isinstance(data, list):
        return ()
    messages = []
    for item in data:
        if isinstance(item, dict):
            text = _str(item.get("description")) or _str(item.get("message"))
            if text:
                messages.append(text)
        elif isinstance(item, str) and item:
            messages.append(item)
    return tuple(messages)


def parse_capabilities(data: Any) -> Capabilities:
    """Read ``discovery.json``: extensions exist only if an endpoint names our URN."""
    if not isinstance(data, dict):
        raise ProtocolError("discovery: expected a JSON object")
    endpoints = data.get("endpoints") or []
    if not isinstance(endpoints, list):
        raise ProtocolError("discovery: 'endpoints' is not an array")
    for endpoint in endpoints:
        if isinstance(endpoint, dict) and endpoint.get("specification") == EXTENSIONS_SPEC:
            return Capabilities(extensions=True, discovery=True, extension_url=_str(endpoint.get("url")))
    return Capabilities(extensions=False, discovery=True)


def parse_services(data: Any) -> list[Service]:
    """Read ``services.json``; entries without a code are skipped (unusable)."""
    services = []
    for item in _object_list(data, "services"):
        code = _str(item.get("service_code"))
        if code is None:
            log.warning("skipping a service without service_code")
            continue
        keywords = item.get("keywords")
        if isinstance(keywords, str):
            keyword_tuple = tuple(k.strip() for k in keywords.split(",") if k.strip())
        elif isinstance(keywords, list):
            keyword_tuple = tuple(str(k) for k in keywords if k)
        else:
            keyword_tuple = ()
        services.append(
            Service(
                service_code=code,
                service_name=_str(item.get("service_name")) or code,
                group=_str(item.get("group")),
                description=_str(item.get("description")),
                metadata=bool(_bool(item.get("metadata"))),
                type=_str(item.get("type")),
                keywords=keyword_tuple,
            )
        )
    return services


def parse_submitted(data: Any) -> SubmittedCase:
    """Read the POST requests.json answer: a one-element array with the new case id."""
    items = _object_list(data, "submit")
    if not items:
        raise ProtocolError("submit: empty response array")
    first = items[0]
    case_id = _str(first.get("service_request_id"))
    if case_id is None:
        raise ProtocolError("submit: response has no service_request_id")
    return SubmittedCase(
        case_id=case_id,
        expected_datetime=parse_datetime(first.get("expected_datetime"), "expected_datetime"),
        notice=_str(first.get("service_notice")),
    )


def _timeline(raw: Any) -> tuple[TimelineEntry, ...]:
    if not isinstance(raw, list):
        return ()
    entries = []
    for item in raw:
        if not isinstance(item, dict) or _str(item.get("stage")) is None:
            log.warning("skipping a malformed timeline entry")
            continue
        entries.append(
            TimelineEntry(
                stage=str(item["stage"]),
                at=parse_datetime(item.get("at"), "timeline.at"),
                department=_str(item.get("department")),
                note=_str(item.get("note")),
            )
        )
    return tuple(entries)


def _ext_get(ext: Mapping[str, Any], name: str) -> Any:
    """Extension keys may come bare (``level1``) or prefixed (``x12345_level1``)."""
    if name in ext:
        return ext[name]
    return ext.get(f"x12345_{name}")


def _media_urls(ext: Mapping[str, Any]) -> tuple[str, ...]:
    for name in ("media_urls", "media_url"):
        raw = _ext_get(ext, name)
        if isinstance(raw, list):
            return tuple(str(u) for u in raw if u)
        if isinstance(raw, str) and raw:
            return (raw,)
    return ()


def parse_case(item: Mapping[str, Any]) -> Case:
    """Read one request object, with its ``x12345`` object when present."""
    case_id = _str(item.get("service_request_id"))
    if case_id is None:
        raise ProtocolError("case: response has no service_request_id")
    ext = item.get("x12345")
    extended = isinstance(ext, dict)
    ext = ext if extended else {}
    return Case(
        id=case_id,
        status=_str(item.get("status")),
        status_notes=_str(item.get("status_notes")),
        service_code=_str(item.get("service_code")),
        service_name=_str(item.get("service_name")),
        description=_str(item.get("description")),
        agency_responsible=_str(item.get("agency_responsible")),
        service_notice=_str(item.get("service_notice")),
        requested_datetime=parse_datetime(item.get("requested_datetime"), "requested_datetime"),
        updated_datetime=parse_datetime(item.get("updated_datetime"), "updated_datetime"),
        expected_datetime=parse_datetime(item.get("expected_datetime"), "expected_datetime"),
        address=_str(item.get("address")),
        address_id=_str(item.get("address_id")),
        lat=_float(item.get("lat"), "lat"),
        long=_float(item.get("long"), "long"),
        media_url=_str(item.get("media_url")),
        extended=extended,
        stage=_str(_ext_get(ext, "stage")),
        department=_str(_ext_get(ext, "department")),
        appeal_type=_str(_ext_get(ext, "appeal_type")),
        level1=_str(_ext_get(ext, "level1")),
        level2=_str(_ext_get(ext, "level2")),
        district_code=_str(_ext_get(ext, "district_code")),
        district_name=_str(_ext_get(ext, "district_name")),
        subdistrict_code=_str(_ext_get(ext, "subdistrict_code")),
        subdistrict_name=_str(_ext_get(ext, "subdistrict_name")),
        contact_name=_str(_ext_get(ext, "contact_name")),
        phone=_str(_ext_get(ext, "phone")),
        anonymous=_bool(_ext_get(ext, "anonymous")),
        channel=_str(_ext_get(ext, "channel")),
        language=_str(_ext_get(ext, "language")),
        conversation_id=_str(_ext_get(ext, "conversation_id")),
        occurred_at=_str(_ext_get(ext, "occurred_at")),
        media_urls=_media_urls(ext),
        timeline=_timeline(_ext_get(ext, "timeline")),
    )


def parse_cases(data: Any) -> list[Case]:
    """Read a GET requests.json answer (an array of request objects)."""
    return [parse_case(item) for item in _object_list(data, "requests")]


def parse_media_url(data: Any) -> str:
    """Read the media upload answer ``{"media_url": ...}``."""
    url = _str(data.get("media_url")) if isinstance(data, dict) else None
    if url is None:
        raise ProtocolError("media upload: response has no media_url")
    return url

