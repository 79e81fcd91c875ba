"""warehouse flow: bin locations, low-stock thresholds, waves, packs

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03 13:31:53.183297
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import orderflow.db
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('carrier', sa.String(length=32), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('cutoff_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('state', sa.Enum('open', 'released', 'cancelled', 'shipped', name='wave_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('order_count', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rerun_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['rerun_of'], ['waves.id'], name=op.f('fk_waves_rerun_of_waves')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_waves_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waves')),
    sa.UniqueConstraint('code', name=op.f('uq_waves_code'))
    )
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waves_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('bin_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_bin_locations_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_bin_locations_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bin_locations')),
    sa.UniqueConstraint('sku_id', 'warehouse_id', name=op.f('uq_bin_locations_sku_id_warehouse_id'))
    )
    with op.batch_alter_table('bin_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bin_locations_warehouse_id'), ['warehouse_id'], unique=False)

    op.create_table('packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'closed', 'shipped', name='pack_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('scanned', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('parcel_count', sa.Integer(), nullable=True),
    sa.Column('weight_g', sa.Integer(), nullable=True),
    sa.Column('inspection', sa.Enum('passed', 'failed', name='inspection', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('inspection_note', sa.String(length=300), nullable=True),
    sa.Column('packed_by', sa.String(length=120), nullable=True),
    sa.Column('opened_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', orderflow.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('parcel_count IS NULL OR parcel_count >= 1', name=op.f('ck_packs_parcels_positive')),
    sa.CheckConstraint('weight_g IS NULL OR weight_g > 0', name=op.f('ck_packs_weight_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_packs_order_id_orders')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_packs_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_packs_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packs')),
    sa.UniqueConstraint('order_id', 'warehouse_id', name=op.f('uq_packs_order_id_warehouse_id'))
    )
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packs_wave_id'), ['wave_id'], unique=False)

    op.create_table('stock_thresholds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.Integer(), nullable=True),
    sa.Column('warehouse_id', sa.Integer(), nullable=True),
    sa.Column('low_at', sa.Integer(), nullable=False),
    sa.Column('updated_at', orderflow.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('low_at >= 0', name=op.f('ck_stock_thresholds_low_at_nonneg')),
    sa.CheckConstraint('sku_id IS NOT NULL OR warehouse_id IS NOT NULL', name=op.f('ck_stock_thresholds_names_something')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_thresholds_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_thresholds_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_thresholds')),
    sa.UniqueConstraint('sku_id', 'warehouse_id', name=op.f('uq_stock_thresholds_sku_id_warehouse_id'))
    )
    op.create_table('wave_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_wave_orders_order_id_orders')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_wave_orders_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['wave_id'], ['waves.id'], name=op.f('fk_wave_orders_wave_id_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_orders')),
    sa.UniqueConstraint('order_id', 'warehouse_id', name=op.f('uq_wave_orders_order_id_warehouse_id'))
    )
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wave_orders_wave_id'), ['wave_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('wave_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wave_orders_wave_id'))

    op.drop_table('wave_orders')
    op.drop_table('stock_thresholds')
    with op.batch_alter_table('packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packs_wave_id'))

    op.drop_table('packs')
    with op.batch_alter_table('bin_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bin_locations_warehouse_id'))

    op.drop_table('bin_locations')
    with op.batch_alter_table('waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waves_warehouse_id'))

    op.drop_table('waves')
