"""Case status: ``validate_status_form`` (the case number in any common writing) and
``action_check_status`` (status, latest step, department, deadline)."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from backend_client import BackendError, Case, NotFound
from bot.actions import runtime
from bot.actions.common import HotlineAction, Turn, language_of, read_turn
from bot.actions.formatting import format_date, format_short_date, stage_label, unknown
from bot.actions.forms_base import HotlineFormValidation
from bot.parsing.case_numbers import format_case_number, looks_like_case_number_attempt, parse_case_number
from bot.parsing.replies import is_skip

logger = logging.getLogger(__name__)


class ValidateStatusForm(HotlineFormValidation):
    """Reads the case number from the asking message or the answer; checks that it exists."""

    def name(self) -> str:
        return "validate_status_form"

    async def extract_case_number(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if turn.opening:
            found = parse_case_number(turn.entity("case_number") or "") or parse_case_number(turn.text)
            return {"case_number": found} if found else {}
        if turn.requested != "case_number" or not turn.fresh:
            return {}
        found = parse_case_number(turn.entity("case_number") or "") or parse_case_number(turn.text)
        if found:
            return {"case_number": found}
        if not turn.answers("case_number"):
            return {}
        return {"case_number": turn.text}

    async def validate_case_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        turn: Turn = read_turn(tracker)
        number = parse_case_number(value) if isinstance(value, str) else None
        asked = turn.fresh and turn.requested == "case_number"
        if number is None:
            if not asked:
                return {"case_number": None}
            if self.is_neutral(turn):
                return {"case_number": None, **self.neutral(tracker, "case_number")}
            if turn.intent == "skip" or is_skip(value):
                return self.miss(dispatcher, tracker, "case_number", "utter_case_number_unknown")
            if looks_like_case_number_attempt(value):
                return self.miss(dispatcher, tracker, "case_number", "utter_case_number_invalid")
            return self.miss(dispatcher, tracker, "case_number")
        try:
            await (await runtime.get_runtime().backend()).get_case(number)
        except NotFound:
            return self.miss(dispatcher, tracker, "case_number", "utter_case_not_found",
                             case_number=format_case_number(number))
        except Exception as exc:  # noqa: BLE001 — the status action reports an outage properly
            logger.info("could not pre-check case %s: %s", number, exc.__class__.__name__)
        return {"case_number": number}


class ActionAskCaseNumber(HotlineAction):
    """Asks for the case number, offering the case filed in this conversation as a button."""

    def name(self) -> str:
        return "action_ask_case_number"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        last = tracker.get_slot("last_case_number")
        if isinstance(last, str) and parse_case_number(last):
            dispatcher.utter_message(response="utter_ask_case_number_last", last_case_number=last,
                                     buttons=[{"title": last, "payload": last}])
        else:
            dispatcher.utter_message(response="utter_ask_case_number")
        return []


def latest_step(case: Case, language: str) -> str:
    """"2026-11-30 已派单至承办部门：…" — the newest timeline entry, or the status notes."""
    if case.timeline:
        entry = max(case.timeline, key=lambda e: e.at.timestamp() if e.at else 0.0)
        parts = [format_short_date(entry.at, language), stage_label(entry.stage, None, language)]
        text = " ".join(p for p in parts if p)
        if entry.note:
            text += (": " if language == "en" else "：") + entry.note
        return text
    if case.status_notes:
        return case.status_notes
    return stage_label(case.stage, case.status, language)


def status_values(case: Case, language: str) -> dict[str, str]:
    """Template variables of ``utter_case_status``."""
    return {
        "case_number": case.id,
        "status": stage_label(case.stage, case.status, language),
        "latest": latest_step(case, language),
        "department": case.department or case.agency_responsible or unknown(language),
        "deadline": format_date(case.expected_datetime, language) or unknown(language),
    }


class ActionCheckStatus(HotlineAction):
    """Reads the case from the backend and reports it in the citizen's language."""

    def name(self) -> str:
        return "action_check_status"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        turn = read_turn(tracker)
        # The slot when the status form ran; else the message itself (a status question in the
        # middle of filing a case is answered without leaving the case form).
        number = (parse_case_number(tracker.get_slot("case_number") or "")
                  or parse_case_number(turn.entity("case_number") or "") or parse_case_number(turn.text))
        events: list[EventType] = [SlotSet("case_number", None)]
        if number is None:
            dispatcher.utter_message(response="utter_case_number_needed")
            return events
        try:
            case = await (await runtime.get_runtime().backend()).get_case(number)
        except NotFound:
            dispatcher.utter_message(response="utter_case_not_found", case_number=format_case_number(number))
            return events
        except BackendError as exc:
            logger.warning("status of %s unavailable: %s", number, exc.__class__.__name__)
            dispatcher.utter_message(response="utter_status_unavailable")
            return events
        dispatcher.utter_message(response="utter_case_status", **status_values(case, language))
        return events + [SlotSet("last_case_number", case.id)]
