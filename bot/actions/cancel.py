"""Cancelling: stop the active form and forget what it collected (nothing is filed)."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import CASE_SLOTS, REQUESTED_SLOT, STATUS_SLOTS, HotlineAction, reset_slots


class ActionCancelForm(HotlineAction):
    def name(self) -> str:
        return "action_cancel_form"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        collected = any(tracker.get_slot(slot) is not None for slot in CASE_SLOTS + STATUS_SLOTS)
        if tracker.active_loop_name or collected:
            dispatcher.utter_message(response="utter_form_cancelled")
        else:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
        events: list[EventType] = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        return events + reset_slots(CASE_SLOTS + STATUS_SLOTS + ("verification_code",))
