"""Beijing districts and subdistricts in free text, normalised to official names.

Names come from data/divisions.csv through :mod:`bot.nlp.gazetteer` (the same list the spaCy
EntityRuler is built from), so an entity value and a typed answer always agree. Scanning uses
longest-match-first, so "朝阳门" (a subdistrict of 东城区) is not read as "朝阳" (朝阳区).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.nlp import gazetteer


@dataclass(frozen=True)
class Place:
    """An official division found in text."""

    name: str
    code: str
    level: str  # district | subdistrict
    district: str  # the district's official name (itself for a district)
    alias: str  # the form that was written
    exact: bool  # written with its suffix (区/街道/地区/镇/乡) or in English


_LATIN_ALIAS = re.compile(r"^[A-Za-z][A-Za-z ]*$")


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[Place]], tuple[str, ...]]:
    index: dict[str, list[Place]] = {}
    names = {d.code: d.name for d in gazetteer.districts()}
    for division in gazetteer.load_divisions():
        if division.level == "district":
            aliases = gazetteer.district_aliases(division)
            district = division.name
        else:
            aliases = gazetteer.subdistrict_aliases(division)
            district = names.get(division.parent_code, "")
        for alias in aliases:
            exact = alias == division.name or bool(_LATIN_ALIAS.match(alias))
            place = Place(division.name, division.code, division.level, district, alias, exact)
            index.setdefault(alias.lower(), []).append(place)
    # Longest first, so that scanning prefers 朝阳门 over 朝阳 and "Haidian District" over "Haidian".
    aliases = tuple(sorted(index, key=len, reverse=True))
    return index, aliases


@lru_cache(maxsize=1)
def _scanner() -> re.Pattern[str]:
    _, aliases = _index()
    parts = []
    for alias in aliases:
        escaped = re.escape(alias).replace(r"\ ", r"\s+")
        if _LATIN_ALIAS.match(alias):
            parts.append(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])")
        else:
            parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def scan(text: object) -> list[Place]:
    """Every division mention in ``text``, in order (ambiguous aliases yield all their places)."""
    if not isinstance(text, str) or not text:
        return []
    index, _ = _index()
    found: list[Place] = []
    for match in _scanner().finditer(text[:4000]):
        key = re.sub(r"\s+", " ", match.group(0)).lower()
        found.extend(index.get(key, []))
    return found


def district_names() -> list[str]:
    return [d.name for d in gazetteer.districts()]


def district_english(name: str) -> str:
    """'海淀区' → 'Haidian District' (the official name when no pinyin is known)."""
    pinyin = gazetteer.DISTRICT_PINYIN.get(name)
    return f"{pinyin} District" if pinyin else name


def district_code(name: str | None) -> str | None:
    for division in gazetteer.districts():
        if division.name == name:
            return division.code
    return None


def subdistrict_code(name: str | None, district: str | None = None) -> str | None:
    if not name:
        return None
    dcode = district_code(district) if district else None
    for division in gazetteer.subdistricts():
        if division.name == name and (dcode is None or division.parent_code == dcode):
            return division.code
    return None


def subdistricts_of(district: str | None) -> list[str]:
    dcode = district_code(district)
    return [d.name for d in gazetteer.subdistricts() if d.parent_code == dcode]


def district_of_subdistrict(name: str) -> str | None:
    """The district of a subdistrict name when it is unique (八里庄街道 exists twice)."""
    districts = {p.district for p in _index()[0].get(name.lower(), []) if p.level == "subdistrict"}
    return districts.pop() if len(districts) == 1 else None


def find_district(text: object, narrative: bool = True) -> str | None:
    """The district named in ``text`` (official name), or ``None``.

    In a narrative only unambiguous mentions count: the full name, the English name, or the short
    name when no longer place name covers it. A subdistrict mention implies its district.
    """
    places = scan(text)
    for place in places:
        if place.level == "district":
            return place.name
    for place in places:
        if place.level == "subdistrict" and (place.exact or not narrative):
            district = district_of_subdistrict(place.name)
            if district:
                return district
    return None


def find_subdistrict(text: object, district: str | None = None, narrative: bool = True) -> str | None:
    """The subdistrict named in ``text`` (official name), preferring one inside ``district``.

    In a narrative a short name ("望京") only counts when the district is known to contain it;
    as a direct answer short names are fine.
    """
    candidates = [p for p in scan(text) if p.level == "subdistrict"]
    if district:
        inside = [p for p in candidates if p.district == district]
        if inside:
            best = inside[0]
            return best.name if (best.exact or not narrative or district) else None
        return None
    for place in candidates:
        if not place.exact and narrative:
            continue
        same_name = {p.district for p in candidates if p.name == place.name}
        if len(same_name) == 1:
            return place.name
    return None


def normalize_district(value: object) -> str | None:
    """An answer or entity value → official district name (accepts 海淀, Haidian, 海淀区)."""
    if not isinstance(value, str):
        return None
    return find_district(value, narrative=False)


def normalize_subdistrict(value: object, district: str | None = None) -> str | None:
    if not isinstance(value, str):
        return None
    return find_subdistrict(value, district, narrative=False)


def subdistrict_mentioned_elsewhere(value: object, district: str | None) -> str | None:
    """The district of a subdistrict that was named but lies outside ``district`` — to say
    "望京 is in 朝阳区, not 海淀区" instead of a generic error."""
    if not isinstance(value, str) or not district:
        return None
    for place in scan(value):
        if place.level == "subdistrict" and place.district != district:
            return place.district
    return None
