"""Handlers of the plain Open311 GeoReport v2 endpoints.

Each handler validates its input completely, does one transaction through
``cases.py`` and renders with ``formats.py``; errors are raised as
``ClientError`` and rendered by the error middleware.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Optional

from aiohttp import web

from . import clock
from .cases import MAX_RESULTS, CaseQuery, create_case, find_cases, get_case
from .context import base_url, catalog_of, database_of, require_api_key
from .errors import BadRequest, NotFound
from .formats import format_of, respond
from .forms import Form, query_form, read_form
from .numbering import is_case_number
from .render import (
    created_document,
    discovery_document,
    request_document,
    service_definition_document,
    service_document,
)
from .submission import normalize_phone, parse_new_case

log = logging.getLogger(__name__)

MAX_WINDOW = timedelta(days=90)
RECENT_BY_PHONE = 10
MAX_IDEMPOTENCY_KEY = 200
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def discovery(request: web.Request) -> web.Response:
    return respond(discovery_document(base_url(request)), "discovery", format_of(request))


async def services(request: web.Request) -> web.Response:
    documents = [service_document(s) for s in catalog_of(request).services.values()]
    return respond(documents, "services", format_of(request))


async def service_definition(request: web.Request) -> web.Response:
    code = request.match_info["service_code"]
    service = catalog_of(request).service(code)
    if service is None:
        raise NotFound(f"service_code {code!r} not found")
    return respond(service_definition_document(service), "service_definition", format_of(request))


def idempotency_key_of(request: web.Request) -> Optional[str]:
    """The ``Idempotency-Key`` header: 1–200 visible ASCII characters."""
    values = request.headers.getall("Idempotency-Key", [])
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest("Idempotency-Key given more than once")
    if not _IDEMPOTENCY_KEY.match(values[0]):
        raise BadRequest(f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters")
    return values[0]


async def post_request(request: web.Request) -> web.Response:
    """Create a service request (idempotent with ``Idempotency-Key``)."""
    fmt = format_of(request)
    form = await read_form(request)
    require_api_key(request, form.one("api_key") or query_form(request).one("api_key"))
    key = idempotency_key_of(request)
    new = parse_new_case(form, catalog_of(request))
    case, created = await create_case(database_of(request), new, key)
    response = respond([created_document(case)], "created", fmt)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _flag(form: Form, name: str) -> bool:
    value = form.one(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false", "1", "0"):
        raise BadRequest(f"{name} must be true or false")
    return value.lower() in ("true", "1")


def _date(form: Form, name: str) -> Optional[datetime]:
    value = form.one(name)
    if value is None:
        return None
    try:
        return clock.parse_iso(value)
    except ValueError as error:
        raise BadRequest(f"{name}: {error}") from None


def _list(form: Form, name: str) -> Optional[tuple[str, ...]]:
    value = form.one(name)
    if value is None:
        return None
    items = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    if len(items) > MAX_RESULTS:
        raise BadRequest(f"{name}: at most {MAX_RESULTS} values")
    return items or None


def build_query(request: web.Request, form: Form) -> CaseQuery:
    """Translate ``GET requests.json`` parameters into a ``CaseQuery``.

    ``service_request_id`` overrides the other filters (as the spec says);
    without dates the window is the last 90 days; a window may not span more
    than 90 days. ``x12345_phone`` needs an api_key, ignores the default
    window and returns the newest 10.
    """
    numbers = _list(form, "service_request_id")
    if numbers is not None:
        return CaseQuery(case_numbers=numbers)
    statuses = _list(form, "status")
    if statuses is not None and not set(statuses) <= {"open", "closed"}:
        raise BadRequest("status must be open, closed or both (comma separated)")
    codes = _list(form, "service_code")
    start, end = _date(form, "start_date"), _date(form, "end_date")
    if start is not None and end is not None and end < start:
        raise BadRequest("end_date is before start_date")
    phone = form.one("x12345_phone")
    if phone is not None:
        require_api_key(request, form.one("api_key"))
        try:
            _, phone_key = normalize_phone(phone)
        except ValueError as error:
            raise BadRequest(f"x12345_phone: {error}") from None
        return CaseQuery(
            service_codes=codes, start=start, end=end, statuses=statuses,
            phone_key=phone_key, limit=RECENT_BY_PHONE,
        )
    if start is not None and end is not None and end - start > MAX_WINDOW:
        raise BadRequest("the date range may not span more than 90 days")
    if start is None and end is None:
        start = clock.now() - MAX_WINDOW
    elif start is None:
        start = end - MAX_WINDOW  # type: ignore[operator]
    elif end is None:
        end = start + MAX_WINDOW
    return CaseQuery(service_codes=codes, start=start, end=end, statuses=statuses)


async def get_requests(request: web.Request) -> web.Response:
    form = query_form(request)
    query = build_query(request, form)
    extensions = _flag(form, "extensions")
    found = await find_cases(database_of(request), query)
    documents = [request_document(case, extensions=extensions) for case in found]
    return respond(documents, "requests", format_of(request))


async def get_request(request: web.Request) -> web.Response:
    number = request.match_info["request_id"]
    form = query_form(request)
    extensions = _flag(form, "extensions")
    if not is_case_number(number):
        raise NotFound(f"service request {number} not found")
    case = await get_case(database_of(request), number)
    return respond([request_document(case, extensions=extensions)], "requests", format_of(request))
