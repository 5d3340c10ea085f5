"""The reference case backend of hotline12345: an Open311 GeoReport v2 server
with the 12345 work-order extensions described in docs/architecture.md.

Importing the package opens nothing; ``case_service.app.create_app(settings)``
builds the aiohttp application and ``python -m case_service`` runs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["create_app", "Settings"]

if TYPE_CHECKING:  # pragma: no cover
    from .app import create_app
    from .settings import Settings


def __getattr__(name: str) -> Any:
    # Lazy, so ``import case_service.settings`` does not pull in aiohttp/SQLAlchemy.
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
