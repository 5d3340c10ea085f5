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
#: More acute cues (choking, drowning, trapped, electrocution, overdose, weapons, smashing, crashes
#: with injured, a child gone missing). They are checked after ``_ACUTE`` and are skipped when the
#: message talks about a risk or a nuisance rather than an event ("河边没护栏，孩子容易落水",
#: "楼道里全是烟，有人抽烟"). Drowning and people trapped go to 119, which does rescues in Beijing.
_MORE_ACUTE = {
    GAS: r"(?:燃气|天然气|煤气)(?:管道?|管子|管线|阀门)[^。！？!?]{0,6}(?:断了|挖断|挖破|破了|裂了|爆了|喷气|往外喷|嘶嘶)|"
    r"\bgas\s+(?:pipe|line|main)s?\b[^.!?]{0,25}\b(?:broke|broken|burst|ruptured|cracked|cut|spraying|hissing)\b|"
    r"\b(?:broke|broken|burst|ruptured|cut|hit)\s+(?:a|the|our|my)?\s*gas\s+(?:pipe|line|main)\b|"
    r"\bgas\s+is\s+(?:spraying|hissing|pouring|escaping)\b",
    FIRE: r"爆炸了|发生(?:了)?爆炸|\bexplo(?:sion|ded)\b|(?:冒|往外冒|涌出|全是|都是)(?:浓|黑)?烟[^。！？!?]{0,12}(?:有人|人还在|还有人|困|出不来)|"
    r"(?:有人|孩子|小孩|老人|男的|女的|一个人|儿子|女儿|学生|人)[^。！？!?]{0,2}(?:掉|落|跌|摔)(?:进|到|入|下)?了?"
    r"(?:冰窟窿|冰窟|冰窿|冰面|冰下|河|湖|水库|池塘|水塘|水里|海里|井里)|冰面?(?:裂|塌)了|"
    r"(?:有人|孩子|小孩|老人)(?:落水|溺水)|溺水了|落水了|快?淹死了|要淹死|"
    r"被困(?!扰)在?[^。！？!?]{0,10}(?:里|中|下|上)|困在[^。！？!?]{0,10}出不来|卡在车里|"
    r"(?:有人|人|工人|孩子|小孩|老人)被(?:压|埋)(?:住|在|了)|"
    r"\bsmoke\s+(?:is\s+)?(?:pouring|billowing|coming|spreading)\b[^.!?]{0,40}\b(?:people|someone|somebody|kids|children|inside|trapped)\b|"
    r"\bsmoke\b[^.!?]{0,40}\btrapped\b|\bfell\s+(?:through|into|in)\s+(?:the\s+)?(?:ice|frozen|river|lake|canal|pond|reservoir|water)\b|"
    r"\bdrowning\b(?!\s+in\s+(?:noise|garbage|trash|rubbish|paperwork|debt|work|complaints))|\bdrowned\b|"
    r"\b(?:is|are|got|get|getting|been|being|people|someone|somebody|kids?|children|driver|man|woman|we're|i'm)\s+trapped\b|"
    r"\btrapped\s+(?:in|inside|under|upstairs|downstairs)\b|"
    r"\b(?:someone|somebody|people|person|man|woman|workers?|child|kids?)\s+(?:is\s+|are\s+|got\s+|was\s+|were\s+)?buried\b",
    CRIME: r"(?:拿|抡|举|挥|揣)着?(?:砖头?|棍子?|棒子?|铁棍|铁棒|铁锹|斧头?|酒瓶子?|石头|凶器|刀子?|菜刀|匕首)[^。！？!?]{0,10}(?:打|砍|砸|追|捅|威胁|伤人|闹)|"
    r"持械|械斗|群殴|追着[^。！？!?]{0,4}(?:打|砍)|(?:正在|在)(?:殴打|打)(?:人|一个|老人|孩子|小孩|女的|男的|我)(?!电话|手机|的电话)|"
    r"(?:有人|正在|还在)[^。！？!?]{0,6}(?:砸|撬)[^。！？!?墙]{0,4}(?:我家|我们家|门|窗|车|玻璃|店|锁)|"
    r"(?:打|砍|抢|撬|砸)[^。！？!?]{0,10}(?:对方|他们|那人|人)还(?:在|没走)|要跳楼|想跳楼|在跳楼|往下跳|要跳河|要轻生|"
    r"(?:孩子|小孩|儿子|女儿|闺女|老人|老太太|老爷子)[^。！？!?的]{0,15}(?:走丢|被人?抱走|被拐)|"
    r"(?:孩子|小孩|儿子|女儿|闺女|老人|老太太|老爷子)[^。！？!?的]{0,15}(?:现在|突然|一下子|转眼|眨眼|刚才|刚刚|分钟)"
    r"[^。！？!?的]{0,8}(?:不见了|找不到了|找不着了)|"
    r"\b(?:fight|fighting|attack|attacking|attacked|chasing|chased|beating|threaten|threatening|threatened)\b"
    r"(?:\s+\w+){0,4}\s+with\s+(?:a\s+|an\s+)?(?:knife|knives|bricks?|bats?|clubs?|sticks?|pipes?|machetes?|axes?|hammers?|weapons?|bottles?|guns?)\b|"
    r"\bbeing\s+(?:beaten|stabbed|assaulted|mugged)\b|\bbeating\s+(?:me|us|her|him|someone|somebody)\b|\bsnatch(?:ed|ing)\b|"
    r"\babout\s+to\s+jump\b|\bjump(?:ing)?\s+off\s+(?:the|a)\s+(?:roof|building|bridge)\b|\bsuicid\w*|"
    r"\b(?:someone|somebody|people|men|man|guy|guys|they|he)\s+(?:is|are|'s|'re)\s+(?:trying\s+to\s+)?"
    r"(?:smash|break|kick|forc)\w*\s+(?:in\s+|down\s+|open\s+|into\s+)?(?:my|our|the|a|car|shop)?\s*"
    r"(?:windows?|doors?|cars?|shop|store|glass|house|home|flat|apartment|room)\b|"
    r"\b(?:child|kid|son|daughter|boy|girl|toddler|baby|\d+[\s-]year[\s-]old)\s+(?:just\s+|has\s+|is\s+)?"
    r"(?:went\s+missing|gone\s+missing|is\s+missing|missing|disappeared|vanished|got\s+lost)\b",
    MEDICAL: r"噎(?:住|着)|卡住?了?喉咙|晕过去|昏过去|叫[^。！？!?]{0,2}不醒|突然倒下|突然胸口(?:疼|痛)|胸口剧痛|有人中毒了|(?:一氧化碳|煤气)中毒|从[^。！？!?]{0,6}(?:摔|掉|跌|坠)下来|坠楼|失去意识|没了?意识了|倒地不起|"
    r"触电|被电(?:打|击|到)了|吃了(?:一整瓶|一瓶|好多|很多|大量)[^。！？!?]{0,4}药|服药过量|吸毒过量|药物过量|喝了?农药|割腕|"
    r"流了(?:好多|很多|一地|一身)血|满(?:头|身|脸)是?血|误吞|"
    r"(?:车祸|撞车|撞了|相撞|被车撞|追尾|翻车)[^。！？!?]{0,15}(?:受伤|流血|出血|昏迷|躺在地上|起不来|有人伤|伤者|重伤)|"
    r"(?:受伤|流血|昏迷|伤者|重伤)[^。！？!?]{0,10}(?:车祸|撞车|被车撞)|"
    r"\b(?:someone|somebody|he|she|baby|child|kid|son|daughter|man|woman|boy|girl|person|dad|mom|mum|father|mother|"
    r"grandma|grandpa|grandmother|grandfather|husband|wife)\s+(?:is|was|'s)\s+choking\b|"
    r"\bchok(?:ing|ed)\s+on\s+(?:a|an|his|her|some|food|fish|the\s+food|candy|grapes?|meat)\b|"
    r"\bpassed\s+out\b|\bchest\s+pains?\b|\bcarbon\s+monoxide\b|\bfell\s+from\s+(?:the|a)\s+(?:roof|scaffold\w*|window|balcony|building)\b|\bunresponsive\b|\bwon'?t\s+wake\s+up\b|\bbarely\s+breathing\b|\bover-?dos(?:e|ed|ing)\b|"
    r"\btook\s+(?:too\s+many|a\s+lot\s+of|a\s+whole\s+bottle\s+of)\s+(?:pills|tablets|sleeping\s+pills)\b|"
    r"\belectrocut\w*|\b(?:got|been|was|is)\s+(?:an\s+)?electric\s+shock\b|"
    r"\b(?:car\s+(?:crash|accident)|crash|collision|hit\s+by\s+a\s+(?:car|truck|bus|van|lorry))\b[^.!?]{0,40}"
    r"\b(?:injur\w*|bleeding|hurt|unconscious|trapped|lying)\b",
}
# A risk or a hazard to fix, not something happening now.
_HYPOTHETICAL = re.compile(
    r"担心|害怕会|怕(?:有人|孩子|小孩|老人)|万一|容易|隐患|防止|以免|避免|会不会|小心|警示|提醒|"
    r"(?:触电|溺水|落水|被困)的?(?:危险|风险)|会(?:触电|落水|溺水|被困)|防(?:触电|溺水)|"
    r"\bworried\b|\bafraid\s+(?:that|of|someone|kids|children)\b|\bcould\b|\bmight\b|\brisk\b|\bin\s+case\b|\bprevent", re.I)
# Everyday nuisances: no new acute cue counts in them, and a loose word like 烟/smoke is no emergency.
_NUISANCE = re.compile(
    r"油烟|噪音|噪声|扰民|烧烤|抽烟|吸烟|烟头|香烟|二手烟|每天|每晚|天天|经常|总是|老是|长期|一直都|"
    r"\bevery\s+(?:night|day|morning|evening|weekend)\b|\balways\b|\bconstantly\b|\bbarbecue|\bbbq\b|"
    r"\bcigarette|\bsmoking\b|\bnois[ey]", re.I)
# Events that are over ("昨天被困在电梯里半小时，物业不管") are complaints about follow-up.
_PAST_MORE = re.compile(r"昨天|前天|上次|那次|当时|\byesterday\b|\bthe\s+other\s+day\b|\blast\s+time\b", re.I)
_JUST_NOW = re.compile(r"\b(?:\d+|a\s+few|few|a|one|two|three|five|ten|fifteen|twenty|thirty)\s+(?:minutes?|mins?|seconds?)\s+ago\b", re.I)
_ACUTE_RE = {kind: re.compile(p, re.I) for kind, p in _ACUTE.items()}
_MORE_ACUTE_RE = {kind: re.compile(p, re.I) for kind, p in _MORE_ACUTE.items()}
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
    if _HYPOTHETICAL.search(text) or _NUISANCE.search(text):
        return None
    recent = _JUST_NOW.sub(" ", text)  # "ten minutes ago" is still now
    past = _PAST.search(recent) or _PAST_MORE.search(recent)
    for kind in _ORDER:
        if _MORE_ACUTE_RE[kind].search(text):
            if kind != GAS and past:
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
    if _NUISANCE.search(text[:2000]):
        return None
    for kind in _ORDER:
        if _LOOSE_RE[kind].search(text[:2000]):
            return kind
    return None
