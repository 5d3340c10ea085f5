"""When the NLU did not understand: try the FAQ (strict threshold), else ask to rephrase; on the
second miss in a row offer a person."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import HotlineAction, read_turn
from bot.actions.questions import FALLBACK_THRESHOLD, answer_question

FALLBACK_INTENTS = frozenset({"nlu_fallback"})


def consecutive_misses(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood (this one included)."""
    count = 0
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in FALLBACK_INTENTS:
            count += 1
        else:
            break
    return max(count, 1)


class ActionDefaultFallback(HotlineAction):
    """Overrides Rasa's ``action_default_fallback``."""

    def name(self) -> str:
        return "action_default_fallback"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = await self._respond(dispatcher, tracker)
        # As Rasa's own action_default_fallback: forget the turn the dialogue policies could not
        # place, or they predict this action again and again for it.
        return events + [UserUtteranceReverted()]

    async def _respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        turn = read_turn(tracker)
        if turn.meaningful and await answer_question(dispatcher, tracker, FALLBACK_THRESHOLD):
            return [SlotSet("fallback_count", 0.0)]
        misses = consecutive_misses(tracker)
        if misses >= 2:
            dispatcher.utter_message(response="utter_offer_human")
        elif not turn.meaningful:
            dispatcher.utter_message(response="utter_please_type")
        else:
            dispatcher.utter_message(response="utter_rephrase")
        return [SlotSet("fallback_count", float(misses))]


class ActionFallback(ActionDefaultFallback):
    """The same behaviour under the name the nlu_fallback rules use; the turn stays in the story."""

    def name(self) -> str:
        return "action_fallback"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await self._respond(dispatcher, tracker)
