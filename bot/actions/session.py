"""Session start: carry over only what must survive a pause — the language, a case waiting in
the outbox and the last case number — never half-filled forms or a verified phone.

A conversation handed to an operator stays handed off: Rasa's ``SessionStarted`` un-pauses the
tracker, so a citizen who writes again after the session expired while still queued (or while
an operator has them) would otherwise get the bot back; the pause is restored here."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import HotlineAction

CARRY_OVER = ("language", "pending_case_key", "last_case_number", "handoff_requested")


class ActionSessionStart(HotlineAction):
    def name(self) -> str:
        return "action_session_start"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        for slot in CARRY_OVER:
            value = tracker.get_slot(slot)
            if value is not None:
                events.append(SlotSet(slot, value))
        events.append(ActionExecuted("action_listen"))
        if tracker.get_slot("handoff_requested") is True:
            events.append(ConversationPaused())
        return events

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 — a session must always start
            return [SessionStarted(), ActionExecuted("action_listen")]
