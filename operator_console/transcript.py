"""What the operator sees of a conversation: the citizen's and the bot's/operator's messages
after the hand-off, in tracker order (which is the order Rasa received them in).

The hand-off record carries ``since`` — the timestamp of the citizen message that triggered it
(Rasa's clock) — rather than an event index, because a tracker store may return only the
current session's events and a session may restart during a long wait.
"""
from __future__ import annotations

from typing import Any


def messages_since(tracker: dict[str, Any], since: float) -> list[dict[str, Any]]:
    """``[{"seq", "who": citizen|bot|operator, "text", "at"}]`` for user/bot events after ``since``."""
    result: list[dict[str, Any]] = []
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind not in ("user", "bot") or float(event.get("timestamp") or 0.0) <= since:
            continue
        text = event.get("text")
        if not isinstance(text, str) or not text:
            continue
        if kind == "user":
            who = "citizen"
        else:
            who = "operator" if (event.get("metadata") or {}).get("operator") else "bot"
        result.append({"seq": len(result) + 1, "who": who, "text": text, "at": event.get("timestamp")})
    return result


def is_paused(tracker: dict[str, Any]) -> bool:
    return bool(tracker.get("paused"))
