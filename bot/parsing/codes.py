"""One-time verification codes: exactly six digits, typed or read out in Chinese digits."""
from __future__ import annotations

from bot.parsing.digits import find_number

CODE_LENGTH = 6


def parse_code(text: object) -> str | None:
    """The six-digit code in ``text`` ("123456", "123 456", "一二三四五六"), or ``None``."""
    if not isinstance(text, str) or not text:
        return None
    return find_number(text[:200], lambda d: len(d) == CODE_LENGTH, max_groups=3)
