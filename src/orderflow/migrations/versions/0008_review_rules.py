"""order desk review: settings and one review row per order

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-03 14:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import orderflow.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('updated_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_settings'))
    )
    op.create_table('order_reviews',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('findings', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('reviewed_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=120), nullable=False),
    sa.Column('address', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('adcode', sa.String(length=12), nullable=True),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('customer_type', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=True),
    sa.Column('payment_status', sa.String(length=16), nullable=False),
    sa.Column('shipping_service', sa.String(length=32), nullable=False),
    sa.Column('promised_ship_by', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decided_by', sa.String(length=120), nullable=True),
    sa.Column('decided_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_reviews_order_id_orders')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_reviews'))
    )
    op.create_index('ix_order_reviews_queue', 'order_reviews', ['urgency', 'promised_ship_by'], unique=False)
    op.create_index('ix_order_reviews_outcome', 'order_reviews', ['outcome'], unique=False)
    op.create_index('ix_order_reviews_customer_type', 'order_reviews', ['customer_type'], unique=False)
    op.create_index('ix_order_reviews_category', 'order_reviews', ['category'], unique=False)
    op.create_index('ix_order_reviews_payment_status', 'order_reviews', ['payment_status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_order_reviews_payment_status', table_name='order_reviews')
    op.drop_index('ix_order_reviews_category', table_name='order_reviews')
    op.drop_index('ix_order_reviews_customer_type', table_name='order_reviews')
    op.drop_index('ix_order_reviews_outcome', table_name='order_reviews')
    op.drop_index('ix_order_reviews_queue', table_name='order_reviews')
    op.drop_table('order_reviews')
    op.drop_table('review_settings')
