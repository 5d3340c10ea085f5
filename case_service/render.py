"""Open311 documents (plain dicts) for cases, services and discovery.

The dicts are format-neutral: ``formats.py`` turns them into JSON or XML.
Field names and nullability follow the Open311 JSON Schemas shipped in
``schemas/``; the 12345 extension object ``x12345`` is added only on request.
"""

from __future__ import annotations

from typing import Any, Optional

from . import clock, workflow
from .catalog import Service
from .models import Case

OPEN311_SPEC = "http://wiki.open311.org/GeoReport_v2"
EXTENSIONS_SPEC = "urn:hotline12345:extensions:v1"
CHANGESET = "2026-11-30T00:00:00+08:00"
"""When the API surface (not the data) last changed: bump with the contract."""
FORMATS = ["application/json", "text/xml"]


def mask_phone(phone: Optional[str]) -> Optional[str]:
    """Hide all digits but the last four: ``13800138000`` → ``*******8000``."""
    if not phone:
        return None
    digits = [c for c in phone if c.isdigit()]
    keep = 4 if len(digits) > 4 else 0
    return "*" * (len(digits) - keep) + "".join(digits[len(digits) - keep :])


def request_document(case: Case, *, extensions: bool = False) -> dict[str, Any]:
    """One Open311 service request (``GET requests.json`` element)."""
    document: dict[str, Any] = {
        "service_request_id": case.case_number,
        "status": workflow.status_for(case.stage),
        "status_notes": case.status_notes,
        "service_name": case.service_name,
        "service_code": case.service_code,
        "description": case.description,
        "agency_responsible": case.department,
        "service_notice": case.service_notice,
        "requested_datetime": clock.to_iso(case.requested_at),
        "updated_datetime": clock.to_iso(case.updated_at),
        "expected_datetime": clock.to_iso(case.expected_at),
        "address": case.address_string,
        "address_id": case.address_id,
        "zipcode": None,
        "lat": case.lat,
        "long": case.long,
        "media_url": case.media_url,
    }
    if extensions:
        document["x12345"] = extension_document(case)
    return document


def extension_document(case: Case) -> dict[str, Any]:
    """The ``x12345`` object: work-order fields, current stage and timeline."""
    return {
        "appeal_type": case.appeal_type,
        "level1": case.level1,
        "level2": case.level2,
        "district_code": case.district_code,
        "district_name": case.district_name,
        "subdistrict_code": case.subdistrict_code,
        "subdistrict_name": case.subdistrict_name,
        "contact_name": None if case.anonymous else case.contact_name,
        "anonymous": bool(case.anonymous),
        "phone": mask_phone(case.phone),
        "channel": case.channel,
        "language": case.language,
        "conversation_id": case.conversation_id,
        "occurred_at": case.occurred_at,
        "media_urls": list(case.media_urls or []),
        "attributes": dict(case.attributes or {}),
        "stage": case.stage,
        "department": case.department,
        "timeline": [
            {
                "stage": event.stage,
                "at": clock.to_iso(event.at),
                "department": event.department,
                "note": event.note,
            }
            for event in case.events
        ],
    }


def created_document(case: Case) -> dict[str, Any]:
    """The POST response element (same body for an idempotent replay)."""
    return {
        "service_request_id": case.case_number,
        "service_notice": case.service_notice,
        "account_id": None,
        "expected_datetime": clock.to_iso(case.expected_at),
    }


def service_document(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": (
            f"{service.level1}：{service.level2}" if service.level2 else f"{service.level1}：其他或不确定的类别"
        ),
        "metadata": bool(service.attributes),
        "type": "realtime",
        "keywords": ",".join(service.keywords),
        "group": service.group,
    }


def service_definition_document(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": "singlevaluelist",
                "required": attribute.required,
                "datatype_description": None,
                "order": attribute.order,
                "description": attribute.description,
                "values": [{"key": value, "name": value} for value in attribute.values],
            }
            for attribute in service.attributes
        ],
    }


def discovery_document(base_url: str) -> dict[str, Any]:
    """Open311 discovery, announcing the 12345 extensions as a second endpoint."""

    def endpoint(specification: str) -> dict[str, Any]:
        return {
            "specification": specification,
            "url": base_url,
            "changeset": CHANGESET,
            "type": "production",
            "formats": list(FORMATS),
        }

    return {
        "changeset": CHANGESET,
        "contact": "12345 市民服务热线 / 12345 citizen service hotline",
        "key_service": "API keys are issued by the hotline operator (CASE_SERVICE_API_KEYS).",
        "endpoints": [endpoint(OPEN311_SPEC), endpoint(EXTENSIONS_SPEC)],
    }


def error_document(status: int, messages: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    """Open311 error array."""
    return [{"code": status, "description": message} for message in messages]
