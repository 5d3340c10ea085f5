"""Read-back: recognition mishears digits and place names, so phone numbers, case numbers and
addresses are repeated to the caller and sent to the assistant only after a "yes" (or key 1).

Plain functions over the transcript and the slot the assistant asked for; the state lives in
:class:`connectors.voice.conversation.Conversation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.parsing.case_numbers import parse_case_number
from bot.parsing.digits import digit_groups
from bot.parsing.phones import find_phone
from bot.parsing.replies import is_affirm, is_deny

from .notices import notice
from .speech_text import spell_digits

PHONE_SLOTS = frozenset({"contact_phone", "status_phone"})
DIGIT_SLOTS = PHONE_SLOTS | {"case_number"}
ADDRESS_SLOTS = frozenset({"address"})


@dataclass(frozen=True)
class Pending:
    """An utterance held back until the caller confirms what we heard."""

    text: str
    kind: str  # phone | case_number | address
    value: str


def needs_readback(text: str, expecting: Optional[str]) -> Optional[Pending]:
    """The read-back this utterance needs, if any: any case or phone number in it, or the whole
    answer when the assistant asked for an address."""
    case_number = parse_case_number(text)
    if case_number:
        return Pending(text, "case_number", case_number)
    phone = find_phone(text)
    if phone:
        return Pending(text, "phone", phone)
    heard = "".join(digit_groups(text))
    if len(heard) >= 7 or (expecting in DIGIT_SLOTS and len(heard) >= 3):
        # Not a valid number, but clearly an attempt at one: say what we heard so it can be corrected.
        return Pending(text, "phone" if expecting in PHONE_SLOTS or expecting is None else "case_number", heard)
    if expecting in ADDRESS_SLOTS:
        return Pending(text, "address", text.strip().rstrip("。."))
    return None


def prompt(pending: Pending, language: str) -> str:
    value = spell_digits(pending.value, language) if pending.kind != "address" else pending.value
    return notice(f"readback_{pending.kind}", language, value=value)


def confirmation(text: str) -> Optional[bool]:
    """True for yes, False for no, None when the utterance is neither."""
    cleaned = text.strip().strip("。.!！,，")
    if cleaned in {"1"}:
        return True
    if cleaned in {"2"}:
        return False
    if is_deny(cleaned):
        return False
    # On the phone a yes often comes with more words ("对的，是这个号码"): a yes-word at the start is
    # enough here, where the only question is the one just read back.
    if is_affirm(cleaned) or cleaned.lower().startswith(("对", "是的", "没错", "yes", "right", "correct")):
        return True
    return None
