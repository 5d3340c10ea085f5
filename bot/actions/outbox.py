"""The persistent outbox: a case the backend could not take right now is never lost and never
filed twice.

* :class:`Outbox` keeps each filing in SQLite (``$HOTLINE_VAR_DIR/bot_state.sqlite3``) under its
  idempotency key, *before* the first attempt (write-ahead), with status pending → submitted |
  rejected and a ``notified`` flag for the citizen.
* :func:`deliver` submits one entry with its key, so retries after a lost response return the
  same case (the case service enforces the key with a unique index).
* :class:`OutboxWorker` retries in the background and announces success through the Rasa HTTP API
  (``trigger_intent`` ``EXTERNAL_case_filed`` with entity ``case_number``).
* ``action_deliver_pending_case`` runs on every user message (custom slot mapping of
  ``pending_case_key``) and on ``EXTERNAL_case_filed``: it retries a due entry and tells the
  citizen once (the ``notified`` flag is claimed atomically).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import aiohttp
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from backend_client import BackendError, CaseBackend, Rejected
from bot.actions.case_record import CaseRecord
from bot.actions.common import HotlineAction, language_of
from bot.actions.errors import UnknownCategory
from bot.actions.formatting import format_date
from bot.actions.storage import SqliteStore, row_dict

logger = logging.getLogger(__name__)

PENDING, SUBMITTED, REJECTED = "pending", "submitted", "rejected"
EXTERNAL_INTENT = "EXTERNAL_case_filed"
#: A citizen's message retries a pending entry at most this often (the worker does the rest).
MESSAGE_RETRY_SECONDS = 20.0
#: How often the worker tries to announce a filed case before leaving it to the next message.
MAX_NOTIFY_ATTEMPTS = 3


@dataclass(frozen=True)
class OutboxEntry:
    key: str
    sender_id: str
    language: str
    record: CaseRecord
    status: str
    attempts: int
    last_error: str | None
    last_attempt_at: float | None
    case_number: str | None
    expected_at: str | None
    notified: bool
    notify_attempts: int
    created_at: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "OutboxEntry":
        return cls(
            key=row["key"],
            sender_id=row["sender_id"],
            language=row["language"] or "zh",
            record=CaseRecord.from_dict(json.loads(row["payload"])),
            status=row["status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            last_attempt_at=row["last_attempt_at"],
            case_number=row["case_number"],
            expected_at=row["expected_at"],
            notified=bool(row["notified"]),
            notify_attempts=row["notify_attempts"],
            created_at=row["created_at"],
        )


class Outbox(SqliteStore):
    """Filings waiting for (or done by) the backend, keyed by idempotency key."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS outbox (
        key TEXT PRIMARY KEY,
        sender_id TEXT NOT NULL,
        language TEXT,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_attempt_at REAL,
        case_number TEXT,
        expected_at TEXT,
        notified INTEGER NOT NULL DEFAULT 0,
        notify_attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status);
    CREATE INDEX IF NOT EXISTS outbox_sender ON outbox (sender_id);
    """

    async def enqueue(self, key: str, sender_id: str, record: CaseRecord) -> OutboxEntry:
        """Store a filing unless the key is known already; returns the stored entry either way."""
        payload = json.dumps(record.to_dict(), ensure_ascii=False)
        now = time.time()

        def work(conn):
            conn.execute(
                "INSERT OR IGNORE INTO outbox (key, sender_id, language, payload, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, sender_id, record.language, payload, PENDING, now, now),
            )
            return row_dict(conn.execute("SELECT * FROM outbox WHERE key = ?", (key,)).fetchone())

        return OutboxEntry.from_row(await self._run(work))

    async def get(self, key: str) -> OutboxEntry | None:
        row = await self._run(lambda c: row_dict(c.execute("SELECT * FROM outbox WHERE key = ?", (key,)).fetchone()))
        return OutboxEntry.from_row(row) if row else None

    async def pending(self, limit: int = 50) -> list[OutboxEntry]:
        rows = await self._run(
            lambda c: [dict(r) for r in c.execute(
                "SELECT * FROM outbox WHERE status = ? ORDER BY created_at LIMIT ?", (PENDING, limit))]
        )
        return [OutboxEntry.from_row(r) for r in rows]

    async def unannounced(self, sender_id: str | None = None, limit: int = 50) -> list[OutboxEntry]:
        """Finished entries (submitted or rejected) the citizen has not been told about."""
        query = "SELECT * FROM outbox WHERE status != ? AND notified = 0"
        args: list[Any] = [PENDING]
        if sender_id is not None:
            query += " AND sender_id = ?"
            args.append(sender_id)
        query += " ORDER BY created_at LIMIT ?"
        args.append(limit)
        rows = await self._run(lambda c: [dict(r) for r in c.execute(query, args)])
        return [OutboxEntry.from_row(r) for r in rows]

    async def mark_attempt(self, key: str, error: str) -> None:
        now = time.time()
        await self._run(lambda c: c.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?, updated_at = ?"
            " WHERE key = ? AND status = ?", (error[:500], now, now, key, PENDING)))

    async def mark_submitted(self, key: str, case_number: str, expected_at: str | None) -> None:
        now = time.time()
        await self._run(lambda c: c.execute(
            "UPDATE outbox SET status = ?, case_number = ?, expected_at = ?, attempts = attempts + 1,"
            " last_error = NULL, last_attempt_at = ?, updated_at = ? WHERE key = ? AND status = ?",
            (SUBMITTED, case_number, expected_at, now, now, key, PENDING)))

    async def mark_rejected(self, key: str, error: str) -> None:
        now = time.time()
        await self._run(lambda c: c.execute(
            "UPDATE outbox SET status = ?, last_error = ?, attempts = attempts + 1, last_attempt_at = ?,"
            " updated_at = ? WHERE key = ? AND status = ?", (REJECTED, error[:500], now, now, key, PENDING)))

    async def claim_notification(self, key: str) -> bool:
        """True exactly once per finished entry: whoever gets True tells the citizen."""
        def work(conn):
            cursor = conn.execute(
                "UPDATE outbox SET notified = 1, updated_at = ? WHERE key = ? AND notified = 0 AND status != ?",
                (time.time(), key, PENDING))
            return cursor.rowcount == 1
        return await self._run(work)

    async def count_notify_attempt(self, key: str) -> None:
        await self._run(lambda c: c.execute(
            "UPDATE outbox SET notify_attempts = notify_attempts + 1 WHERE key = ?", (key,)))


# ---------------------------------------------------------------------------- delivery

_key_locks: dict[str, asyncio.Lock] = {}


def _lock_for(key: str) -> asyncio.Lock:
    """One in-process lock per key, so the worker and a message never submit the same entry at
    the same moment (across processes the idempotency key still protects against duplicates)."""
    lock = _key_locks.get(key)
    if lock is None:
        lock = _key_locks[key] = asyncio.Lock()
    return lock


async def deliver(outbox: Outbox, backend: CaseBackend, key: str, timeout: float) -> OutboxEntry | None:
    """Try to submit one pending entry; returns its state afterwards (``None`` if unknown)."""
    lock = _lock_for(key)
    try:
        async with lock:
            entry = await outbox.get(key)
            if entry is None or entry.status != PENDING:
                return entry
            try:
                draft = await asyncio.wait_for(entry.record.to_draft(backend), timeout)
                submitted = await asyncio.wait_for(backend.submit(draft, idempotency_key=key), timeout)
            except (Rejected, UnknownCategory) as exc:
                messages = "; ".join(getattr(exc, "messages", ()) or ()) or str(exc)
                logger.warning("case %s rejected by the backend: %s", key, messages)
                await outbox.mark_rejected(key, messages)
            except (BackendError, asyncio.TimeoutError, aiohttp.ClientError, OSError) as exc:
                logger.info("case %s not delivered yet: %s", key, exc.__class__.__name__)
                await outbox.mark_attempt(key, f"{exc.__class__.__name__}: {exc}")
            else:
                expected = submitted.expected_datetime.isoformat() if submitted.expected_datetime else None
                await outbox.mark_submitted(key, submitted.case_id, expected)
                logger.info("case %s filed as %s", key, submitted.case_id)
            return await outbox.get(key)
    finally:
        if not lock.locked():
            _key_locks.pop(key, None)


class RasaNotifier:
    """Tells a citizen about a filed case via ``POST /conversations/{id}/trigger_intent``."""

    def __init__(self, session_factory: Callable[[], Awaitable[aiohttp.ClientSession]], base_url: str,
                 token: str | None = None, timeout: float = 10.0) -> None:
        self._session_factory = session_factory
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    async def notify(self, entry: OutboxEntry) -> bool:
        session = await self._session_factory()
        url = f"{self._base_url}/conversations/{quote(entry.sender_id, safe='')}/trigger_intent"
        params = {"output_channel": "latest"}
        if self._token:
            params["token"] = self._token
        body = {"name": EXTERNAL_INTENT, "entities": {"case_number": entry.case_number or ""}}
        try:
            async with session.post(url, params=params, json=body,
                                    timeout=aiohttp.ClientTimeout(total=self._timeout)) as response:
                if 200 <= response.status < 300:
                    return True
                logger.warning("trigger_intent for %s answered HTTP %s", entry.key, response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            logger.info("cannot reach Rasa to announce %s: %s", entry.key, exc)
        return False


class OutboxWorker:
    """Background retry loop: delivers pending entries and announces the results."""

    def __init__(self, outbox: Outbox, backend_factory: Callable[[], Awaitable[CaseBackend]],
                 notifier: RasaNotifier | None, interval: float = 30.0, timeout: float = 10.0) -> None:
        self.outbox = outbox
        self._backend_factory = backend_factory
        self._notifier = notifier
        self.interval = interval
        self.timeout = timeout

    async def run_once(self) -> int:
        """One round; returns how many entries are still pending afterwards."""
        pending = await self.outbox.pending()
        if pending:
            backend = await self._backend_factory()
            for entry in pending:
                await deliver(self.outbox, backend, entry.key, self.timeout)
        if self._notifier is not None:
            for entry in await self.outbox.unannounced():
                if entry.notify_attempts >= MAX_NOTIFY_ATTEMPTS:
                    continue
                await self.outbox.count_notify_attempt(entry.key)
                await self._notifier.notify(entry)
        return len(await self.outbox.pending())

    async def run_forever(self) -> None:
        """Rounds until nothing is pending (the next queued case starts the loop again)."""
        while True:
            try:
                remaining = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 — keep retrying; the entries are safe on disk
                logger.exception("outbox round failed")
                remaining = 1
            if remaining == 0:
                return
            await asyncio.sleep(self.interval)


# ---------------------------------------------------------------------------- the action


def announce(dispatcher: CollectingDispatcher, entry: OutboxEntry, language: str) -> list[EventType]:
    """The message for a finished outbox entry, and the slots that go with it."""
    if entry.status == SUBMITTED:
        deadline = format_date(entry.expected_at, language)
        dispatcher.utter_message(
            response="utter_pending_case_filed" if deadline else "utter_pending_case_filed_no_deadline",
            case_number=entry.case_number, deadline=deadline,
        )
        return [SlotSet("last_case_number", entry.case_number)]
    dispatcher.utter_message(response="utter_pending_case_rejected")
    return []


class ActionDeliverPendingCase(HotlineAction):
    """Deliver and announce a queued case on the citizen's next message (see module docstring)."""

    def name(self) -> str:
        return "action_deliver_pending_case"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        from bot.actions import runtime

        rt = runtime.get_runtime()
        rt.ensure_worker()
        key = tracker.get_slot("pending_case_key")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if not key and intent != EXTERNAL_INTENT:
            return []
        outbox = rt.outbox()
        language = language_of(tracker)
        events: list[EventType] = []
        entries: dict[str, OutboxEntry] = {}
        if key:
            entry = await outbox.get(key)
            if entry is None:
                return [SlotSet("pending_case_key", None)]
            entries[key] = entry
        for entry in await outbox.unannounced(tracker.sender_id):
            entries.setdefault(entry.key, entry)

        for entry_key, entry in entries.items():
            if entry.status == PENDING:
                due = entry.last_attempt_at is None or time.time() - entry.last_attempt_at >= MESSAGE_RETRY_SECONDS
                if due:
                    backend = await rt.backend()
                    entry = await deliver(outbox, backend, entry_key, rt.settings.deliver_timeout) or entry
                if entry.status == PENDING:
                    continue
            if await outbox.claim_notification(entry_key):
                events += announce(dispatcher, entry, language)
            if entry_key == key:
                events.append(SlotSet("pending_case_key", None))
        return events
