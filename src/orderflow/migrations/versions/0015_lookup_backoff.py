"""customer look-ups: a per-key back-off time (slow down instead of locking out)

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-06 07:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = '0015'
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer_lookup_limits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', orderflow.db.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customer_lookup_limits', schema=None) as batch_op:
        batch_op.drop_column('not_before')
