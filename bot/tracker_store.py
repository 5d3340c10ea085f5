"""Rasa's SQL tracker store with the conversations it last saved kept in memory.

Rasa's ``SQLTrackerStore.retrieve`` reads every event of the conversation's session, parses its
JSON and replays it into a new tracker on every message: the cost grows with the conversation and
was a tenth of the server's CPU under load (bench/README.md). Here ``save`` writes through to SQL
exactly as before and keeps the saved tracker; the next ``retrieve`` of that conversation hands it
back after one indexed query that proves the database has nothing newer
(``max(id)`` of its events equals the one recorded at save).

The tracker is handed out, not shared: ``retrieve`` removes it from the cache and the next
``save`` puts it back. So a message that fails half-way (no save) leaves no unsaved events in
the cache, another process writing to the same database (a second Rasa server, a restart) is
noticed by the ``max(id)`` check, and a tracker changed after its save (more events than saved) is
not trusted. The cache returns what SQL would: the latest session only (see
``_as_sql_returns_it``).

``retrieve_full_tracker`` (all sessions: the HTTP API's ``GET /conversations/<id>/tracker``, which
the voice gateway, the operator console and the bench driver read between messages) keeps its own
private tracker per conversation and reads only the rows SQL has added since its last read
(``id`` greater than the last one it applied); callers get an independent copy. Rasa only appends
rows and one conversation's saves are serialised by its lock, so the rows after the last id are
what a full read would add; each read also checks that SQL still counts as many rows up to that
id as were applied (rows deleted, or committed out of id order by overlapping writers on
PostgreSQL, make it read them all again).

endpoints.yml: ``type: bot.tracker_store.CachedSQLTrackerStore`` with the ``SQL`` store's keys, plus
``cache_size`` (conversations kept, default 256; a 10-turn conversation's tracker is about 32 KB,
and a conversation that has dropped out costs one SQL read on its next message), ``warm_size``
(the most recently saved conversations whose trackers keep the replays of ``bot/nlp/speedups.py``,
default 200) and ``full_cache_size`` (conversations whose full tracker is kept for the HTTP API,
default 64).
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Text

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.session)
import sqlalchemy.pool  # noqa: F401  (sa.pool.QueuePool)
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.nlp import speedups

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 256
DEFAULT_WARM_SIZE = 200
DEFAULT_FULL_CACHE_SIZE = 64
# Set on each tracker ``retrieve`` returns: the domain its slots came from. A tracker read before a
# model replacement and saved after it is cached under that old domain, so the next read rebuilds it.
_BUILT_WITH = "_store_built_with_domain"


@dataclass
class _Saved:
    tracker: DialogueStateTracker
    events: int  # len(tracker.events) when saved
    last_id: Optional[int]  # max(events.id) of the conversation in SQL after the save
    domain: Any  # the domain whose slots the tracker was built with


@dataclass
class _Full:
    tracker: DialogueStateTracker  # all sessions; private: never handed out
    last_id: int  # the last row applied to it
    rows: int  # how many rows it has applied: SQL must still count as many up to last_id
    domain: Any


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that skips re-reading a conversation it saved itself."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, warm_size: int = DEFAULT_WARM_SIZE,
                 full_cache_size: int = DEFAULT_FULL_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cache_size = max(0, int(cache_size))
        self._full_cache_size = max(0, int(full_cache_size))
        self._full: "OrderedDict[Text, _Full]" = OrderedDict()
        # Conversations saved most recently: their trackers keep the speed-ups' replays
        # (bot/nlp/speedups.py); older ones give them up to bound memory, and rebuild on their next turn.
        self._warm_size = max(0, int(warm_size))
        self._warm: "OrderedDict[Text, None]" = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            self._pool_sqlite_connections()
        events = self.SQLEvent.__table__
        self._max_id_statement = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        self._rows_up_to_statement = sa.select(sa.func.count()).select_from(events).where(
            events.c.sender_id == sa.bindparam("sender_id"), events.c.id <= sa.bindparam("up_to")
        )
        self._rows_after_statement = (
            sa.select(events.c.id, events.c.data)
            .where(events.c.sender_id == sa.bindparam("sender_id"), events.c.id > sa.bindparam("after"))
            .order_by(events.c.id)
        )
        self._saved: "OrderedDict[Text, _Saved]" = OrderedDict()
        # Trackers handed out by `retrieve`, until their next `save`: their stored events are known.
        self._handed: "OrderedDict[Text, _Saved]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def _pool_sqlite_connections(self) -> None:
        """Keep SQLite connections open, in WAL mode.

        SQLAlchemy 1.4 gives a SQLite file a ``NullPool``: every session (two per message) opened
        the file and read its schema again. In WAL mode a commit syncs the log only, and readers in
        other processes (a second Rasa worker) do not block the writer; with the default
        ``synchronous=FULL`` a committed message is still on disk.
        """
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=1, max_overflow=4,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _sqlite_wal)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _max_id(self, session: Any, sender_id: Text) -> Optional[int]:
        # A Core statement built once (SQLAlchemy caches its compiled form); an ORM query costs
        # more to build than the indexed lookup itself.
        return session.execute(self._max_id_statement, {"sender_id": sender_id}).scalar()

    def _last_event_id(self, sender_id: Text) -> Optional[int]:
        with self.session_scope() as session:
            return self._max_id(session, sender_id)

    def _as_sql_returns_it(self, tracker: DialogueStateTracker, since: int = 0) -> DialogueStateTracker:
        """The tracker as ``retrieve`` reads it from SQL: its latest session only.

        A session start appends ``SessionStarted`` after the events before it (the first
        ``action_session_start``, or a whole earlier session); SQL returns the events from the
        latest ``SessionStarted`` on, and Rasa's ``save`` counts on that. Rebuilding costs only the
        events since that start, so it happens once per session, on the save that starts it.
        Only ``events[since:]`` are searched: the caller knows the ones before are already as SQL
        returns them (a tracker this store handed out).
        """
        start = None
        for index in range(len(tracker.events) - 1, since - 1, -1):
            if isinstance(tracker.events[index], SessionStarted):
                start = index
                break
        if not start:
            return tracker
        events = [event.as_dict() for event in itertools.islice(tracker.events, start, None)]
        return DialogueStateTracker.from_dict(tracker.sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The latest session of the conversation: from memory if SQL has nothing newer."""
        domain = self.domain
        saved = self._saved.pop(sender_id, None)
        if saved is not None:
            if (
                len(saved.tracker.events) == saved.events
                and saved.domain is domain
                and self._last_event_id(sender_id) == saved.last_id
            ):
                self.hits += 1
                self._handed[sender_id] = saved
                _trim(self._handed, self._cache_size)
                saved.tracker.__dict__[_BUILT_WITH] = domain
                return saved.tracker
            logger.debug("tracker cache: %s changed since it was saved; reading SQL", sender_id)
        self.misses += 1
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            tracker.__dict__[_BUILT_WITH] = domain
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events to SQL, then keep the tracker for the next message.

        The rows are Rasa's (same columns and JSON, tested), written with one multi-row INSERT
        instead of one ORM object per event, whose unit-of-work flush was most of the save's time.
        Which events are new: for a tracker this store handed out, the ones after those it held
        (if the database still ends where it did); otherwise Rasa's ``_additional_events``, whose
        count over the session's rows grows with the conversation.
        """
        sender_id = tracker.sender_id
        self._saved.pop(sender_id, None)
        handed = self._handed.pop(sender_id, None)
        await self.stream_events(tracker)
        with self.session_scope() as session:
            known = (
                handed is not None
                and handed.tracker is tracker
                and len(tracker.events) >= handed.events
                and self._max_id(session, sender_id) == handed.last_id
            )
            if known:
                new = itertools.islice(tracker.events, handed.events, None)
            else:
                new = self._additional_events(session, tracker)
            rows = [_row(sender_id, event) for event in new]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            last_id = self._max_id(session, sender_id)
            session.commit()
        if not self._cache_size:
            return
        kept = self._as_sql_returns_it(tracker, since=handed.events if known else 0)
        # A rebuilt tracker has the current domain's slots; a kept one those it was read with (a
        # tracker created for a new conversation was created with the current domain).
        domain = tracker.__dict__.get(_BUILT_WITH, self.domain) if kept is tracker else self.domain
        self._saved[sender_id] = _Saved(kept, len(kept.events), last_id, domain)
        _trim(self._saved, self._cache_size)
        self._cool_down(sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """All sessions of the conversation, as SQL holds them: the rows added since the last read
        applied to the tracker kept from it, instead of every row parsed and replayed again."""
        if not self._full_cache_size or not self.domain:
            return await super().retrieve_full_tracker(conversation_id)
        entry = self._full.pop(conversation_id, None)
        if entry is not None and entry.domain is not self.domain:
            entry = None  # a new model's slots: build again
        with self.session_scope() as session:
            if entry is not None and session.execute(
                self._rows_up_to_statement, {"sender_id": conversation_id, "up_to": entry.last_id}
            ).scalar() != entry.rows:
                # Rows deleted, or committed out of id order (overlapping writers on PostgreSQL):
                # what was applied is no longer what SQL holds.
                logger.warning("tracker cache: the stored rows of %s changed; reading them all", conversation_id)
                entry = None
            rows = session.execute(
                self._rows_after_statement,
                {"sender_id": conversation_id, "after": entry.last_id if entry is not None else -1},
            ).all()
        if entry is None:
            if not rows:
                return None
            entry = _Full(DialogueStateTracker(conversation_id, self.domain.slots), -1, 0, self.domain)
        new = deserialise_events([json.loads(row.data) for row in rows])
        try:
            for event in new:
                entry.tracker.update(event)
        except Exception:
            logger.warning("tracker cache: could not apply the new events of %s; reading SQL", conversation_id)
            return await super().retrieve_full_tracker(conversation_id)
        if rows:
            entry.last_id = rows[-1].id
            entry.rows += len(rows)
        self._full[conversation_id] = entry
        _trim(self._full, self._full_cache_size)
        return speedups.clone(entry.tracker)

    def _cool_down(self, sender_id: Text) -> None:
        """Mark ``sender_id`` the most recent; the conversation that leaves the warm set keeps its
        tracker here but drops the speed-ups' per-tracker replays (tens of KB each)."""
        self._warm[sender_id] = None
        self._warm.move_to_end(sender_id)
        while len(self._warm) > self._warm_size:
            cold, _ = self._warm.popitem(last=False)
            entry = self._saved.get(cold) or self._handed.get(cold)
            if entry is not None:
                speedups.release_caches(entry.tracker)


def _sqlite_wal(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _trim(entries: "OrderedDict[Text, Any]", size: int) -> None:
    while len(entries) > size:
        entries.popitem(last=False)


def _row(sender_id: Text, event: Event) -> dict:
    """The ``events`` row Rasa's ``SQLTrackerStore.save`` writes for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
