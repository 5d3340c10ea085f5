"""The cached SQL tracker store returns exactly what SQL holds, only faster."""
from __future__ import annotations

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from bot.tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  district:
    type: text
    mappings: [{type: custom}]
""")


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "tracker.sqlite3")


def _new_model_domain() -> Domain:
    """DOMAIN with one more slot, as a replaced model's would have."""
    return Domain.from_yaml(DOMAIN.as_yaml().replace(
        "slots:", "slots:\n  street:\n    type: text\n    mappings: [{type: custom}]", 1))


def _store(db: str, **kwargs) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db, **kwargs)


def _turn(tracker: DialogueStateTracker, text: str, district: str | None = None) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    if district:
        tracker.update(SlotSet("district", district))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(ActionExecuted("action_listen"))


async def _new_conversation(store: CachedSQLTrackerStore, sender: str = "c1") -> DialogueStateTracker:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "hello", "海淀区")
    await store.save(tracker)
    return tracker


def _state(tracker: DialogueStateTracker) -> dict:
    state = tracker.current_state(EventVerbosity.APPLIED)
    state.pop("latest_event_time", None)
    return state


async def _from_sql(db: str, sender: str) -> DialogueStateTracker:
    return await _store(db, cache_size=0).retrieve(sender)


async def test_saved_tracker_comes_back_from_memory_equal_to_sql(db):
    store = _store(db)
    saved = await _new_conversation(store)
    retrieved = await store.retrieve("c1")
    assert (store.hits, store.misses) == (1, 1)  # the miss: creation
    assert _state(retrieved) == _state(await _from_sql(db, "c1"))
    assert len(retrieved.events) == len((await _from_sql(db, "c1")).events)
    assert retrieved.get_slot("district") == "海淀区"
    _turn(retrieved, "again", "朝阳区")
    await store.save(retrieved)
    again = await store.retrieve("c1")
    assert again is retrieved and _state(again) == _state(await _from_sql(db, "c1"))
    assert len(again.events) == len((await _from_sql(db, "c1")).events)  # nothing stored twice


async def test_a_tracker_is_handed_out_once_until_saved_again(db):
    store = _store(db)
    await _new_conversation(store)
    first = await store.retrieve("c1")
    second = await store.retrieve("c1")  # e.g. a message that failed before its save
    assert second is not first and store.misses == 2
    assert _state(second) == _state(first)


async def test_unsaved_changes_are_never_returned(db):
    store = _store(db)
    tracker = await _new_conversation(store)
    _turn(tracker, "not saved", "朝阳区")  # the processor failed after changing the tracker
    retrieved = await store.retrieve("c1")
    assert retrieved is not tracker and retrieved.get_slot("district") == "海淀区"


async def test_another_writer_to_the_database_is_noticed(db):
    ours, other = _store(db), _store(db)
    await _new_conversation(ours)
    theirs = await other.retrieve("c1")
    _turn(theirs, "from the other server", "西城区")
    await other.save(theirs)
    retrieved = await ours.retrieve("c1")
    assert retrieved.get_slot("district") == "西城区" and ours.misses == 2
    assert _state(retrieved) == _state(await _from_sql(db, "c1"))


async def test_a_new_session_is_read_back_as_sql_returns_it(db):
    store = _store(db)
    tracker = await _new_conversation(store)
    tracker = await store.retrieve("c1")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "new session")
    await store.save(tracker)
    retrieved = await store.retrieve("c1")
    assert store.hits == 2  # the new session's events, rebuilt once from the save
    assert _state(retrieved) == _state(await _from_sql(db, "c1"))
    assert not any(isinstance(e, UserUttered) and e.text == "hello" for e in retrieved.events)
    _turn(retrieved, "and more")
    await store.save(retrieved)
    again = await store.retrieve("c1")
    assert again is retrieved and _state(again) == _state(await _from_sql(db, "c1"))
    assert len(again.events) == len((await _from_sql(db, "c1")).events)  # nothing stored twice


async def test_cache_keeps_the_most_recent_conversations(db):
    store = _store(db, cache_size=2)
    for sender in ("a", "b", "c"):
        await _new_conversation(store, sender)
    assert (await store.retrieve("a")).sender_id == "a" and store.misses == 4
    await store.retrieve("c")
    assert store.hits == 1
    assert await store.retrieve("nobody") is None


async def test_conversations_that_go_quiet_drop_the_speed_ups_replays(db):
    from bot.nlp import speedups

    speedups.install()
    store = _store(db, warm_size=2)
    trackers = {}
    for sender in ("a", "b", "c"):
        trackers[sender] = tracker = await store.get_or_create_tracker(sender)
        _turn(tracker, "hello")
        tracker.applied_events(), tracker.past_states(DOMAIN), tracker.copy()  # as a prediction does
        await store.save(tracker)
    assert not any(key.startswith(speedups.CACHE_PREFIX) for key in vars(trackers["a"]))  # "a" went quiet
    assert all(any(key.startswith(speedups.CACHE_PREFIX) for key in vars(trackers[s])) for s in ("b", "c"))
    quiet = await store.retrieve("a")  # still cached, and still right
    assert quiet is trackers["a"] and store.hits == 1
    assert quiet.past_states(DOMAIN) == DOMAIN.states_for_tracker_history(quiet)


async def test_restart_reads_sql(db):
    await _new_conversation(_store(db))
    restarted = _store(db)
    assert (await restarted.retrieve("c1")).get_slot("district") == "海淀区" and restarted.misses == 1
    full = await restarted.retrieve_full_tracker("c1")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["hello"]


async def _full_from_sql(db: str, sender: str) -> DialogueStateTracker:
    from rasa.core.tracker_store import SQLTrackerStore

    return await SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db).retrieve_full_tracker(sender)


def _full_state(tracker: DialogueStateTracker) -> dict:
    state = tracker.current_state(EventVerbosity.ALL)
    state.pop("latest_event_time", None)
    return state


async def test_full_tracker_reads_only_new_rows_and_equals_sqls_full_read(db, monkeypatch):
    store = _store(db)
    tracker = await _new_conversation(store)
    assert await store.retrieve_full_tracker("nobody") is None
    first = await store.retrieve_full_tracker("c1")
    assert _full_state(first) == _full_state(await _full_from_sql(db, "c1"))

    parsed = []
    original = DialogueStateTracker.from_dict
    monkeypatch.setattr(DialogueStateTracker, "from_dict",
                        classmethod(lambda cls, *a, **k: parsed.append(a) or original(*a, **k)))
    tracker = await store.retrieve("c1")
    tracker.update(ActionExecuted("action_session_start"))  # a second session: the full read keeps both
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "new session", "朝阳区")
    await store.save(tracker)
    parsed.clear()  # the save rebuilt the latest session once (see the new-session test)
    full = await store.retrieve_full_tracker("c1")
    assert parsed == []  # nothing read again from the start
    assert _full_state(full) == _full_state(await _full_from_sql(db, "c1"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["hello", "new session"]

    full.update(SlotSet("district", "西城区"))  # a caller changing its copy changes nothing kept
    _turn(full, "never saved")
    other = _store(db)  # another writer (a second worker) adds rows: they are read
    theirs = await other.retrieve("c1")
    _turn(theirs, "theirs")
    await other.save(theirs)
    again = await store.retrieve_full_tracker("c1")
    assert again is not full and _full_state(again) == _full_state(await _full_from_sql(db, "c1"))
    assert again.get_slot("district") == "朝阳区"
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["hello", "new session", "theirs"]


async def test_full_tracker_cache_is_bounded_and_can_be_turned_off(db):
    store = _store(db, full_cache_size=1)
    for sender in ("a", "b"):
        await _new_conversation(store, sender)
        await store.retrieve_full_tracker(sender)
    assert list(store._full) == ["b"]
    off = _store(db, full_cache_size=0)
    assert _full_state(await off.retrieve_full_tracker("a")) == _full_state(await _full_from_sql(db, "a"))
    assert not off._full


async def test_a_new_model_rebuilds_cached_trackers_with_its_slots(db):
    store = _store(db)
    await _new_conversation(store)
    await store.retrieve_full_tracker("c1")
    store.domain = _new_model_domain()
    full = await store.retrieve_full_tracker("c1")
    latest = await store.retrieve("c1")
    assert store.misses == 2  # creation, and the new domain
    for tracker in (full, latest):
        assert "street" in tracker.slots and tracker.get_slot("district") == "海淀区"


def test_endpoints_config_creates_the_cached_store(db):
    store = TrackerStore.create(
        EndpointConfig(type="bot.tracker_store.CachedSQLTrackerStore", dialect="sqlite", db=db,
                       cache_size=5, warm_size=3, full_cache_size=4),
        domain=DOMAIN,
    )
    assert isinstance(store, CachedSQLTrackerStore)
    assert (store._cache_size, store._warm_size, store._full_cache_size) == (5, 3, 4)


def _rows(db: str) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


async def test_rows_written_are_rasas_rows(tmp_path):
    from rasa.core.tracker_store import SQLTrackerStore

    ours_db, rasa_db = str(tmp_path / "ours.sqlite3"), str(tmp_path / "rasa.sqlite3")
    ours, rasas = _store(ours_db), SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=rasa_db)
    tracker = DialogueStateTracker("c1", DOMAIN.slots)
    tracker.update(SessionStarted())  # first, as SQL returns a tracker
    tracker.update(ActionExecuted("action_listen"))
    _turn(tracker, "hello", "海淀区")
    for store in (ours, rasas):
        await store.save(tracker)
    _turn(tracker, "again", "朝阳区")  # a second save writes only the new events, in both
    for store in (ours, rasas):
        await store.save(tracker)
    assert _rows(ours_db) == _rows(rasa_db) and len(_rows(ours_db)) == len(tracker.events)


async def test_a_handed_out_tracker_saves_only_its_new_events_without_counting(db, monkeypatch):
    store = _store(db)
    await _new_conversation(store)
    tracker = await store.retrieve("c1")
    counted = []
    original = CachedSQLTrackerStore._additional_events
    monkeypatch.setattr(CachedSQLTrackerStore, "_additional_events",
                        lambda self, session, t: counted.append(t) or original(self, session, t))
    _turn(tracker, "more", "朝阳区")
    await store.save(tracker)
    assert counted == []  # known from the hand-out
    assert len(_rows(db)) == len(tracker.events) + 1  # + the first action_listen, before the session
    assert _state(await _from_sql(db, "c1")) == _state(tracker)

    # another writer in between: fall back to Rasa's count, still nothing lost or doubled
    tracker = await store.retrieve("c1")
    other = _store(db)
    theirs = await other.retrieve("c1")
    _turn(theirs, "other", "西城区")
    await other.save(theirs)
    _turn(tracker, "ours")
    await store.save(tracker)
    assert counted == [theirs, tracker]  # theirs: a miss in the other store


async def test_sqlite_connections_are_pooled_in_wal_mode(db):
    import sqlite3

    store = _store(db)
    await _new_conversation(store)
    assert type(store.engine.pool).__name__ == "QueuePool"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_tracker_read_before_a_model_change_and_saved_after_it_is_rebuilt(db):
    store = _store(db)
    await _new_conversation(store)
    in_flight = await store.retrieve("c1")  # a message waiting on the action server...
    store.domain = _new_model_domain()
    _turn(in_flight, "more")
    await store.save(in_flight)  # ...is saved after the new model arrived
    again = await store.retrieve("c1")
    assert again is not in_flight and "street" in again.slots and store.misses == 2


async def test_full_tracker_reads_everything_again_when_stored_rows_change(db):
    import sqlite3

    store = _store(db)
    tracker = await _new_conversation(store)
    _turn(tracker, "second")
    await store.save(tracker)
    await store.retrieve_full_tracker("c1")
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT * FROM events WHERE sender_id='c1' ORDER BY id LIMIT 1 OFFSET 3").fetchone()
        connection.execute("DELETE FROM events WHERE id = ?", (row[0],))
    assert _full_state(await store.retrieve_full_tracker("c1")) == _full_state(await _full_from_sql(db, "c1"))
    with sqlite3.connect(db) as connection:  # a row committed late with a lower id than those read
        connection.execute(f"INSERT INTO events VALUES ({','.join('?' * len(row))})", row)
    full = await store.retrieve_full_tracker("c1")
    assert _full_state(full) == _full_state(await _full_from_sql(db, "c1"))
    assert len(full.events) == len((await _full_from_sql(db, "c1")).events)
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM events WHERE sender_id = 'c1'")
    assert await store.retrieve_full_tracker("c1") is None
