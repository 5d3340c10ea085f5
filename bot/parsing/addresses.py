"""Street addresses in citizens' words: "学院路12号", "阳光小区3号楼", "南锣鼓巷", English
"at 12 Xinjiekou Street". The address is free text for the case; these rules only decide
*whether* a message contains one and cut it out cleanly."""
from __future__ import annotations

import re

from bot.parsing import places

_CN_NUM = "0-9一二三四五六七八九十百零〇两"
_STREET_SUFFIX = r"(?:大街|大道|胡同|公路|环路|路|街|巷|道|口)"
_PLACE_SUFFIX = (
    r"(?:小区|社区|家园|花园|公寓|大厦|广场|商场|市场|超市|医院|学校|小学|中学|大学|幼儿园|公园|"
    r"地铁站|火车站|汽车站|公交站|站|苑|村|庄园|大院|院|楼|宿舍|工地|酒店|饭店|餐厅|菜市场|桥)"
)
# Characters that cannot be part of a place name: particles, pronouns, verbs around addresses.
_BREAK = set("的在于是到从住了着和与跟及就把被给对向往我你他她它们这那个有没要想说叫请问，。、；：！？,.;:!? \n（）()")
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9]"
_HOUSE = rf"(?:[{_CN_NUM}]+号(?:院)?)(?:[{_CN_NUM}]+号?楼)?(?:[{_CN_NUM}]+单元)?(?:[{_CN_NUM}]+(?:室|号))?"
_BUILDING = rf"(?:[{_CN_NUM}]+(?:号楼|栋|幢|号院|单元|区))+(?:[{_CN_NUM}]+(?:单元|层|室|号))*"

_LANDMARK = r"(?:[东南西北]门|[东南西北]口|门口|对面|旁边|附近|楼下)"
_ANY_SUFFIX = re.compile(rf"{_STREET_SUFFIX}|{_PLACE_SUFFIX}")
_ZH_PATTERNS = [
    # 学院路12号(院)(3号楼)…, 交叉口
    re.compile(rf"{_NAME_CHARS}{{1,12}}?{_STREET_SUFFIX}(?:与|和){_NAME_CHARS}{{1,10}}?{_STREET_SUFFIX}(?:交叉口|路口|交口)?"),
    re.compile(rf"{_NAME_CHARS}{{1,12}}?{_STREET_SUFFIX}{_HOUSE}{_LANDMARK}?"),
    # 阳光小区3号楼, 天通苑东三区5号楼
    re.compile(rf"{_NAME_CHARS}{{1,12}}?{_PLACE_SUFFIX}(?:[东南西北中]{{0,2}}[{_CN_NUM}]*区)?(?:{_BUILDING})?{_LANDMARK}?"),
    # 南锣鼓巷, 西直门外大街
    re.compile(rf"{_NAME_CHARS}{{1,10}}?{_STREET_SUFFIX}(?:[东南西北]口|路口|附近|两侧|沿线)?"),
]
_PRONOUN_PREFIX = ("我们", "我家", "你们", "他们", "咱们", "这个", "那个", "这", "那", "本", "该", "附近", "隔壁", "楼下", "对面")
_NOT_PLACES = {
    "道路", "马路", "街道", "小区", "社区", "公园", "医院", "学校", "地铁站", "车站", "这里", "那里", "门口",
    "一条", "不知道", "知道", "道", "大街", "胡同", "路口", "楼", "院", "村", "站", "口", "里", "条", "楼下",
    "大楼", "一楼", "二楼", "楼里", "家里", "心里", "哪里", "城里", "夜里", "这里", "公里", "万里",
}
_EN_STREET = r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Hutong|Alley|Boulevard|Blvd\.?|Way|Dajie|Lu|Jie|Hutong)"
_EN_PLACE = r"(?:Compound|Community|Residential Area|Estate|Garden|Gardens|Park|Station|Hospital|School|Mall|Market|Plaza|Building|Tower|Apartments?)"
_EN_NAME = r"[A-Z][A-Za-z'’-]*(?:\s+[A-Z][A-Za-z'’-]*){0,3}"
_EN_PATTERNS = [
    re.compile(rf"\b(?:No\.?\s*)?\d+[A-Za-z]?,?\s+{_EN_NAME}\s+{_EN_STREET}\b(?:\s+(?:East|West|North|South))?", re.I),
    re.compile(rf"\b(?:No\.?\s*)?\d+[A-Za-z]?\s+{_EN_NAME}\s+{_EN_STREET}\b"),
    re.compile(rf"\b{_EN_NAME}\s+{_EN_STREET}\b(?:\s+(?:No\.?\s*)?\d+[A-Za-z]?)?"),
    re.compile(rf"\b{_EN_NAME}\s+{_EN_PLACE}\b(?:,?\s+Building\s+\d+)?"),
]
_FILLER = re.compile(
    r"不对|不是|是的|是|在|就|那边|这边|那里|这里|附近|"
    r"\b(?:district|subdistrict|no|nope|it|its|it's|is|was|in|the|at|actually|sorry|wrong|oh|i|meant|mean|that)\b|[，,。.!！'’ ]",
    re.I,
)
_EN_NOT_PLACES = {"yes", "no", "ok", "okay", "sure", "i don't know", "dont know", "not sure", "skip", "no idea"}
_EN_PREPOSITION = re.compile(r"^(?:at|on|in|near|by|outside|opposite|behind)\s+", re.I)
_EN_STOP_WORDS = {"i", "my", "the", "a", "an", "it", "there", "this", "that", "we", "our", "every", "last", "since"}

_ANSWER_PREFIX = re.compile(
    r"^(?:(?:具体)?(?:地址|地点|位置)(?:是|在|为)?[:：]?|就在|我在|我家在|住在|位于|在|是|大概在|大约在|"
    r"(?:the\s+)?address\s+is\s*|it'?s\s+(?:at|on|in|near)\s+|(?:at|on|near|in)\s+)",
    re.I,
)


def _main_suffix(candidate: str, first: bool) -> int:
    """Where the place name ends: the first suffix for an intersection, else the last one."""
    found = [m.start() for m in _ANY_SUFFIX.finditer(candidate)]
    if not found:
        return len(candidate)
    return found[0] if first else found[-1]


def _trim_zh(candidate: str, first: bool = False) -> str:
    """Cut everything up to the last particle/pronoun inside the match ("我家楼下的学院路" → "学院路")."""
    limit = _main_suffix(candidate, first)
    cut = 0
    for i, ch in enumerate(candidate[:limit]):
        if ch in _BREAK:
            cut = i + 1
    candidate = candidate[cut:]
    changed = True
    while changed:
        changed = False
        for prefix in _PRONOUN_PREFIX:
            if candidate.startswith(prefix) and len(candidate) > len(prefix) + 1:
                candidate = candidate[len(prefix) :]
                changed = True
    # Drop a leading district/subdistrict: they have their own slots.
    for place in places.scan(candidate):
        if candidate.startswith(place.alias) and len(candidate) > len(place.alias) + 1 and place.exact:
            candidate = candidate[len(place.alias) :]
    return candidate


_GENERIC_HEAD = set("家本该此这那小大老新")
#: Words ending like a street that are not places ("公交线路", "修路").
_NOT_STREET_END = ("线路", "道路", "马路", "公路", "出路", "思路", "电路", "网路", "铁路", "走路", "让路", "修路", "过路",
                   "一路", "带路", "门道", "知道", "味道", "渠道", "通道", "频道", "报道", "人行道", "街道办")
#: Request verbs and correction phrases are never part of a place name: cut the text there.
_CUT_WORDS = re.compile(
    r"投诉|举报|反映|咨询|建议|求助|报修|关于|地址|地点|位置|改成|改为|更正为|应该是|其实是|就是|还是|但是|可是|所以|因为|"
    r"已经|一直|经常|每天|晚上|白天|现在|附近的|旁边的|对面的")
#: A bare category word at the start ("小区门口") names no particular place.
_GENERIC_START = ("小区", "社区", "公园", "医院", "学校", "市场", "商场", "超市", "广场", "门口", "路口", "马路", "街道",
                  "楼下", "楼道", "单元", "院里", "村里", "工地", "地铁站", "车站", "饭店", "餐厅", "酒店")


def _valid_zh(candidate: str) -> bool:
    if len(candidate) < 2 or candidate in _NOT_PLACES:
        return False
    if candidate.startswith(_GENERIC_START) or candidate.endswith(_NOT_STREET_END):
        return False
    first_head = candidate[: _main_suffix(candidate, True)]
    if len(first_head) == 1 and first_head in _GENERIC_HEAD:
        return False
    if not candidate[: _main_suffix(candidate, False)]:
        return False
    if re.fullmatch(rf"[{_CN_NUM}]+{_STREET_SUFFIX}?", candidate):
        return False
    return True


def find_address(text: object) -> str | None:
    """A street address or named place inside a narrative, or ``None``.

    House-numbered addresses and intersections win; otherwise the longest named place/street.
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:4000]
    zh_text = _CUT_WORDS.sub("，", text)
    for priority, pattern in enumerate(_ZH_PATTERNS[:2]):
        for match in pattern.finditer(zh_text):
            candidate = _trim_zh(match.group(0), first=priority == 0)
            if _valid_zh(candidate):
                return candidate
    loose: list[str] = []
    for pattern in _ZH_PATTERNS[2:]:
        for match in pattern.finditer(zh_text):
            candidate = _trim_zh(match.group(0))
            if _valid_zh(candidate):
                loose.append(candidate)
    if loose:
        return max(loose, key=len)
    for pattern in _EN_PATTERNS:
        for match in pattern.finditer(text):
            candidate = _EN_PREPOSITION.sub("", match.group(0).strip(" ,."))
            words = candidate.split()
            while words and words[0].lower() in _EN_STOP_WORDS:
                words = words[1:]
            candidate = " ".join(words)
            if len(words) >= 2:
                return candidate
    return None


_PLACE_CHARS = re.compile(r"[路街巷道里号楼区园苑村院站门口桥店场馆校所厦弄坊胡同镇乡庄屯营社旁边附近对面]")
_EN_PLACE_HINT = re.compile(
    r"\d|\b(?i:street|road|avenue|lane|hutong|alley|near|building|compound|community|park|station|gate|corner|"
    r"district|block|village|market|square|bridge|subway|exit|entrance|intersection)\b"
)
_EN_PRONOUN_START = re.compile(r"^(?:i|he|she|it|they|we|you|my|this|that|there|what|why|how)\b", re.I)


def clean_address_answer(text: object) -> str | None:
    """A direct answer to "where exactly?" → the address text, or ``None`` when it is not one.

    A recognised address pattern wins; otherwise a short phrase that names a place (a place
    character such as 路/号/楼/门, a capitalised English name or a number) is taken as written.
    """
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())[:300]
    if not text:
        return None
    found = find_address(text)
    if found:
        return found
    stripped = _ANSWER_PREFIX.sub("", text).strip(" 。.!！,，")
    substance = sum(1 for ch in stripped if ch.isalnum())
    if substance < 2 or stripped in _NOT_PLACES or len(stripped) > 120:
        return None
    has_cjk = bool(re.search(r"[\u4e00-\u9fff]", stripped))
    if has_cjk and not (_PLACE_CHARS.search(stripped) or places.scan(stripped)):
        return None
    rest = stripped
    for place in places.scan(stripped):
        rest = re.sub(re.escape(place.alias), "", rest, flags=re.I)
    rest = _FILLER.sub("", rest)
    if sum(1 for ch in rest if ch.isalnum()) < 2:
        return None  # only a district/subdistrict ("不对，是海淀区"): not an address
    if not has_cjk and not _EN_PLACE_HINT.search(stripped):
        if _EN_PRONOUN_START.match(stripped) or len(stripped.split()) > 6 or not re.search(r"[A-Za-z]{3}", stripped):
            return None
    if not has_cjk and stripped.lower() in _EN_NOT_PLACES:
        return None
    return stripped
