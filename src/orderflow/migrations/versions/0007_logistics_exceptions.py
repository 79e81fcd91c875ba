"""logistics exception cases and scan cursors

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-03 13:40:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KINDS = ('stalled', 'delivery_failed', 'lost', 'damaged', 'returned', 'carrier_exception')
STATES = ('open', 'resolved', 'closed')


def upgrade() -> None:
    op.create_table('exception_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum(*KINDS, name='exception_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='exception_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('carrier', sa.String(length=32), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('tracking_number', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_by', sa.String(length=120), nullable=False),
    sa.Column('last_action', sa.String(length=32), nullable=True),
    sa.Column('last_action_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('actions', sa.Integer(), nullable=False),
    sa.Column('refund_minor', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('source_event_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_exception_cases_order_id_orders')),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_users.id'], name=op.f('fk_exception_cases_owner_id_staff_users')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_exception_cases_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_cases'))
    )
    with op.batch_alter_table('exception_cases', schema=None) as batch_op:
        batch_op.create_index('ix_exception_cases_order_kind', ['order_id', 'kind', 'state'], unique=False)
        batch_op.create_index('ix_exception_cases_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exception_cases_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exception_cases_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('uq_exception_cases_open', ['order_id', 'tracking_number', 'kind'], unique=True,
                              sqlite_where=sa.text("state = 'open'"), postgresql_where=sa.text("state = 'open'"))

    op.create_table('logistics_cursors',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_logistics_cursors'))
    )


def downgrade() -> None:
    op.drop_table('logistics_cursors')
    with op.batch_alter_table('exception_cases', schema=None) as batch_op:
        batch_op.drop_index('uq_exception_cases_open')
        batch_op.drop_index(batch_op.f('ix_exception_cases_owner_id'))
        batch_op.drop_index(batch_op.f('ix_exception_cases_order_id'))
        batch_op.drop_index('ix_exception_cases_state_due')
        batch_op.drop_index('ix_exception_cases_order_kind')
    op.drop_table('exception_cases')
