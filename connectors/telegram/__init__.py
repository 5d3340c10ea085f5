"""Telegram channel for the hotline: webhook mode inside the Rasa server, on python-telegram-bot.

Registered in ``credentials.yml`` as ``connectors.telegram.TelegramInput:``. Setup (BotFather
token, webhook secret, ``python -m connectors.telegram.cli set-webhook URL``) is in
``docs/telegram.md``. Nothing here touches the network at import or construction time.

``TelegramInput`` is imported lazily (PEP 562) so that the CLI does not load Rasa and Sanic.
"""

from typing import Any

__all__ = ["TelegramInput"]


def __getattr__(name: str) -> Any:
    if name == "TelegramInput":
        from .channel import TelegramInput

        return TelegramInput
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
