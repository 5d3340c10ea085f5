"""What handlers need from the application: settings, database, catalog,
the public base URL and the api_key check.

Kept apart from ``app.py`` so handler modules do not import the module that
imports them.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Optional

from aiohttp import web

from .catalog import Catalog
from .db import Database
from .errors import Forbidden
from .settings import Settings

log = logging.getLogger(__name__)

BASE_PATH = "/open311/v2"

@dataclass
class ServiceState:
    """Per-application state; the database and catalog are filled in at
    start-up (aiohttp's app mapping must not change once the app runs)."""

    settings: Settings
    database: Optional[Database] = None
    catalog: Optional[Catalog] = None


STATE = web.AppKey("case_service_state", ServiceState)


def settings_of(request: web.Request) -> Settings:
    return request.app[STATE].settings


def database_of(request: web.Request) -> Database:
    database = request.app[STATE].database
    if database is None:
        raise RuntimeError("the database is not open (application not started)")
    return database


def catalog_of(request: web.Request) -> Catalog:
    catalog = request.app[STATE].catalog
    if catalog is None:
        raise RuntimeError("the catalog is not loaded (application not started)")
    return catalog


def base_url(request: web.Request) -> str:
    """``http(s)://host/open311/v2`` as the client sees it (or the configured public URL)."""
    configured = settings_of(request).public_url
    if configured:
        return configured
    return f"{request.scheme}://{request.host}{BASE_PATH}"


def require_api_key(request: web.Request, given: Optional[str]) -> None:
    """403 unless ``given`` is one of the configured keys (constant-time compare)."""
    keys = settings_of(request).api_keys
    if not keys:
        raise Forbidden("this server accepts no writes: no API key is configured")
    if not given:
        raise Forbidden("api_key is required")
    candidate = given.encode("utf-8", "surrogateescape")
    if not any(hmac.compare_digest(candidate, key.encode("utf-8")) for key in keys):
        raise Forbidden("invalid api_key")
