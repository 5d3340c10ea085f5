"""Filing a case: ``validate_case_form`` and the category question.

The citizen's opening narrative fills every slot it already answers; later messages may answer
the question asked *and* correct earlier answers ("不对，是海淀区"); the form skips questions that
do not apply (the time for 咨询/建议, the address when the channel sent a location, the contact
when the citizen stays anonymous). All parsing lives in :mod:`bot.parsing`.
"""
from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import runtime
from bot.actions.categories import CONFIDENCE_THRESHOLD
from bot.actions.common import (
    CASE_HELPERS,
    CASE_REQUIRED,
    INTERRUPTIONS,
    MISSES,
    REQUESTED_SLOT,
    SKIPPED,
    HotlineAction,
    Turn,
    language_of,
    metadata_location,
    metadata_media,
    read_turn,
    slot_before_latest_message,
)
from bot.actions.emergency import utter_emergency
from bot.actions.forms_base import HotlineFormValidation
from bot.actions.handoff import hand_off_always_human, is_always_human
from bot.actions.summary import display_district
from bot.parsing import categories as taxonomy
from bot.parsing import places
from bot.parsing.addresses import clean_address_answer, find_address
from bot.parsing.appeal_types import TIME_RELEVANT, appeal_label, find_appeal_type, parse_appeal_type_answer
from bot.parsing.descriptions import opening_description, parse_description
from bot.parsing.emergencies import detect_emergency
from bot.parsing.names import find_name, parse_name_answer
from bot.parsing.phones import find_phone, looks_like_phone_attempt, parse_phone
from bot.parsing.replies import find_fields, is_affirm, is_correction, is_deny, is_skip, wants_anonymity
from bot.parsing.text import latin_words
from bot.parsing.times import find_time_phrase, is_unknown_time, parse_time_answer

#: Which slots a field named at the summary clears.
FIELD_SLOTS: dict[str, tuple[str, ...]] = {
    "appeal_type": ("appeal_type",),
    "category": ("category_level1", "category_level2"),
    "location": ("district", "subdistrict", "address", "location_lat", "location_long"),
    "district": ("district", "subdistrict"),
    "subdistrict": ("subdistrict",),
    "address": ("address",),
    "occurred_at": ("occurred_at",),
    "contact_name": ("contact_name", "anonymous"),
    "contact_phone": ("contact_phone", "anonymous"),
    "contact": ("contact_name", "contact_phone", "anonymous"),
    "anonymous": ("contact_name", "contact_phone", "anonymous"),
    "description": ("description",),
}
#: Intents that never carry case content at the opening of the form.
_NOT_NARRATIVE = INTERRUPTIONS | {"affirm", "deny", "greet", "thank", "skip", "anonymous", "EXTERNAL_case_filed"}
_OTHER = re.compile(r"^(?:其他|其它|别的|更多|都不是|都不对|以上都不是|other|others|none of (?:these|them|the above)|more|something else)"
                    r"(?:类别|分类|选项|categories|category)?[。.!！]*$", re.I)


class ValidateCaseForm(HotlineFormValidation):
    """``validate_case_form`` (see module docstring)."""

    helper_slots = frozenset(CASE_HELPERS)

    def name(self) -> str:
        return "validate_case_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The contract's order, minus what does not apply to this case."""
        appeal = tracker.get_slot("appeal_type")
        has_location = tracker.get_slot("location_lat") is not None and tracker.get_slot("location_long") is not None
        slots = ["description", "appeal_type", "category_level1"]
        if not has_location:
            slots += ["district", "subdistrict", "address"]
        if appeal is None or appeal in TIME_RELEVANT:
            slots.append("occurred_at")
        if tracker.get_slot("anonymous") is not True:
            slots += ["contact_name", "contact_phone"]
        slots.append("case_confirmed")
        return slots

    # ------------------------------------------------------------------ whole-message rules

    async def pre_extract(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, turn: Turn
    ) -> list[EventType]:
        if not turn.readable:
            return []
        if turn.intent != "emergency" and turn.meaningful:
            kind = detect_emergency(turn.text)
            if kind:
                utter_emergency(dispatcher, kind)
                return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        events: list[EventType] = []
        location = metadata_location(turn.metadata)
        if location:
            events += [SlotSet("location_lat", location[0]), SlotSet("location_long", location[1])]
            if not turn.opening:
                dispatcher.utter_message(response="utter_location_received")
        media = metadata_media(turn.metadata)
        if media:
            known = tracker.get_slot("media_urls")
            known = [u for u in known if isinstance(u, str)] if isinstance(known, list) else []
            merged = known + [u for u in media if u not in known]
            events.append(SlotSet("media_urls", merged[:10]))
            if not turn.meaningful:
                dispatcher.utter_message(response="utter_media_received")
        contact_question = turn.requested in ("contact_name", "contact_phone")
        if turn.intent == "anonymous" or (
            not turn.payload and wants_anonymity(turn.text) and (turn.opening or contact_question)
        ):
            events += [SlotSet("anonymous", True), SlotSet("contact_name", None), SlotSet("contact_phone", None)]
        return events

    async def after_validation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, turn: Turn,
        events: list[EventType],
    ) -> list[EventType]:
        """An always-human category hands off at once (``HANDOFF_ALWAYS_HUMAN_CATEGORIES``); at the
        summary: a change re-shows it; a plain "no" asks which part; else explain."""
        if is_always_human(tracker.get_slot("category_level1")):
            return await hand_off_always_human(dispatcher, tracker)
        if turn.requested != "case_confirmed" or not turn.fresh or turn.intent in INTERRUPTIONS:
            return []
        if tracker.get_slot("case_confirmed") is True:
            return []
        changed = [
            slot for slot in CASE_REQUIRED + ("category_level2", "anonymous", "location_lat")
            if slot != "case_confirmed" and tracker.get_slot(slot) != slot_before_latest_message(tracker, slot)
        ]
        if changed or any(e.get("name") in ("media_urls",) for e in events):
            return [SlotSet("correction_pending", False)] if tracker.get_slot("correction_pending") else []
        was_pending = slot_before_latest_message(tracker, "correction_pending") is True
        if tracker.get_slot("correction_pending") is True and not was_pending:
            return []  # "no" — action_ask_case_confirmed asks which part to change
        if self.is_neutral(turn):
            return []
        result = self.miss(dispatcher, tracker, "case_confirmed")
        return [SlotSet(MISSES, result[MISSES])]

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def informative(turn: Turn) -> bool:
        """May this message fill slots that were not asked (opening narrative, extra details)?"""
        return turn.readable and not turn.payload and turn.intent not in INTERRUPTIONS

    @staticmethod
    def corrects(turn: Turn, tracker: Tracker) -> bool:
        """Does the message replace earlier answers (explicit correction, "no", the summary)?"""
        return (
            is_correction(turn.text)
            or turn.intent == "deny"
            or tracker.get_slot("correction_pending") is True
            or turn.requested == "case_confirmed"
        )

    @staticmethod
    def answer(turn: Turn, slot: str, exact: bool = False) -> dict[str, Any] | None:
        """``None``: this slot was not asked in this message; ``{}``: an interruption or a bare
        photo/location; ``{slot: text}``: an attempt to answer (the validator decides)."""
        if turn.requested != slot or not turn.fresh:
            return None
        if not exact and not turn.answers(slot):
            return {}
        if not turn.meaningful and not turn.payload and (metadata_media(turn.metadata) or metadata_location(turn.metadata)):
            return {}
        return {slot: turn.text}

    @staticmethod
    def changed_other(tracker: Tracker, slot: str) -> bool:
        """Did this message change another answer (a correction) or bring a location/photo?"""
        for other in CASE_REQUIRED + ("location_lat", "media_urls", "anonymous"):
            if other not in (slot, "case_confirmed") and tracker.get_slot(other) != slot_before_latest_message(tracker, other):
                if tracker.get_slot(other) is not None:
                    return True
        return False

    @staticmethod
    def asked(turn: Turn, slot: str) -> bool:
        return turn.requested == slot and turn.fresh

    def failed(self, dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, slot: str,
               reason: str | None = None, **values: Any) -> dict[str, Any]:
        """The asked slot got no usable answer: re-ask quietly after a greeting or when the message
        corrected something else ("不对，是海淀区" while the address is asked), else count a miss."""
        if self.is_neutral(turn) or self.changed_other(tracker, slot):
            return {slot: None, **self.neutral(tracker, slot)}
        return self.miss(dispatcher, tracker, slot, reason, **values)

    # ------------------------------------------------------------------ description

    async def extract_description(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if turn.opening and turn.intent not in _NOT_NARRATIVE and tracker.get_slot("description") is None:
            found = opening_description(turn.text)
            return {"description": found} if found else {}
        return self.answer(turn, "description") or {}

    async def validate_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        if value is None:
            return {"description": None}
        turn = read_turn(tracker)
        description = parse_description(value)
        if description:
            return self.accept(dispatcher, tracker, turn, "description", description)
        if self.asked(turn, "description"):
            return self.failed(dispatcher, tracker, turn, "description")
        return self.keep(tracker, "description")

    # ------------------------------------------------------------------ appeal type

    async def extract_appeal_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        exact = self.asked(turn, "appeal_type") and parse_appeal_type_answer(turn.text) is not None
        asked = self.answer(turn, "appeal_type", exact=exact)
        if asked is not None:
            return asked
        if self.informative(turn):
            found = find_appeal_type(turn.text)
            current = tracker.get_slot("appeal_type")
            if found and found != current and (current is None or self.corrects(turn, tracker)):
                return {"appeal_type": found}
        return {}

    async def validate_appeal_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        if value is None:
            return {"appeal_type": None}
        turn = read_turn(tracker)
        kind = parse_appeal_type_answer(value)
        if kind:
            return self.accept(dispatcher, tracker, turn, "appeal_type", kind, display=appeal_label(kind, turn.language))
        if self.asked(turn, "appeal_type"):
            return self.failed(dispatcher, tracker, turn, "appeal_type")
        return self.keep(tracker, "appeal_type")

    # ------------------------------------------------------------------ category

    async def extract_category_level1(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        candidates = tracker.get_slot("category_candidates")
        if self.asked(turn, "category_level1"):
            exact = taxonomy.parse_category_answer(turn.text, candidates) is not None
            if not exact and _OTHER.match(turn.text.strip()):
                return {"category_candidates": [taxonomy.ALL_LEVEL1], MISSES: float(tracker.get_slot(MISSES) or 0)}
            return self.answer(turn, "category_level1", exact=exact) or {}
        if tracker.get_slot("category_level1") is None and candidates is None and turn.readable:
            description = parse_description(tracker.get_slot("description"))
            if description:
                guesses = await runtime.get_runtime().categorizer().guesses(description)
                if guesses is None:
                    return {"category_candidates": []}
                top = [g.encoded for g in guesses[:3]]
                if guesses and guesses[0].confidence >= CONFIDENCE_THRESHOLD:
                    return {"category_level1": guesses[0].encoded, "category_candidates": top}
                return {"category_candidates": top}
        return {}

    async def validate_category_level1(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> dict:
        if value is None:
            return {"category_level1": None, "category_level2": None}
        turn = read_turn(tracker)
        candidates = tracker.get_slot("category_candidates")
        choice = taxonomy.parse_category_answer(value, candidates if isinstance(candidates, list) else None)
        asked = self.asked(turn, "category_level1")
        if choice is None and asked and turn.meaningful:
            guess = await runtime.get_runtime().categorizer().confident(str(value))
            choice = (guess.level1, guess.level2) if guess else None
        if choice:
            level1, level2 = choice
            result = self.accept(dispatcher, tracker, turn, "category_level1", level1,
                                 display=taxonomy.label(level1, level2, turn.language))
            result["category_level2"] = level2
            return result
        if asked:
            return self.failed(dispatcher, tracker, turn, "category_level1")
        return {**self.keep(tracker, "category_level1"), **self.keep(tracker, "category_level2")}

    # ------------------------------------------------------------------ district / subdistrict

    async def extract_district(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        asked = self.answer(turn, "district")
        if asked is not None:
            return {"district": turn.entity("district")} if asked and turn.entity("district") else asked
        if self.informative(turn):
            found = places.find_district(turn.text, narrative=True)
            if found and found != tracker.get_slot("district"):
                return {"district": found}
        return {}

    async def validate_district(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict:
        if value is None:
            return {"district": None}
        turn = read_turn(tracker)
        district = places.normalize_district(value)
        if district:
            result = self.accept(dispatcher, tracker, turn, "district", district,
                                 display=display_district(district, turn.language))
            subdistrict = tracker.get_slot("subdistrict")
            previous = slot_before_latest_message(tracker, "district")
            if (previous and previous != district and subdistrict not in (None, SKIPPED)
                    and subdistrict == slot_before_latest_message(tracker, "subdistrict")
                    and places.subdistrict_code(subdistrict, district) is None):
                result["subdistrict"] = None
            return result
        if self.asked(turn, "district"):
            return self.failed(dispatcher, tracker, turn, "district")
        return self.keep(tracker, "district")

    async def extract_subdistrict(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        asked = self.answer(turn, "subdistrict")
        if asked is not None:
            return {"subdistrict": turn.entity("subdistrict")} if asked and turn.entity("subdistrict") else asked
        if self.informative(turn):
            found = places.find_subdistrict(turn.text, tracker.get_slot("district"),
                                            narrative=turn.requested != "district")
            if found and found != tracker.get_slot("subdistrict"):
                return {"subdistrict": found}
        return {}

    async def validate_subdistrict(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        if value is None or value == SKIPPED:
            return {"subdistrict": value}
        turn = read_turn(tracker)
        asked = self.asked(turn, "subdistrict")
        if asked and (turn.intent == "skip" or is_skip(value)):
            return {"subdistrict": SKIPPED}
        district = tracker.get_slot("district")
        subdistrict = places.normalize_subdistrict(value, district)
        if subdistrict:
            return self.accept(dispatcher, tracker, turn, "subdistrict", subdistrict)
        # Named a subdistrict of another district: the more specific answer wins.
        elsewhere = places.normalize_subdistrict(value, None)
        other_district = places.district_of_subdistrict(elsewhere) if elsewhere else None
        if elsewhere and other_district and (asked or self.informative(turn)):
            result = self.accept(dispatcher, tracker, turn, "subdistrict", elsewhere)
            if other_district != district:
                dispatcher.utter_message(response="utter_updated_district",
                                         value=display_district(other_district, turn.language))
                result["district"] = other_district
            return result
        if asked:
            text = str(value).strip()
            if turn.language == "en" and 1 <= len(latin_words(text)) <= 4 and len(text) <= 40 and not turn.payload:
                return {"subdistrict": text}
            return self.failed(dispatcher, tracker, turn, "subdistrict")
        return self.keep(tracker, "subdistrict")

    # ------------------------------------------------------------------ address

    async def extract_address(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        asked = self.answer(turn, "address")
        if asked is not None:
            return asked
        if self.informative(turn):
            found = find_address(turn.text)
            current = tracker.get_slot("address")
            if found and found != current and (current in (None, SKIPPED) or self.corrects(turn, tracker)):
                return {"address": found}
        return {}

    async def validate_address(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict:
        if value is None or value == SKIPPED:
            return {"address": value}
        turn = read_turn(tracker)
        asked = self.asked(turn, "address")
        if asked and (turn.intent == "skip" or is_skip(value)):
            if tracker.get_slot("appeal_type") not in TIME_RELEVANT:
                return {"address": SKIPPED}
            return self.failed(dispatcher, tracker, turn, "address", "utter_address_needed")
        address = clean_address_answer(value) if not turn.payload else None
        if address and asked and is_correction(turn.text) and self.changed_other(tracker, "address"):
            address = None  # "no, it's in Haidian" corrects the district; it is not the address
        if address:
            return self.accept(dispatcher, tracker, turn, "address", address)
        if asked:
            return self.failed(dispatcher, tracker, turn, "address")
        return self.keep(tracker, "address")

    # ------------------------------------------------------------------ time

    async def extract_occurred_at(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        asked = self.answer(turn, "occurred_at")
        if asked is not None:
            return asked
        if self.informative(turn):
            found = find_time_phrase(turn.text)
            current = tracker.get_slot("occurred_at")
            if found and found != current and (current in (None, SKIPPED) or self.corrects(turn, tracker)):
                return {"occurred_at": found}
        return {}

    async def validate_occurred_at(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        if value is None or value == SKIPPED:
            return {"occurred_at": value}
        turn = read_turn(tracker)
        asked = self.asked(turn, "occurred_at")
        if asked and (turn.intent == "skip" or is_skip(value) or is_unknown_time(value)):
            return {"occurred_at": SKIPPED}
        when = parse_time_answer(value) if not turn.payload else None
        if when:
            return self.accept(dispatcher, tracker, turn, "occurred_at", when)
        if asked:
            return self.failed(dispatcher, tracker, turn, "occurred_at")
        return self.keep(tracker, "occurred_at")

    # ------------------------------------------------------------------ contact

    async def extract_contact_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if turn.intent == "anonymous":
            return {}
        asked = self.answer(turn, "contact_name")
        if asked is not None:
            return asked
        if self.informative(turn):
            found = find_name(turn.text)
            if found and found != tracker.get_slot("contact_name"):
                return {"contact_name": found}
        return {}

    async def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict:
        if value is None:
            return {"contact_name": None}
        turn = read_turn(tracker)
        asked = self.asked(turn, "contact_name")
        name = None if turn.payload else (parse_name_answer(value) if asked else (find_name(value) or parse_name_answer(value)))
        if name:
            result = self.accept(dispatcher, tracker, turn, "contact_name", name)
            result["anonymous"] = False
            return result
        if asked:
            return self.failed(dispatcher, tracker, turn, "contact_name", "utter_contact_or_anonymous")
        return self.keep(tracker, "contact_name")

    async def extract_contact_phone(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if turn.intent == "anonymous":
            return {}
        asked = self.answer(turn, "contact_phone")
        if asked is not None:
            return {"contact_phone": turn.entity("phone")} if asked and turn.entity("phone") else asked
        if self.informative(turn):
            found = find_phone(turn.text)
            if found and found != tracker.get_slot("contact_phone"):
                return {"contact_phone": found}
        return {}

    async def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict:
        if value is None:
            return {"contact_phone": None}
        turn = read_turn(tracker)
        asked = self.asked(turn, "contact_phone")
        phone = parse_phone(value) if isinstance(value, str) else None
        if phone:
            result = self.accept(dispatcher, tracker, turn, "contact_phone", phone)
            result["anonymous"] = False
            return result
        if asked:
            if looks_like_phone_attempt(value):
                return self.failed(dispatcher, tracker, turn, "contact_phone", "utter_phone_invalid")
            return self.failed(dispatcher, tracker, turn, "contact_phone", "utter_contact_or_anonymous")
        return self.keep(tracker, "contact_phone")

    # ------------------------------------------------------------------ confirmation

    async def extract_case_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> dict:
        turn = read_turn(tracker)
        if not self.asked(turn, "case_confirmed") or not turn.answers("case_confirmed"):
            return {}
        fields = [] if turn.payload else find_fields(turn.text)
        affirm = turn.intent == "affirm" or (not turn.payload and is_affirm(turn.text))
        deny = turn.intent == "deny" or (not turn.payload and (is_deny(turn.text) or is_correction(turn.text)))
        if affirm and not fields and not deny:
            return {"case_confirmed": True, "correction_pending": False}
        if fields:
            cleared: dict[str, Any] = {}
            for field in fields:
                for slot in FIELD_SLOTS[field]:
                    # A value given in this very message ("地址改成学院路5号") is not cleared.
                    if tracker.get_slot(slot) == slot_before_latest_message(tracker, slot):
                        cleared[slot] = None
            if "category_level1" in cleared:
                cleared["category_candidates"] = []
            return {**cleared, "case_confirmed": None, "correction_pending": False}
        if deny:
            return {"case_confirmed": None, "correction_pending": True}
        return {"case_confirmed": None}

    async def validate_case_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> dict:
        return {"case_confirmed": True if value is True else None}


class ActionAskCategory(HotlineAction):
    """Asks for the category: the categorizer's top 3, else the main level-1 categories
    (or all of them after "其他"), always as buttons in the citizen's language."""

    def name(self) -> str:
        return "action_ask_category_level1"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        candidates = tracker.get_slot("category_candidates")
        candidates = [c for c in candidates if isinstance(c, str)] if isinstance(candidates, list) else []
        if candidates and candidates != [taxonomy.ALL_LEVEL1]:
            options = [taxonomy.decode(c) for c in candidates[:3]]
            response = "utter_ask_category_candidates"
        elif candidates == [taxonomy.ALL_LEVEL1]:
            options = [(name, None) for name in taxonomy.level1_names()]
            response = "utter_ask_category_all"
        else:
            options = [(name, None) for name in taxonomy.MAIN_LEVEL1]
            response = "utter_ask_category_main"
        buttons = []
        for level1, level2 in options:
            text = taxonomy.label(level1, level2, language)
            buttons.append({"title": text, "payload": text})
        if response != "utter_ask_category_all":
            other = "Other" if language == "en" else "其他"
            buttons.append({"title": other, "payload": other})
        dispatcher.utter_message(response=response, buttons=buttons)
        return []
