"""Photo upload: the page posts an image, we store it in the case service, it gets a media URL.

Why through the channel and not straight to the case service: the case service's API key
must never reach a browser. The channel checks what it can cheaply before spending the
case service's time — the conversation exists, the per-conversation upload rate, the size
(declared and actual, read as a stream so an oversize body is never buffered whole) and
the first bytes (JPEG, PNG or WebP; the declared Content-Type is not trusted). The URL is
remembered for the conversation: only such URLs pass as ``media_urls`` metadata.

``POST /webhooks/webchat/upload?session_id=…`` with the image bytes as the body
→ ``201 {"media_url": "…"}``; errors are ``{"error": code, "message": en, "messages": {zh, en}}``
with 400 (no conversation), 413 (too large), 415 (not a photo), 429 (too many), 503.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from backend_client import runtime as backend_runtime
from backend_client import BackendError, BackendSettings, CaseBackend, Rejected

from . import inbound
from .sessions import SessionRegistry
from .settings import WebChatSettings

log = logging.getLogger(__name__)

ERRORS: dict[str, tuple[int, str, str]] = {
    "no_session": (400, "连接已中断，请刷新页面后重新上传照片。", "The chat connection was lost. Please reload the page and upload the photo again."),
    "too_large": (413, "照片太大了，请上传不超过 {limit} MB 的照片。", "This photo is too large. Please upload a photo of at most {limit} MB."),
    "not_an_image": (415, "只能上传 JPEG、PNG 或 WebP 格式的照片。", "Only photos in JPEG, PNG or WebP format can be uploaded."),
    "too_many": (429, "上传太频繁了，请稍等一分钟再试。", "Too many uploads. Please wait a minute and try again."),
    "unavailable": (503, "照片暂时无法保存，请稍后再试。您也可以不带照片继续反映问题。", "The photo could not be saved right now. Please try again later, or continue without a photo."),
}


def sniff_image(data: bytes) -> Optional[str]:
    """The image type from the file's first bytes, or ``None`` if it is not JPEG/PNG/WebP."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def error(code: str, settings: WebChatSettings) -> HTTPResponse:
    status, zh, en = ERRORS[code]
    limit = f"{settings.upload_max_bytes / (1024 * 1024):g}"
    messages = {"zh": zh.format(limit=limit), "en": en.format(limit=limit)}
    return response.json({"error": code, "message": messages["en"], "messages": messages}, status=status)


class MediaStore:
    """The case service client for uploads, on the process-wide backend session."""

    def __init__(self) -> None:
        self._backend: Optional[CaseBackend] = None

    async def start(self, settings: Optional[BackendSettings] = None) -> None:
        # The Rasa process's one case-service session, shared by every channel in it.
        self._backend = await backend_runtime.open_backend(settings)

    async def close(self) -> None:
        self._backend = None
        await backend_runtime.close()

    async def store(self, data: bytes, content_type: str) -> str:
        if self._backend is None:
            raise BackendError("media store not started")
        return await self._backend.upload_media(data, content_type)


async def read_limited(request: Request, limit: int) -> Optional[bytes]:
    """The streamed body, or ``None`` as soon as it exceeds ``limit`` bytes."""
    body = bytearray()
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return bytes(body)
        body += chunk
        if len(body) > limit:
            return None


async def handle_upload(
    request: Request, sessions: SessionRegistry, store: MediaStore, settings: WebChatSettings
) -> HTTPResponse:
    session_id = request.args.get("session_id") or request.headers.get("x-session-id") or ""
    session = sessions.get(session_id) if inbound.valid_session_id(session_id) else None
    if session is None:
        log.warning("web chat upload refused: unknown session %r", session_id[:40])
        return error("no_session", settings)
    if not session.uploads.take():
        log.warning("web chat %s: upload refused, too many uploads", session_id[:8])
        return error("too_many", settings)
    declared: Any = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.upload_max_bytes:
        log.warning("web chat %s: upload refused, %s bytes declared", session_id[:8], declared)
        return error("too_large", settings)
    data = await read_limited(request, settings.upload_max_bytes)
    if data is None:
        log.warning("web chat %s: upload refused, body over %d bytes", session_id[:8], settings.upload_max_bytes)
        return error("too_large", settings)
    content_type = sniff_image(data)
    if content_type is None:
        log.warning("web chat %s: upload refused, not a JPEG/PNG/WebP (%d bytes)", session_id[:8], len(data))
        return error("not_an_image", settings)
    try:
        url = await store.store(data, content_type)
    except Rejected as exc:
        log.warning("web chat %s: case service refused the photo: %s", session_id[:8], exc)
        return error({413: "too_large", 415: "not_an_image"}.get(exc.status or 0, "unavailable"), settings)
    except BackendError as exc:
        log.warning("web chat %s: photo not stored: %s", session_id[:8], exc)
        return error("unavailable", settings)
    session.remember_media(url)
    log.info("web chat %s: photo stored (%s, %d bytes)", session_id[:8], content_type, len(data))
    return response.json({"media_url": url}, status=201)
