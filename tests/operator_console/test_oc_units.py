"""Queue, claim race, passwords, login limiter, transcript and settings — no HTTP."""
from __future__ import annotations

import asyncio

import pytest

from operator_console.accounts import AccountExists, User, authenticate, create_user_sync
from operator_console.handoffs import HandoffQueue, HandoffRequest
from operator_console.passwords import WeakPassword, hash_password, verify_password
from operator_console.ratelimit import LoginLimiter
from operator_console.settings import ConsoleSettings
from operator_console.transcript import messages_since

ALICE, BOB, SUE = User(1, "alice", "operator"), User(2, "bob", "operator"), User(3, "sue", "supervisor")


def request(conversation: str, **extra) -> HandoffRequest:
    return HandoffRequest.from_json({"conversation_id": conversation, "language": "zh", "since": 1.0, **extra})


async def test_positions_and_idempotent_enqueue(db):
    queue = HandoffQueue(db)
    first, second = await queue.enqueue(request("a")), await queue.enqueue(request("b"))
    assert (first.position, second.position) == (1, 2)
    again = await queue.enqueue(request("b"))
    assert again.handoff_id == second.handoff_id and again.position == 2
    assert await queue.claim(first.handoff_id, ALICE)
    assert (await queue.ticket(second.handoff_id)).position == 1
    assert (await queue.enqueue(request("a"))).position == 0  # already with an operator


async def test_two_operators_racing_for_one_claim_exactly_one_wins(db):
    queue = HandoffQueue(db)
    for round_ in range(10):
        ticket = await queue.enqueue(request(f"race-{round_}"))
        results = await asyncio.gather(queue.claim(ticket.handoff_id, ALICE), queue.claim(ticket.handoff_id, BOB))
        assert sorted(results) == [False, True]
        holder = (await queue.get(ticket.handoff_id))["claimed_by"]
        assert holder == (ALICE.id if results[0] else BOB.id)


async def test_concurrent_enqueues_of_one_conversation_make_one_ticket(db):
    queue = HandoffQueue(db)
    tickets = await asyncio.gather(*(queue.enqueue(request("same")) for _ in range(8)))
    assert len({t.handoff_id for t in tickets}) == 1


async def test_release_only_by_the_holder_or_a_supervisor(db):
    queue = HandoffQueue(db)
    ticket = await queue.enqueue(request("c"))
    assert await queue.release(ticket.handoff_id, ALICE) is None  # nobody holds it; operators cannot drop it
    assert await queue.claim(ticket.handoff_id, ALICE)
    assert await queue.release(ticket.handoff_id, BOB) is None
    assert (await queue.release(ticket.handoff_id, ALICE))["conversation_id"] == "c"
    assert await queue.release(ticket.handoff_id, ALICE) is None
    assert not await queue.claim(ticket.handoff_id, BOB)  # released is final
    fresh = await queue.enqueue(request("c"))  # the conversation may be handed off again
    assert fresh.handoff_id != ticket.handoff_id and fresh.position == 1
    assert await queue.release(fresh.handoff_id, SUE) is not None


def test_request_validation():
    with pytest.raises(ValueError):
        HandoffRequest.from_json({"language": "zh"})
    with pytest.raises(ValueError):
        HandoffRequest.from_json({"conversation_id": "x", "slots": []})
    parsed = HandoffRequest.from_json({"conversation_id": "x", "language": "fr", "last_turns": [{"who": "user"}] * 30})
    assert parsed.language == "zh" and len(parsed.last_turns) == 10


def test_passwords():
    stored = hash_password("a long enough secret")
    assert stored.startswith("scrypt$") and "a long" not in stored
    assert verify_password("a long enough secret", stored)
    assert not verify_password("a long enough secreT", stored)
    assert not verify_password("x", "garbage")
    assert hash_password("a long enough secret") != stored  # salted
    with pytest.raises(WeakPassword):
        hash_password("short")


async def test_accounts(db):
    with pytest.raises(AccountExists):
        create_user_sync(db, "alice", "another long password", "operator")
    with pytest.raises(ValueError):
        create_user_sync(db, "eve", "another long password", "admin")
    assert (await authenticate(db, "alice", "correct horse battery")).role == "operator"
    assert await authenticate(db, "alice", "wrong password!!") is None
    assert await authenticate(db, "nobody", "correct horse battery") is None


def test_login_limiter_window():
    now = [0.0]
    limiter = LoginLimiter(failures=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not limiter.blocked("ip:1", "name:a")
        limiter.failed("ip:1", "name:a")
    assert limiter.blocked("ip:1") and limiter.blocked("ip:2", "name:a") and not limiter.blocked("ip:2", "name:b")
    now[0] = 61.0
    assert not limiter.blocked("ip:1", "name:a")


def test_transcript_keeps_order_and_marks_operators():
    tracker = {"events": [
        {"event": "user", "text": "before", "timestamp": 1.0},
        {"event": "bot", "text": "queued", "timestamp": 2.0},
        {"event": "action", "name": "action_listen", "timestamp": 2.5},
        {"event": "user", "text": "one", "timestamp": 3.0},
        {"event": "bot", "text": "hello", "metadata": {"operator": "alice"}, "timestamp": 4.0},
        {"event": "user", "text": "two", "timestamp": 5.0},
    ]}
    assert [(m["seq"], m["who"], m["text"]) for m in messages_since(tracker, 1.0)] == [
        (1, "bot", "queued"), (2, "citizen", "one"), (3, "operator", "hello"), (4, "citizen", "two")]


def test_settings_from_env(tmp_path):
    settings = ConsoleSettings.from_env({"HOTLINE_VAR_DIR": str(tmp_path), "OPERATOR_CONSOLE_SECRET": " s ",
                                         "RASA_URL": "http://r:5005/", "OPERATOR_CONSOLE_SESSION_HOURS": "1"})
    assert settings.database == tmp_path / "operator_console.sqlite3" and settings.internal_secret == "s"
    assert settings.rasa_url == "http://r:5005" and settings.session_seconds == 3600
    assert "internal_secret" not in repr(settings)
    with pytest.raises(ValueError):
        ConsoleSettings.from_env({"OPERATOR_CONSOLE_LOGIN_WINDOW": "-1"})
