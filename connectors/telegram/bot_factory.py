"""Build the ``telegram.Bot``: one place for the Bot API location and the HTTP timeouts.

Why explicit timeouts: PTB's defaults (5 s everywhere, 20 s for media) are fine for a bot but a
webhook handler inside the Rasa server must never hang on Telegram; and why a factory: the channel
creates the bot in a server-start listener and the CLI creates its own, with the same settings.
Building a ``Bot`` does no network I/O; :meth:`telegram.Bot.initialize` does (``getMe``).
"""

from __future__ import annotations

from telegram import Bot
from telegram.request import HTTPXRequest

from .settings import TelegramSettings


def build_request(settings: TelegramSettings) -> HTTPXRequest:
    """An HTTPX request object with the channel's timeouts (media calls get the longer one)."""
    return HTTPXRequest(
        connection_pool_size=8,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        write_timeout=settings.write_timeout,
        pool_timeout=settings.connect_timeout,
        media_write_timeout=settings.media_timeout,
    )


def build_bot(settings: TelegramSettings) -> Bot:
    """A ``Bot`` talking to ``settings.api_base_url`` (Telegram, a local Bot API server, a test double)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    return Bot(
        token=settings.token,
        base_url=settings.bot_base_url,
        base_file_url=settings.file_base_url,
        request=build_request(settings),
        get_updates_request=build_request(settings),
    )
