"""``TelegramInput``: Telegram as a Rasa input channel in webhook mode (``connectors.telegram.TelegramInput``).

Why not Rasa's own Telegram channel: it authenticates nothing (anyone who guesses the URL can
speak for any chat id) and calls the Bot API from its constructor. This one

* refuses every request whose ``X-Telegram-Bot-Api-Secret-Token`` is not the configured secret
  (constant-time compare, 403, nothing parsed);
* does no network I/O at import or construction: the ``telegram.Bot`` is created when the Sanic
  server starts and shut down when it stops; the webhook is registered only by
  ``python -m connectors.telegram.cli set-webhook URL``;
* is disabled, not fatal, without ``TELEGRAM_BOT_TOKEN``/``TELEGRAM_WEBHOOK_SECRET`` (warning,
  webhook answers 503; the other channels keep working).

Routes (under ``/webhooks/telegram``): ``POST /webhook`` for Telegram, ``GET /`` health.
Each update is handled before the webhook answers (Telegram waits, and a slow answer keeps the
citizen's messages in order); any failure is logged and answered 200 so that Telegram does not
redeliver an update that can never succeed. Redelivered updates (same ``update_id``) are skipped.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, Update
from telegram.error import TelegramError

from .bot_factory import build_bot
from .callbacks import CallbackTable
from .media import MediaStore, PhotoTooLarge, PhotoUnavailable
from .notices import notice
from .output import CHANNEL_NAME, TelegramOutput, Undeliverable, call_telegram
from .settings import TelegramSettings
from .updates import BARE_ATTACHMENT_TEXT, Inbound, Kind, parse_update

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
SEEN_UPDATES = 2048

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class TelegramInput(InputChannel):
    """Telegram webhook channel; see the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if credentials:
            # Secrets belong in the environment; an entry here is most likely a misplaced token.
            raise ValueError("connectors.telegram.TelegramInput takes no credentials.yml keys; "
                             "set TELEGRAM_BOT_TOKEN / TELEGRAM_WEBHOOK_SECRET in the environment")
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: Optional[TelegramSettings] = None) -> None:
        self.settings = settings or TelegramSettings.from_env()
        self.callbacks = CallbackTable(self.settings.callback_table_size)
        self.media = MediaStore(self.settings.media_max_bytes)
        self.bot: Optional[Bot] = None
        self._seen: "OrderedDict[int, None]" = OrderedDict()
        if not self.settings.configured:
            log.warning("Telegram channel disabled: %s not set; its webhook answers 503",
                        " and ".join(self.settings.missing))

    # ------------------------------------------------------------------ output

    def output(self) -> Optional[TelegramOutput]:
        if self.bot is None:
            return None
        return TelegramOutput(self.bot, self.callbacks, self.settings.max_retry_after)

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For pushes (operator replies, ``trigger_intent`` with ``output_channel=latest``)."""
        output = self.output()
        if output is None:
            log.warning("Telegram output requested but the channel is %s",
                        "not configured" if not self.settings.configured else "not started")
        return output

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Create the bot (server start). ``getMe`` checks the token; failure only logs, so a
        Telegram outage at start-up does not take the Rasa server down with it."""
        if not self.settings.configured:
            return
        await self.media.start()
        bot = build_bot(self.settings)
        self.bot = bot
        try:
            await asyncio.wait_for(bot.initialize(), timeout=self.settings.connect_timeout + self.settings.read_timeout)
            log.info("Telegram channel started as @%s (Bot API %s)", bot.username, self.settings.api_base_url)
        except (TelegramError, asyncio.TimeoutError) as exc:
            log.warning("Telegram channel: Bot API not reachable at start (%s: %s); will try on each call",
                        type(exc).__name__, exc)

    async def stop(self) -> None:
        bot, self.bot = self.bot, None
        if bot is not None:
            try:
                await bot.shutdown()
            except Exception:  # noqa: BLE001 — shutting down anyway
                log.exception("Telegram channel: error while shutting the bot down")
        await self.media.close()

    # ------------------------------------------------------------------ webhook

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint("telegram_webhook", __name__)

        @bp.listener("before_server_start")
        async def start_bot(app: Sanic, loop: Any) -> None:
            await self.start()

        @bp.listener("after_server_stop")
        async def stop_bot(app: Sanic, loop: Any) -> None:
            await self.stop()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            state = "ok" if self.bot is not None else ("disabled" if not self.settings.configured else "starting")
            return response.json({"status": state})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.handle_webhook(request.headers.get(SECRET_HEADER), request.body, on_new_message)

        return bp

    def authentic(self, header: Optional[str]) -> bool:
        """Constant-time comparison with the configured secret."""
        given = (header or "").encode("utf-8", "replace")
        return bool(header) and hmac.compare_digest(given, self.settings.webhook_secret.encode("utf-8"))

    async def handle_webhook(self, secret: Optional[str], body: bytes, on_new_message: OnNewMessage) -> HTTPResponse:
        if not self.settings.configured or self.bot is None:
            return response.json({"ok": False, "error": "telegram channel not configured"}, status=503)
        if not self.authentic(secret):
            log.warning("Telegram webhook: request with a %s secret refused", "wrong" if secret else "missing")
            return response.json({"ok": False, "error": "forbidden"}, status=403)
        if len(body or b"") > MAX_UPDATE_BYTES:
            return response.json({"ok": False, "error": "too large"}, status=413)
        try:
            data = json.loads(body or b"")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return response.json({"ok": False, "error": "not an update"}, status=400)
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # noqa: BLE001 — a shape PTB does not know: skip, do not make Telegram retry
            log.warning("Telegram update %s not understood (%s: %s); ignored", data.get("update_id"), type(exc).__name__, exc)
            return response.json({"ok": True})
        if self._seen_before(update.update_id):
            log.info("Telegram update %s delivered again; skipped", update.update_id)
            return response.json({"ok": True})
        try:
            inbound = parse_update(update, max_chars=self.settings.max_message_chars,
                                   media_max_bytes=self.settings.media_max_bytes)
            await self.dispatch(update.update_id, inbound, on_new_message)
        except Exception:  # noqa: BLE001 — answered 200: a retry by Telegram would fail the same way
            log.exception("Telegram update %s failed", update.update_id)
        return response.json({"ok": True})

    def _seen_before(self, update_id: int) -> bool:
        if update_id in self._seen:
            return True
        self._seen[update_id] = None
        while len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return False

    # ------------------------------------------------------------------ carrying out an update

    async def dispatch(self, update_id: int, inbound: Inbound, on_new_message: OnNewMessage) -> None:
        output = self.output()
        assert output is not None and self.bot is not None
        if inbound.kind is Kind.IGNORED:
            log.info("Telegram update %s ignored: %s", update_id, inbound.reason)
            return
        if inbound.kind is Kind.NOTICE:
            log.info("Telegram update %s: %s, answered with a notice", update_id, inbound.reason)
            await output.send_text_message(inbound.sender_id, notice(inbound.notice, inbound.language))
            return
        if inbound.kind is Kind.CALLBACK:
            text = await self._answer_callback(inbound)
            if text is None:
                return
            inbound.text = text
        if inbound.kind is Kind.PHOTO:
            if not await self._store_photo(inbound, output):
                return
        await self._send_typing(inbound.chat_id)
        await on_new_message(UserMessage(
            text=inbound.text, output_channel=output, sender_id=inbound.sender_id,
            input_channel=self.name(), metadata=inbound.metadata or None,
        ))

    async def _answer_callback(self, inbound: Inbound) -> Optional[str]:
        """Stop the button's spinner, take the keyboard away (no double answers), return the payload."""
        bot, chat_id = self.bot, inbound.chat_id or 0
        assert bot is not None
        payload = self.callbacks.decode(inbound.callback_data)
        expired = None if payload else notice("button_expired", inbound.language)
        try:
            await call_telegram("answerCallbackQuery", chat_id,
                                lambda: bot.answer_callback_query(inbound.callback_query_id, text=expired),
                                self.settings.max_retry_after)
        except Undeliverable:
            pass
        if payload is None:
            log.info("Telegram chat %s: button with unknown callback data %r", chat_id, inbound.callback_data[:64])
            return None
        if inbound.callback_message_id is not None:
            try:
                await call_telegram("editMessageReplyMarkup", chat_id,
                                    lambda: bot.edit_message_reply_markup(chat_id=chat_id,
                                                                          message_id=inbound.callback_message_id,
                                                                          reply_markup=None),
                                    self.settings.max_retry_after)
            except Undeliverable:
                pass
        return payload

    async def _store_photo(self, inbound: Inbound, output: TelegramOutput) -> bool:
        """Photo → case service → ``metadata.media_urls``; ``False`` when nothing is left to send."""
        assert self.bot is not None
        try:
            url = await self.media.fetch_and_store(self.bot, inbound.photo_file_id, inbound.photo_unique_id)
        except (PhotoTooLarge, PhotoUnavailable) as exc:
            log.warning("Telegram chat %s: photo not stored: %s", inbound.chat_id, exc)
            name = "photo_too_large" if isinstance(exc, PhotoTooLarge) else "photo_failed"
            await output.send_text_message(inbound.sender_id, notice(name, inbound.language))
            return bool(inbound.text)  # the caption still goes to the bot
        log.info("Telegram chat %s: photo stored", inbound.chat_id)
        inbound.metadata = {**inbound.metadata, "media_urls": [url]}
        inbound.text = inbound.text or BARE_ATTACHMENT_TEXT
        return True

    async def _send_typing(self, chat_id: Optional[int]) -> None:
        """A courtesy while the model works; never worth a failure or a retry."""
        if self.bot is None or chat_id is None:
            return
        try:
            await self.bot.send_chat_action(chat_id=chat_id, action="typing")
        except TelegramError as exc:
            log.debug("Telegram chat %s: typing indicator failed: %s", chat_id, exc)
