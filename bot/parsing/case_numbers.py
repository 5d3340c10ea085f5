"""Case numbers: 13 digits, ``YYYYMMDD`` + a 5-digit daily sequence (docs/architecture.md).

Citizens write them with spaces or dashes, wrap them in "第…号", or read them out in Chinese
digits ("二〇二六一一三〇〇〇〇四二"); all of these must lead to the same case.
"""
from __future__ import annotations

import datetime as _dt

from bot.parsing.digits import find_number

CASE_NUMBER_LENGTH = 13


def is_valid_case_number(digits: str) -> bool:
    """13 digits whose first 8 are a real calendar date in 2000–2099."""
    if len(digits) != CASE_NUMBER_LENGTH or not digits.isdigit():
        return False
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 2000 <= year <= 2099:
        return False
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def parse_case_number(text: object) -> str | None:
    """The first valid case number in ``text`` as 13 plain digits, or ``None``."""
    if not isinstance(text, str) or not text:
        return None
    return find_number(text[:2000], is_valid_case_number)


def looks_like_case_number_attempt(text: object) -> bool:
    """True when the citizen clearly typed a (wrong) number, e.g. 12 digits — to say
    "that number looks incomplete" rather than "I did not understand"."""
    if not isinstance(text, str):
        return False
    return find_number(text[:2000], lambda d: 8 <= len(d) <= 16) is not None


def format_case_number(digits: str) -> str:
    """Readable grouping for speech and screens: ``20261130-00042``."""
    if len(digits) == CASE_NUMBER_LENGTH and digits.isdigit():
        return f"{digits[:8]}-{digits[8:]}"
    return digits
