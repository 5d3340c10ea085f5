"""Cross-cutting protections of every response and request.

* headers on every response (pages, API, static files, errors): a strict CSP without inline
  script, ``nosniff``, no referrer, no framing; ``no-store`` for everything but static files;
* a session is required everywhere except the login page, static files, ``/health`` and the
  internal API (which has its own shared secret);
* every POST (login included) must carry the session's CSRF token, as form field
  ``csrf_token`` or header ``X-CSRF-Token``.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from operator_console import keys

from operator_console.sessions import COOKIE, csrf_matches

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PUBLIC_PREFIXES = ("/static/", "/internal/")
PUBLIC_PATHS = frozenset({"/login", "/health"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` signal: runs for every response, static files and errors included."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    store = request.app[keys.SESSIONS]
    session = await store.load(request.cookies.get(COOKIE))
    request["session"] = session
    if _is_public(request.path):
        return await handler(request)
    if session is None or session.user is None:
        if request.path.startswith("/api/") or request.method not in SAFE_METHODS:
            return web.json_response({"error": "login_required"}, status=401)
        raise web.HTTPSeeOther("/login")
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in SAFE_METHODS or request.path.startswith("/internal/"):
        return await handler(request)
    session = request.get("session")
    presented = request.headers.get("X-CSRF-Token")
    if presented is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        presented = (await request.post()).get("csrf_token")  # cached: the handler can read the form again
    if session is None or not csrf_matches(session, presented if isinstance(presented, str) else None):
        return web.json_response({"error": "csrf"}, status=403)
    return await handler(request)
