"""Split a bot message at Telegram's 4,096-character limit, on natural boundaries.

Telegram refuses longer messages (``Message is too long``) and counts the limit in UTF-16 code
units, so an emoji counts twice. A case summary or an FAQ answer may exceed it; cutting in the
middle of a sentence (or of a surrogate pair) would be confusing, so we cut at the last paragraph
break, else line break, else sentence end (。！？.!?), else space, in that order — each only if it
keeps at least half a message, else at the limit itself.
"""

from __future__ import annotations

import re

TELEGRAM_LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|(?<=[.!?])(?=\s)")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_fitting(text: str, limit: int) -> int:
    """How many code points of ``text`` fit into ``limit`` UTF-16 units."""
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _cut_point(window: str) -> int:
    """Where to end the first chunk inside ``window`` (which already fits)."""
    floor = len(window) // 2
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at >= floor:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if m.end() >= floor]
    if ends:
        return ends[-1]
    at = window.rfind(" ")
    if at >= floor:
        return at + 1
    return len(window)


def split_text(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` UTF-16 units, blank chunks dropped; ``[]`` for a blank text."""
    chunks: list[str] = []
    rest = (text or "").strip()
    while rest:
        if utf16_len(rest) <= limit:
            chunks.append(rest)
            break
        window = rest[: _prefix_fitting(rest, limit)]
        cut = _cut_point(window)
        chunk = rest[:cut].strip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].strip()
    return chunks
