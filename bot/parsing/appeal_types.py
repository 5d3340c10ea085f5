"""The five appeal types of a 12345 work order — 咨询 (inquiry), 求助 (request for help),
投诉 (complaint), 举报 (report of wrongdoing), 建议 (suggestion) — from the citizen's words."""
from __future__ import annotations

import re

APPEAL_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
#: Types for which *when* it happens matters (the form asks for the time only for these).
TIME_RELEVANT = frozenset({"投诉", "举报", "求助"})

ENGLISH = {
    "咨询": "Inquiry",
    "求助": "Request for help",
    "投诉": "Complaint",
    "举报": "Report of wrongdoing",
    "建议": "Suggestion",
}

_CUES: dict[str, list[str]] = {
    "举报": [
        r"举报", r"检举", r"揭发", r"告发", r"曝光", r"实名反映.*违法",
        r"\breport(?:ing|ed)?\b(?!\s+(?:a|an|the)\s+(?:problem|issue|fault|broken|bug|outage))",
        r"\bwhistle-?blow", r"\binform\s+on\b", r"\bdenounce",
    ],
    "投诉": [
        r"投诉", r"控诉", r"我要告", r"太不像话", r"强烈不满",
        r"\bcomplain(?:t|ts|ing|ed)?\b", r"\bfile\s+a\s+grievance\b",
    ],
    "建议": [
        r"建议", r"提议", r"提个意见", r"提点意见", r"意见和建议", r"希望(?:政府|有关部门|相关部门)?(?:能|可以)?(?:增加|增设|考虑|改进|完善)",
        r"\bsuggest(?:ion|ions|ing|ed)?\b", r"\bpropos(?:e|al|ing)\b", r"\brecommend(?:ation)?\b", r"\bidea\s+for\b",
    ],
    "求助": [
        r"求助", r"求救", r"帮帮忙", r"帮帮我", r"请帮忙", r"请求帮助", r"需要帮助", r"寻求帮助", r"救助",
        r"\bneed\s+(?:some\s+)?help\b", r"\bhelp\s+me\b", r"\bask(?:ing)?\s+for\s+help\b", r"\bassistance\b",
        r"\brequest\s+(?:for\s+)?help\b",
    ],
    "咨询": [
        r"咨询", r"想了解", r"了解一下", r"问一下", r"打听", r"请问一下",
        r"\binquir(?:y|e|ing)\b", r"\benquir(?:y|e|ing)\b", r"\bask\s+about\b", r"\bwould\s+like\s+to\s+know\b",
        r"\bquestion\s+about\b",
    ],
}
_COMPILED = {kind: [re.compile(p, re.I) for p in patterns] for kind, patterns in _CUES.items()}

# Answers to the appeal-type question: button labels and short forms in both languages.
_ANSWERS = {
    "咨询": [r"^咨询", r"^问问", r"^inquiry$", r"^enquiry$", r"^question$", r"^ask", r"^information"],
    "求助": [r"^求助", r"^帮助", r"^帮忙", r"^request for help$", r"^help$", r"^request$", r"^assistance$"],
    "投诉": [r"^投诉", r"^complain", r"^complaint"],
    "举报": [r"^举报", r"^report", r"^report of wrongdoing$", r"^whistle"],
    "建议": [r"^建议", r"^意见", r"^suggest", r"^suggestion", r"^proposal", r"^idea"],
}
_ANSWERS_COMPILED = {kind: [re.compile(p, re.I) for p in patterns] for kind, patterns in _ANSWERS.items()}
_ORDINALS = {
    "1": 0, "一": 0, "first": 0, "2": 1, "二": 1, "second": 1, "3": 2, "三": 2, "third": 2,
    "4": 3, "四": 3, "fourth": 3, "5": 4, "五": 4, "fifth": 4,
}
_ANSWER_PREFIX = re.compile(r"^(?:是|算是|属于|我要|我想|我是|我想要|就是|it'?s\s+(?:a\s+|an\s+)?|an?\s+|i\s+want\s+to\s+)", re.I)


def find_appeal_type(text: object) -> str | None:
    """The appeal type a narrative announces ("我要投诉…", "I'd like to suggest…"), or ``None``.

    When several cues occur, the earliest wins ("我想咨询一下怎么举报" is a 咨询).
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:2000]
    best: tuple[int, str] | None = None
    for kind, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(text)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), kind)
    return best[1] if best else None


def parse_appeal_type_answer(text: object) -> str | None:
    """A direct answer to "what kind of request is it?" (button label, synonym or 1–5)."""
    if not isinstance(text, str):
        return None
    text = " ".join(text.split()).strip(" 。.!！")[:200]
    if not text:
        return None
    if text in APPEAL_TYPES:
        return text
    for kind, label in ENGLISH.items():
        if text.lower() == label.lower():
            return kind
    stripped = _ANSWER_PREFIX.sub("", text).strip()
    ordinal = re.sub(r"^(?:第|number\s+|no\.?\s*|the\s+)", "", stripped.lower()).rstrip("个项种 one")
    if ordinal in _ORDINALS:
        return APPEAL_TYPES[_ORDINALS[ordinal]]
    for kind, patterns in _ANSWERS_COMPILED.items():
        if any(p.search(stripped) for p in patterns):
            return kind
    return find_appeal_type(text)


def appeal_label(kind: str | None, language: str) -> str:
    """The appeal type as shown to the citizen ("投诉" / "Complaint")."""
    if not kind:
        return ""
    return ENGLISH.get(kind, kind) if language == "en" else kind
