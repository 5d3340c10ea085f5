"""The complaint taxonomy (data/taxonomy.csv, level 1 / level 2) as the citizen sees it:
labels in Chinese and English, and answers to "which category fits best?"."""
from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path

#: The seven domains that carry almost all hotline traffic — offered as buttons when the
#: categorizer cannot help (same list as bot.categorize.model.MAJOR_DOMAINS).
MAIN_LEVEL1 = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")
#: Candidate value that asks for every level-1 category ("其他" button).
ALL_LEVEL1 = "*"
SEPARATOR = "/"

LEVEL1_EN = {
    "城乡建设": "Urban and rural development",
    "农村农业": "Agriculture and rural affairs",
    "政法": "Public security and justice",
    "教育文体": "Education, culture and sports",
    "劳动和社会保障": "Labour and social security",
    "民政": "Civil affairs",
    "党务政务": "Party and government affairs",
    "经济管理": "Economic management",
    "卫生计生": "Health",
    "商贸旅游": "Commerce and tourism",
    "环境保护": "Environmental protection",
    "交通运输": "Transport",
    "纪检监察": "Discipline and supervision",
    "国土资源": "Land and resources",
    "科技与信息产业": "Science, technology and IT",
}
LEVEL2_EN = {
    "安全生产": "Work safety", "城市建设和市政管理": "Urban management and utilities", "城乡规划": "Urban planning",
    "村镇建设": "Village and town construction", "工程质量": "Construction quality",
    "国有土地上房屋征收与补偿": "Expropriation of housing on state land", "集体土地上房屋拆迁与补偿": "Demolition on collective land",
    "建筑市场": "Construction market", "其他": "Other", "住房保障与房地产": "Housing and real estate",
    "党的建设": "Party building", "港澳台侨": "Hong Kong, Macao, Taiwan and overseas Chinese", "国防外交": "Defence and foreign affairs",
    "民族宗教": "Ethnic and religious affairs", "群众团体": "Public organisations", "宣传舆论": "Publicity",
    "政治体制": "Political system", "海洋气象地震": "Ocean, weather and earthquakes", "矿产资源管理": "Mineral resources",
    "土地征收": "Land acquisition", "土地资源管理": "Land management", "环保管理": "Environmental administration",
    "环境污染": "Pollution", "建设项目审批": "Project approval", "党政处分": "Disciplinary sanctions",
    "干部作风": "Officials' conduct", "滥用职权": "Abuse of power", "失职渎职": "Dereliction of duty",
    "贪污贿赂": "Corruption and bribery", "出租车管理": "Taxis", "建设管理": "Transport construction",
    "交通运输": "Transport services", "客货运输": "Passenger and freight transport", "邮政管理": "Postal services",
    "保险证券期货": "Insurance and securities", "国资监管": "State assets", "宏观调控": "Macroeconomic policy",
    "金融财税": "Finance and taxation", "能源管理": "Energy", "企业破产": "Business insolvency", "电信": "Telecommunications",
    "科学技术": "Science and technology", "信息化建设": "IT infrastructure", "知识产权": "Intellectual property",
    "福利慈善": "Welfare and charity", "复退安置": "Veterans' resettlement", "基层选举和社区建设": "Community affairs",
    "救灾募捐": "Disaster relief", "民间组织": "Civil society organisations", "区划地名": "Place names and boundaries",
    "社会服务": "Social services", "社会救助": "Social assistance", "优抚": "Support for veterans' families",
    "草原草场": "Grassland", "村务管理": "Village administration", "动物防疫": "Animal disease control",
    "扶贫开发": "Poverty alleviation", "惠农补贴": "Farm subsidies", "林业管理": "Forestry",
    "农副产品流通": "Farm produce trade", "农垦农场": "State farms", "农资农技": "Farm supplies and techniques",
    "水库移民": "Reservoir resettlement", "水利水电": "Water resources", "土地承包经营": "Land contracts",
    "野生资源管理": "Wildlife resources", "旅游管理": "Tourism", "商业贸易": "Trade and retail", "市场监管": "Market regulation",
    "质监检验检疫": "Quality inspection", "公共卫生": "Public health", "人口计生": "Population and family planning",
    "食品药品监管": "Food and drug safety", "医患纠纷": "Doctor–patient disputes", "医政监管": "Medical services",
    "法律服务": "Legal services", "法制建设": "Rule of law", "行政复议": "Administrative review",
    "户籍证件": "Household registration and IDs", "交通管理": "Traffic management", "警务督察": "Police conduct",
    "社会治安": "Public order", "诉讼": "Litigation", "刑案侦破": "Criminal investigation", "刑罚执行": "Sentence execution",
    "仲裁与调解": "Arbitration and mediation", "教师队伍和待遇": "Teachers", "教育行政管理": "Education administration",
    "教育收费": "School fees", "教育体制": "Education system", "考试招生": "Exams and admissions", "失学辍学": "School dropouts",
    "体育": "Sports", "文化": "Culture", "文物管理": "Cultural heritage", "城镇居民社会保险": "Residents' social insurance",
    "城镇职工社会保险": "Employees' social insurance", "工资福利": "Wages and benefits", "就业培训": "Jobs and training",
    "劳动保护": "Labour protection", "劳动关系": "Labour relations", "社保基金管理": "Social security funds",
    "退休政策及待遇": "Retirement and pensions",
}


def taxonomy_path() -> Path:
    data_dir = os.environ.get("HOTLINE_DATA_DIR")
    base = Path(data_dir) if data_dir else Path(__file__).resolve().parents[2] / "data"
    return base / "taxonomy.csv"


@lru_cache(maxsize=2)
def load_taxonomy(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """level 1 → its level-2 names, in file order (missing file → the level-1 names only)."""
    path = path or taxonomy_path()
    tree: dict[str, list[str]] = {}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                level1, level2 = (row.get("level1") or "").strip(), (row.get("level2") or "").strip()
                if not level1:
                    continue
                children = tree.setdefault(level1, [])
                if level2 and level2 not in children:
                    children.append(level2)
    except OSError:
        tree = {name: [] for name in LEVEL1_EN}
    return {k: tuple(v) for k, v in tree.items()}


def level1_names() -> list[str]:
    return list(load_taxonomy())


def encode(level1: str, level2: str | None = None) -> str:
    """The value kept in ``category_candidates``: "城乡建设/环境卫生" or "城乡建设"."""
    return f"{level1}{SEPARATOR}{level2}" if level2 else level1


def decode(value: str) -> tuple[str, str | None]:
    level1, _, level2 = (value or "").partition(SEPARATOR)
    return level1, (level2 or None)


def is_known(level1: str | None, level2: str | None = None) -> bool:
    tree = load_taxonomy()
    if level1 not in tree:
        return False
    return level2 is None or level2 in tree[level1]


def label(level1: str | None, level2: str | None, language: str) -> str:
    """"城乡建设 · 环境卫生" / "Urban and rural development · Sanitation"."""
    if not level1:
        return ""
    if language == "en":
        parts = [LEVEL1_EN.get(level1, level1)] + ([LEVEL2_EN.get(level2, level2)] if level2 else [])
    else:
        parts = [level1] + ([level2] if level2 else [])
    return " · ".join(parts)


def _norm(text: str) -> str:
    return re.sub(r"[\s·・/|,，、.。:：\-–—()（）]+", "", text or "").lower()


_ORDINALS = {"1": 0, "一": 0, "first": 0, "2": 1, "二": 1, "second": 1, "3": 2, "三": 2, "third": 2}


def parse_category_answer(text: object, candidates: list[str] | None = None) -> tuple[str, str | None] | None:
    """A citizen's choice of category → (level1, level2 or None), or ``None`` if it names none.

    Accepts a button label in either language, an encoded candidate, an ordinal among the
    offered candidates ("第二个", "2", "the second"), a level-1 name, or a level-2 name that is
    unique (or unique among the candidates).
    """
    if not isinstance(text, str) or not text.strip():
        return None
    raw = text.strip()[:200]
    key = _norm(raw)
    tree = load_taxonomy()
    offered = [decode(c) for c in (candidates or []) if c and c != ALL_LEVEL1]
    # 1. exact labels of offered candidates and of every level 1 / level 1 + level 2
    pairs = list(offered) + [(l1, None) for l1 in tree] + [(l1, l2) for l1, l2s in tree.items() for l2 in l2s]
    for level1, level2 in pairs:
        for language in ("zh", "en"):
            if key == _norm(label(level1, level2, language)) or key == _norm(encode(level1, level2)):
                return level1, level2
    # 2. ordinal among the offered candidates
    ordinal = re.sub(r"^(?:第|number|no|the|option)", "", key).rstrip("个项种one")
    if offered and ordinal in _ORDINALS and _ORDINALS[ordinal] < len(offered):
        return offered[_ORDINALS[ordinal]]
    # 3. a level-2 name inside the answer (prefer the offered ones), then a level-1 name
    def level2_hits(pool: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
        hits = []
        for level1, level2 in pool:
            if level2 and level2 != "其他" and (level2 in raw or _norm(LEVEL2_EN.get(level2, "")) in key and len(key) >= 4):
                hits.append((level1, level2))
        return hits

    for pool in (offered, [(l1, l2) for l1, l2s in tree.items() for l2 in l2s]):
        hits = level2_hits(pool)
        if len({h for h in hits}) == 1:
            return hits[0]
    for level1 in sorted(tree, key=len, reverse=True):
        if level1 in raw or (_norm(LEVEL1_EN.get(level1, "")) and _norm(LEVEL1_EN[level1]) in key):
            return level1, None
    return None
