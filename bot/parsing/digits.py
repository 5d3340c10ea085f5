"""Digits as citizens write or say them: ASCII, full-width, Chinese (〇/零…九), and the
spoken forms 两 (2) and 幺 (1) used when reading numbers out on the phone.

Numbers are found as *groups* of digits separated by spaces, dashes or dots, because case
numbers and phone numbers are often written in chunks ("138 0013 8000", "20261130-00042").
"""
from __future__ import annotations

import re
from typing import Callable, Iterator

_DIGIT_MAP = {
    "〇": "0", "○": "0", "零": "0", "洞": "0",
    "一": "1", "幺": "1", "壹": "1",
    "二": "2", "两": "2", "贰": "2",
    "三": "3", "叁": "3",
    "四": "4", "肆": "4",
    "五": "5", "伍": "5",
    "六": "6", "陆": "6",
    "七": "7", "柒": "7", "拐": "7",
    "八": "8", "捌": "8",
    "九": "9", "玖": "9", "勾": "9",
}
# Spoken-only substitutes are only digits inside a run of other digits ("幺三八…", not "两点").
_SPOKEN_ONLY = set("洞拐勾")
_FULLWIDTH = {ord(c): str(i) for i, c in enumerate("０１２３４５６７８９")}
_ANY_DIGIT = "0-9" + "".join(_DIGIT_MAP)
_RUN = re.compile(f"[{_ANY_DIGIT}]+")
# Inside a group digits may be separated by one dash/dot/space-dash; groups by whitespace.
_GROUPS = re.compile(r"\d+(?:\s*[-–—.·]\s*\d+)*")


def normalize_digits(text: str) -> str:
    """Replace full-width and Chinese digit characters by ASCII digits.

    Chinese digits are converted inside runs of at least two digit characters, or next to an
    ASCII digit, so "一个" or "两点" stay words while "二〇二六" and "幺三八" become numbers.
    """
    if not text:
        return ""
    text = text.translate(_FULLWIDTH)

    def convert(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 1 and not run.isdigit():
            start, end = match.start(), match.end()
            near_ascii = (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())
            if not near_ascii:
                return run
        if all(ch in _SPOKEN_ONLY for ch in run):
            return run
        return "".join(_DIGIT_MAP.get(ch, ch) for ch in run)

    return _RUN.sub(convert, text)


def digit_groups(text: str) -> list[str]:
    """The digit groups of a text after normalisation, separators inside a group removed.

    "138 0013-8000" → ["138", "00138000"]; "第2026113000042号" → ["2026113000042"].
    """
    text = normalize_digits(text or "")
    return [re.sub(r"\D", "", m.group(0)) for m in _GROUPS.finditer(text)]


def joined_candidates(text: str, max_groups: int = 5) -> Iterator[str]:
    """Every concatenation of up to ``max_groups`` consecutive digit groups, longest spans last.

    Lets a caller find "138 0013 8000" as one number while "13800138000 2026113000042" still
    yields the two numbers separately.
    """
    groups = digit_groups(text)
    for size in range(1, max_groups + 1):
        for start in range(0, len(groups) - size + 1):
            yield "".join(groups[start : start + size])


def find_number(text: str, accept: Callable[[str], bool], max_groups: int = 5) -> str | None:
    """The first digit string (single group preferred, then joined groups) that ``accept`` likes."""
    for candidate in joined_candidates(text, max_groups):
        if accept(candidate):
            return candidate
    return None
