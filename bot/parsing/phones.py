"""Phone numbers: Chinese mobiles (11 digits, 1[3-9]…) and landlines (Beijing 010 + 8 digits,
other area codes 0xx(x) + 7–8 digits), written with +86, spaces, dashes or Chinese digits."""
from __future__ import annotations

import re

from bot.parsing.digits import digit_groups, find_number

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0(10|2\d|[3-9]\d{2})([2-9]\d{6,7})$")
_BEIJING_LOCAL = re.compile(r"^[2-9]\d{7}$")
_SERVICE_NUMBERS = {"12345", "110", "119", "120", "122", "96777"}


def _strip_country(digits: str) -> str:
    """Drop a +86 / 0086 country code ("+86 10 6234 5678" is the landline 010-62345678)."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix):
            rest = digits[len(prefix) :]
            if _MOBILE.match(rest) or _LANDLINE.match(rest):
                return rest
            if _LANDLINE.match("0" + rest):
                return "0" + rest
    return digits


def normalize_phone(digits: str) -> str | None:
    """Canonical form of one digit string: ``13800138000`` or ``010-62345678``; else ``None``."""
    if not digits or not digits.isdigit():
        return None
    digits = _strip_country(digits)
    if _MOBILE.match(digits):
        return digits
    match = _LANDLINE.match(digits)
    if match:
        area = "0" + match.group(1)
        return f"{area}-{match.group(2)}"
    if _BEIJING_LOCAL.match(digits):
        return f"010-{digits}"
    return None


def parse_phone(text: object, allow_local: bool = True) -> str | None:
    """The first phone number in ``text`` in canonical form, or ``None``.

    ``allow_local`` accepts a bare 8-digit Beijing number (the citizen is in Beijing); turn it
    off when scanning long narratives, where 8 digits are more often a date or an amount.
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:2000].replace("+", " ")

    def accept(digits: str) -> bool:
        if digits in _SERVICE_NUMBERS:
            return False
        if not allow_local and _BEIJING_LOCAL.match(digits):
            return False
        return normalize_phone(digits) is not None

    found = find_number(text, accept, max_groups=4)
    return normalize_phone(found) if found else None


def find_phone(text: object) -> str | None:
    """A phone number inside a narrative: mobiles and landlines with area code only."""
    return parse_phone(text, allow_local=False)


def is_mobile(phone: str | None) -> bool:
    return bool(phone and _MOBILE.match(phone))


def mask_phone(phone: str | None) -> str:
    """Only the last 4 digits, as the case service shows them: ``*******8000``."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) <= 4:
        return digits
    return "*" * (len(digits) - 4) + digits[-4:]


def looks_like_phone_attempt(text: object) -> bool:
    """The citizen typed digits, just not a valid phone number (too short, 12 digits, …)."""
    if not isinstance(text, str):
        return False
    return 5 <= len("".join(digit_groups(text[:500]))) <= 16
