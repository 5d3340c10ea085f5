"""Action-server settings, read once from the environment (no secrets in the repository).

``HOTLINE_VAR_DIR``               state directory (outbox/codes SQLite file), default ``var/``
``RASA_URL`` / ``RASA_TOKEN``     Rasa HTTP API used to tell a citizen that a queued case was filed
``HOTLINE_OUTBOX_RETRY_SECONDS``  pause between background delivery rounds (default 30)
``HOTLINE_OUTBOX_WORKER``         ``0`` disables the background retry loop (tests, one-off tools)
``HOTLINE_SUBMIT_TIMEOUT``        seconds a citizen waits for a submission before it is queued (12)
``HOTLINE_CODE_SENDER``           how verification codes are sent: ``log`` (development, default)
``OPERATOR_CONSOLE_URL``          base URL of the operator console (hand-offs are queued there); unset = no
                                  online operators: the bot says so and gives the phone number
``OPERATOR_CONSOLE_SECRET``       shared secret for the console's ``/internal/handoffs``
``HOTLINE_HANDOFF_TIMEOUT``       seconds to wait for the console (default 4)
``HANDOFF_ALWAYS_HUMAN_CATEGORIES`` comma-separated level-1 categories a person always handles: when the case
                                  form's category becomes one of them the bot hands off (default ``纪检监察``;
                                  set it empty to disable)
Backend settings (``CASE_SERVICE_URL``, ``CASE_SERVICE_API_KEY``, ``CASE_SERVICE_TIMEOUT``) are read by
:class:`backend_client.BackendSettings`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from backend_client.settings import positive_float

DEFAULT_RASA_URL = "http://127.0.0.1:5005"
DEFAULT_ALWAYS_HUMAN = ("纪检监察",)


def _names(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated level-1 category names (ASCII or full-width commas); unset = ``default``."""
    raw = env.get(name)
    if raw is None:
        return default
    from bot.parsing.categories import level1_names

    names = tuple(dict.fromkeys(part.strip() for part in raw.replace("，", ",").split(",") if part.strip()))
    unknown = [n for n in names if n not in level1_names()]
    if unknown:
        raise ValueError(f"{name}: unknown level-1 categories {unknown!r}")
    return names


@dataclass(frozen=True)
class ActionSettings:
    """Everything the actions need besides the backend client's own settings."""

    var_dir: Path = Path("var")
    rasa_url: str = DEFAULT_RASA_URL
    rasa_token: str | None = field(default=None, repr=False)
    outbox_retry_seconds: float = 30.0
    outbox_worker: bool = True
    submit_timeout: float = 12.0
    deliver_timeout: float = 4.0
    code_sender: str = "log"
    code_ttl_seconds: float = 300.0
    operator_console_url: str | None = None
    operator_console_secret: str | None = field(default=None, repr=False)
    handoff_timeout: float = 4.0
    always_human_categories: tuple[str, ...] = DEFAULT_ALWAYS_HUMAN

    @property
    def state_db(self) -> Path:
        """SQLite file for the outbox and the verification codes."""
        return self.var_dir / "bot_state.sqlite3"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "ActionSettings":
        env = os.environ if environ is None else environ
        return cls(
            var_dir=Path((env.get("HOTLINE_VAR_DIR") or "var").strip()),
            rasa_url=(env.get("RASA_URL") or DEFAULT_RASA_URL).strip().rstrip("/"),
            rasa_token=(env.get("RASA_TOKEN") or "").strip() or None,
            outbox_retry_seconds=positive_float(env, "HOTLINE_OUTBOX_RETRY_SECONDS", 30.0),
            outbox_worker=(env.get("HOTLINE_OUTBOX_WORKER") or "1").strip().lower() not in ("0", "false", "no", "off"),
            submit_timeout=positive_float(env, "HOTLINE_SUBMIT_TIMEOUT", 12.0),
            code_sender=(env.get("HOTLINE_CODE_SENDER") or "log").strip().lower(),
            operator_console_url=(env.get("OPERATOR_CONSOLE_URL") or "").strip().rstrip("/") or None,
            operator_console_secret=(env.get("OPERATOR_CONSOLE_SECRET") or "").strip() or None,
            handoff_timeout=positive_float(env, "HOTLINE_HANDOFF_TIMEOUT", 4.0),
            always_human_categories=_names(env, "HANDOFF_ALWAYS_HUMAN_CATEGORIES", DEFAULT_ALWAYS_HUMAN),
        )
