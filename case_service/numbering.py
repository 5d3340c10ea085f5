"""Case numbers: ``YYYYMMDD`` + a 5-digit daily sequence (13 digits).

They are meant to be read out on the phone and typed on a keypad, hence plain
digits. The sequence is one counter row per service day, incremented inside
the caller's write transaction: concurrent writers serialise on that row (or,
on SQLite, on the write lock), and a transaction that rolls back gives its
number back, so numbers have no gaps from failed requests.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from . import clock
from .errors import CaseServiceError
from .models import DailyCounter

CASE_NUMBER = re.compile(r"^\d{8}\d{5}$")
MAX_DAILY_CASES = 99_999
_INSERT_ATTEMPTS = 5


class SequenceExhausted(CaseServiceError):
    """More than 99,999 cases on one day: the number format cannot hold more."""


def format_case_number(day: str, value: int) -> str:
    return f"{day}{value:05d}"


def is_case_number(text: str) -> bool:
    return bool(CASE_NUMBER.match(text))


async def next_case_number(session: AsyncSession, moment: datetime) -> str:
    """Allocate the next number of ``moment``'s service day in ``session``'s
    transaction (the row lock is held until that transaction ends)."""
    day = clock.service_day(moment)
    for _ in range(_INSERT_ATTEMPTS):
        bumped = await session.execute(
            update(DailyCounter)
            .where(DailyCounter.day == day)
            .values(last_value=DailyCounter.last_value + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount == 1:
            value = (
                await session.execute(select(DailyCounter.last_value).where(DailyCounter.day == day))
            ).scalar_one()
            break
        try:
            # First case of the day; a concurrent first case makes this fail on
            # the primary key, and the loop then increments the winner's row.
            async with session.begin_nested():
                await session.execute(insert(DailyCounter).values(day=day, last_value=1))
            value = 1
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - needs five lost races in a row
        raise CaseServiceError(f"could not allocate a case number for {day}")
    if value > MAX_DAILY_CASES:
        raise SequenceExhausted(f"daily case sequence exhausted for {day}")
    return format_case_number(day, value)
