"""Storing and finding cases: the only module that writes ``cases`` rows.

Shared by the HTTP handlers and the CLI. Each public function is one
transaction. Idempotent creation relies on the unique index on
``idempotency_key``: every concurrent request tries to insert, exactly one
wins, the others catch the ``IntegrityError`` and return the winner's case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from . import clock, workflow
from .db import Database
from .errors import BadRequest, NotFound
from .models import Case, CaseEvent
from .numbering import next_case_number
from .submission import NewCase

log = logging.getLogger(__name__)

MAX_RESULTS = 1000


@dataclass(frozen=True)
class CaseQuery:
    """Filters of ``GET requests.json`` (already validated)."""

    case_numbers: Optional[tuple[str, ...]] = None
    service_codes: Optional[tuple[str, ...]] = None
    start: Optional[datetime] = None
    end: Optional[datetime] = None
    statuses: Optional[tuple[str, ...]] = None
    phone_key: Optional[str] = None
    limit: int = MAX_RESULTS


async def _by_key(session: AsyncSession, key: str) -> Optional[Case]:
    result = await session.execute(
        select(Case).where(Case.idempotency_key == key).options(selectinload(Case.events))
    )
    return result.scalar_one_or_none()


def _build_case(new: NewCase, number: str, key: Optional[str], now: datetime) -> Case:
    district_name = new.district.name if new.district else None
    department = workflow.department_for(new.level1, district_name)
    deadline = workflow.expected_at(now, new.appeal_type)
    note = workflow.initial_note(new.language)
    case = Case(
        case_number=number,
        idempotency_key=key,
        service_code=new.service.code,
        service_name=new.service.name,
        description=new.description,
        lat=new.lat,
        long=new.long,
        address_string=new.address_string,
        address_id=new.address_id,
        email=new.email,
        first_name=new.first_name,
        last_name=new.last_name,
        phone=new.phone,
        phone_key=new.phone_key,
        media_url=new.media_url or (new.media_urls[0] if new.media_urls else None),
        attributes=dict(new.attributes),
        appeal_type=new.appeal_type,
        level1=new.level1,
        level2=new.level2,
        district_code=new.district.code if new.district else None,
        district_name=district_name,
        subdistrict_code=new.subdistrict.code if new.subdistrict else None,
        subdistrict_name=new.subdistrict.name if new.subdistrict else None,
        contact_name=new.contact_name,
        anonymous=new.anonymous,
        channel=new.channel,
        language=new.language,
        conversation_id=new.conversation_id,
        occurred_at=new.occurred_at,
        media_urls=list(new.media_urls),
        stage=workflow.INITIAL_STAGE,
        department=department,
        status_notes=note,
        service_notice=workflow.service_notice(number, department, deadline, new.language),
        requested_at=now,
        updated_at=now,
        expected_at=deadline,
    )
    case.events = [CaseEvent(stage=workflow.INITIAL_STAGE, department=department, note=note, at=now)]
    return case


async def create_case(db: Database, new: NewCase, idempotency_key: Optional[str] = None) -> tuple[Case, bool]:
    """Store ``new``; returns ``(case, created)``. With an idempotency key an
    existing case with that key is returned instead (``created`` False)."""
    if idempotency_key:
        async with db.read() as session:
            existing = await _by_key(session, idempotency_key)
        if existing is not None:
            return existing, False
    try:
        async with db.write() as session:
            now = clock.now()
            number = await next_case_number(session, now)
            case = _build_case(new, number, idempotency_key, now)
            session.add(case)
            await session.flush()
    except IntegrityError:
        if not idempotency_key:
            raise
        async with db.read() as session:
            existing = await _by_key(session, idempotency_key)
        if existing is None:
            raise
        log.info("idempotent replay of %s for key %r (lost the race)", existing.case_number, idempotency_key)
        return existing, False
    log.info("case %s created (service %s)", case.case_number, case.service_code)
    return case, True


async def get_case(db: Database, number: str) -> Case:
    """The case with timeline, or ``NotFound``."""
    async with db.read() as session:
        result = await session.execute(
            select(Case).where(Case.case_number == number).options(selectinload(Case.events))
        )
        case = result.scalar_one_or_none()
    if case is None:
        raise NotFound(f"service request {number} not found")
    return case


async def find_cases(db: Database, query: CaseQuery) -> Sequence[Case]:
    """Cases matching ``query``, newest first."""
    statement = select(Case).options(selectinload(Case.events))
    if query.case_numbers is not None:
        statement = statement.where(Case.case_number.in_(query.case_numbers))
    if query.service_codes is not None:
        statement = statement.where(Case.service_code.in_(query.service_codes))
    if query.start is not None:
        statement = statement.where(Case.requested_at >= query.start)
    if query.end is not None:
        statement = statement.where(Case.requested_at <= query.end)
    if query.statuses is not None and set(query.statuses) != {"open", "closed"}:
        if "closed" in query.statuses:
            statement = statement.where(Case.stage == "closed")
        else:
            statement = statement.where(Case.stage != "closed")
    if query.phone_key is not None:
        statement = statement.where(Case.phone_key == query.phone_key)
    statement = statement.order_by(Case.requested_at.desc(), Case.id.desc()).limit(query.limit)
    async with db.read() as session:
        return (await session.execute(statement)).scalars().all()


async def advance_case(
    db: Database,
    number: str,
    stage: str,
    department: Optional[str] = None,
    note: Optional[str] = None,
) -> Case:
    """Append a timeline entry and move the case to ``stage``."""
    if stage not in workflow.STAGES:
        raise BadRequest(f"stage must be one of {', '.join(workflow.STAGES)}")
    async with db.write() as session:
        result = await session.execute(
            select(Case)
            .where(Case.case_number == number)
            .options(selectinload(Case.events))
            .with_for_update()
        )
        case = result.scalar_one_or_none()
        if case is None:
            raise NotFound(f"service request {number} not found")
        workflow.check_transition(case.stage, stage)
        now = max(clock.now(), case.updated_at)
        department = department or case.department
        case.events.append(CaseEvent(stage=stage, department=department, note=note, at=now))
        case.stage = stage
        case.department = department
        if note:
            case.status_notes = note
        case.updated_at = now
        await session.flush()
    log.info("case %s advanced to %s (%s)", number, stage, department)
    return case
