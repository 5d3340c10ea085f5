"""Process-wide resources of the action server, all created lazily on first use:

* one ``aiohttp.ClientSession`` and one :class:`backend_client.CaseBackend`
  (``CASE_SERVICE_URL`` / ``CASE_SERVICE_API_KEY``),
* the outbox and the verification-code store (SQLite under ``$HOTLINE_VAR_DIR``),
* the categorizer and the FAQ index (loaded once, in a thread),
* the background outbox worker (started when there is something to deliver),
* the hand-off desk (the operator console's internal API, ``OPERATOR_CONSOLE_URL``).

Importing this module does nothing. Tests install their own :class:`Runtime` with
:func:`set_runtime` (fake backend, temporary directory, no worker).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from bot.actions.settings import ActionSettings

if TYPE_CHECKING:  # pragma: no cover
    from backend_client import CaseBackend
    from bot.actions.categories import CategoryService
    from bot.actions.handoff_desk import HandoffDesk
    from bot.actions.outbox import Outbox, OutboxWorker
    from bot.actions.questions import FaqIndex
    from bot.actions.verification import CodeSender, CodeStore

logger = logging.getLogger(__name__)


class Runtime:
    """Holder of the lazily created resources (see module docstring)."""

    def __init__(
        self,
        settings: ActionSettings | None = None,
        *,
        backend: "CaseBackend | Any | None" = None,
        categorizer: "CategoryService | None" = None,
        faq: "FaqIndex | None" = None,
        code_sender: "CodeSender | None" = None,
        notifier: Any = None,
        desk: "HandoffDesk | None" = None,
    ) -> None:
        self.settings = settings or ActionSettings.from_env()
        self._backend = backend
        self._owns_backend = backend is None
        self._session: aiohttp.ClientSession | None = None
        self._outbox: "Outbox | None" = None
        self._codes: "CodeStore | None" = None
        self._categorizer = categorizer
        self._faq = faq
        self._code_sender = code_sender
        self._notifier = notifier
        self._desk = desk
        self._worker_task: asyncio.Task | None = None
        self._worker_started_at: float | None = None
        self._shutdown_hooked = False

    # ------------------------------------------------------------------ HTTP

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            from backend_client import BackendSettings

            timeout = BackendSettings.from_env().timeout
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=32, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=max(timeout * 2, 10.0)),
            )
            self._hook_shutdown()
        return self._session

    async def backend(self) -> "CaseBackend":
        if self._backend is None:
            from backend_client import BackendSettings, CaseBackend

            backend_settings = BackendSettings.from_env()
            session = await self.session()
            if self._backend is None:
                self._backend = CaseBackend(
                    backend_settings.url, session, api_key=backend_settings.api_key, timeout=backend_settings.timeout
                )
        return self._backend

    def _hook_shutdown(self) -> None:
        """Close the session when the rasa-sdk Sanic server stops (best effort)."""
        if self._shutdown_hooked:
            return
        self._shutdown_hooked = True
        try:
            from sanic import Sanic

            app = Sanic.get_app("rasa_sdk")
        except Exception:  # noqa: BLE001 — not running inside the action server (tests, scripts)
            return

        async def close_on_stop(*_: Any) -> None:
            await self.aclose()

        try:
            app.register_listener(close_on_stop, "before_server_stop")
        except Exception:  # noqa: BLE001
            logger.debug("could not register the shutdown hook", exc_info=True)

    # ------------------------------------------------------------------ state

    def outbox(self) -> "Outbox":
        if self._outbox is None:
            from bot.actions.outbox import Outbox

            self._outbox = Outbox(self.settings.state_db)
        return self._outbox

    def codes(self) -> "CodeStore":
        if self._codes is None:
            from bot.actions.verification import CodeStore

            self._codes = CodeStore(self.settings.state_db, ttl=self.settings.code_ttl_seconds)
        return self._codes

    def code_sender(self) -> "CodeSender":
        if self._code_sender is None:
            from bot.actions.verification import make_code_sender

            self._code_sender = make_code_sender(self.settings.code_sender)
        return self._code_sender

    def categorizer(self) -> "CategoryService":
        if self._categorizer is None:
            from bot.actions.categories import CategoryService

            self._categorizer = CategoryService()
        return self._categorizer

    def faq(self) -> "FaqIndex":
        if self._faq is None:
            from bot.actions.questions import FaqIndex

            self._faq = FaqIndex.from_default_file()
        return self._faq

    def notifier(self) -> Any:
        if self._notifier is None:
            from bot.actions.outbox import RasaNotifier

            self._notifier = RasaNotifier(self.session, self.settings.rasa_url, self.settings.rasa_token)
        return self._notifier

    def desk(self) -> "HandoffDesk":
        if self._desk is None:
            from bot.actions.handoff_desk import ConsoleDesk, NoDesk

            url = self.settings.operator_console_url
            self._desk = ConsoleDesk(self.session, url, self.settings.operator_console_secret,
                                     self.settings.handoff_timeout) if url else NoDesk()
        return self._desk

    def worker(self) -> "OutboxWorker":
        from bot.actions.outbox import OutboxWorker

        return OutboxWorker(self.outbox(), self.backend, self.notifier(), interval=self.settings.outbox_retry_seconds,
                            timeout=self.settings.submit_timeout)

    def ensure_worker(self, force: bool = False) -> None:
        """Start the background retry loop unless it runs already (or is disabled).

        Called on every user message (cheap: at most one start per retry interval, so entries
        left from before a restart are picked up) and with ``force`` when a case was just queued.
        """
        if not self.settings.outbox_worker:
            return
        if self._worker_task is not None and not self._worker_task.done():
            return
        now = time.monotonic()
        if not force and self._worker_started_at is not None and now - self._worker_started_at < self.settings.outbox_retry_seconds:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._worker_started_at = now
        self._worker_task = loop.create_task(self.worker().run_forever(), name="hotline-outbox")

    async def aclose(self) -> None:
        task, self._worker_task = self._worker_task, None
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()
        if self._owns_backend:
            self._backend = None


_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The process-wide runtime (created from the environment on first call)."""
    global _runtime
    if _runtime is None:
        _runtime = Runtime()
    return _runtime


def set_runtime(runtime: Runtime | None) -> None:
    """Install a runtime (tests) or drop the current one (``None``)."""
    global _runtime
    _runtime = runtime
