"""The aiohttp application: routes, middleware and the start-up sequence.

``create_app`` only wires things together; nothing touches the database until
the application starts. Start-up then: loads the catalog, migrates the
database to the newest revision (in a worker thread, Alembic is sync), opens
the async engine and seeds services and divisions. Clean-up disposes the engine.
"""

from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

from aiohttp import web

from . import extensions, migrate, open311
from .catalog import load_catalog
from .context import BASE_PATH, STATE, ServiceState
from .db import Database
from .middleware import error_middleware
from .seed import seed_catalog
from .settings import Settings

log = logging.getLogger(__name__)

_FMT = "{fmt:json|xml}"


async def _resources(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: open the database for the lifetime of the application."""
    state = app[STATE]
    settings = state.settings
    if not settings.api_keys:
        log.warning("no API key configured (CASE_SERVICE_API_KEYS): every POST will be refused with 403")
    catalog = load_catalog(settings.data_dir)
    if settings.auto_migrate:
        await asyncio.get_running_loop().run_in_executor(None, migrate.upgrade, settings.database_url)
    database = Database.connect(settings.database_url)
    try:
        await seed_catalog(database, catalog)
        state.database, state.catalog = database, catalog
        log.info("case service ready on %s (%s)", BASE_PATH, database.engine.url)
        yield
    finally:
        state.database = None
        await database.dispose()


def add_routes(app: web.Application) -> None:
    base = BASE_PATH
    app.router.add_get(f"{base}/discovery.{_FMT}", open311.discovery)
    app.router.add_get(f"{base}/services.{_FMT}", open311.services)
    app.router.add_get(f"{base}/services/{{service_code}}.{_FMT}", open311.service_definition)
    app.router.add_get(f"{base}/requests.{_FMT}", open311.get_requests)
    app.router.add_post(f"{base}/requests.{_FMT}", open311.post_request)
    app.router.add_get(f"{base}/requests/{{request_id}}.{_FMT}", open311.get_request)
    app.router.add_post(f"{base}/x12345/media", extensions.post_media)
    app.router.add_get(f"{base}/x12345/media/{{media_id}}", extensions.get_media)
    app.router.add_post(f"{base}/x12345/requests/{{request_id}}/timeline.{_FMT}", extensions.post_timeline)


def create_app(settings: Settings) -> web.Application:
    """The case service as an aiohttp application (not yet started)."""
    app = web.Application(client_max_size=settings.max_body_bytes, middlewares=[error_middleware])
    app[STATE] = ServiceState(settings=settings)
    app.cleanup_ctx.append(_resources)
    add_routes(app)
    return app
