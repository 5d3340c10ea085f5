"""Filing the confirmed case through backend_client.

The filing is written to the outbox *before* the first attempt, under an idempotency key derived
from the conversation and the form's start; the same key is used by every retry (this action
again, the next message, the background worker), so the case is filed exactly once.
"""
from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import runtime
from bot.actions.case_record import CaseRecord, idempotency_key
from bot.actions.common import CASE_SLOTS, HotlineAction, language_of, reset_slots
from bot.actions.errors import IncompleteCase
from bot.actions.formatting import format_date
from bot.actions.outbox import PENDING, REJECTED, SUBMITTED, deliver

logger = logging.getLogger(__name__)


class ActionSubmitCase(HotlineAction):
    """Submit, or queue when the backend is down, or explain a rejection and offer a person."""

    def name(self) -> str:
        return "action_submit_case"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("case_confirmed") is not True:
            # Reached without a confirmed summary (e.g. the form was stopped by an emergency).
            logger.info("action_submit_case without confirmation for %s; nothing filed", tracker.sender_id)
            return []
        try:
            record = CaseRecord.from_tracker(tracker)
        except IncompleteCase as exc:
            logger.warning("incomplete case for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_case_incomplete")
            return [SlotSet("case_confirmed", None)]

        rt = runtime.get_runtime()
        key = idempotency_key(tracker)
        outbox = rt.outbox()
        await outbox.enqueue(key, tracker.sender_id, record)
        try:
            backend = await rt.backend()
        except Exception:  # noqa: BLE001 — misconfiguration must not lose the case
            logger.exception("cannot create the case backend; case %s stays queued", key)
            entry = await outbox.get(key)
        else:
            entry = await deliver(outbox, backend, key, rt.settings.submit_timeout)
        language = language_of(tracker)

        if entry is not None and entry.status == SUBMITTED:
            await outbox.claim_notification(key)
            deadline = format_date(entry.expected_at, language)
            dispatcher.utter_message(
                response="utter_case_submitted" if deadline else "utter_case_submitted_no_deadline",
                case_number=entry.case_number, deadline=deadline,
            )
            return reset_slots(CASE_SLOTS) + [SlotSet("last_case_number", entry.case_number)]
        if entry is not None and entry.status == REJECTED:
            # The outbox keeps the full draft (status "rejected") for the operator who takes over;
            # the slots are cleared so that a new report does not start from this one.
            await outbox.claim_notification(key)
            dispatcher.utter_message(response="utter_case_rejected")
            return reset_slots(CASE_SLOTS)
        # Still pending: the backend is unavailable. The draft is safe in the outbox.
        status = entry.status if entry is not None else PENDING
        logger.info("case %s queued (%s) for %s", key, status, tracker.sender_id)
        dispatcher.utter_message(response="utter_case_queued")
        rt.ensure_worker(force=True)
        return reset_slots(CASE_SLOTS) + [SlotSet("pending_case_key", key)]
