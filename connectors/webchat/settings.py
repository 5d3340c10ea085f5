"""Settings of the web chat channel, read once from the environment.

Every limit lives here so that an operator can tune it without touching code, and so
that tests can start a server with small limits. ``credentials.yml`` may override any
field by its name (``connectors.webchat.WebChatInput: {max_message_chars: 2000}``), but
the intended place is the environment:

``WEBCHAT_SOCKETIO_PATH``       socket.io endpoint (default ``/webhooks/webchat/socket.io``)
``WEBCHAT_CORS_ORIGINS``        comma list of origins allowed to open the socket; ``*`` = any;
                                empty (default) leaves CORS to Rasa's ``--cors`` like Rasa's own channel
``WEBCHAT_MAX_MESSAGE_CHARS``   longer citizen messages are cut there, with a polite note (4000)
``WEBCHAT_RATE_BURST``          messages a citizen may send at once (6)
``WEBCHAT_RATE_PER_MINUTE``     sustained messages per minute after the burst (20)
``WEBCHAT_OUTBOX_SIZE``         bot messages kept per conversation for replay after a reconnect (100)
``WEBCHAT_MAX_SESSIONS``        conversations kept in memory, least recently used dropped first (10000)
``WEBCHAT_UPLOAD_MAX_BYTES``    photo size limit (5 MiB, the case service's own limit)
``WEBCHAT_UPLOADS_PER_MINUTE``  photos per conversation per minute (6)
``WEBCHAT_IMAGE_ORIGINS``       extra origins the page may show images from (CSP ``img-src``)
``WEBCHAT_VOICE_URL``           the voice gateway's push-to-talk page, linked from the citizen page
                              (``make run`` sets it; empty = no link)
``WEBCHAT_COMMANDS``            ``/intent`` payloads a citizen may type (default ``/greet``); others
                                are only accepted when the bot offered them as a quick reply

The case service is reached with :class:`backend_client.BackendSettings` (``CASE_SERVICE_URL``,
``CASE_SERVICE_API_KEY``), read by the upload module when the server starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Optional

from backend_client.settings import http_url, positive_float

MIB = 1024 * 1024


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(item.strip() for item in raw.split(",") if item.strip())


@dataclass(frozen=True)
class WebChatSettings:
    """Limits and paths of the web chat; see the module docstring for the variables."""

    socketio_path: str = "/webhooks/webchat/socket.io"
    cors_origins: tuple[str, ...] = ()
    max_message_chars: int = 4000
    rate_burst: int = 6
    rate_per_minute: float = 20.0
    outbox_size: int = 100
    max_sessions: int = 10_000
    upload_max_bytes: int = 5 * MIB
    uploads_per_minute: float = 6.0
    image_origins: tuple[str, ...] = ()
    commands: tuple[str, ...] = ("/greet",)
    user_message_evt: str = "user_uttered"
    bot_message_evt: str = "bot_uttered"
    voice_url: str = ""

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "WebChatSettings":
        """Read the settings; a malformed value fails at start-up, not on the first citizen."""
        env = os.environ if environ is None else environ
        path = (env.get("WEBCHAT_SOCKETIO_PATH") or cls.socketio_path).strip()
        return cls(
            socketio_path="/" + path.strip("/"),
            cors_origins=_list(env, "WEBCHAT_CORS_ORIGINS"),
            max_message_chars=_int(env, "WEBCHAT_MAX_MESSAGE_CHARS", cls.max_message_chars, minimum=10),
            rate_burst=_int(env, "WEBCHAT_RATE_BURST", cls.rate_burst),
            rate_per_minute=positive_float(env, "WEBCHAT_RATE_PER_MINUTE", cls.rate_per_minute),
            outbox_size=_int(env, "WEBCHAT_OUTBOX_SIZE", cls.outbox_size),
            max_sessions=_int(env, "WEBCHAT_MAX_SESSIONS", cls.max_sessions),
            upload_max_bytes=_int(env, "WEBCHAT_UPLOAD_MAX_BYTES", cls.upload_max_bytes, minimum=1024),
            uploads_per_minute=positive_float(env, "WEBCHAT_UPLOADS_PER_MINUTE", cls.uploads_per_minute),
            image_origins=_list(env, "WEBCHAT_IMAGE_ORIGINS"),
            commands=_list(env, "WEBCHAT_COMMANDS", cls.commands),
            voice_url=http_url("WEBCHAT_VOICE_URL", (env.get("WEBCHAT_VOICE_URL") or "").strip(), optional=True),
        )

    def with_overrides(self, overrides: Optional[Mapping[str, Any]]) -> "WebChatSettings":
        """Apply ``credentials.yml`` values whose keys name a field; unknown keys are an error.

        Failing on an unknown key catches typos (``max_mesage_chars``) that would otherwise
        silently leave a limit at its default.
        """
        if not overrides:
            return self
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ValueError(f"unknown web chat settings in credentials.yml: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            current = getattr(self, name)
            if isinstance(current, tuple):
                value = tuple(value) if isinstance(value, (list, tuple)) else tuple(str(value).split(","))
            elif isinstance(current, bool):
                value = bool(value)
            elif isinstance(current, (int, float, str)):
                value = type(current)(value)
            values[name] = value
        return replace(self, **values)
