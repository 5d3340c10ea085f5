"""What every form validator here shares.

rasa-sdk's ``FormValidationAction`` keeps only the slots listed in ``required_slots``; our forms
also set helper slots (miss counter, category candidates, location, …), so :meth:`run` merges
those back. It also implements the miss rule of the contract: after two failed answers to the
same question the bot explains what it needs (with an example) and offers a person.
"""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.actions.common import MISSES, NEUTRAL, REQUESTED_SLOT, Turn, read_turn, slot_before_latest_message

logger = logging.getLogger(__name__)

#: After this many failed answers in a row the bot explains and offers a person.
EXPLAIN_AFTER = 2


class HotlineFormValidation(FormValidationAction, ABC):
    """Base for ``validate_<form>`` actions (see module docstring)."""

    #: Slots this form may set although they are not in its ``required_slots``.
    helper_slots: ClassVar[frozenset[str]] = frozenset({MISSES})

    @abstractmethod
    def name(self) -> str: ...

    # ------------------------------------------------------------------ hooks

    async def pre_extract(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, turn: Turn
    ) -> list[EventType]:
        """Events computed before the per-slot extraction (metadata, anonymity, emergencies).

        Returning an ``active_loop`` event stops the form at once (nothing else runs).
        """
        return []

    async def after_validation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, turn: Turn,
        events: list[EventType],
    ) -> list[EventType]:
        """Extra events once all slots of this turn are validated; an ``active_loop`` event among
        them ends the form (no next question)."""
        return []

    # ------------------------------------------------------------------ the run

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await self._run(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 — never leave the citizen without an answer
            logger.exception("form validation %s failed for %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem")
            return []

    async def _run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        turn = read_turn(tracker)
        pre = await self.pre_extract(dispatcher, tracker, domain, turn)
        if any(event.get("event") == "active_loop" for event in pre):
            return pre
        tracker.add_slots(pre)

        extraction = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extraction)
        validation = await self.get_validation_events(dispatcher, tracker, domain)
        tracker.add_slots(validation)

        validated = {event["name"] for event in validation if event.get("event") == "slot"}
        kept = [
            event for event in extraction
            if event.get("event") == "slot" and event["name"] in self.helper_slots and event["name"] not in validated
        ]
        events: list[EventType] = [e for e in pre if e.get("event") == "slot" and e["name"] not in validated]
        events += kept + validation

        more = await self.after_validation(dispatcher, tracker, domain, turn, events)
        if more:
            tracker.add_slots(more)
            events += more
            if any(event.get("event") == "active_loop" for event in more):
                return events  # the hook ended the form (e.g. a hand-off): ask nothing more

        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        upcoming = next_slot["value"] if next_slot else await self._first_missing(dispatcher, tracker, domain)
        if (tracker.get_slot(MISSES) or 0) > 0 and upcoming != turn.requested:
            # A new question starts with a clean slate (answered, or no longer needed).
            events.append(SlotSet(MISSES, 0.0))
        if next_slot:
            events.append(next_slot)
        return events

    async def _first_missing(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> str | None:
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return next((slot for slot in required if tracker.slots.get(slot) is None), None)

    # ------------------------------------------------------------------ helpers for subclasses

    def miss(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, reason: str | None = None, **values: Any
    ) -> dict[str, Any]:
        """A failed answer to ``slot``: say why (first time) or explain and offer a person (second)."""
        count = int(tracker.get_slot(MISSES) or 0) + 1
        if count >= EXPLAIN_AFTER:
            if reason:
                dispatcher.utter_message(response=reason, **values)
            dispatcher.utter_message(response=f"utter_explain_{slot}")
        else:
            dispatcher.utter_message(response=reason or "utter_did_not_understand", **values)
        tracker.slots[MISSES] = float(count)
        return {slot: None, MISSES: float(count)}

    def neutral(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """A greeting or thanks instead of an answer: ask again without counting a miss."""
        return {MISSES: float(tracker.get_slot(MISSES) or 0)}

    def accept(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        turn: Turn,
        slot: str,
        value: Any,
        display: str | None = None,
        field_response: str | None = None,
    ) -> dict[str, Any]:
        """Take ``value``; when it replaces a different earlier value, acknowledge the change."""
        previous = slot_before_latest_message(tracker, slot)
        if previous is not None and value is not None and previous != value and turn.fresh and turn.requested != slot:
            dispatcher.utter_message(
                response=field_response or f"utter_updated_{slot}", value=display if display is not None else value
            )
        return {slot: value}

    def keep(self, tracker: Tracker, slot: str) -> dict[str, Any]:
        """An unusable candidate for a slot that was not asked: keep what we had."""
        return {slot: slot_before_latest_message(tracker, slot)}

    @staticmethod
    def is_neutral(turn: Turn) -> bool:
        return turn.intent in NEUTRAL and turn.fresh


__all__ = ["HotlineFormValidation", "REQUESTED_SLOT", "EXPLAIN_AFTER"]
