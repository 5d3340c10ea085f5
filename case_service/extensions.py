"""Handlers of the 12345 extension endpoints (``/open311/v2/x12345/…``).

Media upload and download, and timeline updates by the handling departments.
The extension fields on ``POST requests.json`` and ``extensions=true`` on the
GETs are handled in ``open311.py`` / ``submission.py`` / ``render.py``.
"""

from __future__ import annotations

import logging

from aiohttp import web

from .cases import advance_case
from .context import base_url, database_of, require_api_key, settings_of
from .errors import BadRequest, NotFound
from .formats import format_of, respond
from .forms import query_form, read_form
from .media import check_declared_type, load_media, read_limited, store_media, validate_image
from .numbering import is_case_number
from .render import request_document

log = logging.getLogger(__name__)

MAX_NOTE = 2000
MAX_DEPARTMENT = 200


async def post_timeline(request: web.Request) -> web.Response:
    """Record a stage change: form fields ``api_key``, ``stage``, ``department``, ``note``."""
    form = await read_form(request)
    require_api_key(request, form.one("api_key") or query_form(request).one("api_key"))
    number = request.match_info["request_id"]
    if not is_case_number(number):
        raise NotFound(f"service request {number} not found")
    stage = form.one("stage")
    department = form.one("department")
    note = form.one("note")
    problems = []
    if stage is None:
        problems.append("stage is required")
    if department is not None and len(department) > MAX_DEPARTMENT:
        problems.append(f"department is longer than {MAX_DEPARTMENT} characters")
    if note is not None and len(note) > MAX_NOTE:
        problems.append(f"note is longer than {MAX_NOTE} characters")
    if problems:
        raise BadRequest(*problems)
    case = await advance_case(database_of(request), number, stage or "", department, note)
    return respond([request_document(case, extensions=True)], "requests", format_of(request))


async def post_media(request: web.Request) -> web.Response:
    """Store an uploaded image: ``201 {"media_url": …}``."""
    require_api_key(request, query_form(request).one("api_key"))
    declared = check_declared_type(request)
    data = await read_limited(request, settings_of(request).max_media_bytes)
    validate_image(data, declared)
    media_id = await store_media(database_of(request), data, declared)
    log.info("stored media %s (%s, %d bytes)", media_id, declared, len(data))
    url = f"{base_url(request)}/x12345/media/{media_id}"
    response = respond({"media_url": url}, "media", "json", status=201)
    response.headers["Location"] = url
    return response


async def get_media(request: web.Request) -> web.Response:
    media = await load_media(database_of(request), request.match_info["media_id"])
    return web.Response(
        body=media.data,
        content_type=media.content_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            "Cache-Control": "public, max-age=31536000, immutable",
            "ETag": f'"{media.sha256}"',
        },
    )
