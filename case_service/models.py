"""Database tables (SQLAlchemy 1.4 ORM, 2.0 style).

The schema itself is created by the Alembic migrations in ``migrations/``;
these classes only describe it for queries. Keep both in step: a test compares
them.

Concurrency rests on two unique constraints: ``cases.idempotency_key`` decides
which of several identical concurrent POSTs creates the case, and
``daily_counters.day`` makes the daily sequence a single row that writers lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import (
    MetaData,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    JSON,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeDecorator

from . import clock

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, shared with the migrations."""

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class UTCDateTime(TypeDecorator):
    """Timezone-aware in Python, naive UTC in the database (same on SQLite and PostgreSQL)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return None if value is None else clock.to_utc_naive(value)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return clock.from_utc_naive(value)


class ServiceRow(Base):
    """An Open311 service type, mirrored from taxonomy.csv by ``seed.py``."""

    __tablename__ = "services"

    code = Column(String(8), primary_key=True)
    name = Column(String(200), nullable=False)
    level1 = Column(String(100), nullable=False)
    level2 = Column(String(100), nullable=True)
    keywords = Column(Text, nullable=False, default="")


class DivisionRow(Base):
    """A district or subdistrict, mirrored from divisions.csv by ``seed.py``."""

    __tablename__ = "divisions"

    code = Column(String(12), primary_key=True)
    name = Column(String(100), nullable=False)
    level = Column(String(20), nullable=False)
    parent_code = Column(String(12), nullable=False)


class DailyCounter(Base):
    """Last case sequence number used on one service day (``YYYYMMDD``)."""

    __tablename__ = "daily_counters"

    day = Column(String(8), primary_key=True)
    last_value = Column(Integer, nullable=False)


class Case(Base):
    """A work order: the Open311 service request plus the 12345 fields."""

    __tablename__ = "cases"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_number = Column(String(13), nullable=False, unique=True)
    idempotency_key = Column(String(200), nullable=True, unique=True)
    service_code = Column(String(8), ForeignKey("services.code"), nullable=False)
    service_name = Column(String(200), nullable=False)
    description = Column(Text, nullable=True)
    lat = Column(Float, nullable=True)
    long = Column(Float, nullable=True)
    address_string = Column(String(500), nullable=True)
    address_id = Column(String(100), nullable=True)
    email = Column(String(254), nullable=True)
    first_name = Column(String(100), nullable=True)
    last_name = Column(String(100), nullable=True)
    phone = Column(String(32), nullable=True)
    phone_key = Column(String(32), nullable=True)
    media_url = Column(String(2000), nullable=True)
    attributes = Column(JSON, nullable=False, default=dict)
    appeal_type = Column(String(10), nullable=True)
    level1 = Column(String(100), nullable=False)
    level2 = Column(String(100), nullable=True)
    district_code = Column(String(12), nullable=True)
    district_name = Column(String(100), nullable=True)
    subdistrict_code = Column(String(12), nullable=True)
    subdistrict_name = Column(String(100), nullable=True)
    contact_name = Column(String(100), nullable=True)
    anonymous = Column(Boolean, nullable=False, default=False)
    channel = Column(String(20), nullable=True)
    language = Column(String(5), nullable=False, default="zh")
    conversation_id = Column(String(200), nullable=True)
    occurred_at = Column(String(200), nullable=True)
    media_urls = Column(JSON, nullable=False, default=list)
    stage = Column(String(20), nullable=False)
    department = Column(String(200), nullable=False)
    status_notes = Column(Text, nullable=True)
    service_notice = Column(Text, nullable=True)
    requested_at = Column(UTCDateTime, nullable=False)
    updated_at = Column(UTCDateTime, nullable=False)
    expected_at = Column(UTCDateTime, nullable=True)

    events = relationship(
        "CaseEvent",
        back_populates="case",
        order_by="CaseEvent.id",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        Index("ix_cases_requested_at", "requested_at"),
        Index("ix_cases_phone_key", "phone_key"),
        Index("ix_cases_service_code", "service_code"),
    )


class CaseEvent(Base):
    """One timeline entry: a stage reached, by which department, with a note."""

    __tablename__ = "case_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    stage = Column(String(20), nullable=False)
    department = Column(String(200), nullable=False)
    note = Column(Text, nullable=True)
    at = Column(UTCDateTime, nullable=False)

    case = relationship("Case", back_populates="events")

    __table_args__ = (Index("ix_case_events_case_id", "case_id"),)


class Media(Base):
    """An uploaded image, stored in the database so one backup covers everything."""

    __tablename__ = "media"

    id = Column(String(32), primary_key=True)
    content_type = Column(String(50), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    data = Column(LargeBinary, nullable=False)
    created_at = Column(UTCDateTime, nullable=False)
