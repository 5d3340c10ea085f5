"""Builds the aiohttp application from :class:`ConsoleSettings` (no globals, so tests can run
several apps side by side)."""
from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from backend_client import CaseBackend
from operator_console import keys

from operator_console.db import Database
from operator_console.handoffs import HandoffQueue
from operator_console.rasa_api import RasaApi
from operator_console.ratelimit import LoginLimiter
from operator_console.security import add_security_headers, csrf_middleware, session_middleware
from operator_console.sessions import SessionStore
from operator_console.settings import ConsoleSettings
from operator_console.views import add_routes

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: ConsoleSettings) -> web.Application:
    app = web.Application(middlewares=[session_middleware, csrf_middleware], client_max_size=256 * 1024)
    db = Database(settings.database)
    app[keys.SETTINGS] = settings
    app[keys.DB] = db
    app[keys.SESSIONS] = SessionStore(db, settings.session_seconds)
    app[keys.QUEUE] = HandoffQueue(db)
    app[keys.LIMITER] = LoginLimiter(settings.login_failures, settings.login_window)
    app.on_response_prepare.append(add_security_headers)
    app.cleanup_ctx.append(_resources)
    add_routes(app)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    return app


async def _resources(app: web.Application) -> AsyncIterator[None]:
    """Database schema and the one HTTP client session (Rasa and the case service), for the app's lifetime."""
    settings: ConsoleSettings = app[keys.SETTINGS]
    app[keys.DB].migrate()
    http = aiohttp.ClientSession()
    app[keys.RASA] = RasaApi(http, settings.rasa_url, settings.rasa_token, settings.poll_timeout)
    app[keys.BACKEND] = CaseBackend(settings.case_service_url, http, api_key=settings.case_service_api_key,
                                    timeout=settings.case_service_timeout)
    yield
    await http.close()
