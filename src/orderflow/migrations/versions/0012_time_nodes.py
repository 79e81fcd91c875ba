"""time nodes: the promise-delay state on reviews; system reasons stored as codes

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-06 06:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = '0012'
down_revision = "0013"
branch_labels = None
depends_on = None

# Sentences the system used to write into timeline reasons, and the code each is now
# (orderflow.texts.LEGACY; frozen here). Anything else stays as written.
LEGACY = {
    "payment deadline passed": "reason.payment_deadline",
    "paid; waiting for review": "reason.paid_waiting_review",
    "review passed: approved automatically": "reason.review_auto_approved",
    "approved in review": "reason.approved_in_review",
    "approved in bulk review": "reason.approved_in_bulk",
    "approved": "reason.approved",
    "payment received": "reason.payment_received",
    "COD confirmed": "reason.cod_confirmed",
    "hold released": "reason.hold_released",
    "paid order cancelled": "reason.paid_order_cancelled",
    "edited in review": "reason.edited_in_review",
    "not shipped within the promised time": "late.not_shipped",
    "pickup grace window ended without a pickup scan": "reason.pickup_grace_ended",
    "cancelled on the platform": "reason.cancelled_on_platform",
    "cancelled on shopify": "reason.cancelled_on_platform",
    "cancelled on woocommerce": "reason.cancelled_on_platform",
    "delivery confirmed": "reason.delivery_confirmed",
    "carrier pickup scan": "reason.pickup_scan",
    "merge rule: same customer and address": "reason.merge_rule",
    "backorder: waiting for stock": "reason.backorder",
    "ships from another warehouse": "reason.other_warehouse",
}


def upgrade() -> None:
    with op.batch_alter_table('order_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('late_until', orderflow.db.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('late_rounds', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_index('ix_order_reviews_promised', ['promised_ship_by'], unique=False)
    timeline = sa.table('timeline_events', sa.column('reason', sa.Text()))
    for sentence, code in LEGACY.items():
        op.execute(timeline.update().where(timeline.c.reason == sentence)
                   .values(reason=code))


def downgrade() -> None:
    timeline = sa.table('timeline_events', sa.column('reason', sa.Text()))
    for sentence, code in LEGACY.items():
        op.execute(timeline.update().where(timeline.c.reason == code).values(reason=sentence))
    with op.batch_alter_table('order_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_order_reviews_promised')
        batch_op.drop_column('late_rounds')
        batch_op.drop_column('late_until')
