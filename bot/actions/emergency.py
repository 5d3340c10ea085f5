"""Emergencies: give the right emergency number immediately, offer a person, and never let a
case form continue — a fire is not a work order."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import HotlineAction, deactivate_loop, read_turn
from bot.parsing.emergencies import classify_emergency

RESPONSES = {
    "fire": "utter_emergency_fire",
    "gas": "utter_emergency_gas",
    "crime": "utter_emergency_crime",
    "medical": "utter_emergency_medical",
    None: "utter_emergency_generic",
}


def utter_emergency(dispatcher: CollectingDispatcher, kind: str | None) -> None:
    """The emergency message for ``kind`` (fire/gas/crime/medical or unknown)."""
    dispatcher.utter_message(response=RESPONSES.get(kind, RESPONSES[None]))


class ActionEmergency(HotlineAction):
    """110 / 119 / 120 (and 96777 for gas) first; an active form is stopped."""

    def name(self) -> str:
        return "action_emergency"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        utter_emergency(dispatcher, classify_emergency(read_turn(tracker).text))
        return deactivate_loop(tracker)
