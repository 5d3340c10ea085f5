"""``telegram.Update`` → what the channel should do with it (no network, no Rasa).

Why a separate, pure step: every update type Telegram may send has to end in a defined outcome
(a message for Rasa, a notice, a photo to fetch, or "ignored" with a reason) and that is easiest
to get right — and to test — without a server. The channel then carries the outcome out.

Conventions shared with the web chat (``connectors/webchat``) and read by ``bot/actions/common.py``:
``metadata.location = {"lat", "long"}``, ``metadata.media_urls``, ``metadata.language`` (forces the
language, only on ``/start``), ``metadata.verified_phone`` (only for the sender's *own* contact).
A bare location or photo is sent as ``/inform`` (intent ``inform``, no text to misread): the case
form stores the metadata and acknowledges it; the bot never sees Telegram's file ids.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

from telegram import Message, PhotoSize, Update

from .notices import language_from_code

#: Rasa message for a location or photo without words: an intent the bot understands in a form.
BARE_ATTACHMENT_TEXT = "/inform"
#: Telegram commands we accept, and what Rasa gets for them (other ``/x`` become plain text);
#: ``/start`` also carries the user's language (see :func:`_parse_message`).
COMMANDS = {"/start": "/greet", "/help": "/help", "/cancel": "/cancel"}
SENDER_PREFIX = "tg-"
IMAGE_DOCUMENT_TYPES = ("image/jpeg", "image/png", "image/webp")
_COMMAND = re.compile(r"^(/[A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?$", re.S)


class Kind(str, Enum):
    MESSAGE = "message"        # text (or payload) for Rasa, with metadata
    PHOTO = "photo"            # fetch the photo, upload it, then a message for Rasa
    CALLBACK = "callback"      # a button: answer the query, then the payload as a message
    NOTICE = "notice"          # the channel answers itself (voice note, unsupported media)
    IGNORED = "ignored"        # nothing to do (logged with the reason)


@dataclass
class Inbound:
    """One update, decided."""

    kind: Kind
    reason: str = ""
    chat_id: Optional[int] = None
    text: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    notice: str = ""
    callback_query_id: str = ""
    callback_data: str = ""
    callback_message_id: Optional[int] = None
    photo_file_id: str = ""
    photo_file_size: Optional[int] = None
    photo_unique_id: str = ""

    @property
    def sender_id(self) -> str:
        """Rasa's conversation id: prefixed so it cannot collide with another channel's ids."""
        return sender_id_for(self.chat_id or 0)


def sender_id_for(chat_id: int) -> str:
    return f"{SENDER_PREFIX}{chat_id}"


def chat_id_from_sender(sender_id: str) -> Optional[int]:
    """Inverse of :func:`sender_id_for` (a bare number is accepted too); ``None`` if not Telegram's."""
    raw = sender_id[len(SENDER_PREFIX):] if sender_id.startswith(SENDER_PREFIX) else sender_id
    try:
        return int(raw)
    except ValueError:
        return None


def ignored(reason: str) -> Inbound:
    return Inbound(Kind.IGNORED, reason=reason)


def clean_text(raw: Optional[str], max_chars: int) -> str:
    text = (raw or "").replace("\x00", "").strip()
    return text[:max_chars].rstrip()


def command_text(text: str) -> tuple[str, bool]:
    """A typed ``/command`` → (text for Rasa, is ``/start``). Unknown commands lose their power:
    Rasa executes ``/intent{entities}`` directly, so a citizen could otherwise set any slot."""
    match = _COMMAND.match(text)
    if not match:
        return ("／" + text[1:] if text.startswith("/") else text), False
    command = match.group(1).lower()
    if command in COMMANDS:
        return COMMANDS[command], command == "/start"
    return "／" + text[1:], False


def largest_photo(sizes: tuple[PhotoSize, ...] | list[PhotoSize], max_bytes: int) -> Optional[PhotoSize]:
    """The largest size within ``max_bytes`` (sizes without a known file size count as fitting)."""
    fitting = [size for size in sizes if size.file_size is None or size.file_size <= max_bytes]
    if not fitting:
        return None
    return max(fitting, key=lambda size: (size.width * size.height, size.file_size or 0))


def _coordinate(value: Any, limit: float) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or not -limit <= number <= limit else number


def parse_update(update: Update, *, max_chars: int = 4000, media_max_bytes: int = 5 * 1024 * 1024) -> Inbound:
    """Decide what to do with ``update``; never raises for a well-formed ``Update``."""
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message if isinstance(query.message, Message) else None
        if message is None or message.chat.type != "private":
            return ignored("callback query outside a private chat")
        return Inbound(
            Kind.CALLBACK, chat_id=message.chat.id, language=language_from_code(query.from_user.language_code),
            callback_query_id=query.id, callback_data=query.data or "", callback_message_id=message.message_id,
        )
    if update.edited_message is not None:
        return ignored("edited message")
    if update.channel_post is not None or update.edited_channel_post is not None:
        return ignored("channel post")
    if update.poll is not None or update.poll_answer is not None:
        return ignored("poll")
    message = update.message
    if message is None:
        return ignored("update type not handled")
    return _parse_message(message, max_chars=max_chars, media_max_bytes=media_max_bytes)


def _parse_message(message: Message, *, max_chars: int, media_max_bytes: int) -> Inbound:
    if message.chat.type != "private":
        return ignored(f"message in a {message.chat.type} chat")
    user = message.from_user
    if user is None or user.is_bot:
        return ignored("message without a human sender")
    language = language_from_code(user.language_code)
    base = {"chat_id": message.chat.id, "language": language}

    if message.text:
        text = clean_text(message.text, max_chars)
        metadata: dict[str, Any] = {}
        if text.startswith("/"):
            text, is_start = command_text(text)
            if is_start:
                # A payload skips NLU (so the language detector never sees the metadata): the
                # language goes in as the entity that fills the ``language`` slot, and as metadata.
                text = f'/greet{{"language": "{language}"}}'
                metadata["language"] = language
        return Inbound(Kind.MESSAGE, text=text, metadata=metadata, **base)
    if message.location is not None:
        lat = _coordinate(message.location.latitude, 90.0)
        long = _coordinate(message.location.longitude, 180.0)
        if lat is None or long is None:
            return ignored("location out of range")
        return Inbound(Kind.MESSAGE, text=BARE_ATTACHMENT_TEXT, metadata={"location": {"lat": lat, "long": long}}, **base)
    if message.contact is not None:
        contact = message.contact
        phone = re.sub(r"[^\d+]", "", contact.phone_number or "")
        if not phone:
            return ignored("contact without a phone number")
        own = contact.user_id is not None and contact.user_id == user.id
        # The text is the number as a citizen would type it (national form for +86), so NLU reads it
        # as an answer; only the sender's own contact is proof of ownership (Telegram verified it).
        typed = phone[3:] if phone.startswith("+86") else phone
        return Inbound(Kind.MESSAGE, text=typed, metadata={"verified_phone": phone} if own else {}, **base)
    if message.photo:
        size = largest_photo(message.photo, media_max_bytes)
        if size is None:
            return Inbound(Kind.NOTICE, notice="photo_too_large", reason="photo too large", **base)
        return Inbound(Kind.PHOTO, text=clean_text(message.caption, max_chars), photo_file_id=size.file_id,
                       photo_file_size=size.file_size, photo_unique_id=size.file_unique_id, **base)
    document = message.document
    if document is not None and document.mime_type in IMAGE_DOCUMENT_TYPES:
        if document.file_size is not None and document.file_size > media_max_bytes:
            return Inbound(Kind.NOTICE, notice="photo_too_large", reason="image document too large", **base)
        return Inbound(Kind.PHOTO, text=clean_text(message.caption, max_chars), photo_file_id=document.file_id,
                       photo_file_size=document.file_size, photo_unique_id=document.file_unique_id, **base)
    if message.voice is not None or message.video_note is not None:
        return Inbound(Kind.NOTICE, notice="voice_unsupported", reason="voice note", **base)
    if message.video is not None or message.audio is not None or message.document is not None:
        return Inbound(Kind.NOTICE, notice="unsupported", reason="video, audio or document", **base)
    if message.sticker is not None:
        return ignored("sticker")
    if message.poll is not None or message.dice is not None:
        return ignored("poll or dice")
    return ignored("message without content we handle (service message?)")
