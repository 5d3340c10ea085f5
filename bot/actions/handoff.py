"""Hand-off to a human operator, on Rasa's own mechanism: the conversation is queued at the
operator console and the action returns ``ConversationPaused`` — Rasa then logs every further
citizen message but predicts nothing, so the bot stays silent until the console appends
``resume`` (docs/handoff.md).

If the console cannot be reached the bot is *not* paused (nobody would ever answer); the
citizen is told so and given the phone line instead.
"""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.common import (
    CASE_REQUIRED,
    REQUESTED_SLOT,
    SKIPPED,
    HotlineAction,
    channel_of,
    deactivate_loop,
    language_of,
)
from bot.actions.handoff_desk import DeskUnavailable, QueueTicket
from bot.actions.runtime import get_runtime

logger = logging.getLogger(__name__)

#: Slots an operator wants to see in the queue summary.
SUMMARY_SLOTS = CASE_REQUIRED + ("category_level2", "case_number", "last_case_number", "pending_case_key")
LAST_TURNS = 8


def summarize(tracker: Tracker, language: str, reason: str | None = None) -> dict[str, Any]:
    """What the console shows before an operator claims: slots, the last turns, the case number."""
    events = tracker.events or []
    slots = {name: tracker.get_slot(name) for name in SUMMARY_SLOTS}
    slots = {k: v for k, v in slots.items() if v not in (None, "", [], SKIPPED)}
    turns = [{"who": "user" if e.get("event") == "user" else "bot", "text": e.get("text")}
             for e in events if e.get("event") in ("user", "bot") and e.get("text")][-LAST_TURNS:]
    since = max((float(e.get("timestamp") or 0.0) for e in events if e.get("event") == "user"), default=0.0)
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return {
        "conversation_id": tracker.sender_id,
        "language": language,
        "reason": reason or intent,
        "category": tracker.get_slot("category_level1"),
        "channel": channel_of(tracker),
        "case_number": tracker.get_slot("last_case_number") or tracker.get_slot("case_number"),
        "since": since,
        "slots": slots,
        "last_turns": turns,
    }


def queued_message(ticket: QueueTicket, language: str) -> str:
    """Position or wait, and what the citizen can do meanwhile, in their language."""
    if language == "en":
        if ticket.position == 0:
            where = "A member of staff already has your conversation."
        elif ticket.position == 1:
            where = f"You are next in line (about {ticket.expected_wait_minutes} min)."
        else:
            where = (f"You are number {ticket.position} in the queue; the expected wait is about "
                     f"{ticket.expected_wait_minutes} minutes.")
        return (f"{where} Meanwhile you can keep writing here — everything you send will be shown to them. "
                "In an emergency call 110, 119 or 120 right away; you can also call 12345 at any time.")
    if ticket.position == 0:
        where = "工作人员已在处理您的对话。"
    elif ticket.position == 1:
        where = f"您是下一位，预计等待约 {ticket.expected_wait_minutes} 分钟。"
    else:
        where = f"您目前排在第 {ticket.position} 位，预计等待约 {ticket.expected_wait_minutes} 分钟。"
    return (f"{where}等待期间您可以继续在这里留言，工作人员接入后都能看到。"
            "如遇紧急情况请直接拨打 110、119 或 120；您也可以随时拨打 12345 热线电话。")


def unavailable_message(language: str) -> str:
    if language == "en":
        return ("Sorry — no member of staff can be reached online right now. Please call 12345 (24 hours), "
                "or I can keep helping you here, for example to register your request.")
    return "抱歉，目前暂时无法接通在线人工客服。您可以拨打 12345 热线电话（24 小时），也可以继续让我帮您登记诉求。"


def always_human_message(level1: str, language: str) -> str:
    """Why the bot does not file this case itself (before the queue position or the phone line)."""
    from bot.parsing.categories import label

    if language == "en":
        return (f"Requests about \u201c{label(level1, None, 'en')}\u201d are always handled by a member of staff "
                "in person, so I won't register this one myself. I'm passing your conversation on, together "
                "with what you have told me so far.")
    return f"「{label(level1, None, 'zh')}」类诉求由工作人员人工受理，我不代为登记。正在为您转接人工客服，您已提供的信息会一并转交。"


def is_always_human(level1: object) -> bool:
    return isinstance(level1, str) and level1 in get_runtime().settings.always_human_categories


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, *, reason: str | None = None,
                   intro: str | None = None, in_form: bool = False) -> list[EventType]:
    """Queue the conversation at the console and pause (or, console unreachable, give the phone line).

    ``intro`` replaces ``utter_handoff``; ``in_form`` (called from a form validator) always ends the
    form, since Rasa's temporary tracker may not show the loop as active yet.
    """
    language = language_of(tracker)
    summary = summarize(tracker, language, reason)
    stop = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if in_form else deactivate_loop(tracker)
    if intro:
        dispatcher.utter_message(text=intro)
    try:
        ticket = await get_runtime().desk().request(summary)
    except DeskUnavailable as error:
        logger.warning("hand-off for %s not queued: %s", tracker.sender_id, error)
        dispatcher.utter_message(text=unavailable_message(language))
        return stop
    logger.info("hand-off %s for %s queued at position %s", ticket.handoff_id, tracker.sender_id, ticket.position)
    if not intro:
        dispatcher.utter_message(response="utter_handoff")
    dispatcher.utter_message(text=queued_message(ticket, language))
    return stop + [SlotSet("handoff_requested", True), ConversationPaused()]


async def hand_off_always_human(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The case form reached an always-human category (``HANDOFF_ALWAYS_HUMAN_CATEGORIES``).

    The category is cleared afterwards (the console has it in the summary): a citizen who starts
    another report after the release must not be handed off again by a stale slot.
    """
    level1 = tracker.get_slot("category_level1")
    events = await hand_off(dispatcher, tracker, reason="always_human", in_form=True,
                            intro=always_human_message(level1, language_of(tracker)))
    cleared = [SlotSet("category_level1", None), SlotSet("category_level2", None), SlotSet("category_candidates", None)]
    return cleared + events


class ActionHandoff(HotlineAction):
    def name(self) -> str:
        return "action_handoff"

    async def perform(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return await hand_off(dispatcher, tracker)
