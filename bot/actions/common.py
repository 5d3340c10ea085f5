"""Shared vocabulary of the actions: slot names, the current turn as the actions see it, the
language, channel metadata, and a base class that turns any unexpected error into a polite
message instead of a silent bot."""
from __future__ import annotations

import logging
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Iterable

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.parsing.phones import parse_phone
from bot.parsing.text import guess_language, is_emoji_only, is_meaningful, is_payload, sanitize

logger = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
REQUESTED_SLOT = "requested_slot"
MISSES = "requested_slot_misses"
#: Value of a slot the citizen chose not to answer ("跳过" / "不知道"); never sent to the backend.
SKIPPED = "__skipped__"

CASE_FORM = "case_form"
STATUS_FORM = "status_form"
MY_CASES_FORM = "my_cases_form"

#: Required slots of case_form in the order of the contract (docs/assistant.md).
CASE_REQUIRED = (
    "description", "appeal_type", "category_level1", "district", "subdistrict", "address", "occurred_at",
    "contact_name", "contact_phone", "case_confirmed",
)
#: Slots the case form sets besides its required ones.
CASE_HELPERS = (
    "category_level2", "category_candidates", "location_lat", "location_long", "media_urls", "anonymous",
    MISSES, "correction_pending",
)
CASE_SLOTS = CASE_REQUIRED + CASE_HELPERS
STATUS_SLOTS = ("case_number",)
MY_CASES_SLOTS = ("status_phone", "verification_code", "phone_verified")

#: Intents that mean "not an answer to your question": the form lets the dialogue policies
#: handle them (rules in bot/data/rules.yml) and resumes afterwards.
INTERRUPTIONS = frozenset(
    {"ask_question", "ask_status", "my_cases", "help", "request_human", "cancel", "emergency", "bot_challenge",
     "out_of_scope", "goodbye"}
)
#: While the description is asked, a question-like narrative is still the description.
DESCRIPTION_INTERRUPTIONS = frozenset(
    {"ask_status", "my_cases", "help", "request_human", "cancel", "emergency", "bot_challenge", "goodbye"}
)
#: Social noise in the middle of a form: re-ask without counting a failed answer.
NEUTRAL = frozenset({"greet", "thank"})


def language_of(tracker: Tracker) -> str:
    """The citizen's language: the ``language`` slot, else a guess from the text, else zh."""
    value = tracker.get_slot("language")
    if value in LANGUAGES:
        return value
    guessed = guess_language(sanitize((tracker.latest_message or {}).get("text")))
    return guessed or DEFAULT_LANGUAGE


def _float_in(value: Any, low: float, high: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or not low <= number <= high:
        return None
    return number


def metadata_of(tracker: Tracker) -> dict:
    metadata = (tracker.latest_message or {}).get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def metadata_location(metadata: dict) -> tuple[float, float] | None:
    """``{"location": {"lat": .., "long": ..}}`` from a channel (Telegram location, web map pin)."""
    location = metadata.get("location")
    if not isinstance(location, dict):
        return None
    lat = _float_in(location.get("lat", location.get("latitude")), -90.0, 90.0)
    long = _float_in(location.get("long", location.get("lon", location.get("longitude"))), -180.0, 180.0)
    if lat is None or long is None:
        return None
    return lat, long


def metadata_media(metadata: dict) -> list[str]:
    """``{"media_urls": [...]}``: only http(s) URLs, at most 10, each at most 1,000 characters."""
    urls = metadata.get("media_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not isinstance(urls, list):
        return []
    clean = []
    for url in urls:
        if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 1000 and url not in clean:
            clean.append(url)
    return clean[:10]


def metadata_verified_phone(metadata: dict) -> str | None:
    """A phone number the channel has verified (e.g. a Telegram contact shared by its owner)."""
    value = metadata.get("verified_phone")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    return parse_phone(value) if isinstance(value, str) else None


_CHANNELS = {"web": "web", "socketio": "web", "rest": "rest", "telegram": "telegram", "voice": "voice",
             "twilio_voice": "voice", "audiocodes": "voice", "operator": "operator", "webchat": "web"}


def channel_of(tracker: Tracker) -> str:
    """The work-order channel (web/telegram/voice/rest/operator) of the conversation."""
    forced = metadata_of(tracker).get("channel")
    if isinstance(forced, str) and forced in _CHANNELS.values():
        return forced
    return _CHANNELS.get((tracker.get_latest_input_channel() or "").lower(), "rest")


def latest_user_index(events: list[dict]) -> int | None:
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return index
    return None


def slot_before_latest_message(tracker: Tracker, name: str) -> Any:
    """The slot's value just before the latest user message — to notice corrections."""
    events = tracker.events or []
    end = latest_user_index(events)
    end = len(events) if end is None else end
    value = None
    for event in events[:end]:
        if event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
        elif event.get("event") in ("restart", "session_started") and name != "language":
            value = None
    return value


def loop_started_at(tracker: Tracker, form: str) -> float | None:
    """Timestamp of the latest activation of ``form`` (stable across retries of an action)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "active_loop" and event.get("name") == form:
            stamp = event.get("timestamp")
            return float(stamp) if isinstance(stamp, (int, float)) else None
    return None


def is_fresh_user_turn(tracker: Tracker) -> bool:
    """True when the latest user message has not been handled by any action yet.

    A form that resumes after an interruption (the question was answered by another action)
    must not read that question as an answer. The form's own trailing ``ActionExecuted`` (added by
    Rasa when it calls the validation action) does not count.
    """
    events = tracker.events or []
    start = latest_user_index(events)
    if start is None:
        return False
    actions = [e for e in events[start + 1 :] if e.get("event") == "action"]
    if actions and actions[-1].get("name") == tracker.active_loop_name:
        actions = actions[:-1]
    return not actions


@dataclass
class Turn:
    """The latest user message as the actions need it."""

    text: str
    intent: str | None
    entities: list[dict]
    metadata: dict
    language: str
    requested: str | None
    fresh: bool
    payload: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def opening(self) -> bool:
        """The form was just activated by this message (nothing asked yet)."""
        return self.requested is None

    @property
    def readable(self) -> bool:
        """Should the form read this message at all (new message, or the activating one)?"""
        return self.fresh or self.opening

    @property
    def meaningful(self) -> bool:
        return is_meaningful(self.text) and not self.payload and not is_emoji_only(self.text)

    def entity(self, name: str) -> str | None:
        values = [e.get("value") for e in self.entities if e.get("entity") == name and isinstance(e.get("value"), str)]
        return values[-1] if values else None

    def answers(self, slot: str) -> bool:
        """Is this message an attempt to answer ``slot`` (as opposed to an interruption)?"""
        if not self.fresh or self.requested != slot:
            return False
        blocked = DESCRIPTION_INTERRUPTIONS if slot == "description" else INTERRUPTIONS
        return self.intent not in blocked


def read_turn(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    raw = message.get("text")
    text = sanitize(raw)
    intent = (message.get("intent") or {}).get("name")
    entities = [e for e in (message.get("entities") or []) if isinstance(e, dict)]
    return Turn(
        text=text,
        intent=intent if isinstance(intent, str) else None,
        entities=entities,
        metadata=metadata_of(tracker),
        language=language_of(tracker),
        requested=tracker.get_slot(REQUESTED_SLOT),
        fresh=is_fresh_user_turn(tracker),
        payload=is_payload(text),
    )


def reset_slots(names: Iterable[str]) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def deactivate_loop(tracker: Tracker) -> list[EventType]:
    """Stop whichever form is active (emergency, hand-off, cancel)."""
    if tracker.active_loop_name:
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
    return []


class HotlineAction(Action, ABC):
    """Base of every action: subclasses implement :meth:`perform`; any unexpected exception is
    logged and answered with ``utter_technical_problem`` — the citizen never meets a dead bot."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            return await self.perform(dispatcher, tracker, domain)
        except Exception:  # noqa: BLE001 — last line of defence, logged with traceback
            logger.exception("action %s failed for %s", self.name(), tracker.sender_id)
            dispatcher.messages.clear()
            dispatcher.utter_message(response="utter_technical_problem")
            return []
