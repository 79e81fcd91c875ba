"""customer look-up rate limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customer_lookup_limits',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('window_start', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_customer_lookup_limits'))
    )
    with op.batch_alter_table('customer_lookup_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_lookup_limits_window_start'), ['window_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer_lookup_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_lookup_limits_window_start'))

    op.drop_table('customer_lookup_limits')
