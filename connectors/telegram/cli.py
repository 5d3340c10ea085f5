"""Webhook administration: the only place that registers the webhook with Telegram.

Why a command and not the server: registering on every start would silently move a production
bot's webhook to whatever host last started the Rasa server (a laptop, a test run). So it is an
explicit operator step::

    python -m connectors.telegram.cli set-webhook https://hotline.example.cn/webhooks/telegram/webhook
    python -m connectors.telegram.cli webhook-info
    python -m connectors.telegram.cli delete-webhook

``set-webhook`` passes ``TELEGRAM_WEBHOOK_SECRET`` as ``secret_token`` and asks only for the update
types the channel handles. Reads the same environment as the channel (``TELEGRAM_*``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Optional, Sequence

from telegram import Bot

from .bot_factory import build_bot
from .settings import TelegramSettings

ALLOWED_UPDATES = ["message", "callback_query"]


async def set_webhook(bot: Bot, settings: TelegramSettings, url: str, drop_pending: bool, max_connections: int) -> bool:
    return await bot.set_webhook(
        url=url, secret_token=settings.webhook_secret, allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=drop_pending, max_connections=max_connections,
    )


async def run(args: argparse.Namespace, settings: TelegramSettings) -> int:
    async with build_bot(settings) as bot:
        if args.command == "set-webhook":
            if not args.url.startswith("https://") and not args.allow_http:
                print("Telegram only calls https:// webhooks (use --allow-http for a local Bot API server)",
                      file=sys.stderr)
                return 2
            ok = await set_webhook(bot, settings, args.url, args.drop_pending_updates, args.max_connections)
            print(f"webhook set to {args.url}" if ok else "Telegram refused the webhook")
            return 0 if ok else 1
        if args.command == "delete-webhook":
            ok = await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
            print("webhook deleted" if ok else "Telegram refused")
            return 0 if ok else 1
        info = await bot.get_webhook_info()
        print(json.dumps(info.to_dict(), ensure_ascii=False, indent=2, default=str))
        return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m connectors.telegram.cli", description=__doc__.split("\n\n")[0])
    commands = root.add_subparsers(dest="command", required=True)
    setter = commands.add_parser("set-webhook", help="register URL (with the secret) as the bot's webhook")
    setter.add_argument("url")
    setter.add_argument("--drop-pending-updates", action="store_true")
    setter.add_argument("--max-connections", type=int, default=40)
    setter.add_argument("--allow-http", action="store_true", help=argparse.SUPPRESS)
    deleter = commands.add_parser("delete-webhook", help="remove the webhook")
    deleter.add_argument("--drop-pending-updates", action="store_true")
    commands.add_parser("webhook-info", help="show what Telegram knows about the webhook")
    return root


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = TelegramSettings.from_env()
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if not settings.configured:
        print(f"missing: {', '.join(settings.missing)}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run(args, settings))
    except Exception as exc:  # noqa: BLE001 — a CLI reports, it does not dump a traceback with the token
        message = str(exc).replace(settings.token, "<token>")
        print(f"Telegram call failed: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
