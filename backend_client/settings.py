"""Settings for reaching the case service, read once from the environment.

``CASE_SERVICE_URL``      base of the Open311 endpoint (default ``http://127.0.0.1:8311/open311/v2``)
``CASE_SERVICE_API_KEY``  key the bot posts with (optional; never printed — excluded from repr)
``CASE_SERVICE_TIMEOUT``  seconds per HTTP call (default 5)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

DEFAULT_URL = "http://127.0.0.1:8311/open311/v2"
DEFAULT_TIMEOUT = 5.0


def positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    """``env[name]`` as a positive number, ``default`` when unset; a bad value fails loudly at start-up.

    Shared by every process's settings (actions, channels, console): they all reach the case service
    through this package, and a mistyped limit must be refused the same way everywhere.
    """
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def http_url(name: str, value: str, *, optional: bool = False) -> str:
    """``value`` if it is an http(s) URL (or empty and ``optional``); anything else (``javascript:``,
    a bare host) fails at start-up.

    Shared like :func:`positive_float`: every URL a process is configured with is checked the same way.
    """
    if optional and not value:
        return value
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http(s) URL, got {value!r}")
    return value


@dataclass(frozen=True)
class BackendSettings:
    """Where the case service is and how to talk to it."""

    url: str = DEFAULT_URL
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "BackendSettings":
        """Read the settings; a bad timeout fails loudly at start-up rather than per call."""
        env = os.environ if environ is None else environ
        url = (env.get("CASE_SERVICE_URL") or DEFAULT_URL).strip().rstrip("/")
        api_key = (env.get("CASE_SERVICE_API_KEY") or "").strip() or None
        timeout = positive_float(env, "CASE_SERVICE_TIMEOUT", DEFAULT_TIMEOUT)
        return cls(url=http_url("CASE_SERVICE_URL", url), api_key=api_key, timeout=timeout)
