"""intake and set-up: replayed answers kept byte for byte; warehouses with an address,
a sender contact, coordinates, a cut-off and a retired flag

Revision ID: 0014
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0014'
down_revision = '0009'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('response_media_type', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('response_headers', JSON, nullable=True))
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cutoff_minute', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.create_check_constraint(
            'cutoff_in_day', 'cutoff_minute IS NULL OR (cutoff_minute >= 0 AND cutoff_minute < 1440)')
        batch_op.create_check_constraint(
            'coordinates_valid',
            'latitude IS NULL OR (latitude >= -90 AND latitude <= 90 AND longitude >= -180 '
            'AND longitude <= 180)')


def downgrade() -> None:
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_constraint('ck_warehouses_coordinates_valid', type_='check')
        batch_op.drop_constraint('ck_warehouses_cutoff_in_day', type_='check')
        for name in ('active', 'cutoff_minute', 'longitude', 'latitude', 'contact_phone',
                     'contact_name', 'address', 'district'):
            batch_op.drop_column(name)
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        for name in ('response_headers', 'response_media_type', 'response_text'):
            batch_op.drop_column(name)
