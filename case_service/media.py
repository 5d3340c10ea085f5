"""Uploaded images: size limit, content sniffing and storage in the database.

The declared ``Content-Type`` is not trusted: the first bytes must be the
magic number of that image type, so nothing but JPEG, PNG, WebP and GIF is
ever served back from our origin. Bytes live in the ``media`` table, which
keeps one backup and one transaction model for everything.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Optional

from aiohttp import web
from sqlalchemy import select

from . import clock
from .db import Database
from .errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from .models import Media

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
MEDIA_ID = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 64 * 1024


def sniff_image(data: bytes) -> Optional[str]:
    """The image type the bytes really are, from their magic number."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_declared_type(request: web.Request) -> str:
    """415 unless the upload is declared as one of the accepted image types."""
    declared = request.content_type.lower()
    if declared not in IMAGE_TYPES:
        raise UnsupportedMediaType(f"Content-Type must be one of {', '.join(IMAGE_TYPES)}")
    return declared


async def read_limited(request: web.Request, limit: int) -> bytes:
    """Read the body, failing with 413 as soon as it exceeds ``limit`` bytes
    (the declared length is checked before reading anything)."""
    too_large = PayloadTooLarge(f"upload larger than {limit // (1024 * 1024)} MiB")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    data = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK):
        data += chunk
        if len(data) > limit:
            raise too_large
    return bytes(data)


def validate_image(data: bytes, declared: str) -> None:
    if not data:
        raise BadRequest("empty upload")
    actual = sniff_image(data)
    if actual is None:
        raise UnsupportedMediaType("the bytes are not a JPEG, PNG, WebP or GIF image")
    if actual != declared:
        raise UnsupportedMediaType(f"Content-Type says {declared} but the bytes are {actual}")


async def store_media(db: Database, data: bytes, content_type: str) -> str:
    """Save the image; returns its id."""
    media_id = uuid.uuid4().hex
    async with db.write() as session:
        session.add(
            Media(
                id=media_id,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                created_at=clock.now(),
            )
        )
    return media_id


async def load_media(db: Database, media_id: str) -> Media:
    if not MEDIA_ID.match(media_id):
        raise NotFound("media not found")
    async with db.read() as session:
        media = (await session.execute(select(Media).where(Media.id == media_id))).scalar_one_or_none()
    if media is None:
        raise NotFound("media not found")
    return media
