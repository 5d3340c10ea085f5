"""JSON Schemas of the API, shipped with the package.

The Open311 GeoReport v2 schemas (request, requests, service, services,
service-definition) are verbatim copies from the open311/schema-validation
project; the others (discovery, errors, request-response(s), x12345,
x12345-requests, media-upload) describe what the Open311 files do not cover
and the 12345 extensions. Tests, and the client and bot test suites, validate
responses with :func:`validate`; the server itself does not need them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA_DIR = Path(__file__).resolve().parent
_BASE = "https://hotline12345.invalid/schemas/"
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


def names() -> list[str]:
    """Schema names (file names without ``.json``)."""
    return sorted(path.stem for path in SCHEMA_DIR.glob("*.json"))


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """The schema ``name`` (e.g. ``"requests"``) as a dict."""
    with (SCHEMA_DIR / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and not re.search(r"\s", value)


@lru_cache(maxsize=None)
def validator(name: str) -> Any:
    """A jsonschema validator for ``name`` that resolves the sibling ``$ref``s
    and checks ``date-time`` and ``uri`` formats (without extra packages)."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_is_datetime)
    checker.checks("uri")(_is_uri)
    store = {_BASE + f"{other}.json": load(other) for other in names()}
    resolver = jsonschema.RefResolver(base_uri=_BASE + f"{name}.json", referrer=load(name), store=store)
    return jsonschema.Draft7Validator(load(name), resolver=resolver, format_checker=checker)


def validate(instance: Any, name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` matches schema ``name``."""
    validator(name).validate(instance)
