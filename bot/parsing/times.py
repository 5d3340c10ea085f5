"""When a problem happens, as citizens say it: "每天晚上", "昨天下午三点", "从上周开始",
"since last week", "every night after 10pm". ``occurred_at`` stays free text for the case;
these rules find the phrase and cut it out of a longer narrative."""
from __future__ import annotations

import re

_NUM = "0-9一二三四五六七八九十两几半"
_WEEKDAY = "[一二三四五六日天末]"
_ZH_TOKENS = [
    r"每天|每晚|每周" + _WEEKDAY + "?|每个?星期" + _WEEKDAY + "?|每个?月|每逢|天天|夜夜|经常|总是|一直|常常|时常|长期|反复|多次|好几次|整夜|整晚|通宵|24小时",
    r"今天|今日|昨天|昨日|昨晚|前天|大前天|明天|今晚|今早|昨早|刚才|刚刚|现在|目前|这几天|这两天|前几天|最近|近期|近来|近日|这段时间|这阵子|一大早",
    r"上+个?(?:周|星期|礼拜)" + _WEEKDAY + "?|这个?(?:周|星期|礼拜)" + _WEEKDAY + "?|本周|下周|周末|工作日|节假日|双休日|(?:周|星期|礼拜)" + _WEEKDAY,
    r"上个?月|这个?月|本月|去年|今年|前年|年初|年底|月初|月底|春节|国庆|过年",
    rf"[{_NUM}]+(?:多)?(?:个)?(?:分钟|小时|天|日|周|星期|礼拜|月|年)(?:前|以前|之前|以来|多了|了|左右)?",
    rf"(?:[0-9]{{4}}年)?[{_NUM}]+月(?:[{_NUM}]+[日号])?|(?<![路街巷道里楼区院栋层元号弄条0-9])[{_NUM}]+[日号](?=[早晚上下中凌傍夜晨,，。 ]|$)",
    r"早上|早晨|清晨|凌晨|上午|中午|午后|下午|傍晚|晚上|夜里|夜间|半夜|深夜|午夜|晚间|白天|夜晚|晚饭后|饭点",
    rf"[{_NUM}]+(?:点|时)(?:[{_NUM}]+分?|半|多|整)?(?:钟)?|[0-2]?[0-9][:：][0-5][0-9]",
    r"从|自从|自|开始|以来|起|以后|之后|以前|之前|左右|前后|到|至|一直到|直到",
]
_ZH_CORE = re.compile("|".join(f"(?:{t})" for t in _ZH_TOKENS[:-1]))
_ZH_ANY = re.compile("|".join(f"(?:{t})" for t in _ZH_TOKENS))
_CONNECTORS = set("的、和及或到至~-—，, ")

_EN_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|several|a few|few|couple of)"
_EN_UNIT = r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?)"
_EN_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekday|weeknight)s?"
_EN_PART = r"(?:morning|afternoon|evening|night|midnight|noon|dawn|daytime)s?"
_EN_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_EN_TOKENS = [
    rf"since\s+(?:last\s+\w+|yesterday|(?:the\s+)?(?:beginning|start)\s+of\s+\w+(?:\s+\w+)?|{_EN_DAY}|{_EN_MONTH}|\d{{1,2}}(?::\d\d)?\s*(?:am|pm)?|then|\w+ago)",
    rf"(?:every|each)\s+(?:single\s+)?(?:day|night|morning|evening|afternoon|week|month|weekend|{_EN_DAY}|{_EN_PART})",
    rf"(?:all|most)\s+(?:night|day|week|weekend)(?:\s+long)?",
    rf"(?:late\s+)?at\s+night|in\s+the\s+{_EN_PART}|during\s+the\s+(?:day|night|{_EN_PART})",
    rf"(?:yesterday|today|tonight)(?:\s+{_EN_PART})?|(?:this|last|next)\s+(?:{_EN_PART}|week|month|year|{_EN_DAY})",
    rf"{_EN_NUM}\s+{_EN_UNIT}\s+ago|(?:for|over)\s+(?:the\s+)?(?:past|last)?\s*{_EN_NUM}\s+{_EN_UNIT}|(?:for|over)\s+(?:the\s+)?(?:past|last)\s+{_EN_UNIT}",
    rf"(?:on\s+)?{_EN_DAY}|(?:on\s+)?(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTH}|{_EN_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?",
    r"(?:at|around|after|before|until|till|from)\s+\d{1,2}(?::\d\d)?\s*(?:am|pm|o'clock|h)?|\d{1,2}(?::\d\d)?\s*(?:am|pm)",
    r"recently|lately|constantly|always|all\s+the\s+time|these\s+days|right\s+now|just\s+now|earlier\s+today|for\s+(?:a\s+)?(?:long\s+time|while|ages)",
]
_EN_ANY = re.compile("|".join(f"(?:{t})" for t in _EN_TOKENS), re.I)
_EN_GAP = re.compile(r"^[\s,]*(?:and|to|until|till|from|-|–)?[\s,]*$", re.I)


def _merge(spans: list[tuple[int, int]], text: str, gap_ok) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and gap_ok(text[merged[-1][1] : start]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


_WEAK = re.compile(
    r"^(?:一直|经常|总是|常常|时常|反复|多次|好几次|长期|现在|目前|刚才|刚刚|最近|近期|近来|近日|"
    r"recently|lately|constantly|always|all the time|these days|right now|just now)$",
    re.I,
)


def find_time_phrase(text: object, narrative: bool = True) -> str | None:
    """The longest time expression in ``text`` (neighbouring pieces joined), or ``None``.

    A lone connector ("从", "以后") is never a time. In a narrative a vague word alone ("一直",
    "recently") is not taken either; as a direct answer it is.
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:4000]
    zh_spans = [m.span() for m in _ZH_ANY.finditer(text) if m.group(0)]
    zh = _merge(zh_spans, text, lambda gap: len(gap) <= 1 and all(ch in _CONNECTORS for ch in gap))
    candidates = [text[a:b].strip("的、，, ") for a, b in zh if _ZH_CORE.search(text[a:b])]
    en_spans = [m.span() for m in _EN_ANY.finditer(text)]
    en = _merge(en_spans, text, lambda gap: bool(_EN_GAP.match(gap)))
    candidates += [text[a:b].strip(" ,") for a, b in en]
    candidates = [c for c in candidates if c and not (narrative and _WEAK.match(c))]
    if not candidates:
        return None
    return max(candidates, key=len)


_UNKNOWN_TIME = re.compile(
    r"不记得|记不清|不清楚|不知道|说不准|说不好|忘了|不确定|没注意|don'?t\s+(?:remember|know|recall)|not\s+sure|no\s+idea|can'?t\s+remember|unsure",
    re.I,
)


def parse_time_answer(text: object) -> str | None:
    """A direct answer to "when does it happen?": the time phrase, or the whole short answer when
    it clearly talks about time ("一直都这样" / "it's been going on for ages")."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())[:300]
    if not text or _UNKNOWN_TIME.search(text):
        return None
    phrase = find_time_phrase(text, narrative=False)
    if phrase is None:
        return None
    stripped = text.strip(" 。.!！")
    # Keep the citizen's wording when the answer is short ("每天晚上十点以后都很吵" → as said).
    return stripped if len(stripped) <= max(len(phrase) + 12, 30) else phrase


def is_unknown_time(text: object) -> bool:
    return isinstance(text, str) and bool(_UNKNOWN_TIME.search(text))
