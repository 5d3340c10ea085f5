"""Mirror the catalog (taxonomy and divisions) into the database at start.

Cases reference ``services.code`` by foreign key, so every service must exist
as a row; rows are inserted or updated, never deleted (old cases may still
point at a retired service). Running it again is a no-op.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from .catalog import Catalog
from .db import Database
from .models import DivisionRow, ServiceRow

log = logging.getLogger(__name__)


async def seed_catalog(db: Database, catalog: Catalog) -> None:
    """Insert missing and update changed services and divisions (one transaction)."""
    async with db.write() as session:
        services = {row.code: row for row in (await session.execute(select(ServiceRow))).scalars()}
        changed = 0
        for service in catalog.services.values():
            values = {
                "name": service.name,
                "level1": service.level1,
                "level2": service.level2,
                "keywords": ",".join(service.keywords),
            }
            row = services.get(service.code)
            if row is None:
                session.add(ServiceRow(code=service.code, **values))
                changed += 1
            elif any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                changed += 1
        divisions = {row.code: row for row in (await session.execute(select(DivisionRow))).scalars()}
        for division in catalog.divisions.values():
            values = {"name": division.name, "level": division.level, "parent_code": division.parent_code}
            row = divisions.get(division.code)
            if row is None:
                session.add(DivisionRow(code=division.code, **values))
                changed += 1
            elif any(getattr(row, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                changed += 1
    log.info(
        "catalog: %d services, %d divisions (%d rows written)",
        len(catalog.services),
        len(catalog.divisions),
        changed,
    )
