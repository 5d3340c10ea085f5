"""Console settings, read once from the environment (no secrets in the repository).

``OPERATOR_CONSOLE_DB``            SQLite file (users, sessions, queue), default ``$HOTLINE_VAR_DIR/operator_console.sqlite3``
``OPERATOR_CONSOLE_SECRET``        shared secret the action server sends to ``POST /internal/handoffs``
                                   (unset: the internal API answers 503 and the bot says no operator is reachable)
``RASA_URL`` / ``RASA_TOKEN``      Rasa HTTP API (replies, following the citizen, release)
``OPERATOR_CONSOLE_SECURE_COOKIES`` ``1`` adds ``Secure`` to the session cookie (set it behind HTTPS)
``OPERATOR_CONSOLE_SESSION_HOURS`` lifetime of a login (default 12)
``OPERATOR_CONSOLE_LOGIN_FAILURES`` failed logins per IP or per name within the window before 429 (default 5)
``OPERATOR_CONSOLE_LOGIN_WINDOW``   that window in seconds (default 300)
``OPERATOR_CONSOLE_MINUTES_PER_CASE`` minutes of expected wait per conversation ahead in the queue (default 3)
``CASE_SERVICE_URL`` / ``CASE_SERVICE_API_KEY`` / ``CASE_SERVICE_TIMEOUT``  the case service, for filing a case
                                   or adding a note on the citizen's behalf (read by ``backend_client.BackendSettings``)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from backend_client.settings import positive_float

DEFAULT_RASA_URL = "http://127.0.0.1:5005"


def _flag(env: Mapping[str, str], name: str) -> bool:
    return (env.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console process needs; built once in ``__main__``."""

    database: Path = Path("var/operator_console.sqlite3")
    internal_secret: str | None = field(default=None, repr=False)
    rasa_url: str = DEFAULT_RASA_URL
    rasa_token: str | None = field(default=None, repr=False)
    secure_cookies: bool = False
    session_seconds: float = 12 * 3600.0
    login_failures: int = 5
    login_window: float = 300.0
    minutes_per_case: float = 3.0
    poll_timeout: float = 10.0
    case_service_url: str = "http://127.0.0.1:8311/open311/v2"
    case_service_api_key: str | None = field(default=None, repr=False)
    case_service_timeout: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "ConsoleSettings":
        from backend_client import BackendSettings

        env = os.environ if environ is None else environ
        backend = BackendSettings.from_env(env)
        var_dir = Path((env.get("HOTLINE_VAR_DIR") or "var").strip())
        database = (env.get("OPERATOR_CONSOLE_DB") or "").strip()
        return cls(
            database=Path(database) if database else var_dir / "operator_console.sqlite3",
            internal_secret=(env.get("OPERATOR_CONSOLE_SECRET") or "").strip() or None,
            rasa_url=(env.get("RASA_URL") or DEFAULT_RASA_URL).strip().rstrip("/"),
            rasa_token=(env.get("RASA_TOKEN") or "").strip() or None,
            secure_cookies=_flag(env, "OPERATOR_CONSOLE_SECURE_COOKIES"),
            session_seconds=positive_float(env, "OPERATOR_CONSOLE_SESSION_HOURS", 12.0) * 3600.0,
            login_failures=int(positive_float(env, "OPERATOR_CONSOLE_LOGIN_FAILURES", 5)),
            login_window=positive_float(env, "OPERATOR_CONSOLE_LOGIN_WINDOW", 300.0),
            minutes_per_case=positive_float(env, "OPERATOR_CONSOLE_MINUTES_PER_CASE", 3.0),
            case_service_url=backend.url,
            case_service_api_key=backend.api_key,
            case_service_timeout=backend.timeout,
        )
