"""The socket.io side of the web chat: sessions, rooms, and delivery of bot messages.

Protocol (rasa-webchat's, so the stock widget works unchanged):

* ``session_request {session_id}`` → ``session_confirm "<session_id>"``; the socket joins
  the session's room, so anything sent to the session reaches every open tab of it.
  A session id the server did not issue (not 32 hex digits) is replaced by a new one.
* ``user_uttered {message, customData | metadata, session_id}`` → the message goes to
  Rasa with sender id = session id; replies come back as ``bot_uttered``.

Extension, used only when the page asks for it by sending ``replay_after`` (a number) in
``session_request``, because the widget drops messages with keys it does not know:

* ``session_confirm`` is then ``{session_id, epoch, last_seq}``;
* every ``bot_uttered`` carries ``seq`` (its number in the session's outbox);
* messages after ``replay_after`` are replayed right after the confirmation (all of them
  when the page's ``epoch`` is not the outbox's, e.g. after a server restart);
* ``outbox_ack {seq, epoch}`` from the page lets the outbox forget what was shown;
* ``bot_typing {typing: bool}`` brackets the time Rasa works on a message.

Sockets that did not ask (the widget) get plain messages; what was emitted while none of
the session's sockets was connected is replayed to them on their next ``session_request``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from socketio import AsyncServer

from . import inbound
from .notices import notice
from .output import WebChatOutput
from .sessions import Session, SessionRegistry
from .settings import WebChatSettings

log = logging.getLogger(__name__)

CHANNEL_NAME = "webchat"
NUMBERED_SUFFIX = "#seq"
MAX_SESSION_REQUESTS_PER_SOCKET = 20


class _Socket:
    """What the hub knows about one connected socket."""

    __slots__ = ("session_id", "numbered", "session_requests")

    def __init__(self) -> None:
        self.session_id: Optional[str] = None
        self.numbered = False
        self.session_requests = 0


class WebChatHub:
    """Owns the socket.io server and the sessions; the output channel delivers through it."""

    def __init__(
        self,
        settings: WebChatSettings,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sio: Optional[AsyncServer] = None,
    ) -> None:
        self.settings = settings
        self.on_new_message = on_new_message
        cors: Any = list(settings.cors_origins)
        if cors == ["*"]:
            cors = "*"
        self.sio = sio or AsyncServer(async_mode="sanic", cors_allowed_origins=cors)
        self.sessions = SessionRegistry(settings)
        self._sockets: dict[str, _Socket] = {}
        self._present: dict[str, set[str]] = {}
        self._register_handlers()

    # ------------------------------------------------------------------ delivery

    def output_channel(self) -> WebChatOutput:
        return WebChatOutput(self.deliver)

    @staticmethod
    def _numbered_room(session_id: str) -> str:
        return session_id + NUMBERED_SUFFIX

    def connected(self, session_id: str) -> bool:
        return bool(self._present.get(session_id))

    async def deliver(self, session_id: str, message: dict[str, Any]) -> None:
        """Number ``message``, keep it for replay and emit it to the session's open sockets."""
        if not inbound.valid_session_id(session_id):
            log.warning("web chat: message for %r dropped: not a web chat session id", session_id[:40])
            return
        session = self.sessions.get_or_create(session_id)
        async with session.lock:
            for key in ("quick_replies", "buttons"):
                session.remember_payloads(button.get("payload") for button in message.get(key) or [])
            item = session.outbox.add(message)
            if not self.connected(session_id):
                log.info("web chat %s: message %d kept for replay (no open page)", session_id[:8], item.seq)
                return
            event = self.settings.bot_message_evt
            await self.sio.emit(event, message, room=session_id)
            await self.sio.emit(event, item.with_seq(), room=self._numbered_room(session_id))
            session.outbox.mark_delivered(item.seq)

    async def _say(self, session: Session, key: str, **values: Any) -> None:
        await self.deliver(session.session_id, {"text": notice(key, session.language, **values)})

    async def _typing(self, session_id: str, typing: bool) -> None:
        await self.sio.emit("bot_typing", {"typing": typing}, room=self._numbered_room(session_id))

    # ------------------------------------------------------------------ socket events

    def _register_handlers(self) -> None:
        sio = self.sio
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        sio.on("session_request", self._on_session_request)
        sio.on(self.settings.user_message_evt, self._on_user_message)
        sio.on("outbox_ack", self._on_ack)

    async def _on_connect(self, sid: str, environ: dict, auth: Any = None) -> bool:
        self._sockets[sid] = _Socket()
        return True

    async def _on_disconnect(self, sid: str, *args: Any) -> None:
        state = self._sockets.pop(sid, None)
        if state and state.session_id:
            present = self._present.get(state.session_id)
            if present is not None:
                present.discard(sid)
                if not present:
                    del self._present[state.session_id]

    async def _on_session_request(self, sid: str, data: Any = None) -> None:
        state = self._sockets.get(sid)
        if state is None:
            return
        state.session_requests += 1
        if state.session_requests > MAX_SESSION_REQUESTS_PER_SOCKET:
            log.warning("web chat: socket %s sent too many session requests; disconnecting", sid)
            await self.sio.disconnect(sid)
            return
        data = data if isinstance(data, dict) else {}
        requested = data.get("session_id")
        session_id = requested if inbound.valid_session_id(requested) else uuid.uuid4().hex
        if requested and session_id != requested:
            log.info("web chat: unknown session id format %r replaced", str(requested)[:40])
        after = data.get("replay_after")
        numbered = isinstance(after, int) and not isinstance(after, bool)

        await self._leave(sid, state)
        state.session_id, state.numbered = session_id, numbered
        room = self._numbered_room(session_id) if numbered else session_id
        await self.sio.enter_room(sid, room)
        self._present.setdefault(session_id, set()).add(sid)

        session = self.sessions.get_or_create(session_id)
        async with session.lock:
            outbox = session.outbox
            if numbered:
                if data.get("epoch") != session.epoch:
                    after = 0
                confirm: Any = {"session_id": session_id, "epoch": session.epoch, "last_seq": outbox.last_seq}
                await self.sio.emit("session_confirm", confirm, to=sid)
                for item in outbox.after(max(0, after)):
                    await self.sio.emit(self.settings.bot_message_evt, item.with_seq(), to=sid)
            else:
                await self.sio.emit("session_confirm", session_id, to=sid)
                for item in outbox.after(outbox.delivered):
                    await self.sio.emit(self.settings.bot_message_evt, item.message, to=sid)
            outbox.mark_delivered(outbox.last_seq)

    async def _leave(self, sid: str, state: _Socket) -> None:
        if not state.session_id:
            return
        old = state.session_id
        await self.sio.leave_room(sid, self._numbered_room(old) if state.numbered else old)
        present = self._present.get(old)
        if present is not None:
            present.discard(sid)
            if not present:
                del self._present[old]

    async def _on_ack(self, sid: str, data: Any = None) -> None:
        state = self._sockets.get(sid)
        if not state or not state.session_id or not isinstance(data, dict):
            return
        session = self.sessions.get(state.session_id)
        seq = data.get("seq")
        if session and data.get("epoch") == session.epoch and isinstance(seq, int) and not isinstance(seq, bool):
            session.outbox.ack(seq)

    async def _on_user_message(self, sid: str, data: Any = None) -> None:
        state = self._sockets.get(sid)
        if state is None or not state.session_id:
            log.warning("web chat: message from socket %s without a session_request; ignored", sid)
            return
        data = data if isinstance(data, dict) else {"message": data}
        claimed = data.get("session_id")
        if claimed and claimed != state.session_id:
            log.warning("web chat: socket %s sent a message for another session; ignored", sid)
            return
        session = self.sessions.get_or_create(state.session_id)
        if not await self._admit(session):
            return

        text, truncated = inbound.clean_text(data.get("message"), self.settings.max_message_chars)
        raw_metadata = inbound.parse_metadata(data.get("customData", data.get("metadata")))
        metadata = inbound.clean_metadata(raw_metadata, session.media, session.session_id)
        if "language" in metadata:
            session.language, session.language_pinned = metadata["language"], True
        elif not session.language_pinned:
            session.language = inbound.guess_language(text) or session.language
        if not text:
            log.debug("web chat %s: empty message ignored", session.session_id[:8])
            return
        if truncated:
            log.warning(
                "web chat %s: message cut at %d characters", session.session_id[:8], self.settings.max_message_chars
            )
            await self._say(session, "truncated", limit=self.settings.max_message_chars)
        text = inbound.neutralize_command(text, set(self.settings.commands) | set(session.offered))

        message = UserMessage(
            text,
            self.output_channel(),
            session.session_id,
            input_channel=CHANNEL_NAME,
            metadata=metadata or None,
        )
        await self._typing(session.session_id, True)
        try:
            await self.on_new_message(message)
        except Exception:  # noqa: BLE001 - a citizen must get an answer, whatever broke
            log.exception("web chat %s: handling a message failed", session.session_id[:8])
            await self._say(session, "failed")
        finally:
            await self._typing(session.session_id, False)

    async def _admit(self, session: Session) -> bool:
        """Token bucket per session: one polite notice per flood, the rest dropped and counted."""
        if session.messages.take():
            if session.throttled:
                log.warning("web chat %s: flood over, %d message(s) dropped", session.session_id[:8], session.dropped)
                session.throttled, session.dropped = False, 0
            return True
        session.dropped += 1
        if not session.throttled:
            session.throttled = True
            log.warning("web chat %s: rate limit reached; dropping messages", session.session_id[:8])
            await self._say(session, "rate_limited")
        return False
