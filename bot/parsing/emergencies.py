"""Emergencies that must go to 110/119/120 at once instead of becoming a case.

``detect_emergency`` is deliberately conservative (acute, present-tense cues) because it can
interrupt a case the citizen is filing; ``classify_emergency`` is for a message the NLU already
classified as an emergency and only decides *which* number to give.
"""
from __future__ import annotations

import re

FIRE, GAS, CRIME, MEDICAL = "fire", "gas", "crime", "medical"

#: Numbers to call for each kind (gas: the fire brigade and the Beijing gas company).
NUMBERS = {FIRE: ("119",), GAS: ("119", "96777"), CRIME: ("110",), MEDICAL: ("120",)}

_ACUTE = {
    GAS: r"(?:煤气|燃气|天然气|液化气)(?:罐)?(?:泄漏|泄露|漏气|漏了|味(?:道)?(?:很|特别|非常)?(?:大|重|浓))|闻到(?:很浓的)?(?:煤气|燃气|天然气)|"
    r"\bgas\s+leak|\bsmell(?:s|ing)?\s+(?:of\s+)?gas\b|\bleaking\s+gas\b",
    FIRE: r"着火了|起火了|失火了|烧起来了|火灾了|发生火灾|正在着火|大火|浓烟滚滚|火很大|"
    r"\bon\s+fire\b|\bis\s+burning\b|\bthere'?s\s+a\s+fire\b|\bfire\s+(?:in|at)\s+(?:my|the|our)\b|\bbuilding\s+fire\b",
    CRIME: r"抢劫|持刀|拿刀|砍人|杀人|绑架|正在打人|有人打人|打起来了|入室盗窃|正在偷|小偷在|有人闯进|被跟踪|有人撬门|救命|"
    r"\brobb(?:ery|ing|ed)\b|\bbreak(?:ing)?[\s-]?in\b|\bburglar|\bsomeone\s+(?:with\s+a\s+(?:knife|gun)|is\s+attacking)|"
    r"\bbeing\s+(?:attacked|robbed|followed)\b|\bstabb(?:ing|ed)\b|\bkidnap|\bshoot(?:ing)?\b|\bhelp!+",
    MEDICAL: r"晕倒|昏倒|昏迷|不省人事|没有?呼吸|没气了|心脏病(?:发作|犯了)|心梗|中风|脑梗|大出血|血流不止|抽搐|休克|"
    r"叫救护车|急救|突然倒地|喘不上气|呼吸困难|吃药自杀|\bunconscious\b|\bnot\s+breathing\b|\bheart\s+attack\b|\bstroke\b|"
    r"\bcollapsed\b|\bfainted\b|\bseizure\b|\bbleeding\s+(?:heavily|badly|a\s+lot)\b|\boverdose\b|\bambulance\b|\bcan'?t\s+breathe\b",
}
_LOOSE = {
    GAS: r"煤气|燃气|天然气|液化气|\bgas\b",
    FIRE: r"火|烟|\bfire\b|\bsmoke\b|\bburn",
    CRIME: r"抢|刀|打人|偷|盗|闯|杀|绑|枪|\bpolice\b|\bcrime\b|\btheft\b|\bthief\b|\bfight\b|\bviolence\b|\battack|\bknife\b|\bgun\b",
    MEDICAL: r"晕|昏|病|血|伤|医|救护|喘|\bhurt\b|\binjur|\bsick\b|\bmedical\b|\bdoctor\b|\bhospital\b|\bbleed",
}
_ACUTE_RE = {kind: re.compile(p, re.I) for kind, p in _ACUTE.items()}
_LOOSE_RE = {kind: re.compile(p, re.I) for kind, p in _LOOSE.items()}
_ORDER = (GAS, FIRE, CRIME, MEDICAL)
# Past events ("上周着过一次火") are complaints about follow-up, not emergencies.
_PAST = re.compile(r"上周|上个月|去年|前几天|以前|之前|曾经|last\s+(?:week|month|year)|ago\b|used\s+to", re.I)


def detect_emergency(text: object) -> str | None:
    """An acute emergency described in ``text`` (gas/fire/crime/medical), or ``None``."""
    if not isinstance(text, str) or not text:
        return None
    text = text[:2000]
    for kind in _ORDER:
        if _ACUTE_RE[kind].search(text):
            if kind != GAS and _PAST.search(text):
                continue
            return kind
    return None


def classify_emergency(text: object) -> str | None:
    """Which emergency a message (already known to be one) is about; ``None`` if unclear."""
    if not isinstance(text, str) or not text:
        return None
    acute = detect_emergency(text)
    if acute:
        return acute
    for kind in _ORDER:
        if _LOOSE_RE[kind].search(text[:2000]):
            return kind
    return None
