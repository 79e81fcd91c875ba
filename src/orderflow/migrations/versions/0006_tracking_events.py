"""tracking events and shipment tracking state

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-03 13:50:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

STATUSES = ('info_received', 'in_transit', 'out_for_delivery', 'delivery_attempted',
            'delivered', 'exception', 'returning', 'returned')


def _status(name: str) -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table('tracking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dedupe_key', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', _status('tracking_status'), nullable=False),
    sa.Column('raw_code', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('pickup', sa.Boolean(), nullable=False),
    sa.Column('problem', sa.String(length=32), nullable=True),
    sa.Column('eta', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('raw', orderflow.db.JSONType, nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                            name=op.f('fk_tracking_events_order_id_orders')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                            name=op.f('fk_tracking_events_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_events')),
    sa.UniqueConstraint('shipment_id', 'dedupe_key',
                        name=op.f('uq_tracking_events_shipment_id_dedupe_key'))
    )
    with op.batch_alter_table('tracking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_events_order_id'), ['order_id'],
                              unique=False)
        batch_op.create_index('ix_tracking_events_shipment_time', ['shipment_id', 'occurred_at'],
                              unique=False)

    op.create_table('shipment_tracking',
    sa.Column('shipment_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('status', _status('shipment_tracking_status'), nullable=True),
    sa.Column('status_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_rank', sa.Integer(), nullable=False),
    sa.Column('last_received_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('events', sa.Integer(), nullable=False),
    sa.Column('handed_over_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('picked_up_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('awaiting_pickup', sa.Boolean(), nullable=False),
    sa.Column('pickup_deadline_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_eta_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delay_owed', sa.Boolean(), nullable=False),
    sa.Column('next_poll_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('poll_failures', sa.Integer(), nullable=False),
    sa.Column('poll_interval_s', sa.Integer(), nullable=False),
    sa.Column('subscribed_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                            name=op.f('fk_shipment_tracking_order_id_orders')),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                            name=op.f('fk_shipment_tracking_shipment_id_shipments')),
    sa.PrimaryKeyConstraint('shipment_id', name=op.f('pk_shipment_tracking'))
    )
    with op.batch_alter_table('shipment_tracking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipment_tracking_order_id'), ['order_id'],
                              unique=False)
        batch_op.create_index('ix_shipment_tracking_poll', ['closed', 'next_poll_at'],
                              unique=False)
        batch_op.create_index('ix_shipment_tracking_pickup',
                              ['awaiting_pickup', 'pickup_deadline_at'], unique=False)


def downgrade() -> None:
    op.drop_table('shipment_tracking')
    op.drop_table('tracking_events')
