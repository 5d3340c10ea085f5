"""Strict decoding of ``application/x-www-form-urlencoded`` bodies.

aiohttp's ``request.post()`` is lenient about charsets and duplicates; a case
backend should rather say exactly what is wrong. Text must be UTF-8 without
control characters (they break XML output and PostgreSQL rejects NUL), and a
single-valued field may appear only once.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import parse_qsl

from aiohttp import web

from .errors import BadRequest, UnsupportedMediaType

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 200

_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def check_text(name: str, value: str) -> str:
    """Refuse control characters (except tab and newlines) in any text field."""
    if _FORBIDDEN_CHARS.search(value):
        raise BadRequest(f"{name} contains control characters")
    return value


class Form:
    """The decoded fields of one form body, in order."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs: list[tuple[str, str]] = list(pairs)

    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.pairs))

    def many(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def one(self, name: str) -> Optional[str]:
        """The single value of ``name`` (``None`` if absent or blank)."""
        values = self.many(name)
        if len(values) > 1:
            raise BadRequest(f"{name} given more than once")
        if not values or not values[0].strip():
            return None
        return values[0].strip()


def decode_urlencoded(body: bytes) -> Form:
    """Decode a form body strictly: UTF-8 only, at most ``MAX_FIELDS`` fields."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest("request body is not valid UTF-8") from error
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS
        )
    except UnicodeDecodeError as error:
        raise BadRequest("percent-encoded bytes are not valid UTF-8") from error
    except ValueError as error:
        raise BadRequest(f"too many form fields (at most {MAX_FIELDS})") from error
    for name, value in pairs:
        check_text("field name", name)
        check_text(name, value)
    return Form(pairs)


def require_form_content_type(request: web.Request) -> None:
    """415 unless the body is declared as a UTF-8 form."""
    if request.content_type != FORM_TYPE:
        raise UnsupportedMediaType(f"Content-Type must be {FORM_TYPE}")
    charset = request.charset
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise UnsupportedMediaType("only the UTF-8 charset is accepted")


def query_form(request: web.Request) -> Form:
    """The query string decoded as strictly as a body (yarl would silently
    replace invalid UTF-8 with U+FFFD)."""
    raw = request.rel_url.raw_query_string
    return decode_urlencoded(raw.encode("utf-8", "surrogateescape"))


async def read_form(request: web.Request) -> Form:
    """Check the content type, read the body (``client_max_size`` applies) and decode it."""
    require_form_content_type(request)
    body = await request.read()
    return decode_urlencoded(body)
