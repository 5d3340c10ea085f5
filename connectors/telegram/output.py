"""Bot messages to a Telegram chat, with Telegram's limits and failures handled here.

Why all failures end here: a reply that cannot be delivered must never break the conversation
(Rasa has already stored the turn). ``Forbidden`` (the citizen blocked the bot) → logged once per
message and dropped; ``RetryAfter`` (429 flood control) → wait the requested time, capped by
``TELEGRAM_MAX_RETRY_AFTER``, and retry once; any other ``TelegramError`` (network, bad request)
→ logged and dropped. Text is split at the 4,096 limit (:mod:`.splitting`); buttons become an
inline keyboard on the last part, their payloads mapped to ≤ 64-byte callback data (:mod:`.callbacks`).
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text, TypeVar

from rasa.core.channels.channel import OutputChannel
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError

from .callbacks import CallbackTable
from .splitting import split_text
from .updates import chat_id_from_sender

log = logging.getLogger(__name__)
T = TypeVar("T")
CHANNEL_NAME = "telegram"
#: Buttons per keyboard row when every title is short; long titles get a row each.
SHORT_TITLE = 12


class Undeliverable(Exception):
    """The chat cannot receive messages now (blocked, flood control): stop sending this message."""


def retry_after_seconds(error: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on PTB's settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def call_telegram(
    what: str, chat_id: int, call: Callable[[], Awaitable[T]], max_retry_after: float
) -> T:
    """Run one Bot API call with the error policy above; raises :class:`Undeliverable` when it gave up."""
    for attempt in (1, 2):
        try:
            return await call()
        except Forbidden as exc:
            log.info("telegram %s to chat %s dropped: %s (blocked by the user?)", what, chat_id, exc.message)
            raise Undeliverable(str(exc)) from None
        except RetryAfter as exc:
            wait = min(max(retry_after_seconds(exc), 0.0), max_retry_after)
            if attempt == 2:
                log.warning("telegram %s to chat %s dropped: flood control again after the retry", what, chat_id)
                raise Undeliverable(str(exc)) from None
            log.warning("telegram %s to chat %s: flood control, retrying in %.1f s", what, chat_id, wait)
            await asyncio.sleep(wait)
        except TelegramError as exc:
            log.warning("telegram %s to chat %s failed: %s: %s", what, chat_id, type(exc).__name__, exc.message)
            raise Undeliverable(str(exc)) from None
    raise AssertionError("unreachable")


def inline_keyboard(buttons: List[Dict[Text, Any]], callbacks: CallbackTable) -> Optional[InlineKeyboardMarkup]:
    """Rasa buttons → an inline keyboard (URL buttons stay links; payloads become callback data)."""
    keys: list[InlineKeyboardButton] = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()[:64]
        if not title:
            continue
        url = button.get("url")
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            keys.append(InlineKeyboardButton(title, url=url))
            continue
        payload = str(button.get("payload") or title)
        keys.append(InlineKeyboardButton(title, callback_data=callbacks.encode(payload)))
    if not keys:
        return None
    per_row = 2 if all(len(key.text) <= SHORT_TITLE for key in keys) else 1
    return InlineKeyboardMarkup([keys[i : i + per_row] for i in range(0, len(keys), per_row)])


class TelegramOutput(OutputChannel):
    """Sends to the chat behind a Rasa conversation id (``tg-<chat id>``)."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(self, bot: Bot, callbacks: CallbackTable, max_retry_after: float = 10.0) -> None:
        self.bot = bot
        self.callbacks = callbacks
        self.max_retry_after = max_retry_after

    def _chat(self, recipient_id: Text) -> Optional[int]:
        chat_id = chat_id_from_sender(str(recipient_id))
        if chat_id is None:
            log.warning("telegram output: %r is not a Telegram conversation, message dropped", recipient_id)
        return chat_id

    async def _send_text(self, recipient_id: Text, text: Text, markup: Optional[InlineKeyboardMarkup] = None) -> None:
        chat_id = self._chat(recipient_id)
        if chat_id is None:
            return
        chunks = split_text(str(text or "")) or ([" "] if markup else [])
        try:
            for index, chunk in enumerate(chunks):
                keyboard = markup if index == len(chunks) - 1 else None
                await call_telegram(
                    "sendMessage", chat_id,
                    lambda: self.bot.send_message(chat_id=chat_id, text=chunk, reply_markup=keyboard),
                    self.max_retry_after,
                )
        except Undeliverable:
            return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_text(recipient_id, text, inline_keyboard(buttons, self.callbacks))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        chat_id = self._chat(recipient_id)
        if chat_id is None:
            return
        try:
            await call_telegram("sendPhoto", chat_id, lambda: self.bot.send_photo(chat_id=chat_id, photo=str(image)),
                                self.max_retry_after)
        except Undeliverable:
            return

    async def send_attachment(  # type: ignore[override]
        self, recipient_id: Text, attachment: Any, **kwargs: Any
    ) -> None:
        """Rasa's attachment is free-form: an image URL is shown, a link is sent as text."""
        src = None
        if isinstance(attachment, dict):
            payload = attachment.get("payload") if isinstance(attachment.get("payload"), dict) else {}
            src = payload.get("src") or payload.get("url") or attachment.get("url")
            if attachment.get("type") == "image" and isinstance(src, str):
                await self.send_image_url(recipient_id, src)
                return
        elif isinstance(attachment, str):
            src = attachment
        if isinstance(src, str) and src:
            await self.send_text_message(recipient_id, src)
        else:
            log.info("telegram output: attachment without a URL dropped")

    async def send_elements(self, recipient_id: Text, elements: Iterable[Dict[Text, Any]], **kwargs: Any) -> None:
        for element in elements:
            text = "\n".join(str(element.get(key)) for key in ("title", "subtitle") if element.get(key))
            await self.send_text_with_buttons(recipient_id, text, list(element.get("buttons") or []))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Only ``{"text": …}`` is meaningful to a Telegram chat; other custom payloads are dropped."""
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if isinstance(text, str) and text.strip():
            await self.send_text_message(recipient_id, text)
        else:
            log.info("telegram output: custom payload without text dropped")
