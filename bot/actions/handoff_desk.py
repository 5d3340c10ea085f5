"""Where hand-offs are queued: the operator console's internal API.

``POST {OPERATOR_CONSOLE_URL}/internal/handoffs`` with ``Authorization: Bearer
{OPERATOR_CONSOLE_SECRET}`` and a summary of the conversation → ``{id, position,
expected_wait_minutes}``. Any failure (not configured, unreachable, refused) is
:class:`DeskUnavailable`: the action then must not pause the bot, or the citizen would wait for
a person nobody will ever send.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

import aiohttp

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueTicket:
    handoff_id: int
    position: int  # 1 = next in line; 0 = an operator has the conversation already
    expected_wait_minutes: int


class DeskUnavailable(RuntimeError):
    """No operator queue can be reached right now."""


class HandoffDesk(Protocol):
    async def request(self, summary: dict[str, Any]) -> QueueTicket: ...


class NoDesk:
    """No console configured (``OPERATOR_CONSOLE_URL`` unset)."""

    async def request(self, summary: dict[str, Any]) -> QueueTicket:
        raise DeskUnavailable("OPERATOR_CONSOLE_URL is not set")


class ConsoleDesk:
    def __init__(self, session: Callable[[], Awaitable[aiohttp.ClientSession]], base_url: str, secret: str | None,
                 timeout: float) -> None:
        self._session, self.base_url, self.secret, self.timeout = session, base_url.rstrip("/"), secret, timeout

    async def request(self, summary: dict[str, Any]) -> QueueTicket:
        session = await self._session()
        headers = {"Authorization": f"Bearer {self.secret or ''}"}
        try:
            async with session.post(f"{self.base_url}/internal/handoffs", json=summary, headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
                if response.status != 200:
                    raise DeskUnavailable(f"console answered {response.status}")
                body = await response.json()
            return QueueTicket(int(body["id"]), int(body["position"]), int(body["expected_wait_minutes"]))
        except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, TypeError, ValueError) as error:
            raise DeskUnavailable(f"console unreachable: {error.__class__.__name__}") from error
