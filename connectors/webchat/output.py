"""Bot messages in the plain rasa-webchat format, handed to the hub for numbering and emission.

The shapes are exactly those of Rasa's own socket.io channel (``{"text"}``,
``{"text", "quick_replies"}``, ``{"attachment"}``), because the stock widget silently drops
a message with any key it does not know. Unlike Rasa's channel, text is not split at blank
lines: the page shows line breaks itself, and quick replies stay with their question.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Iterable, List, Text

from rasa.core.channels.channel import OutputChannel

Deliver = Callable[[str, Dict[str, Any]], Awaitable[None]]


class WebChatOutput(OutputChannel):
    """Sends to a web chat session (``recipient_id`` is the session id)."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._deliver(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        quick_replies = [
            {"content_type": "text", "title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
            for button in buttons
        ]
        await self._deliver(recipient_id, {"text": text, "quick_replies": quick_replies})

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._deliver(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})

    async def send_attachment(  # type: ignore[override]
        self, recipient_id: Text, attachment: Dict[Text, Any], **kwargs: Any
    ) -> None:
        await self._deliver(recipient_id, {"attachment": attachment})

    async def send_elements(self, recipient_id: Text, elements: Iterable[Dict[Text, Any]], **kwargs: Any) -> None:
        for element in elements:
            payload = {"template_type": "generic", "elements": element}
            await self._deliver(recipient_id, {"attachment": {"type": "template", "payload": payload}})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._deliver(recipient_id, dict(json_message))
