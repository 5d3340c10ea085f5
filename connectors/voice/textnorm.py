"""Text clean-up between engines: Traditional → Simplified (OpenCC ``t2s``) after recognition.

Whisper often writes Mandarin in Traditional characters; the assistant's NLU, gazetteer and case
records are Simplified, so every Chinese transcript passes through here.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text
