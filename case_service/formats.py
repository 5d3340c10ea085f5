"""Rendering documents as Open311 JSON or XML responses.

JSON is written with ``<``, ``>`` and ``&`` escaped as ``\\u003c``… so that
stored HTML stays inert even if a client pastes the JSON into a page; the
decoded strings are unchanged. XML follows the GeoReport v2 examples
(``<service_requests><request>…``) and drops characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any, Optional

from aiohttp import web

JSON_TYPE = "application/json"
XML_TYPE = "text/xml"
FORMATS = ("json", "xml")

# (root element, element per list item) for each kind of document
_XML_SHAPES: dict[str, tuple[str, Optional[str]]] = {
    "requests": ("service_requests", "request"),
    "created": ("service_requests", "request"),
    "services": ("services", "service"),
    "service_definition": ("service_definition", None),
    "discovery": ("discovery", None),
    "errors": ("errors", "error"),
    "media": ("media", None),
}
_ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "timeline": "event",
    "media_urls": "media_url",
}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


def format_of(request: web.Request) -> str:
    """``xml`` when the path ends in ``.xml``, otherwise ``json``."""
    return "xml" if request.path.lower().endswith(".xml") else "json"


def to_json(payload: Any) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def _xml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("\ufffd", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if value is None:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, (list, tuple)):
        item = _ITEM_NAMES.get(name, "item")
        for child in value:
            _append(element, item, child)
    else:
        element.text = _xml_text(value)


def to_xml(payload: Any, kind: str) -> str:
    root_name, item_name = _XML_SHAPES[kind]
    root = ET.Element(root_name)
    if isinstance(payload, list):
        for element in payload:
            _append(root, item_name or "item", element)
    else:
        for key, child in payload.items():
            _append(root, key, child)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def respond(payload: Any, kind: str, fmt: str = "json", status: int = 200) -> web.Response:
    """A JSON or XML response for ``payload``."""
    if fmt == "xml":
        body, content_type = to_xml(payload, kind), XML_TYPE
    else:
        body, content_type = to_json(payload), JSON_TYPE
    return web.Response(
        text=body,
        status=status,
        content_type=content_type,
        charset="utf-8",
        headers=_SECURITY_HEADERS,
    )
