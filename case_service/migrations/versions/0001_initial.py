"""Initial schema: services, divisions, daily counters, cases, timeline, media.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level1", sa.String(100), nullable=False),
        sa.Column("level2", sa.String(100), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_services"),
    )
    op.create_table(
        "divisions",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parent_code", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_divisions"),
    )
    op.create_table(
        "daily_counters",
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_daily_counters"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_number", sa.String(13), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("service_code", sa.String(8), nullable=False),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("address_string", sa.String(500), nullable=True),
        sa.Column("address_id", sa.String(100), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("phone_key", sa.String(32), nullable=True),
        sa.Column("media_url", sa.String(2000), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("appeal_type", sa.String(10), nullable=True),
        sa.Column("level1", sa.String(100), nullable=False),
        sa.Column("level2", sa.String(100), nullable=True),
        sa.Column("district_code", sa.String(12), nullable=True),
        sa.Column("district_name", sa.String(100), nullable=True),
        sa.Column("subdistrict_code", sa.String(12), nullable=True),
        sa.Column("subdistrict_name", sa.String(100), nullable=True),
        sa.Column("contact_name", sa.String(100), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("occurred_at", sa.String(200), nullable=True),
        sa.Column("media_urls", sa.JSON(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("status_notes", sa.Text(), nullable=True),
        sa.Column("service_notice", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expected_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("case_number", name="uq_cases_case_number"),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
        sa.ForeignKeyConstraint(
            ["service_code"], ["services.code"], name="fk_cases_service_code_services"
        ),
    )
    op.create_index("ix_cases_requested_at", "cases", ["requested_at"])
    op.create_index("ix_cases_phone_key", "cases", ["phone_key"])
    op.create_index("ix_cases_service_code", "cases", ["service_code"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_events"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_events_case_id_cases", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_table(
        "media",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("content_type", sa.String(50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
    )


def downgrade() -> None:
    op.drop_table("media")
    op.drop_index("ix_case_events_case_id", table_name="case_events")
    op.drop_table("case_events")
    op.drop_index("ix_cases_service_code", table_name="cases")
    op.drop_index("ix_cases_phone_key", table_name="cases")
    op.drop_index("ix_cases_requested_at", table_name="cases")
    op.drop_table("cases")
    op.drop_table("daily_counters")
    op.drop_table("divisions")
    op.drop_table("services")
