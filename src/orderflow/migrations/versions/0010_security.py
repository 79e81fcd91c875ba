"""security: server-side staff sessions, login attempts by address, shop-webhook body hash

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 06:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db

revision = '0010'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_login_attempts_address_at', ['address', 'at'], unique=False)
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_channel_deliveries_shop_id_body_hash'), ['shop_id', 'body_hash'])


def downgrade() -> None:
    with op.batch_alter_table('channel_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_channel_deliveries_shop_id_body_hash'), type_='unique')
        batch_op.drop_column('body_hash')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_address_at')
        batch_op.drop_column('address')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')
