"""Which language a message is written in, for the reply language.

Kept as a plain function so the voice gateway and the tests can use it without Rasa.
"""
from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str | None) -> str | None:
    """'zh', 'en', or None when the text carries no language (emoji, digits, empty).

    Any Chinese character outweighs a few English words: citizens mix in terms like "app" or "WiFi",
    and most mixed messages are Mandarin.
    """
    if not text:
        return None
    sample = text[:2000]
    cjk = len(_CJK.findall(sample))
    latin_words = len(_LATIN_WORD.findall(sample))
    if cjk and cjk >= latin_words:
        return "zh"
    if latin_words:
        return "en"
    if cjk:
        return "zh"
    return None
