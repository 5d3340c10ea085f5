"""A local stand-in for the Telegram Bot API, for tests with the real python-telegram-bot.

Why: the channel must be tested with the real PTB (request encoding, error mapping, file
download) without reaching api.telegram.org. This aiohttp server answers on loopback as the Bot
API does (``/bot<token>/<method>``, ``/file/bot<token>/<path>``), records every call, and can be
told to fail: ``fail_next("sendMessage", blocked=True)`` → 403 "bot was blocked by the user",
``fail_next("sendMessage", retry_after=1)`` → 429 with ``parameters.retry_after``.

It runs in its own thread and event loop, so a session-scoped fixture can start it before the
Rasa server (which calls ``getMe`` on start) and any test loop can read :attr:`calls`.
Methods: getMe, sendMessage, sendPhoto, sendChatAction, answerCallbackQuery,
editMessageReplyMarkup, getFile (+ download of files added with :meth:`add_file`), setWebhook,
deleteWebhook, getWebhookInfo.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import web

BOT_USER = {"id": 4242424242, "is_bot": True, "first_name": "Hotline 12345", "username": "hotline12345_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def _decode(value: str) -> Any:
    """PTB sends complex parameters (reply_markup, allowed_updates) as JSON strings in a form."""
    try:
        return json.loads(value)
    except ValueError:
        return value


class TelegramDouble:
    """The fake Bot API; see the module docstring."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.webhook: dict[str, Any] = {}
        self._faults: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1000)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self.url = ""

    # ------------------------------------------------------------------ control (test side)

    def start(self) -> "TelegramDouble":
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start_server())
            except BaseException as exc:  # noqa: BLE001 — reported to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=serve, name="telegram-double", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._faults.clear()

    def add_file(self, file_id: str, data: bytes) -> None:
        with self._lock:
            self.files[file_id] = data

    def fail_next(self, method: str, *, blocked: bool = False, retry_after: Optional[int] = None, times: int = 1) -> None:
        fault = {"blocked": blocked, "retry_after": retry_after}
        with self._lock:
            self._faults.setdefault(method, []).extend([fault] * times)

    def calls_to(self, method: str, chat_id: Optional[int] = None) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if c.method == method and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]

    def texts_to(self, chat_id: int) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.calls_to("sendMessage", chat_id)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError(f"condition not met within {timeout} s; calls: {[(c.method, c.params) for c in self.calls][-10:]}")

    # ------------------------------------------------------------------ server (double side)

    async def _start_server(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("POST", "/bot{token}/{method}", self._api)
        app.router.add_route("GET", "/bot{token}/{method}", self._api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    @staticmethod
    def _error(status: int, description: str, **extra: Any) -> web.Response:
        return web.json_response({"ok": False, "error_code": status, "description": description, **extra}, status=status)

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            params = {key: _decode(value) if isinstance(value, str) else value for key, value in form.items()}
        params.update({k: _decode(v) for k, v in request.query.items()})
        with self._lock:
            self.calls.append(Call(method, params))
            faults = self._faults.get(method) or []
            fault = faults.pop(0) if faults else None
        if fault and fault["blocked"]:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if fault and fault["retry_after"] is not None:
            return self._error(429, f"Too Many Requests: retry after {fault['retry_after']}",
                               parameters={"retry_after": fault["retry_after"]})
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found")
        return web.json_response({"ok": True, "result": handler(params)})

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"}, "from": BOT_USER, **content}

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT_USER

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        extra = {"reply_markup": params["reply_markup"]} if params.get("reply_markup") else {}
        return self._message(params, text=str(params.get("text", "")), **extra)

    def _m_sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = [{"file_id": "sent-photo", "file_unique_id": "sent-photo-u", "width": 90, "height": 90}]
        return self._message(params, photo=photo)

    def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._message(params, text="(edited)")

    def _m_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        with self._lock:
            data = self.files.get(file_id)
        if data is None:
            return {"file_id": file_id, "file_unique_id": f"{file_id}-u"}  # Telegram: no file_path → not downloadable
        return {"file_id": file_id, "file_unique_id": f"{file_id}-u", "file_size": len(data),
                "file_path": f"photos/{file_id}.jpg"}

    def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        path = request.match_info["path"]
        file_id = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        with self._lock:
            self.calls.append(Call("download", {"path": path}))
            data = self.files.get(file_id)
        if data is None:
            return self._error(404, "Not Found")
        return web.Response(body=data, content_type="image/jpeg")
