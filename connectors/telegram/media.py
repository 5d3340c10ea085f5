"""A citizen's photo: Telegram → the case service, so the work order carries a media URL.

Why the channel does it and not the actions: Telegram file ids are useless outside this bot and
the download URL contains the bot token, so neither may reach the tracker or the case service.
The photo is fetched with ``getFile`` + download (size checked before and after: ≤ 5 MiB, the case
service's own limit), its type read from its first bytes, and stored with
``backend_client.CaseBackend.upload_media`` under an idempotency key derived from Telegram's
``file_unique_id`` (a redelivered update does not store it twice).
"""

from __future__ import annotations

import logging
from typing import Optional

from telegram import Bot
from telegram.error import TelegramError

from backend_client import runtime as backend_runtime
from backend_client import BackendError, BackendSettings, CaseBackend, Rejected

log = logging.getLogger(__name__)


class PhotoTooLarge(Exception):
    """The photo exceeds the limit (Telegram's announced size was missing or wrong)."""


class PhotoUnavailable(Exception):
    """The photo could not be fetched from Telegram or stored in the case service."""


def sniff_image(data: bytes) -> Optional[str]:
    """The image type from the file's first bytes (JPEG, PNG, WebP), or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class MediaStore:
    """The case-service client for photos, on the process-wide backend session."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._backend: Optional[CaseBackend] = None

    async def start(self, settings: Optional[BackendSettings] = None) -> None:
        # The Rasa process's one case-service session, shared by every channel in it.
        self._backend = await backend_runtime.open_backend(settings)

    async def close(self) -> None:
        self._backend = None
        await backend_runtime.close()

    async def fetch(self, bot: Bot, file_id: str) -> bytes:
        """The photo's bytes from Telegram (``getFile`` + download)."""
        try:
            file = await bot.get_file(file_id)
            if file.file_size is not None and file.file_size > self.max_bytes:
                raise PhotoTooLarge(f"{file.file_size} bytes announced")
            data = bytes(await file.download_as_bytearray())
        except (TelegramError, RuntimeError) as exc:  # RuntimeError: PTB got no file_path to download
            raise PhotoUnavailable(f"download failed: {type(exc).__name__}: {exc}") from None
        if len(data) > self.max_bytes:
            raise PhotoTooLarge(f"{len(data)} bytes downloaded")
        return data

    async def store(self, data: bytes, unique_id: str) -> str:
        """Upload to the case service; the media URL for ``metadata.media_urls``."""
        content_type = sniff_image(data)
        if content_type is None:
            raise PhotoUnavailable("not a JPEG, PNG or WebP image")
        if self._backend is None:
            raise PhotoUnavailable("media store not started")
        key = f"telegram-media-{unique_id}" if unique_id else None
        try:
            return await self._backend.upload_media(data, content_type, idempotency_key=key)
        except Rejected as exc:
            if exc.status == 413:
                raise PhotoTooLarge("refused by the case service") from None
            raise PhotoUnavailable(f"refused by the case service: {exc}") from None
        except BackendError as exc:
            raise PhotoUnavailable(f"case service: {exc}") from None

    async def fetch_and_store(self, bot: Bot, file_id: str, unique_id: str) -> str:
        return await self.store(await self.fetch(bot, file_id), unique_id)
