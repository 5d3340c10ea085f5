"""The catalog: Open311 services from ``taxonomy.csv`` and divisions from ``divisions.csv``.

Service codes follow the contract (docs/architecture.md): ``LLMM`` where ``LL``
is the 1-based index of the level-1 category in order of first appearance,
``MM`` the 1-based index of the level-2 category inside it, and ``MM = 00`` a
general service per level 1 named ``<level1>（综合）``. The catalog is loaded
once at start and kept in memory; ``seed.py`` mirrors it into the database.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from .errors import CatalogError

GENERAL_SUFFIX = "（综合）"


@dataclass(frozen=True)
class Attribute:
    """One Open311 service attribute (all ours are optional single-value lists)."""

    code: str
    description: str
    values: tuple[str, ...]
    order: int = 1
    required: bool = False


@dataclass(frozen=True)
class Service:
    """One Open311 service type."""

    code: str
    name: str
    level1: str
    level2: Optional[str]
    keywords: tuple[str, ...]
    attributes: tuple[Attribute, ...]

    @property
    def group(self) -> str:
        return self.level1

    @property
    def is_general(self) -> bool:
        return self.level2 is None

    def attribute(self, code: str) -> Optional[Attribute]:
        return next((attr for attr in self.attributes if attr.code == code), None)


@dataclass(frozen=True)
class Division:
    """A district or subdistrict of ``divisions.csv``."""

    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class Catalog:
    """Services and divisions, read-only after loading."""

    services: dict[str, Service]
    divisions: dict[str, Division]

    def service(self, code: str) -> Optional[Service]:
        return self.services.get(code)

    def level1_names(self) -> list[str]:
        return list(dict.fromkeys(service.level1 for service in self.services.values()))

    def level2_names(self, level1: str) -> list[str]:
        return [s.level2 for s in self.services.values() if s.level1 == level1 and s.level2]

    def district(self, code: str) -> Optional[Division]:
        division = self.divisions.get(code)
        return division if division and division.level == "district" else None

    def subdistrict(self, code: str) -> Optional[Division]:
        division = self.divisions.get(code)
        return division if division and division.level == "subdistrict" else None


def _read_csv(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise CatalogError(f"{path}: missing columns {sorted(missing)}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except OSError as error:
        raise CatalogError(f"cannot read {path}: {error}") from error


def build_services(rows: Iterable[tuple[str, str, str]]) -> dict[str, Service]:
    """Assign contract codes to (level1, level2, level3) rows."""
    tree: dict[str, dict[str, list[str]]] = {}
    for level1, level2, level3 in rows:
        if not level1 or not level2:
            raise CatalogError(f"taxonomy row without level1/level2: {(level1, level2, level3)}")
        level3s = tree.setdefault(level1, {}).setdefault(level2, [])
        if level3 and level3 not in level3s:
            level3s.append(level3)
    if len(tree) > 99 or any(len(level2s) > 99 for level2s in tree.values()):
        raise CatalogError("taxonomy too large for two-digit service codes")
    services: dict[str, Service] = {}
    for i, (level1, level2s) in enumerate(tree.items(), start=1):
        general = Service(
            code=f"{i:02d}00",
            name=f"{level1}{GENERAL_SUFFIX}",
            level1=level1,
            level2=None,
            keywords=tuple(level2s),
            attributes=(Attribute("level2", "二级分类（可选）", tuple(level2s)),),
        )
        services[general.code] = general
        for j, (level2, level3s) in enumerate(level2s.items(), start=1):
            service = Service(
                code=f"{i:02d}{j:02d}",
                name=level2,
                level1=level1,
                level2=level2,
                keywords=tuple(level3s),
                attributes=(Attribute("level3", "三级分类（可选）", tuple(level3s)),) if level3s else (),
            )
            services[service.code] = service
    return services


def load_services(path: Path) -> dict[str, Service]:
    rows = _read_csv(path, ("level1", "level2", "level3"))
    return build_services((r["level1"], r["level2"], r["level3"]) for r in rows)


def load_divisions(path: Path) -> dict[str, Division]:
    divisions: dict[str, Division] = {}
    for row in _read_csv(path, ("code", "name", "level", "parent_code")):
        if row["level"] not in ("district", "subdistrict") or not row["code"] or not row["name"]:
            raise CatalogError(f"{path}: bad division row {row}")
        divisions[row["code"]] = Division(row["code"], row["name"], row["level"], row["parent_code"])
    return divisions


def load_catalog(data_dir: Path) -> Catalog:
    """Load ``taxonomy.csv`` and ``divisions.csv`` from the project's data directory."""
    return Catalog(
        services=load_services(data_dir / "taxonomy.csv"),
        divisions=load_divisions(data_dir / "divisions.csv"),
    )
