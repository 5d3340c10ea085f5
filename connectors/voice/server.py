"""The gateway's HTTP side (aiohttp): the push-to-talk page, its API, and the push endpoint the
Rasa ``voice`` channel calls during a hand-off.

``POST /api/session``            → ``{"session"}``: a fresh server-issued conversation token
``POST /api/turn?session=&lang=`` body = the recording (any format PyAV decodes, ≤ VOICE_MAX_UPLOAD_BYTES)
                                 → ``{"transcript", "language", "notice", "transfer", "replies": [{"text", "audio"}],
                                 "timings"}``; the first sentence's audio is ready when this returns,
                                 the others are synthesised in the background
``POST /api/keys``               JSON ``{"session", "keys"}``: the page's keypad (same as DTMF on the phone)
``GET /api/audio/{id}``          a reply sentence as WAV
``GET /api/events?session=&after=``  operator replies pushed during a hand-off (long poll, 20 s)
``POST /internal/push``          from the Rasa channel, with ``X-Voice-Secret``
``GET /healthz``
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections import OrderedDict, deque
from pathlib import Path
from typing import Optional

from aiohttp import web

from .audio import wav_bytes
from .protocol import SECRET_HEADER, secret_matches
from .conversation import Turn
from .errors import AudioTooLongError
from .gateway import Gateway
from .notices import notice

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
SESSION = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
AUDIO_TTL = 600.0
MAX_AUDIO = 2000
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; media-src 'self' blob:; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def sender_of(session: str) -> str:
    return f"voice-web-{session}"


class AudioStore:
    """Reply audio by random id, synthesised in background tasks, dropped after :data:`AUDIO_TTL`."""

    def __init__(self) -> None:
        self._items: "OrderedDict[str, tuple[float, asyncio.Task]]" = OrderedDict()

    def add(self, task: asyncio.Task) -> str:
        key = secrets.token_urlsafe(16)
        self._items[key] = (time.monotonic(), task)
        now = time.monotonic()
        while self._items and (len(self._items) > MAX_AUDIO or now - next(iter(self._items.values()))[0] > AUDIO_TTL):
            _, (_, old) = self._items.popitem(last=False)
            old.cancel()
        return key

    def get(self, key: str) -> Optional[asyncio.Task]:
        item = self._items.get(key)
        return item[1] if item else None

    def close(self) -> None:
        for _, task in self._items.values():
            task.cancel()
        self._items.clear()


class Pushes:
    """Operator replies per sender, numbered, for the page's long poll (and the phone line's hook)."""

    def __init__(self) -> None:
        self._queues: dict[str, deque] = {}
        self._events: dict[str, asyncio.Event] = {}
        self._counter = 0
        self.listeners: dict = {}  # sender -> callable(text), e.g. a phone call in progress

    def add(self, sender: str, text: str) -> None:
        self._counter += 1
        self._queues.setdefault(sender, deque(maxlen=50)).append((self._counter, text))
        self._events.setdefault(sender, asyncio.Event()).set()
        if sender in self.listeners:
            self.listeners[sender](text)

    async def wait(self, sender: str, after: int, timeout: float) -> list[tuple[int, str]]:
        def pending() -> list[tuple[int, str]]:
            return [item for item in self._queues.get(sender, ()) if item[0] > after]

        if not pending():
            event = self._events.setdefault(sender, asyncio.Event())
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), timeout)
            except asyncio.TimeoutError:
                pass
        return pending()


def _json(data: dict, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


@web.middleware
async def security_headers(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "microphone=(self)")
    return response


class VoiceServer:
    """Routes exist from the start; :attr:`gateway` is attached by the process's start-up hook (or a
    test) once the engines are loaded."""

    def __init__(self, settings, gateway: Optional[Gateway] = None, poll_timeout: float = 20.0) -> None:
        self.gateway = gateway
        self.settings = settings
        self.audio = AudioStore()
        self.pushes = Pushes()
        self.sessions: "OrderedDict[str, float]" = OrderedDict()
        self.poll_timeout = poll_timeout

    def app(self) -> web.Application:
        app = web.Application(middlewares=[security_headers], client_max_size=self.settings.max_upload_bytes + 65536)
        app.router.add_get("/", self.page)
        app.router.add_get("/static/{name}", self.static)
        app.router.add_get("/healthz", self.health)
        app.router.add_post("/api/session", self.new_session)
        app.router.add_post("/api/turn", self.turn)
        app.router.add_post("/api/keys", self.keys)
        app.router.add_get("/api/audio/{key}", self.audio_file)
        app.router.add_get("/api/events", self.events)
        app.router.add_post("/internal/push", self.push)
        app.on_cleanup.append(self._cleanup)
        return app

    async def _cleanup(self, _: web.Application) -> None:
        self.audio.close()

    # --- pages -----------------------------------------------------------------------------------
    async def page(self, _: web.Request) -> web.Response:
        return web.FileResponse(STATIC / "voice.html", headers={"Cache-Control": "no-cache"})

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in {"voice.js", "voice.css"}:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name)

    async def health(self, _: web.Request) -> web.Response:
        return _json({"status": "ok", "sip": bool(self.settings.sip_port)})

    # --- API -------------------------------------------------------------------------------------
    async def new_session(self, _: web.Request) -> web.Response:
        session = secrets.token_urlsafe(24)
        self.sessions[session] = time.monotonic()
        while len(self.sessions) > 10_000:
            old, _ = self.sessions.popitem(last=False)
            self.gateway.forget(sender_of(old))
        return _json({"session": session})

    def _session(self, value: Optional[str]) -> Optional[str]:
        if not value or not SESSION.match(value) or value not in self.sessions:
            return None
        self.sessions.move_to_end(value)
        return value

    async def _read_limited(self, request: web.Request) -> bytes:
        limit = self.settings.max_upload_bytes
        if request.content_length is not None and request.content_length > limit:
            raise AudioTooLongError(f"{request.content_length} bytes")
        chunks, size = [], 0
        async for chunk in request.content.iter_chunked(65536):
            size += len(chunk)
            if size > limit:
                raise AudioTooLongError(f"more than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def turn(self, request: web.Request) -> web.Response:
        session = self._session(request.query.get("session"))
        hint = request.query.get("lang") if request.query.get("lang") in ("zh", "en") else None
        if session is None:
            return _json({"error": "session", "message": "session expired, start again"}, status=401)
        try:
            data = await self._read_limited(request)
        except AudioTooLongError as exc:
            log.warning("voice upload refused for %s: %s", session[:6], exc)
            language = hint or "zh"
            return _json(await self._render(Turn.notice_for("too_long", language)),
                         status=413)
        turn = await self.gateway.hear(sender_of(session), data, hint)
        return _json(await self._render(turn))

    async def keys(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return _json({"error": "json"}, status=400)
        session = self._session(body.get("session"))
        if session is None:
            return _json({"error": "session", "message": "session expired, start again"}, status=401)
        turn = await self.gateway.keys(sender_of(session), str(body.get("keys") or ""))
        return _json(await self._render(turn))

    async def _render(self, turn: Turn) -> dict:
        """The turn as JSON; the first sentence is synthesised now, the rest in the background."""
        started = time.perf_counter()
        replies = []
        sentences = self.gateway.sentences(turn)
        tasks = [asyncio.ensure_future(self._wav(s, turn.language)) for s in sentences[:1]]
        for sentence in sentences[1:]:
            tasks.append(asyncio.ensure_future(self._after(tasks[-1], sentence, turn.language)))
        for sentence, task in zip(sentences, tasks):
            replies.append({"text": sentence, "audio": f"/api/audio/{self.audio.add(task)}"})
        if tasks:
            await asyncio.wait([tasks[0]])
        timings = dict(turn.timings)
        timings["tts_first_s"] = time.perf_counter() - started
        if turn.transfer and not turn.texts:
            replies.append({"text": notice("operator_will_answer", turn.language), "audio": None})
        return {"transcript": turn.transcript, "language": turn.language, "notice": turn.notice,
                "transfer": turn.transfer, "replies": replies, "timings": timings}

    async def _after(self, previous: asyncio.Task, sentence: str, language: str) -> Optional[bytes]:
        await asyncio.wait([previous])  # in order: the sentence the page plays next is ready first
        return await self._wav(sentence, language)

    async def _wav(self, sentence: str, language: str) -> Optional[bytes]:
        speech = await self.gateway.speak(sentence, language)
        return wav_bytes(speech.samples, speech.rate) if speech is not None else None

    async def audio_file(self, request: web.Request) -> web.Response:
        task = self.audio.get(request.match_info["key"])
        if task is None:
            raise web.HTTPNotFound()
        try:
            data = await asyncio.shield(task)
        except asyncio.CancelledError:
            raise web.HTTPNotFound()
        if data is None:
            return _json({"error": "synthesis failed"}, status=503)
        return web.Response(body=data, content_type="audio/wav", headers={"Cache-Control": "private, max-age=600"})

    async def events(self, request: web.Request) -> web.Response:
        session = self._session(request.query.get("session"))
        if session is None:
            return _json({"error": "session"}, status=401)
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            after = 0
        items = await self.pushes.wait(sender_of(session), after, self.poll_timeout)
        conversation = self.gateway.conversation(sender_of(session))
        out = []
        for number, text in items:
            rendered = await self._render(Turn(conversation.language, [text]))
            out.append({"id": number, "replies": rendered["replies"]})
        return _json({"events": out})

    async def push(self, request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(SECRET_HEADER), self.settings.channel_secret):
            log.warning("voice push with a wrong secret from %s", request.remote)
            return _json({"error": "forbidden"}, status=403)
        try:
            body = await request.json()
            sender, text = body["sender"], body["message"].get("text") or ""
        except (ValueError, KeyError, AttributeError, TypeError):
            return _json({"error": "sender and message.text are required"}, status=400)
        if isinstance(sender, str) and isinstance(text, str) and text.strip():
            self.pushes.add(sender, text.strip())
        return _json({"ok": True})
