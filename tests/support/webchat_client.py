"""A test client for the web chat socket: python-socketio's AsyncClient over long-polling.

Long-polling because the websocket transport of the client needs aiohttp >= 3.10, which
Rasa 3.6 does not allow; the server side is the same either way. Every event received is
queued, so a test can wait for the next ``bot_uttered`` with a timeout.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from typing import Any, Optional

import socketio

SOCKET_PATH = "/webhooks/webchat/socket.io"


class ChatClient:
    """One browser tab, in effect: connect, ask for a session, talk, collect replies."""

    def __init__(self, base_url: str, path: str = SOCKET_PATH) -> None:
        self.base_url = base_url
        self.path = path
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: "asyncio.Queue[tuple[str, Any]]" = asyncio.Queue()
        self.session_id: Optional[str] = None
        self.confirm: Any = None
        for name in ("session_confirm", "bot_uttered", "bot_typing"):
            self.sio.on(name, self._collector(name))

    def _collector(self, name: str) -> Any:
        async def collect(data: Any = None) -> None:
            await self.events.put((name, data))

        return collect

    async def connect(self) -> "ChatClient":
        await self.sio.connect(self.base_url, socketio_path=self.path, transports=["polling"], wait_timeout=10)
        return self

    async def start(self, session_id: Optional[str] = None, **extra: Any) -> Any:
        """``session_request`` and wait for ``session_confirm`` (returns its payload)."""
        await self.sio.emit("session_request", {"session_id": session_id, **extra})
        self.confirm = await self.next("session_confirm")
        self.session_id = self.confirm["session_id"] if isinstance(self.confirm, dict) else self.confirm
        return self.confirm

    async def say(self, text: Any, metadata: Optional[dict] = None, key: str = "customData") -> None:
        payload: dict[str, Any] = {"message": text, "session_id": self.session_id}
        if metadata is not None:
            payload[key] = metadata
        await self.sio.emit("user_uttered", payload)

    async def next(self, name: str = "bot_uttered", timeout: float = 20.0) -> Any:
        """The next event called ``name``; other events on the way are dropped."""
        async def wait() -> Any:
            while True:
                event, data = await self.events.get()
                if event == name:
                    return data

        return await asyncio.wait_for(wait(), timeout)

    async def messages(self, quiet: float = 0.8, timeout: float = 30.0) -> list[Any]:
        """All ``bot_uttered`` until none arrives for ``quiet`` seconds (at least one)."""
        found = [await self.next("bot_uttered", timeout)]
        while True:
            try:
                found.append(await self.next("bot_uttered", quiet))
            except asyncio.TimeoutError:
                return found

    async def drain(self, quiet: float = 0.5) -> list[tuple[str, Any]]:
        seen = []
        while True:
            try:
                seen.append(await asyncio.wait_for(self.events.get(), quiet))
            except asyncio.TimeoutError:
                return seen

    async def close(self) -> None:
        """Disconnect like a closed tab, without waiting ~30 s for the pending long-poll.

        The client's graceful disconnect waits for its outstanding polling GET, which the
        server only answers at the next ping; the close packets are sent all the same.
        """
        if not self.sio.connected:
            return
        eio = self.sio.eio
        read_task, write_task = eio.read_loop_task, eio.write_loop_task
        graceful = eio.disconnect

        async def abort(abort: bool = False, reason: Any = None) -> None:
            await graceful(abort=True, reason=reason)

        eio.disconnect = abort
        try:
            await self.sio.disconnect()
            if write_task is not None:
                await asyncio.wait_for(asyncio.shield(write_task), 5)
        finally:
            eio.disconnect = graceful
            if read_task is not None and not read_task.done():
                read_task.cancel()
                await asyncio.gather(read_task, return_exceptions=True)


def tiny_png() -> bytes:
    """A valid 1x1 PNG, built here so that the tests ship no binary file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xb3\x26\x1e")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
