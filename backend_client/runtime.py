"""The action server's process-wide backend: one aiohttp session, opened lazily.

Actions call ``await open_backend()`` (cheap after the first call) and the
server's shutdown hook calls ``await close()``. Nothing happens at import time,
so importing the actions never opens sockets.
"""

from __future__ import annotations

import aiohttp

from .client import CaseBackend
from .settings import BackendSettings

_session: aiohttp.ClientSession | None = None
_backend: CaseBackend | None = None


async def open_backend(settings: BackendSettings | None = None) -> CaseBackend:
    """Return the process-wide :class:`CaseBackend`, creating session and client on first use.

    ``settings`` defaults to :meth:`BackendSettings.from_env`; it is only read on
    the first call (settings are read once per process).
    """
    global _session, _backend
    if _backend is not None and _session is not None and not _session.closed:
        return _backend
    settings = settings or BackendSettings.from_env()
    # No await between the check and the assignment: concurrent first callers
    # on one event loop cannot create two sessions.
    _session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=32, ttl_dns_cache=300),
        timeout=aiohttp.ClientTimeout(total=settings.timeout),
    )
    _backend = CaseBackend(settings.url, _session, api_key=settings.api_key, timeout=settings.timeout)
    return _backend


async def close() -> None:
    """Close the process-wide session (idempotent); call it on action-server shutdown."""
    global _session, _backend
    session, _session, _backend = _session, None, None
    if session is not None and not session.closed:
        await session.close()
