"""The few calls of Rasa's HTTP API the console needs (``--enable-api --auth-token``).

* follow the citizen: ``GET /conversations/{id}/tracker?include_events=ALL``;
* an operator reply: a ``bot`` event appended with ``execute_side_effects=true`` and
  ``output_channel=latest``, so Rasa sends it through the citizen's own channel (the web chat
  puts it into the session's outbox and room, see docs/webchat.md);
* release: ``slot handoff_requested=false`` + ``resume`` appended, after which the bot answers again.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp


class RasaUnavailable(RuntimeError):
    """Rasa did not answer or refused the call."""


class RasaApi:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str | None, timeout: float = 10.0) -> None:
        self.session, self.base_url, self.token = session, base_url.rstrip("/"), token
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def _call(self, method: str, conversation_id: str, suffix: str, params: dict[str, str],
                    body: Any = None) -> Any:
        if self.token:
            params = {**params, "token": self.token}
        url = f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{suffix}"
        try:
            async with self.session.request(method, url, params=params, json=body, timeout=self.timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered {response.status} to {method} {suffix}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise RasaUnavailable(f"Rasa unreachable: {error.__class__.__name__}") from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return await self._call("GET", conversation_id, "tracker", {"include_events": "ALL"})

    async def send_bot_message(self, conversation_id: str, text: str, operator: str) -> None:
        await self._call(
            "POST", conversation_id, "tracker/events",
            {"output_channel": "latest", "execute_side_effects": "true"},
            [{"event": "bot", "text": text, "metadata": {"operator": operator}}],
        )

    async def resume(self, conversation_id: str) -> None:
        await self._call(
            "POST", conversation_id, "tracker/events", {},
            [{"event": "slot", "name": "handoff_requested", "value": False}, {"event": "resume"}],
        )
