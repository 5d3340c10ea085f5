"""Settings of the case service, read once from the environment.

Everything configurable lives here so that the rest of the package never
touches ``os.environ``: a test or the CLI builds one ``Settings`` and passes it
down explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The repository root: ``data/`` and the default ``var/`` live under it."""

MIB = 1024 * 1024


def default_var_dir(env: Mapping[str, str]) -> Path:
    """State directory: ``HOTLINE_VAR_DIR`` or ``var/`` under the project."""
    raw = env.get("HOTLINE_VAR_DIR", "").strip()
    path = Path(raw) if raw else PROJECT_ROOT / "var"
    return path if path.is_absolute() else (Path.cwd() / path)


def default_database_url(var_dir: Path) -> str:
    """The SQLite file ``cases.db`` in the state directory."""
    return f"sqlite+aiosqlite:///{(var_dir / 'cases.db').as_posix()}"


def parse_api_keys(raw: str) -> frozenset[str]:
    """Split ``CASE_SERVICE_API_KEYS`` (comma separated, blanks ignored)."""
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Immutable configuration of one case service process."""

    database_url: str
    api_keys: frozenset[str] = field(default_factory=frozenset)
    host: str = "127.0.0.1"
    port: int = 8311
    var_dir: Path = PROJECT_ROOT / "var"
    data_dir: Path = PROJECT_ROOT / "data"
    public_url: Optional[str] = None
    """Externally visible base URL (``…/open311/v2``) when behind a proxy;
    otherwise links are built from the request's own scheme and host."""
    max_body_bytes: int = 1 * MIB
    """``client_max_size`` for form bodies: far above any valid request."""
    max_media_bytes: int = 5 * MIB
    auto_migrate: bool = True
    """Run ``alembic upgrade head`` at start so a deployed DB upgrades in place."""

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **overrides: Any) -> "Settings":
        """Build settings from ``env`` (default ``os.environ``); keyword
        arguments that are not ``None`` win over the environment."""
        env = os.environ if env is None else env
        var_dir = default_var_dir(env)
        values: dict[str, Any] = {
            "database_url": env.get("CASE_SERVICE_DATABASE_URL", "").strip()
            or default_database_url(var_dir),
            "api_keys": parse_api_keys(env.get("CASE_SERVICE_API_KEYS", "")),
            "var_dir": var_dir,
            "public_url": env.get("CASE_SERVICE_PUBLIC_URL", "").strip().rstrip("/") or None,
        }
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def with_changes(self, **changes: Any) -> "Settings":
        """A copy with some fields replaced (settings stay immutable)."""
        return replace(self, **changes)
