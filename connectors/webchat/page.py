"""The citizen page and the widget page, served by the Rasa server from the channel blueprint.

Why from Rasa: one origin for page, socket and upload, so the Content-Security-Policy can
say ``'self'`` everywhere and no CORS is involved. The policy is a response header (not a
``<meta>``) and allows no inline script; configuration reaches the scripts through
``data-`` attributes filled in here. Browser libraries come from ``node_modules`` installed
by ``scripts/webchat-deps.sh`` (pinned in ``package-lock.json``), never from a CDN.

Routes under ``/webhooks/webchat``: ``/`` (the citizen page), ``/widget`` (the stock
rasa-webchat widget), ``/static/<file>``, ``/vendor/<file>``.
"""

from __future__ import annotations

import html
import mimetypes
import re
from pathlib import Path
from typing import Mapping

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from .settings import WebChatSettings

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
NODE_MODULES = HERE / "node_modules"
#: the only files served from node_modules, by the name the pages use
VENDOR_FILES: Mapping[str, str] = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "rasa-webchat.js": "rasa-webchat/lib/index.js",
}
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json", ".svg": "image/svg+xml",
          ".png": "image/png", ".ico": "image/x-icon", ".html": "text/html"}


def content_security_policy(settings: WebChatSettings, *, inline_styles: bool = False) -> str:
    """No inline script anywhere; inline styles only for the widget, whose bundle injects them."""
    images = " ".join(("'self'", "blob:", "data:", *settings.image_origins))
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src {styles}",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: WebChatSettings, *, inline_styles: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings, inline_styles=inline_styles),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=()",
        "Cache-Control": "no-cache",
    }


def render(name: str, values: Mapping[str, str]) -> str:
    """``{{key}}`` placeholders of a template in ``static/``, HTML-escaped."""
    text = (STATIC_DIR / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    return text


def _page(request: Request, template: str, settings: WebChatSettings, *, inline_styles: bool = False) -> HTTPResponse:
    body = render(template, {"socket_path": settings.socketio_path, "max_chars": str(settings.max_message_chars),
                             "max_upload": str(settings.upload_max_bytes), "voice_url": settings.voice_url or "#",
                             "voice_hidden": "" if settings.voice_url else "hidden"})
    return response.html(body, headers=security_headers(settings, inline_styles=inline_styles))


async def citizen_page(request: Request, settings: WebChatSettings) -> HTTPResponse:
    if not request.path.endswith("/"):  # relative asset URLs need the trailing slash
        return response.redirect(request.path + "/", status=308)
    return _page(request, "index.html", settings)


async def widget_page(request: Request, settings: WebChatSettings) -> HTTPResponse:
    return _page(request, "widget.html", settings, inline_styles=True)


def _file(path: Path, settings: WebChatSettings) -> HTTPResponse:
    content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = security_headers(settings)
    headers["Cache-Control"] = "public, max-age=300"
    return response.raw(path.read_bytes(), content_type=content_type, headers=headers)


async def static_file(request: Request, name: str, settings: WebChatSettings) -> HTTPResponse:
    path = STATIC_DIR / name
    if not _SAFE_NAME.match(name) or path.suffix == ".html" or not path.is_file():
        return response.text("not found", status=404)
    return _file(path, settings)


async def vendor_file(request: Request, name: str, settings: WebChatSettings) -> HTTPResponse:
    relative = VENDOR_FILES.get(name)
    if relative is None:
        return response.text("not found", status=404)
    path = NODE_MODULES / relative
    if not path.is_file():
        return response.text(f"{name} is not installed: run scripts/webchat-deps.sh", status=404)
    return _file(path, settings)
