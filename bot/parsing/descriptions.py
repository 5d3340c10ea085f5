"""Is this message a usable description of the citizen's problem?

An opening like "我要投诉" or "I want to report something" announces a request but does not
describe it; the form must then still ask "what happened?".
"""
from __future__ import annotations

import re

from bot.parsing.text import content_chars, is_payload, latin_words, sanitize

MAX_DESCRIPTION = 4000

_PREAMBLE = re.compile(
    r"(?:你好|您好|喂|hello|hi|hey)?[，,。!！ ]*"
    r"(?:我(?:想|要|需要|想要)?(?:投诉|举报|反映|咨询|求助|建议|提(?:个|一个)?建议|报告|报修|问(?:一下|个问题)?)"
    r"(?:一下|一个|个)?(?:问题|事情|事|情况)?|有(?:个|一个)?(?:问题|事情|情况)(?:想|要)?(?:反映|投诉|咨询)?|"
    r"i(?:'d| would)?\s+(?:like|want|need)\s+to\s+(?:complain|report|suggest|ask|file|make|submit|lodge)"
    r"(?:\s+(?:a|an|about|something|the|my))*(?:\s+(?:complaint|report|problem|issue|case|suggestion|question|request))?|"
    r"i\s+have\s+(?:a|an)\s+(?:complaint|problem|issue|suggestion|question|request))"
    r"[，,。.!！:： ]*",
    re.I,
)
_FILLERS = re.compile(
    r"^(?:不知道|不清楚|没有|没|嗯+|哦+|啊+|好的?|是的?|对|行|ok|okay|yes|no|nothing|none|idk|skip|跳过|test|测试)[。.!！]*$",
    re.I,
)


def strip_preamble(text: str) -> str:
    """Remove an opening formula ("你好，我要投诉", "I want to complain about") from the start."""
    return _PREAMBLE.sub("", text, count=1).strip() if text else ""


def parse_description(value: object, minimum: int = 4) -> str | None:
    """The description as it will be filed (clean, at most 4,000 characters), or ``None``
    when the text is too thin to act on ("嗯", "不知道", an emoji, a button payload)."""
    text = sanitize(value, MAX_DESCRIPTION)
    if not text or is_payload(text) or _FILLERS.match(text):
        return None
    if content_chars(text) < minimum:
        return None
    return text


def opening_description(text: object) -> str | None:
    """The description inside an opening message, when it says more than which kind of request
    it is (at least 4 Chinese characters or 3 English words beyond the preamble)."""
    text = sanitize(text, MAX_DESCRIPTION)
    if not text or is_payload(text):
        return None
    rest = strip_preamble(text)
    cjk = len(re.findall(r"[\u4e00-\u9fff]", rest))
    words = len(latin_words(rest))
    if cjk >= 4 or words >= 3:
        return parse_description(text)
    return None
