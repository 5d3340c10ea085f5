"""Turn the assistant's written replies into text that sounds right when spoken.

Written replies carry things a listener cannot use: links, markdown, emoji, button payloads, and
long digit strings that a synthesizer would read as one huge number ("thirteen trillion…").
Phone and case numbers are read digit by digit in groups, as an operator would (``1 3 8, 0 0 1 3,
8 0 0 0``; in Mandarin 幺三八 with 幺 for one, the telephone habit).
"""

from __future__ import annotations

import re

_URL = re.compile(r"https?://\S+|www\.\S+")
_MARKUP = re.compile(r"[*_`#>\[\]|]+")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
_DIGIT_RUN = re.compile(r"\d[\d\s-]{3,}\d")
_SENTENCE = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")
_ZH_DIGITS = dict(zip("0123456789", "零幺二三四五六七八九"))


def _groups(digits: str) -> list[str]:
    if len(digits) <= 6:  # service numbers (12345, 12333), codes: one breath
        return [digits]
    if len(digits) == 11:  # mobile: 3-4-4
        return [digits[:3], digits[3:7], digits[7:]]
    if len(digits) == 13:  # case number: date, then sequence
        return [digits[:4], digits[4:8], digits[8:]]
    return [digits[i:i + 4] for i in range(0, len(digits), 4)]


def spell_digits(digits: str, language: str) -> str:
    """``13800138000`` → ``幺三八，零零幺三，八零零零`` or ``1 3 8, 0 0 1 3, 8 0 0 0``."""
    if language == "zh":
        return "，".join("".join(_ZH_DIGITS[d] for d in group) for group in _groups(digits))
    return ", ".join(" ".join(group) for group in _groups(digits))


def speakable(text: str, language: str) -> str:
    """Clean ``text`` for a synthesizer."""
    text = _URL.sub("", text)
    text = _MARKUP.sub(" ", text)
    text = _EMOJI.sub("", text)

    def digits(match: re.Match) -> str:
        run = re.sub(r"\D", "", match.group(0))
        return spell_digits(run, language) if len(run) >= 5 else match.group(0)

    text = _DIGIT_RUN.sub(digits, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def sentences(text: str, limit: int = 400) -> list[str]:
    """Split into sentences (so the first can play while the rest are synthesised); long
    sentences are cut at ``limit`` characters."""
    out: list[str] = []
    for piece in _SENTENCE.split(text):
        piece = piece.strip()
        while len(piece) > limit:
            out.append(piece[:limit])
            piece = piece[limit:]
        if re.search(r"[\w\u4e00-\u9fff]", piece or ""):
            out.append(piece)
    return out
