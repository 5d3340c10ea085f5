"""Hand-off to a human operator. For now: tell the citizen, flag the conversation
(``handoff_requested``) and stop any form; the queue behind :class:`HandoffDesk` is the next
issue's work."""
from __future__ import annotations

import logging
from typing import Protocol

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import HotlineAction, deactivate_loop, language_of

logger = logging.getLogger(__name__)


class HandoffDesk(Protocol):
    async def request(self, sender_id: str, language: str, reason: str | None) -> None: ...


class LoggingHandoffDesk:
    """Placeholder desk: records the request in the log."""

    async def request(self, sender_id: str, language: str, reason: str | None) -> None:
        logger.info("hand-off requested by %s (%s): %s", sender_id, language, reason or "-")


desk: HandoffDesk = LoggingHandoffDesk()


class ActionHandoff(HotlineAction):
    def name(self) -> str:
        return "action_handoff"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        await desk.request(tracker.sender_id, language_of(tracker), intent)
        dispatcher.utter_message(response="utter_handoff")
        return deactivate_loop(tracker) + [SlotSet("handoff_requested", True)]
