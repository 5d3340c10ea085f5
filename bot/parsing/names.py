"""How a citizen introduces themselves: "我叫张三", "我姓王", "本人李四", "my name is Li Wei",
"call me Anna" — and what a direct answer to "how may we address you?" looks like."""
from __future__ import annotations

import re

_CJK = r"[\u4e00-\u9fff·]"
_ZH_INTRO = re.compile(
    rf"(?:我叫|我名叫|名叫|我的名字(?:是|叫)|名字(?:是|叫)|本人(?:叫|是)?|叫我|我是|姓名(?:是|：|:)?|免贵姓|我姓)\s*({_CJK}{{1,4}})"
)
_ZH_SURNAME_ONLY = re.compile(rf"(?:免贵姓|我姓)\s*({_CJK})(?:[，,。.！!]|$|\s|先生|女士|叫)")
# Characters that end a name: particles, verbs and nouns that typically follow it.
_ZH_STOP = set("我住在是的了，,。.！!？?电手联家今昨想要现也就和跟从这那有没要来去在给请帮区市街路号楼反映投诉举报咨询求助建议")
_NOT_NAMES = {
    "居民", "业主", "市民", "学生", "老师", "家长", "租户", "司机", "患者", "病人", "本地人", "外地人", "游客", "老人",
    "这里", "那里", "一名", "一个", "他们", "我们", "大家", "朋友", "邻居", "匿名", "不想说", "保密", "不方便",
    "你好", "您好", "好的", "谢谢", "是的", "不是", "没有", "不知道", "可以", "行", "对", "嗯", "好", "哦", "不用",
    "算了", "不要", "取消", "跳过", "不清楚", "人工", "转人工", "客服",
}
_NOT_NAME_START = set("一这那某个被从在对关想要来去说问打")

_EN_INTRO = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|name\s*:|call\s+me|this\s+is|i\s+am|i'm)\s+([A-Za-z][A-Za-z'’.-]*(?:\s+[A-Za-z][A-Za-z'’.-]*){0,3})",
    re.I,
)
_EN_STOP = {
    "and", "i", "from", "my", "the", "a", "an", "in", "at", "on", "to", "with", "calling", "speaking", "here",
    "living", "live", "who", "please", "phone", "number", "but", "so", "because", "it", "is", "was", "not",
}
_EN_NOT_NAMES = {
    "sorry", "worried", "writing", "calling", "here", "not", "very", "so", "a", "an", "the", "going", "trying",
    "looking", "angry", "upset", "tired", "fine", "ok", "okay", "good", "happy", "unhappy", "resident", "living",
    "complaining", "reporting", "asking", "wondering", "afraid", "sure", "just", "still", "really", "also",
    "anonymous", "new", "from", "in", "at", "having", "getting", "concerned", "frustrated", "annoyed",
    "hello", "hi", "hey", "yes", "no", "thanks", "thank", "skip", "cancel", "nope", "yeah", "yep", "human",
    "agent", "operator", "help", "what", "why", "how", "who", "nothing", "none", "unknown", "dunno",
}
_ANSWER_PREFIX = re.compile(
    r"^(?:我叫|我名叫|叫我|我是|我姓|免贵姓|本人|姓名|名字|我的名字是|我的名字叫|my\s+name\s+is|my\s+name's|"
    r"name\s*:|call\s+me|i\s+am|i'm|it'?s|this\s+is)\s*[:：]?\s*",
    re.I,
)


def _clean_zh(raw: str) -> str | None:
    name = ""
    for ch in raw:
        if ch in _ZH_STOP:
            break
        name += ch
    if not name or name in _NOT_NAMES or name[0] in _NOT_NAME_START:
        return None
    return name


def find_name(text: object) -> str | None:
    """The citizen's name when they introduce themselves in a narrative, or ``None``.

    "我是" / "I am" only count when followed by something name-like (not "我是朝阳区居民",
    "I am worried").
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:2000]
    for match in _ZH_INTRO.finditer(text):
        intro = match.group(0)
        raw = match.group(1)
        if intro.startswith(("我姓", "免贵姓")):
            surname = _ZH_SURNAME_ONLY.match(text, match.start())
            name = _clean_zh(raw) if not surname else surname.group(1)
        else:
            name = _clean_zh(raw)
        if not name:
            continue
        if intro.startswith("我是"):
            after = text[match.start(1) + len(name) : match.start(1) + len(name) + 1]
            if not 2 <= len(name) <= 3 or (after and after in "区市街路号楼的人家"):
                continue
        return name
    for match in _EN_INTRO.finditer(text):
        intro = match.group(0).lower()
        words = []
        for word in match.group(1).split():
            if word.lower().strip(".") in _EN_STOP:
                break
            words.append(word.strip(".,"))
        if not words or words[0].lower() in _EN_NOT_NAMES:
            continue
        if intro.startswith(("i am", "i'm", "this is")) and not all(w[:1].isupper() for w in words):
            continue
        return " ".join(w[:1].upper() + w[1:] for w in words[:3])
    return None


def parse_name_answer(text: object) -> str | None:
    """A direct answer to "how may we address you?" → the name as given ("张先生", "Li Wei")."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())[:100]
    if not text:
        return None
    found = find_name(text)
    if found:
        return found
    stripped = _ANSWER_PREFIX.sub("", text).strip(" 。.!！,，~")
    if not stripped or len(stripped) > 30 or re.search(r"\d", stripped):
        return None
    if stripped in _NOT_NAMES or stripped.lower() in _EN_NOT_NAMES:
        return None
    if re.fullmatch(rf"{_CJK}{{1,6}}(?:先生|女士|老师|同学|阿姨|大爷|师傅)?", stripped):
        if stripped[0] in _NOT_NAME_START or re.search("[区市省县街路号楼]|居民|业主|市民", stripped):
            return None
        return stripped
    if re.fullmatch(r"[A-Za-z][A-Za-z'’.-]*(?:\s+[A-Za-z][A-Za-z'’.-]*){0,3}", stripped):
        words = stripped.split()
        if any(w.lower() in _EN_STOP or w.lower() in _EN_NOT_NAMES for w in words):
            return None
        return " ".join(w[:1].upper() + w[1:] for w in words)
    return None
