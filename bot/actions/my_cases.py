""""My recent cases": the phone number, proof that the citizen owns it (a one-time code, or a
phone the channel verified, e.g. a shared Telegram contact), then the cases filed with it."""
from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from backend_client import BackendError, Case
from bot.actions import runtime
from bot.actions.common import HotlineAction, Turn, language_of, metadata_verified_phone, read_turn
from bot.actions.formatting import format_short_date, stage_label
from bot.actions.forms_base import HotlineFormValidation
from bot.actions.verification import EXPIRED, LOCKED, MISSING, OK
from bot.parsing import categories as taxonomy
from bot.parsing.codes import parse_code
from bot.parsing.phones import is_mobile, looks_like_phone_attempt, mask_phone, parse_phone

logger = logging.getLogger(__name__)

_RESEND = re.compile(r"重新发送|重发|再发|没收到|收不到|resend|send\s+(?:it\s+)?again|didn'?t\s+(?:get|receive)|no\s+code", re.I)


async def send_code(dispatcher: CollectingDispatcher, phone: str, language: str) -> bool:
    """Issue and send a code; tells the citizen what happened. False when rate-limited."""
    rt = runtime.get_runtime()
    issued = await rt.codes().issue(phone)
    if issued.code is None:
        dispatcher.utter_message(response="utter_code_rate_limited")
        return False
    await rt.code_sender().send(phone, issued.code, language)
    dispatcher.utter_message(response="utter_code_sent", masked_phone=mask_phone(phone))
    return True


class ValidateMyCasesForm(HotlineFormValidation):
    """``validate_my_cases_form``: phone → code (unless the channel verified the phone)."""

    helper_slots = frozenset({"requested_slot_misses", "phone_verified"})

    def name(self) -> str:
        return "validate_my_cases_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        if tracker.get_slot("phone_verified") is True and tracker.get_slot("status_phone"):
            return ["status_phone"]
        return ["status_phone", "verification_code"]

    async def pre_extract(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict,
                          turn: Turn) -> list[EventType]:
        verified = metadata_verified_phone(turn.metadata)
        if verified and turn.readable:
            return [SlotSet("status_phone", verified), SlotSet("phone_verified", True)]
        return []

    async def extract_status_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if tracker.get_slot("phone_verified") is True and tracker.get_slot("status_phone"):
            return {}
        if turn.opening:
            found = parse_phone(turn.entity("phone") or "") or parse_phone(turn.text)
            return {"status_phone": found} if found else {}
        if turn.requested != "status_phone" or not turn.fresh:
            return {}
        found = parse_phone(turn.entity("phone") or "")
        if found:
            return {"status_phone": found}
        if not turn.answers("status_phone"):
            return {}
        return {"status_phone": turn.text}

    async def validate_status_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        asked = turn.fresh and turn.requested == "status_phone"
        if tracker.get_slot("phone_verified") is True and value == tracker.get_slot("status_phone"):
            return {"status_phone": value}
        phone = parse_phone(value) if isinstance(value, str) else None
        if phone is None:
            if not asked:
                return {"status_phone": None}
            if self.is_neutral(turn):
                return {"status_phone": None, **self.neutral(tracker, "status_phone")}
            reason = "utter_phone_invalid" if looks_like_phone_attempt(value) else None
            return self.miss(dispatcher, tracker, "status_phone", reason)
        if not is_mobile(phone):
            return self.miss(dispatcher, tracker, "status_phone", "utter_phone_needs_mobile")
        await send_code(dispatcher, phone, turn.language)
        return {"status_phone": phone, "phone_verified": False, "verification_code": None}

    async def extract_verification_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if turn.requested != "verification_code" or not turn.fresh:
            return {}
        code = parse_code(turn.text)
        if code:
            return {"verification_code": code}
        if _RESEND.search(turn.text):
            await send_code(dispatcher, tracker.get_slot("status_phone") or "", turn.language)
            return {"requested_slot_misses": float(tracker.get_slot("requested_slot_misses") or 0)}
        if not turn.answers("verification_code"):
            return {}
        return {"verification_code": turn.text}

    async def validate_verification_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                         domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        phone = tracker.get_slot("status_phone")
        code = parse_code(value) if isinstance(value, str) else None
        if not phone:
            return {"verification_code": None}
        if code is None:
            if self.is_neutral(turn):
                return {"verification_code": None, **self.neutral(tracker, "verification_code")}
            return self.miss(dispatcher, tracker, "verification_code", "utter_code_format")
        outcome = await runtime.get_runtime().codes().verify(phone, code)
        if outcome == OK:
            return {"verification_code": None, "phone_verified": True}
        if outcome in (EXPIRED, MISSING):
            dispatcher.utter_message(response="utter_code_expired")
            await send_code(dispatcher, phone, turn.language)
            return {"verification_code": None}
        if outcome == LOCKED:
            return self.miss(dispatcher, tracker, "verification_code", "utter_code_locked")
        return self.miss(dispatcher, tracker, "verification_code", "utter_code_wrong")


def case_line(case: Case, language: str) -> str:
    """One line of the list: number · category · stage · date."""
    category = taxonomy.label(case.level1, case.level2, language) or (case.service_name or "")
    parts = [case.id, category, stage_label(case.stage, case.status, language),
             format_short_date(case.requested_datetime, language)]
    return "• " + " · ".join(p for p in parts if p)


class ActionListMyCases(HotlineAction):
    """Lists the verified phone's recent cases (newest first, at most 5)."""

    def name(self) -> str:
        return "action_list_my_cases"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        phone = tracker.get_slot("status_phone")
        if tracker.get_slot("phone_verified") is not True or not phone:
            dispatcher.utter_message(response="utter_phone_not_verified")
            return [SlotSet("verification_code", None)]
        try:
            cases = await (await runtime.get_runtime().backend()).cases_by_phone(phone, limit=5)
        except BackendError as exc:
            logger.warning("cases by phone unavailable: %s", exc.__class__.__name__)
            dispatcher.utter_message(response="utter_status_unavailable")
            return [SlotSet("verification_code", None)]
        if not cases:
            dispatcher.utter_message(response="utter_no_cases", masked_phone=mask_phone(phone))
        else:
            lines = "\n".join(case_line(case, language) for case in cases)
            dispatcher.utter_message(response="utter_my_cases", masked_phone=mask_phone(phone), cases=lines)
        return [SlotSet("verification_code", None)]
