"""Input hygiene: whatever a channel delivers (None, 10,000 characters, control characters,
emoji only) becomes a clean string the other parsers can trust."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Longest text we keep from one message (Open311 descriptions are limited to 4,000 characters).
MAX_TEXT = 4000

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_PAYLOAD = re.compile(r"^/[A-Za-z_][\w-]*(\{.*\})?$", re.S)


def sanitize(value: Any, max_len: int = MAX_TEXT) -> str:
    """A printable, trimmed string: drops control and format characters (keeps newlines),
    collapses runs of spaces and cuts at ``max_len``. Non-strings become ``""``."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        return ""
    value = unicodedata.normalize("NFC", value[: max_len * 2])
    kept = []
    for ch in value:
        if ch in "\n\t":
            kept.append(" " if ch == "\t" else ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co", "Cn"):
            continue
        if category == "Cf" and ch not in "\u200d":  # keep ZWJ inside emoji sequences
            continue
        kept.append(ch)
    text = _SPACES.sub(" ", "".join(kept))
    text = "\n".join(line.strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:max_len].strip()


def content_chars(text: str) -> int:
    """How many letters, digits and Chinese characters the text has (its 'substance')."""
    return sum(1 for ch in text if ch.isalnum())


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text or ""))


def latin_words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def is_meaningful(text: str) -> bool:
    """True when the text has at least one letter, digit or Chinese character."""
    return content_chars(text or "") > 0


def is_emoji_only(text: str) -> bool:
    """True for messages made only of symbols/emoji (👍, 😡😡, ❤️) — they carry no answer."""
    text = (text or "").strip()
    if not text:
        return False
    has_symbol = False
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Sm"):
            has_symbol = True
        elif category in ("Mn", "Me", "Zs", "Po", "Ps", "Pe", "Pd") or ch in "\u200d\ufe0f\ufe0e":
            continue
        else:
            return False
    return has_symbol


def is_payload(text: str) -> bool:
    """Button payloads such as ``/affirm`` are commands, not words the citizen typed."""
    return bool(_PAYLOAD.match((text or "").strip()))


def guess_language(text: str) -> str | None:
    """'zh' / 'en' / None — a fallback for when the NLU pipeline gave no language."""
    cjk = cjk_count(text)
    words = len([w for w in latin_words(text) if len(w) > 1])
    if cjk and cjk >= words:
        return "zh"
    if words:
        return "en"
    return "zh" if cjk else None


def shorten(text: str, limit: int = 120) -> str:
    """Cut for display (summaries), marking the cut with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
