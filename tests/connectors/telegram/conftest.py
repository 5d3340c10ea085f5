"""Fixtures of the Telegram tests.

* ``rasa_stack`` (session, from ``tests/conftest.py``): the real Rasa server whose Telegram channel
  talks to the Bot API double ``rasa_stack.telegram`` (``tests/support/telegram_double.py``),
  started with it in ``tests/support/fixtures.py``; launched at the first Telegram test so that the
  model loads while the unit tests run;
* ``telegram``: a :class:`Telegram` helper that posts Update JSON to the webhook (with the secret)
  and returns the Bot API calls each update caused.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Optional

import aiohttp
import pytest

from tests.support.fixtures import launch_early
from tests.support.telegram_double import Call, TelegramDouble


@pytest.fixture(scope="session", autouse=True)
def _load_the_model_meanwhile(request: pytest.FixtureRequest) -> None:
    launch_early(request)


class Telegram:
    """Telegram's side of the webhook, plus Rasa's HTTP API for assertions."""

    def __init__(self, http: aiohttp.ClientSession, stack: Any) -> None:
        self.http = http
        self.stack = stack
        self.api: TelegramDouble = stack.telegram
        self.secret = stack.rasa.env["TELEGRAM_WEBHOOK_SECRET"]
        self.webhook_url = f"{stack.url}/webhooks/telegram/webhook"

    async def post(self, update: dict, secret: Optional[str] = "default") -> int:
        headers = {}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret if secret == "default" else secret
        async with self.http.post(self.webhook_url, json=update, headers=headers) as response:
            return response.status

    async def send(self, update: dict) -> list[Call]:
        """Deliver ``update`` as Telegram would; the Bot API calls it caused (the webhook answers
        only after the update was handled, so they are all there)."""
        before = len(self.api.calls)
        status = await self.post(update)
        assert status == 200
        return self.api.calls[before:]

    async def replies(self, update: dict) -> list[dict]:
        return [call.params for call in await self.send(update) if call.method in ("sendMessage", "sendPhoto")]

    async def tracker(self, chat_id: int) -> dict:
        url = f"{self.stack.url}/conversations/tg-{chat_id}/tracker"
        async with self.http.get(url, params={"token": self.stack.token}) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def rasa(self, method: str, path: str, **kwargs: Any) -> Any:
        params = {"token": self.stack.token, **kwargs.pop("params", {})}
        async with self.http.request(method, f"{self.stack.url}{path}", params=params, **kwargs) as response:
            assert response.status == 200, await response.text()
            return await response.json()


@pytest.fixture
async def telegram(rasa_stack: Any) -> AsyncIterator[Telegram]:
    if rasa_stack.telegram is None:
        pytest.skip("the stack was started without the Telegram Bot API double")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        yield Telegram(http, rasa_stack)
