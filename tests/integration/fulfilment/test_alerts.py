"""库存预警: thresholds per SKU, per warehouse, per SKU in a warehouse (most specific wins)."""

from __future__ import annotations

import pytest

from orderflow.errors import NotFound, ValidationFailed
from orderflow.fulfilment import stock
from tests.builders.fulfilment import put_stock
from tests.builders.orders import make_catalog, make_order


def alerts(db):
    with db.read() as s:
        return [(a.sku, a.warehouse, a.available, a.low_at, a.level) for a in stock.alerts(s)]


def test_no_threshold_no_alert(db):
    make_catalog(db, {"SKU-1": 0})

    assert alerts(db) == []


def test_a_sku_threshold_alerts_in_every_warehouse_and_the_most_specific_wins(db, settings):
    make_catalog(db, {"SKU-1": 6, "SKU-2": 50})
    put_stock(db, "GZ", {"SKU-1": 8, "SKU-2": 3})
    stock.set_threshold(db, sku="SKU-1", warehouse=None, low_at=5)
    stock.set_threshold(db, sku=None, warehouse="GZ", low_at=10)
    stock.set_threshold(db, sku="SKU-1", warehouse="GZ", low_at=2)

    make_order(db, settings, lines=[("SKU-1", 1)])  # SH: 6 -> 5 available

    assert alerts(db) == [("SKU-2", "GZ", 3, 10, "low"), ("SKU-1", "SH", 5, 5, "low")]


def test_damaged_units_count_against_the_threshold_and_empty_is_out(db):
    make_catalog(db, {"SKU-1": 4})
    stock.set_threshold(db, sku="SKU-1", warehouse=None, low_at=1)

    stock.mark_damaged(db, sku="SKU-1", warehouse="SH", quantity=4)

    assert alerts(db) == [("SKU-1", "SH", 0, 1, "out")]


def test_setting_a_threshold_again_replaces_it(db):
    make_catalog(db, {"SKU-1": 4})
    stock.set_threshold(db, sku="SKU-1", warehouse="SH", low_at=10)

    stock.set_threshold(db, sku="SKU-1", warehouse="SH", low_at=3)

    assert alerts(db) == []


def test_a_threshold_must_name_something_and_be_known(db):
    make_catalog(db, {"SKU-1": 4})

    with pytest.raises(ValidationFailed) as none:
        stock.set_threshold(db, sku=None, warehouse=None, low_at=3)
    with pytest.raises(ValidationFailed) as negative:
        stock.set_threshold(db, sku="SKU-1", warehouse=None, low_at=-1)
    with pytest.raises(NotFound) as unknown:
        stock.set_threshold(db, sku="NOPE", warehouse=None, low_at=1)

    assert [none.value.fields[0].field, negative.value.fields[0].field,
            unknown.value.fields[0].field] == ["sku", "low_at", "sku"]
