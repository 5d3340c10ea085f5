"""Inline trackers for action tests, and a small stand-in for Rasa core's form loop.

:class:`FormDialogue` reproduces what Rasa does around a ``validate_<form>`` action — the
``from_entity`` candidates of the domain's slot mappings, the temporary tracker (history + user
message + ``requested_slot`` + the form's ``ActionExecuted`` + candidates), activation, rejection
when nothing was extracted, interruption and resumption — so that dialogues can be tested
without a trained model.
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DICT: dict = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
_clock = itertools.count(1)


def stamp() -> float:
    return 1_764_480_000.0 + next(_clock)


def user_event(text: str, intent: str | None, entities: list[dict] | None = None,
               metadata: dict | None = None, confidence: float = 0.95) -> dict:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence} if intent else {},
             "entities": entities or [], "metadata": metadata or {}}
    return {"event": "user", "text": text, "parse_data": parse, "metadata": metadata or {},
            "input_channel": "rest", "timestamp": stamp()}


def slot_event(name: str, value: Any) -> dict:
    return {"event": "slot", "name": name, "value": value, "timestamp": stamp()}


def action_event(name: str) -> dict:
    return {"event": "action", "name": name, "timestamp": stamp()}


def entities(**values: str) -> list[dict]:
    return [{"entity": k, "value": v} for k, v in values.items()]


def make_tracker(
    text: str = "",
    intent: str | None = "inform",
    slots: dict | None = None,
    ents: list[dict] | None = None,
    metadata: dict | None = None,
    events: list[dict] | None = None,
    active_loop: str | None = None,
    sender_id: str = "citizen-1",
) -> Tracker:
    """A tracker whose latest user message is ``text``; ``slots`` are set before that message."""
    slots = dict(slots or {})
    slots.setdefault("language", "zh")
    history = list(events or [])
    if not events:
        history = [action_event("action_session_start"), {"event": "session_started", "timestamp": stamp()}]
        history += [slot_event(k, v) for k, v in slots.items() if v is not None]
        if active_loop:
            history.append({"event": "active_loop", "name": active_loop, "timestamp": stamp()})
        history.append(action_event("action_listen"))
        history.append(user_event(text, intent, ents, metadata))
    latest = history[-1]["parse_data"] if history and history[-1].get("event") == "user" else {
        "text": text, "intent": {"name": intent}, "entities": ents or [], "metadata": metadata or {}}
    return Tracker(sender_id, slots, latest, history, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    """Response names uttered, in order."""
    return [m.get("response") or m.get("text") for m in dispatcher.messages]


def slot_values(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# ---------------------------------------------------------------------------- form emulation

_NOT_SLOTS = {"requested_slot"}


def entity_candidates(form: str, intent: str | None, ents: list[dict]) -> dict:
    """What Rasa's action_extract_slots sets from entities while ``form`` is active."""
    out: dict = {}
    for slot, spec in DOMAIN_DICT["slots"].items():
        for mapping in spec.get("mappings", []):
            if mapping.get("type") != "from_entity":
                continue
            conditions = mapping.get("conditions") or []
            if conditions and not any(c.get("active_loop") == form for c in conditions):
                continue
            if intent in (mapping.get("not_intent") or []):
                continue
            values = [e["value"] for e in ents if e.get("entity") == mapping["entity"]]
            if values:
                out[slot] = values[-1]
                break
    return out


class FormDialogue:
    """Drives one validation action through a conversation, the way Rasa core would."""

    def __init__(self, action: Any, form: str, language: str = "zh", sender_id: str = "citizen-1",
                 slots: dict | None = None) -> None:
        self.action = action
        self.form = form
        self.sender_id = sender_id
        self.slots: dict = {"language": language, **(slots or {})}
        self.events: list[dict] = [action_event("action_session_start"), {"event": "session_started"}]
        self.events += [slot_event(k, v) for k, v in self.slots.items()]
        self.active = False
        self.requested: str | None = None
        self.asked: list[str] = []
        self.said: list[str] = []
        self.rejected = False
        self.latest: dict = {}
        self.last_messages: list[dict] = []

    # -------------------------------------------------------------- internals
    def _tracker(self, extra: list[dict]) -> Tracker:
        events = self.events + extra
        slots = dict(self.slots)
        for event in extra:
            if event.get("event") == "slot":
                slots[event["name"]] = event["value"]
        return Tracker(self.sender_id, slots, self.latest, events, False, None,
                       {"name": self.form} if self.active else {}, "action_listen")

    def _apply(self, events: list[dict]) -> None:
        for event in events:
            self.events.append(event)
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
                if event["name"] == "requested_slot":
                    self.requested = event["value"]
            elif event.get("event") == "active_loop":
                self.active = event.get("name") == self.form

    async def _run_validation(self, candidates: dict) -> tuple[list[dict], CollectingDispatcher]:
        extra = [slot_event(k, v) for k, v in candidates.items()]
        extra += [slot_event("requested_slot", self.requested if self.active else None), action_event(self.form)]
        extra += [slot_event(k, v) for k, v in candidates.items()]
        dispatcher = CollectingDispatcher()
        events = await self.action.run(dispatcher, self._tracker(extra), DOMAIN_DICT)
        return events, dispatcher

    async def _continue(self, events: list[dict], dispatcher: CollectingDispatcher) -> None:
        self.last_messages = list(dispatcher.messages)
        self.said += texts(dispatcher)
        self._apply([e for e in events])
        if not self.active:
            return
        if not any(e.get("event") == "slot" and e["name"] == "requested_slot" for e in events):
            # The SDK leaves the choice to Rasa when required_slots equals the domain's list.
            required = DOMAIN_DICT["forms"][self.form]["required_slots"]
            self.requested = next((s for s in required if self.slots.get(s) is None), None)
            self.slots["requested_slot"] = self.requested
            self.events.append(slot_event("requested_slot", self.requested))
        requested = self.requested
        if requested is None:  # done
            self.active = False
            self.events.append({"event": "active_loop", "name": None})
            return
        self.asked.append(requested)
        self.events.append(action_event(self.form))

    # -------------------------------------------------------------- API
    async def say(self, text: str, intent: str | None = "inform", ents: list[dict] | None = None,
                  metadata: dict | None = None) -> "FormDialogue":
        """A user message while the form is active (or the activating message if not)."""
        self.rejected = False
        self.events.append(action_event("action_listen"))
        event = user_event(text, intent, ents, metadata)
        self.latest = event["parse_data"]
        self.events.append(event)
        if not self.active:
            return await self._activate(ents or [], intent)
        candidates = entity_candidates(self.form, intent, ents or [])
        events, dispatcher = await self._run_validation(candidates)
        validated = any(e.get("event") == "slot" and e["name"] != "requested_slot" for e in events)
        if not candidates and not validated:
            self.rejected = True  # Rasa would let the policies handle this message
            self.last_messages = list(dispatcher.messages)
            self.said += texts(dispatcher)
            self.events.append({"event": "action_execution_rejected", "name": self.form})
            return self
        self._apply([slot_event(k, v) for k, v in candidates.items()])
        await self._continue(events, dispatcher)
        return self

    async def _activate(self, ents: list[dict], intent: str | None) -> "FormDialogue":
        self.events.append({"event": "active_loop", "name": self.form, "timestamp": stamp()})
        self.active = True
        self.requested = None
        candidates = entity_candidates(self.form, intent, ents)
        self._apply([slot_event(k, v) for k, v in candidates.items()])
        events, dispatcher = await self._run_validation({})
        await self._continue(events, dispatcher)
        return self

    async def interrupted_by(self, action_name: str, bot_response: str = "utter_x") -> "FormDialogue":
        """Another action handled the (rejected) message; the form resumes, as in the rules."""
        self.events.append(action_event(action_name))
        self.events.append({"event": "bot", "text": bot_response})
        events, dispatcher = await self._run_validation({})
        await self._continue(events, dispatcher)
        return self

    def tracker(self, text: str = "", intent: str | None = None) -> Tracker:
        """The conversation as an action after the form would see it."""
        return Tracker(self.sender_id, dict(self.slots), self.latest, list(self.events), False, None,
                       {"name": self.form} if self.active else {}, self.form)
