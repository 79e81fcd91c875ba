"""circuit breakers per provider (notify channels, webhook endpoints, tracking, waybills)

Revision ID: 0013
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "circuits",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.Enum("closed", "open", "half_open", name="circuit_state",
                                   native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("opened_at", orderflow.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", orderflow.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_probe_at", orderflow.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", orderflow.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_circuits")),
    )


def downgrade() -> None:
    op.drop_table("circuits")
