"""``WebChatInput``: the web chat as a Rasa input channel (``connectors.webchat.WebChatInput``).

Rasa 3.6 ships a socket.io channel, but it calls python-socketio's now-async
``enter_room`` without awaiting it, so with session persistence the socket never joins
its session's room and later pushes (operator replies, ``trigger_intent``) are lost.
This channel runs its own ``AsyncServer`` (see :mod:`.hub`) and adds what a public
hotline needs: replay without duplicates, limits, photo upload and the pages.

Constructing it reads settings only; the socket server is created in :meth:`blueprint`
and the case-service session when the Sanic server starts.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from . import page, upload
from .hub import CHANNEL_NAME, WebChatHub
from .settings import WebChatSettings

log = logging.getLogger(__name__)


class WebChatBlueprint(Blueprint):
    """A blueprint that also attaches the socket.io server to the app it is registered on."""

    def __init__(self, hub: WebChatHub, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.hub = hub

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        hub: WebChatHub = self.ctx.hub
        hub.sio.attach(app, hub.settings.socketio_path)
        super().register(app, options)


class WebChatInput(InputChannel):
    """Socket.io web chat speaking the rasa-webchat protocol; see :mod:`.hub`."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(WebChatSettings.from_env().with_overrides(credentials))

    def __init__(self, settings: Optional[WebChatSettings] = None) -> None:
        self.settings = settings or WebChatSettings.from_env()
        self.hub: Optional[WebChatHub] = None
        self.media = upload.MediaStore()

    def get_output_channel(self) -> Optional[OutputChannel]:
        """For pushes (``trigger_intent``, appended bot events): deliver into the session."""
        if self.hub is None:
            log.warning("web chat output requested before the channel was started")
            return None
        return self.hub.output_channel()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        settings = self.settings
        hub = self.hub = WebChatHub(settings, on_new_message)
        media = self.media
        bp = WebChatBlueprint(hub, "webchat_webhook", __name__)

        @bp.listener("before_server_start")
        async def open_media_store(app: Sanic, loop: Any) -> None:
            await media.start()

        @bp.listener("after_server_stop")
        async def close_media_store(app: Sanic, loop: Any) -> None:
            await media.close()

        @bp.route("/", methods=["GET"])
        async def citizen_page(request: Request) -> HTTPResponse:
            return await page.citizen_page(request, settings)

        @bp.route("/widget", methods=["GET"])
        async def widget_page(request: Request) -> HTTPResponse:
            return await page.widget_page(request, settings)

        @bp.route("/static/<name>", methods=["GET"])
        async def static_file(request: Request, name: str) -> HTTPResponse:
            return await page.static_file(request, name, settings)

        @bp.route("/vendor/<name>", methods=["GET"])
        async def vendor_file(request: Request, name: str) -> HTTPResponse:
            return await page.vendor_file(request, name, settings)

        @bp.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "sessions": len(hub.sessions)})

        @bp.route("/upload", methods=["POST"], stream=True)
        async def upload_photo(request: Request) -> HTTPResponse:
            return await upload.handle_upload(request, hub.sessions, media, settings)

        return bp
