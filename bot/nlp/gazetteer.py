"""Place names of Beijing, read from the official divisions list shipped in data/.

Used by the resource builder (jieba dictionary, spaCy EntityRuler) and by the actions to turn a
recognised place back into official codes. Pure functions over a CSV file: no import-time I/O.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DIVISIONS_CSV = DATA_DIR / "divisions.csv"

# Official English (pinyin) names of Beijing's 16 districts.
DISTRICT_PINYIN = {
    "东城区": "Dongcheng",
    "西城区": "Xicheng",
    "朝阳区": "Chaoyang",
    "丰台区": "Fengtai",
    "石景山区": "Shijingshan",
    "海淀区": "Haidian",
    "门头沟区": "Mentougou",
    "房山区": "Fangshan",
    "通州区": "Tongzhou",
    "顺义区": "Shunyi",
    "昌平区": "Changping",
    "大兴区": "Daxing",
    "怀柔区": "Huairou",
    "平谷区": "Pinggu",
    "密云区": "Miyun",
    "延庆区": "Yanqing",
}

_SUFFIXES = ("街道办事处", "街道", "地区", "镇", "乡")

# Short subdistrict names that are everyday words ("平房" bungalow, "光明" bright, "向阳" sunny...):
# only their full names (平房地区, 光明街道) count as places.
AMBIGUOUS_SHORT_NAMES = frozenset(
    {"平房", "天桥", "胜利", "果园", "光明", "新华", "东风", "向阳", "新村", "北宫", "长阳"}
)


@dataclass(frozen=True)
class Division:
    """One row of divisions.csv."""

    code: str
    name: str
    level: str  # "district" or "subdistrict"
    parent_code: str


@lru_cache(maxsize=4)
def load_divisions(path: Path = DIVISIONS_CSV) -> tuple[Division, ...]:
    """All districts and subdistricts, in file order."""
    with open(path, encoding="utf-8", newline="") as handle:
        return tuple(
            Division(row["code"], row["name"], row["level"], row["parent_code"])
            for row in csv.DictReader(handle)
        )


def districts(path: Path = DIVISIONS_CSV) -> list[Division]:
    return [d for d in load_divisions(path) if d.level == "district"]


def subdistricts(path: Path = DIVISIONS_CSV) -> list[Division]:
    return [d for d in load_divisions(path) if d.level == "subdistrict"]


def short_name(name: str) -> str:
    """'望京街道' -> '望京', '朝阳区' -> '朝阳'; names that would become a single character stay whole."""
    for suffix in _SUFFIXES + ("区",):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def district_aliases(division: Division) -> list[str]:
    """Every way a citizen writes a district: 海淀区, 海淀, Haidian, Haidian District."""
    pinyin = DISTRICT_PINYIN.get(division.name)
    aliases = [division.name, short_name(division.name)]
    if pinyin:
        aliases += [pinyin, f"{pinyin} District", f"{pinyin} Qu"]
    return _unique(aliases)


def subdistrict_aliases(division: Division) -> list[str]:
    """望京街道, 望京; the short form only when it is not a district (密云 is 密云区, not 密云镇)
    nor an everyday word."""
    short = short_name(division.name)
    district_shorts = {short_name(d.name) for d in districts()}
    if short in district_shorts or short in AMBIGUOUS_SHORT_NAMES:
        return [division.name]
    return _unique([division.name, short])


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for division in load_divisions():
        aliases = (
            district_aliases(division) if division.level == "district" else subdistrict_aliases(division)
        )
        for alias in aliases:
            index.setdefault(alias.lower(), []).append(division)
    return index


def lookup(text: str, level: str | None = None) -> list[Division]:
    """Divisions whose official name or alias equals ``text`` (case-insensitive)."""
    key = re.sub(r"\s+", " ", (text or "").strip()).lower()
    found = _alias_index().get(key, [])
    return [d for d in found if level is None or d.level == level]


def by_code(code: str) -> Division | None:
    for division in load_divisions():
        if division.code == code:
            return division
    return None


def parent_of(division: Division) -> Division | None:
    """The district a subdistrict belongs to (parent codes are 6-digit district codes)."""
    for candidate in districts():
        if candidate.code == division.parent_code:
            return candidate
    return None
