"""The summary a citizen confirms before the case is filed, in their language."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import SKIPPED, HotlineAction, language_of
from bot.parsing import categories as taxonomy
from bot.parsing import places
from bot.parsing.appeal_types import appeal_label
from bot.parsing.phones import mask_phone
from bot.parsing.text import shorten

NOT_GIVEN = {"zh": "未提供", "en": "not given"}
ANONYMOUS = {"zh": "匿名反映", "en": "anonymous"}
SHARED_LOCATION = {"zh": "已发送定位（{lat:.5f}, {long:.5f}）", "en": "shared location ({lat:.5f}, {long:.5f})"}
PHOTOS = {"zh": "（附图片 {n} 张）", "en": " ({n} photo(s) attached)"}


def display_district(name: str | None, language: str) -> str:
    if not name or name == SKIPPED:
        return ""
    return places.district_english(name) if language == "en" else name


def _given(value: Any) -> str | None:
    if value is None or value == SKIPPED:
        return None
    text = str(value).strip()
    return text or None


def location_text(tracker: Tracker, language: str) -> str:
    lat, long = tracker.get_slot("location_lat"), tracker.get_slot("location_long")
    if isinstance(lat, (int, float)) and isinstance(long, (int, float)):
        return SHARED_LOCATION[language].format(lat=lat, long=long)
    district = display_district(tracker.get_slot("district"), language)
    subdistrict = _given(tracker.get_slot("subdistrict"))
    address = _given(tracker.get_slot("address"))
    separator = ", " if language == "en" else ""
    head = separator.join(p for p in (district, subdistrict) if p)
    text = " ".join(p for p in (head, address) if p)
    return text or NOT_GIVEN[language]


def contact_text(tracker: Tracker, language: str) -> str:
    if tracker.get_slot("anonymous") is True:
        return ANONYMOUS[language]
    name = _given(tracker.get_slot("contact_name"))
    phone = _given(tracker.get_slot("contact_phone"))
    parts = [p for p in (name, phone) if p]
    return ("，" if language == "zh" else ", ").join(parts) or NOT_GIVEN[language]


def summary_values(tracker: Tracker) -> dict[str, str]:
    """The template variables of ``utter_case_summary``."""
    language = language_of(tracker)
    media = tracker.get_slot("media_urls")
    count = len(media) if isinstance(media, list) else 0
    return {
        "summary_appeal": appeal_label(tracker.get_slot("appeal_type"), language) or NOT_GIVEN[language],
        "summary_category": taxonomy.label(tracker.get_slot("category_level1"), tracker.get_slot("category_level2"),
                                           language) or NOT_GIVEN[language],
        "summary_location": location_text(tracker, language),
        "summary_time": _given(tracker.get_slot("occurred_at")) or NOT_GIVEN[language],
        "summary_contact": contact_text(tracker, language),
        "summary_description": shorten(tracker.get_slot("description") or "", 300) or NOT_GIVEN[language],
        "summary_media": PHOTOS[language].format(n=count) if count else "",
    }


def masked_contact(tracker: Tracker) -> str:
    return mask_phone(tracker.get_slot("contact_phone"))


class ActionAskCaseConfirmed(HotlineAction):
    """Shows the summary (or, after "no", asks which part to change)."""

    def name(self) -> str:
        return "action_ask_case_confirmed"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("correction_pending") is True:
            dispatcher.utter_message(response="utter_ask_field_to_change")
        else:
            dispatcher.utter_message(response="utter_case_summary", **summary_values(tracker))
        return []
