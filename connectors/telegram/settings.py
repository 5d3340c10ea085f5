"""Settings of the Telegram channel, read once from the environment.

Secrets live only in the environment (never in ``credentials.yml`` or the repository):

``TELEGRAM_BOT_TOKEN``          the token BotFather gave (``123456:ABC…``)
``TELEGRAM_WEBHOOK_SECRET``     the ``secret_token`` given to ``setWebhook``; Telegram sends it back in
                                ``X-Telegram-Bot-Api-Secret-Token`` and every other request is refused
``TELEGRAM_API_BASE_URL``       optional root of the Bot API (default ``https://api.telegram.org``); a
                                local Bot API server or the test double, e.g. ``http://127.0.0.1:8081``

Tunables (rarely changed): ``TELEGRAM_CONNECT_TIMEOUT`` (5 s), ``TELEGRAM_READ_TIMEOUT`` (10 s),
``TELEGRAM_WRITE_TIMEOUT`` (10 s), ``TELEGRAM_MEDIA_TIMEOUT`` (30 s, uploads/downloads),
``TELEGRAM_MAX_RETRY_AFTER`` (10 s: the longest a 429 is waited out before the one retry),
``TELEGRAM_MEDIA_MAX_BYTES`` (5 MiB, the case service's limit), ``TELEGRAM_CALLBACK_TABLE_SIZE``
(10,000 long button payloads remembered).

Without a token or secret the channel is *disabled*, not broken: it logs a warning and its webhook
answers 503, so ``make run`` and the other channels work without a Telegram bot.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional

from backend_client.settings import http_url, positive_float

MIB = 1024 * 1024
DEFAULT_API_BASE_URL = "https://api.telegram.org"
#: What Telegram accepts as ``secret_token`` (Bot API, setWebhook).
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = positive_float(env, name, float(default))
    if value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class TelegramSettings:
    """Token, secret, Bot API location and limits; see the module docstring for the variables."""

    token: str = ""
    webhook_secret: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    write_timeout: float = 10.0
    media_timeout: float = 30.0
    max_retry_after: float = 10.0
    media_max_bytes: int = 5 * MIB
    callback_table_size: int = 10_000
    max_message_chars: int = 4000

    @property
    def configured(self) -> bool:
        """Both secrets present: only then is the webhook served."""
        return bool(self.token and self.webhook_secret)

    @property
    def missing(self) -> list[str]:
        names = [("TELEGRAM_BOT_TOKEN", self.token), ("TELEGRAM_WEBHOOK_SECRET", self.webhook_secret)]
        return [name for name, value in names if not value]

    @property
    def bot_base_url(self) -> str:
        """PTB's ``base_url`` (the token is appended by PTB): ``<root>/bot``."""
        return f"{self.api_base_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.api_base_url}/file/bot"

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "TelegramSettings":
        """Read the settings; a malformed value fails at start-up, a missing secret disables the channel."""
        env = os.environ if environ is None else environ
        secret = (env.get("TELEGRAM_WEBHOOK_SECRET") or "").strip()
        if secret and not SECRET_PATTERN.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        base = (env.get("TELEGRAM_API_BASE_URL") or "").strip().rstrip("/") or DEFAULT_API_BASE_URL
        base = http_url("TELEGRAM_API_BASE_URL", base)
        return cls(
            token=(env.get("TELEGRAM_BOT_TOKEN") or "").strip(),
            webhook_secret=secret,
            api_base_url=base,
            connect_timeout=positive_float(env, "TELEGRAM_CONNECT_TIMEOUT", cls.connect_timeout),
            read_timeout=positive_float(env, "TELEGRAM_READ_TIMEOUT", cls.read_timeout),
            write_timeout=positive_float(env, "TELEGRAM_WRITE_TIMEOUT", cls.write_timeout),
            media_timeout=positive_float(env, "TELEGRAM_MEDIA_TIMEOUT", cls.media_timeout),
            max_retry_after=positive_float(env, "TELEGRAM_MAX_RETRY_AFTER", cls.max_retry_after),
            media_max_bytes=_int(env, "TELEGRAM_MEDIA_MAX_BYTES", cls.media_max_bytes),
            callback_table_size=_int(env, "TELEGRAM_CALLBACK_TABLE_SIZE", cls.callback_table_size),
        )

    def __repr__(self) -> str:  # never print the secrets (logs, tracebacks)
        return (f"TelegramSettings(configured={self.configured}, api_base_url={self.api_base_url!r}, "
                f"max_retry_after={self.max_retry_after})")
