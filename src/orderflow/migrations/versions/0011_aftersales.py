"""after-sales cases, policy, refunds; refunded amounts on payments and orders

Revision ID: 0011
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import orderflow.db

revision = '0011'
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
UTC = orderflow.db.UTCDateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


TYPES = ('return_refund', 'refund_only', 'exchange', 'reship', 'repair')
REASONS = ('quality_damaged', 'quality_defective', 'quality_not_working', 'wrong_size',
           'wrong_item', 'not_as_described', 'no_reason', 'transport_damage', 'transport_lost',
           'refused_delivery', 'other')
STATES = ('requested', 'awaiting_return', 'in_transit_back', 'received', 'refunding',
          'replacement', 'closed', 'refused', 'withdrawn')


def upgrade() -> None:
    op.create_table('aftersales_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('no_reason_days', sa.Integer(), nullable=False),
    sa.Column('quality_days', sa.Integer(), nullable=False),
    sa.Column('exclusions', JSON, nullable=False),
    sa.Column('freight', JSON, nullable=False),
    sa.Column('auto_refund_only_under_minor', sa.Integer(), nullable=True),
    sa.Column('auto_approve_vip', sa.Boolean(), nullable=False),
    sa.Column('return_address', sa.Text(), nullable=False),
    sa.Column('refund_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTC, nullable=True),
    sa.Column('updated_by', sa.String(length=120), nullable=True),
    sa.CheckConstraint('no_reason_days >= 0 AND quality_days >= 0 AND refund_days >= 0',
                       name=op.f('ck_aftersales_policy_days_nonneg')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_policy'))
    )
    op.create_table('aftersales_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('type', _enum('aftersales_type', *TYPES), nullable=False),
    sa.Column('reason', _enum('aftersales_reason', *REASONS), nullable=False),
    sa.Column('state', _enum('aftersales_state', *STATES), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('customer_note', sa.Text(), nullable=True),
    sa.Column('refusal_code', sa.String(length=64), nullable=True),
    sa.Column('refusal_note', sa.Text(), nullable=True),
    sa.Column('freight_payer', _enum('aftersales_freight', 'customer', 'merchant'),
              nullable=False),
    sa.Column('refund_shipping', sa.Boolean(), nullable=False),
    sa.Column('refund_minor', sa.Integer(), nullable=False),
    sa.Column('return_carrier', sa.String(length=32), nullable=True),
    sa.Column('return_tracking_number', sa.String(length=64), nullable=True),
    sa.Column('replacement_order_id', sa.Integer(), nullable=True),
    sa.Column('exception_case_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('photos', JSON, nullable=False),
    sa.Column('opened_by', sa.String(length=120), nullable=False),
    sa.Column('opened_at', UTC, nullable=False),
    sa.Column('due_at', UTC, nullable=False),
    sa.Column('approved_at', UTC, nullable=True),
    sa.Column('received_at', UTC, nullable=True),
    sa.Column('closed_at', UTC, nullable=True),
    sa.Column('updated_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                            name=op.f('fk_aftersales_cases_order_id_orders')),
    sa.ForeignKeyConstraint(['replacement_order_id'], ['orders.id'],
                            name=op.f('fk_aftersales_cases_replacement_order_id_orders')),
    sa.ForeignKeyConstraint(['exception_case_id'], ['exception_cases.id'],
                            name=op.f('fk_aftersales_cases_exception_case_id_exception_cases')),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_users.id'],
                            name=op.f('fk_aftersales_cases_owner_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_aftersales_cases_number'))
    )
    with op.batch_alter_table('aftersales_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aftersales_cases_order_id'), ['order_id'])
        batch_op.create_index(batch_op.f('ix_aftersales_cases_owner_id'), ['owner_id'])
        batch_op.create_index(batch_op.f('ix_aftersales_cases_return_tracking_number'),
                              ['return_tracking_number'])
        batch_op.create_index('ix_aftersales_cases_state_due', ['state', 'due_at'])

    op.create_table('aftersales_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('exchange_sku_id', sa.Integer(), nullable=True),
    sa.Column('sellable', sa.Integer(), nullable=False),
    sa.Column('damaged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('reject_reason', sa.String(length=200), nullable=True),
    sa.Column('refund_minor', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_aftersales_lines_quantity_positive')),
    sa.CheckConstraint('sellable >= 0 AND damaged >= 0 AND rejected >= 0',
                       name=op.f('ck_aftersales_lines_nonneg')),
    sa.CheckConstraint('sellable + damaged + rejected <= quantity',
                       name=op.f('ck_aftersales_lines_received_le_quantity')),
    sa.ForeignKeyConstraint(['case_id'], ['aftersales_cases.id'],
                            name=op.f('fk_aftersales_lines_case_id_aftersales_cases')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'],
                            name=op.f('fk_aftersales_lines_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['exchange_sku_id'], ['skus.id'],
                            name=op.f('fk_aftersales_lines_exchange_sku_id_skus')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_lines'))
    )
    with op.batch_alter_table('aftersales_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aftersales_lines_case_id'), ['case_id'])
        batch_op.create_index(batch_op.f('ix_aftersales_lines_order_line_id'), ['order_line_id'])

    op.create_table('aftersales_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', UTC, nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('data', JSON, nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['aftersales_cases.id'],
                            name=op.f('fk_aftersales_events_case_id_aftersales_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aftersales_events'))
    )
    with op.batch_alter_table('aftersales_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aftersales_events_case_id'), ['case_id'])

    op.create_table('refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_no', sa.String(length=64), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('state', _enum('refund_state', 'pending', 'succeeded', 'failed'), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('shipping_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('units', JSON, nullable=False),
    sa.Column('provider_ref', sa.String(length=100), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTC, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failure_code', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('settled_at', UTC, nullable=True),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_refunds_amount_positive')),
    sa.CheckConstraint('shipping_minor >= 0 AND shipping_minor <= amount_minor',
                       name=op.f('ck_refunds_shipping_le_amount')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'],
                            name=op.f('fk_refunds_payment_id_payments')),
    sa.ForeignKeyConstraint(['case_id'], ['aftersales_cases.id'],
                            name=op.f('fk_refunds_case_id_aftersales_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds')),
    sa.UniqueConstraint('request_no', name=op.f('uq_refunds_request_no'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'])
        batch_op.create_index(batch_op.f('ix_refunds_payment_id'), ['payment_id'])
        batch_op.create_index(batch_op.f('ix_refunds_case_id'), ['case_id'])
        batch_op.create_index('ix_refunds_state_next', ['state', 'next_attempt_at'])
        live = sa.text("case_id IS NOT NULL AND state != 'failed'")
        batch_op.create_index('uq_refunds_case_live', ['case_id', 'payment_id'], unique=True,
                              sqlite_where=live, postgresql_where=live)

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_minor', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint(op.f('ck_payments_refunded_le_amount'),
                                         'refunded_minor >= 0 AND refunded_minor <= amount_minor')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refunded_minor', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint(op.f('ck_orders_refunds_nonneg'),
                                         'refunded_minor >= 0 AND refund_due_minor >= 0')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exchanged', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_constraint(op.f('ck_order_lines_returned_le_delivered'), type_='check')
        batch_op.drop_constraint(op.f('ck_order_lines_refunded_le_undone'), type_='check')
        batch_op.create_check_constraint(op.f('ck_order_lines_returned_le_shipped'), 'returned <= shipped')
        batch_op.create_check_constraint(op.f('ck_order_lines_exchanged_le_returned'),
                                         'exchanged >= 0 AND exchanged <= returned')
        batch_op.create_check_constraint(op.f('ck_order_lines_refunded_le_ordered'), 'refunded + exchanged <= ordered')


def downgrade() -> None:
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_order_lines_refunded_le_ordered'), type_='check')
        batch_op.drop_constraint(op.f('ck_order_lines_exchanged_le_returned'), type_='check')
        batch_op.drop_constraint(op.f('ck_order_lines_returned_le_shipped'), type_='check')
        batch_op.create_check_constraint(op.f('ck_order_lines_refunded_le_undone'), 'refunded <= cancelled + returned')
        batch_op.create_check_constraint(op.f('ck_order_lines_returned_le_delivered'), 'returned <= delivered')
        batch_op.drop_column('exchanged')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_refunds_nonneg'), type_='check')
        batch_op.drop_column('refunded_minor')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payments_refunded_le_amount'), type_='check')
        batch_op.drop_column('refunded_minor')
    op.drop_table('refunds')
    op.drop_table('aftersales_events')
    op.drop_table('aftersales_lines')
    op.drop_table('aftersales_cases')
    op.drop_table('aftersales_policy')
