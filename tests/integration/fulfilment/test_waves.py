"""Waves on both databases: planning by warehouse / carrier / priority / cut-off, the pick
list in bin order with totals per SKU, release, cancel and re-run."""

from __future__ import annotations

import pytest

from orderflow.errors import Conflict
from orderflow.fulfilment import stock, waves
from orderflow.orders import service as orders
from tests.builders.fulfilment import DESK, ZONE, pack, put_stock, status
from tests.builders.orders import STAFF, make_catalog, make_order

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

ALLOCATED = ["approved", "allocated"]


@pytest.fixture
def shop(db, settings):
    make_catalog(db, {"SKU-1": 50, "SKU-2": 50, "SKU-3": 50})
    for sku, location in [("SKU-1", "B-02-1"), ("SKU-2", "A-01-10"), ("SKU-3", "A-01-2")]:
        stock.set_bin(db, sku=sku, warehouse="SH", code=location)
    return [make_order(db, settings, lines=lines, path=ALLOCATED) for lines in (
        [("SKU-1", 2)], [("SKU-2", 1), ("SKU-1", 1)], [("SKU-3", 4)])]


def test_planning_puts_every_allocated_order_in_one_wave_per_group(db, shop):
    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)

    assert [(w.warehouse, w.carrier, w.priority, w.state, w.order_count) for w in planned] == [
        ("SH", "SIM", "standard", "open", 3)]
    assert planned[0].cutoff_at is not None
    assert waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE) == []  # all waved


def test_waves_hold_at_most_max_orders(db, shop):
    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE, max_orders=2)

    assert [w.order_count for w in planned] == [2, 1]


def test_the_pick_list_walks_the_bins_in_order_with_the_total_per_sku(db, shop):
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]

    found = waves.pick_list(db, wave.id)

    assert [(r.bins, r.sku, r.quantity, r.order_count) for r in found.rows] == [
        (("A-01-2",), "SKU-3", 4, 1), (("A-01-10",), "SKU-2", 1, 1),
        (("B-02-1",), "SKU-1", 3, 2)]
    assert found.orders == [shop[2], shop[1], shop[0]]
    assert waves.orders_in_pick_order(db, wave.id) == found.orders


def test_the_pick_list_pdf_has_the_wave_code_and_every_sku(db, shop):
    from io import BytesIO

    from pypdf import PdfReader

    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]

    pdf = waves.pick_list_pdf(db, wave.id, language="zh-CN", zone=ZONE)

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert wave.code in text
    assert all(sku in text for sku in ("SKU-1", "SKU-2", "SKU-3", "A-01-2", "B-02-1"))


def test_releasing_a_wave_starts_picking_and_a_second_release_is_refused(db, shop):
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]

    released = waves.release_wave(db, wave.id, actor=STAFF)

    assert released.state == "released"
    assert [status(db, n) for n in shop] == ["picking"] * 3
    with pytest.raises(Conflict):
        waves.release_wave(db, wave.id, actor=STAFF)


def test_cancelling_a_released_wave_puts_orders_back_to_allocated_for_another_wave(db, shop):
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]
    waves.release_wave(db, wave.id, actor=STAFF)

    cancelled = waves.cancel_wave(db, wave.id, actor=STAFF)

    assert cancelled.state == "cancelled"
    assert [status(db, n) for n in shop] == ["allocated"] * 3
    assert [w.order_count for w in waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)] \
        == [3]


def test_a_wave_with_a_packed_parcel_cannot_be_cancelled(db, shop):
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]
    waves.release_wave(db, wave.id, actor=STAFF)
    pack(db, shop[0], {"SKU-1": 2})

    with pytest.raises(Conflict) as refused:
        waves.cancel_wave(db, wave.id, actor=STAFF)

    assert refused.value.code == "wave.has_packed"
    assert status(db, shop[1]) == "picking"


def test_re_running_a_wave_replaces_it_without_orders_cancelled_since(db, shop):
    wave = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)[0]
    waves.release_wave(db, wave.id, actor=STAFF)
    orders.cancel_order(db, shop[1], actor=STAFF, reason="buyer cancelled")

    again = waves.rerun_wave(db, wave.id, actor=STAFF, desk=DESK, zone=ZONE)

    assert (again.rerun_of, again.state, again.order_count) == (wave.id, "open", 2)
    assert waves.pick_list(db, again.id).orders == [shop[2], shop[0]]
    assert [w.state for w in waves.list_waves(db)] == ["open", "cancelled"]


def test_a_split_order_goes_into_a_wave_at_each_warehouse(db, settings):
    make_catalog(db, {"SKU-1": 5, "SKU-2": 0})
    put_stock(db, "GZ", {"SKU-2": 5})
    number = make_order(db, settings, lines=[("SKU-1", 1), ("SKU-2", 1)], path=ALLOCATED)

    planned = waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)

    assert sorted(w.warehouse for w in planned) == ["GZ", "SH"]
    assert [waves.pick_list(db, w.id).orders for w in planned] == [[number], [number]]
