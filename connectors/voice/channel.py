"""``VoiceInput``: the Rasa side of the voice gateway (``connectors.voice.VoiceInput`` in
credentials.yml), at ``POST /webhooks/voice/webhook``.

Like Rasa's REST channel it answers with the bot's messages, but it also

* refuses every request without the shared ``X-Voice-Secret`` (constant-time comparison; without
  ``VOICE_CHANNEL_SECRET`` the channel is disabled and answers 503),
* passes the gateway's metadata to the message (``{"language": "zh"|"en", "input": "speech"|"keypad"}``:
  the language detector in bot/nlp obeys ``language``, so the reply matches what was spoken),
* reports what the assistant expects next (``requested_slot``), whether the conversation is with a
  person now (``paused``) and whether this turn asked for one (``handoff``): the gateway needs them
  for read-back and for the transfer on the phone line,
* delivers later pushes (operator replies during a hand-off) to the gateway's ``/internal/push``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .protocol import SECRET_HEADER, secret_matches
from .settings import ChannelSettings

log = logging.getLogger(__name__)

CHANNEL_NAME = "voice"
METADATA_KEYS = ("language", "input", "call_id", "caller")
MAX_TEXT = 2000


def _handed_off_this_turn(tracker: Any) -> bool:
    """Did this turn run the hand-off (even when no console could queue it)? On the phone that is
    the moment to transfer the call."""
    for event in reversed(tracker.events):
        if getattr(event, "type_name", "") == "user":
            return False
        if getattr(event, "action_name", None) == "action_handoff":
            return True
    return False


class VoicePushOutput(OutputChannel):
    """Messages sent outside a request (operator replies) go to the gateway, which speaks them."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload = {"sender": recipient_id, "message": {k: v for k, v in message.items() if k in ("text", "buttons")}}
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.settings.push_timeout)) as session:
                async with session.post(f"{self.settings.gateway_url}/internal/push", json=payload,
                                        headers={SECRET_HEADER: self.settings.secret}) as reply:
                    if reply.status != 200:
                        log.warning("voice gateway refused a push for %s: %s", recipient_id, reply.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("voice gateway unreachable for a push to %s: %s", recipient_id, exc)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class VoiceInput(InputChannel):
    """The gateway's door into Rasa; see the module docstring."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(ChannelSettings.from_env())

    def __init__(self, settings: Optional[ChannelSettings] = None) -> None:
        self.settings = settings or ChannelSettings.from_env()
        if not self.settings.secret:
            log.warning("VOICE_CHANNEL_SECRET is not set: the voice channel is disabled (503)")

    def get_output_channel(self) -> Optional[OutputChannel]:
        return VoicePushOutput(self.settings)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("voice_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.secret else "disabled"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.secret:
                return response.json({"error": "voice channel disabled"}, status=503)
            if not secret_matches(request.headers.get(SECRET_HEADER), self.settings.secret):
                log.warning("voice webhook: wrong or missing secret from %s", request.ip)
                return response.json({"error": "forbidden"}, status=403)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender or len(sender) > 128 or not isinstance(text, str):
                return response.json({"error": "sender and message are required"}, status=400)
            raw = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
            metadata = {k: raw[k] for k in METADATA_KEYS if isinstance(raw.get(k), str)}
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text[:MAX_TEXT], collector, sender, input_channel=CHANNEL_NAME,
                                             metadata=metadata))
            state = await self._state(request, sender)
            return response.json({"messages": collector.messages, **state})

        return hook

    @staticmethod
    async def _state(request: Request, sender: str) -> Dict[str, Any]:
        agent = getattr(request.app.ctx, "agent", None)
        if agent is None or agent.tracker_store is None:
            return {"requested_slot": None, "paused": False}
        tracker = await agent.tracker_store.retrieve(sender)
        if tracker is None:
            return {"requested_slot": None, "paused": False, "handoff": False}
        return {"requested_slot": tracker.get_slot("requested_slot") if tracker.active_loop_name else None,
                "paused": tracker.is_paused(), "handoff": tracker.is_paused() or _handed_off_this_turn(tracker)}


__all__: List[str] = ["VoiceInput", "VoicePushOutput", "CHANNEL_NAME", "SECRET_HEADER"]
