"""Short replies that steer the dialogue: yes / no, "skip" / "I don't know", "anonymous",
"that's wrong, it's …" (a correction), and which field a citizen wants to change."""
from __future__ import annotations

import re

_YES = re.compile(
    r"^(?:是|是的|对|对的|对啊|没错|没问题|正确|确认|确定|可以|行|好|好的|嗯|嗯嗯|ok|okay|yes|yeah|yep|yup|sure|correct|"
    r"right|confirm(?:ed)?|that'?s\s+(?:right|correct)|looks\s+good|all\s+good|go\s+ahead|submit|提交|确认提交|没有问题|都对)"
    r"(?:[的啊呀吧了，,。.!！ ]*(?:提交吧|提交|没问题|没错|对的|对|是的|正确|可以|好的|please|thanks|谢谢|"
    r"that'?s\s+(?:right|correct)|right|correct)?)*[。.!！]*$",
    re.I,
)
_NO = re.compile(
    r"^(?:不|不是|不对|错了|有错|不正确|不行|不可以|否|没有|no|nope|not\s+really|wrong|incorrect|that'?s\s+(?:wrong|not\s+right)|"
    r"需要修改|要改|改一下|修改)(?:[的啊呀吧了，,。.!！ ]|$)",
    re.I,
)
_SKIP = re.compile(
    r"^(?:跳过|略过|不知道|不清楚|不记得|记不清|不确定|说不清|不太清楚|没有|没|无|不用了?|不需要|随便|skip|pass|"
    r"i\s+don'?t\s+know|don'?t\s+know|dunno|not\s+sure|no\s+idea|unknown|n/?a|none|i'?m\s+not\s+sure|can'?t\s+remember)"
    r"(?:[的啊呀吧了，,。.!！ ]|$)",
    re.I,
)
_ANONYMOUS = re.compile(
    r"匿名|不想留|不愿意?留|不方便留|不留(?:名|姓名|电话|联系方式)?$|保密|不想透露|不愿透露|不想说|不告诉|"
    r"anonymous(?:ly)?|rather\s+not|prefer\s+not|don'?t\s+want\s+to\s+(?:give|leave|share|say)|keep\s+(?:it\s+)?private|no\s+name",
    re.I,
)
_CORRECTION = re.compile(
    r"^(?:不对|不是|错了|搞错|说错|有误|更正|纠正)|改成|改为|应该是|其实是|更正为|不是.{1,12}而?是|"
    r"^(?:no|nope|wrong|sorry|actually|correction)\b|\bi\s+meant\b|\bnot\s+\w+[, ]+(?:but|it'?s)\b|\bchange\s+(?:it|the\s+\w+)\s+to\b|\bshould\s+be\b",
    re.I,
)

#: Fields a citizen can ask to change at the summary, and the words that name them.
FIELDS: dict[str, list[str]] = {
    "appeal_type": [r"类型", r"诉求类型", r"\btype\b", r"\bkind\b"],
    "category": [r"分类", r"类别", r"\bcategory\b"],
    "location": [r"地点", r"位置", r"地方", r"\blocation\b", r"\bplace\b", r"\bwhere\b"],
    "district": [r"(?<![小社街])区(?!域)", r"\bdistrict\b"],
    "subdistrict": [r"街道|乡镇", r"\bsubdistrict\b", r"\bneighbou?rhood\b"],
    "address": [r"地址", r"门牌", r"\baddress\b", r"\bstreet\b"],
    "occurred_at": [r"时间", r"什么时候", r"\btime\b", r"\bwhen\b", r"\bdate\b"],
    "contact_name": [r"姓名|名字|称呼", r"\bname\b"],
    "contact_phone": [r"电话|手机|号码", r"\bphone\b", r"\bnumber\b", r"\bmobile\b"],
    "contact": [r"联系方式|联系人", r"\bcontact\b"],
    "anonymous": [r"匿名", r"\banonymous"],
    "description": [r"描述|内容|情况|(?<!没)问题|详情|经过", r"\bdescription\b", r"\bdetails?\b", r"\bproblem\b"],
}
_FIELD_PATTERNS = {field: [re.compile(p, re.I) for p in patterns] for field, patterns in FIELDS.items()}


def _clean(text: object) -> str:
    if not isinstance(text, str):
        return ""
    return " ".join(text.split())[:300]


def is_affirm(text: object) -> bool:
    return bool(_YES.match(_clean(text)))


def is_deny(text: object) -> bool:
    return bool(_NO.match(_clean(text)))


def is_skip(text: object) -> bool:
    """"跳过", "不知道", "skip", "not sure" — the citizen cannot or will not answer."""
    return bool(_SKIP.match(_clean(text)))


def wants_anonymity(text: object) -> bool:
    return bool(_ANONYMOUS.search(_clean(text)))


def is_correction(text: object) -> bool:
    """The message corrects something said before ("不对，是海淀区", "no, it's in Haidian")."""
    return bool(_CORRECTION.search(_clean(text)))


def find_fields(text: object) -> list[str]:
    """Which summary fields the message names, in the order of :data:`FIELDS`."""
    text = _clean(text)
    return [field for field, patterns in _FIELD_PATTERNS.items() if any(p.search(text) for p in patterns)]
