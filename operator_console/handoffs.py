"""The hand-off queue: one row per conversation handed to a person, ``queued → claimed → released``.

Who gets a conversation is decided by SQLite, not by Python: a claim is the conditional
``UPDATE … WHERE status = 'queued'`` and wins only if it changed a row, so two operators (or
two console processes) can never claim the same conversation. A unique partial index keeps at
most one open hand-off per conversation, so a bot asking twice gets the same ticket.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from operator_console.accounts import User
from operator_console.db import Database

OPEN = ("queued", "claimed")
MAX_SUMMARY_CHARS = 20000


@dataclass(frozen=True)
class HandoffRequest:
    """What the action server tells the console (``POST /internal/handoffs``)."""

    conversation_id: str
    language: str = "zh"
    reason: str | None = None
    category: str | None = None
    channel: str | None = None
    case_number: str | None = None
    since: float = 0.0
    slots: dict[str, Any] = field(default_factory=dict)
    last_turns: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_json(cls, body: Any) -> "HandoffRequest":
        """Validate the internal API's body; ``ValueError`` on anything malformed."""
        if not isinstance(body, dict):
            raise ValueError("body must be an object")
        conversation_id = body.get("conversation_id")
        if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 200:
            raise ValueError("conversation_id is required")

        def text(name: str, limit: int = 200) -> str | None:
            value = body.get(name)
            return str(value)[:limit] if value not in (None, "") else None

        slots = body.get("slots")
        turns = body.get("last_turns")
        slots = {} if slots is None else slots
        turns = [] if turns is None else turns
        if not isinstance(slots, dict) or not isinstance(turns, list):
            raise ValueError("slots must be an object and last_turns a list")
        clean_turns = [
            {"who": str(t.get("who", ""))[:10], "text": str(t.get("text", ""))[:2000]}
            for t in turns[-10:] if isinstance(t, dict)
        ]
        try:
            since = float(body.get("since") or 0.0)
        except (TypeError, ValueError):
            raise ValueError("since must be a number") from None
        return cls(
            conversation_id=conversation_id, language="en" if body.get("language") == "en" else "zh",
            reason=text("reason"), category=text("category"), channel=text("channel", 40),
            case_number=text("case_number", 40), since=since,
            slots={str(k)[:60]: v for k, v in list(slots.items())[:40]}, last_turns=clean_turns,
        )


@dataclass(frozen=True)
class Ticket:
    handoff_id: int
    position: int  # 1 = next; 0 = already with an operator
    status: str


class HandoffQueue:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, request: HandoffRequest) -> Ticket:
        """Queue the conversation, or return its open ticket if it has one."""
        summary = json.dumps({"slots": request.slots, "last_turns": request.last_turns}, ensure_ascii=False,
                             default=str)[:MAX_SUMMARY_CHARS]

        def work(connection: sqlite3.Connection) -> Ticket:
            try:
                connection.execute(
                    "INSERT INTO handoffs (conversation_id, status, language, reason, category, channel, case_number,"
                    " summary_json, since, created_at) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
                    (request.conversation_id, request.language, request.reason, request.category, request.channel,
                     request.case_number, summary, request.since, time.time()),
                )
            except sqlite3.IntegrityError:
                pass  # already open: the existing ticket is the answer
            row = connection.execute(
                "SELECT id, status FROM handoffs WHERE conversation_id = ? AND status != 'released'",
                (request.conversation_id,),
            ).fetchone()
            return _ticket(connection, int(row["id"]), row["status"])

        return await self.db.run(work)

    async def ticket(self, handoff_id: int) -> Ticket | None:
        def work(connection: sqlite3.Connection) -> Ticket | None:
            row = connection.execute("SELECT status FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
            return _ticket(connection, handoff_id, row["status"]) if row else None

        return await self.db.run(work)

    async def claim(self, handoff_id: int, user: User) -> bool:
        """True if this call took the conversation; False if someone else has it (or it is gone)."""
        def work(connection: sqlite3.Connection) -> bool:
            cursor = connection.execute(
                "UPDATE handoffs SET status = 'claimed', claimed_by = ?, claimed_at = ? WHERE id = ? AND status = 'queued'",
                (user.id, time.time(), handoff_id),
            )
            return cursor.rowcount == 1

        return await self.db.run(work)

    async def release(self, handoff_id: int, user: User) -> dict[str, Any] | None:
        """Close the hand-off if ``user`` holds it (a supervisor may close any open one).

        Returns the row as it was, or None when the user may not release it. Conditional like a claim.
        """
        def work(connection: sqlite3.Connection) -> dict[str, Any] | None:
            row = connection.execute("SELECT * FROM handoffs WHERE id = ?", (handoff_id,)).fetchone()
            if row is None or row["status"] not in OPEN:
                return None
            if not user.is_supervisor and row["claimed_by"] != user.id:
                return None
            cursor = connection.execute(
                "UPDATE handoffs SET status = 'released', released_at = ? WHERE id = ? AND status = ?"
                + ("" if user.is_supervisor else " AND claimed_by = ?"),
                (time.time(), handoff_id, row["status"]) + (() if user.is_supervisor else (user.id,)),
            )
            return dict(row) if cursor.rowcount == 1 else None

        return await self.db.run(work)

    async def set_case_number(self, handoff_id: int, case_number: str) -> None:
        """The case filed (or named) for this hand-off; later notes go to it by default."""
        await self.db.run(lambda c: c.execute("UPDATE handoffs SET case_number = ? WHERE id = ?",
                                              (case_number, handoff_id)))

    async def get(self, handoff_id: int) -> dict[str, Any] | None:
        row = await self.db.run(lambda c: c.execute(
            "SELECT h.*, u.name AS claimed_by_name FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by"
            " WHERE h.id = ?", (handoff_id,)).fetchone())
        return _public(row) if row else None

    async def open_handoffs(self) -> list[dict[str, Any]]:
        """Queued ones first (oldest first, with their position), then claimed ones."""
        rows = await self.db.run(lambda c: c.execute(
            "SELECT h.*, u.name AS claimed_by_name FROM handoffs h LEFT JOIN users u ON u.id = h.claimed_by"
            " WHERE h.status != 'released' ORDER BY h.status DESC, h.id").fetchall())
        result, position = [], 0
        for row in rows:
            item = _public(row)
            if item["status"] == "queued":
                position += 1
                item["position"] = position
            result.append(item)
        return result


def _ticket(connection: sqlite3.Connection, handoff_id: int, status: str) -> Ticket:
    if status != "queued":
        return Ticket(handoff_id, 0, status)
    ahead = connection.execute(
        "SELECT COUNT(*) FROM handoffs WHERE status = 'queued' AND id < ?", (handoff_id,)).fetchone()[0]
    return Ticket(handoff_id, int(ahead) + 1, status)


def _public(row: sqlite3.Row) -> dict[str, Any]:
    """The row as the console's JSON API shows it (summary decoded)."""
    item = dict(row)
    summary = json.loads(item.pop("summary_json") or "{}")
    item["slots"] = summary.get("slots") or {}
    item["last_turns"] = summary.get("last_turns") or []
    return item
