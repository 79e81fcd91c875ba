"""The pack station on both databases: a wrong item, one too many or one too few is a loud
error and the parcel cannot close; weight, parcels and the inspection are recorded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orderflow.errors import Conflict, ValidationFailed
from orderflow.fulfilment import packing, waves
from orderflow.fulfilment.models import Pack
from orderflow.orders import queries
from orderflow.orders.models import TimelineEvent
from tests.builders.fulfilment import DESK, ZONE, barcode, pack, released_wave, status
from tests.builders.orders import STAFF, make_catalog, make_order


@pytest.fixture
def picking(db, settings):
    make_catalog(db, {"SKU-1": 50, "SKU-2": 50, "SKU-3": 50})
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)],
                        path=["approved", "allocated"])
    released_wave(db)
    return number


def lines(db, number):
    with db.read() as s:
        return [(ln.sku_code, ln.picked, ln.packed)
                for ln in queries.lines_of(s, queries.get_order(s, number).id)]


def events(db, number, kind):
    with db.read() as s:
        order = queries.get_order(s, number)
        return list(s.scalars(select(TimelineEvent.data).where(
            TimelineEvent.order_id == order.id, TimelineEvent.kind == kind)))


def test_a_full_scan_closes_the_parcel_and_packs_the_order(db, picking):
    opened = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)
    for sku in ("SKU-1", "SKU-2", "SKU-1"):
        packing.scan_item(db, opened.id, barcode(db, sku), actor=STAFF)

    closed = packing.close_pack(db, opened.id, weight_g=850, parcel_count=1,
                                inspection="passed", actor=STAFF)

    assert (closed.state, closed.weight_g, closed.parcel_count, closed.inspection) == (
        "closed", 850, 1, "passed")
    assert closed.scanned == {"SKU-1": 2, "SKU-2": 1}
    assert lines(db, picking) == [("SKU-1", 2, 2), ("SKU-2", 1, 1)]
    assert status(db, picking) == "packed"
    assert events(db, picking, "pack.closed") == [
        {"warehouse": "SH", "weight_g": 850, "parcels": 1, "inspection": "passed"}]


@pytest.mark.parametrize(("scans", "code"), [
    (["SKU-3"], "pack.wrong_item"),
    (["SKU-2", "SKU-2"], "pack.too_many"),
    (["no-such-barcode"], "pack.unknown_barcode"),
])
def test_a_mis_scan_is_refused_not_counted_and_written_down(db, picking, scans, code):
    opened = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)

    results = [packing.scan_item(db, opened.id, barcode(db, s) if s.startswith("SKU") else s,
                                 actor=STAFF) for s in scans]

    assert results[-1].problem is not None
    assert results[-1].problem.code == code
    assert all(r.problem is None for r in results[:-1])
    assert results[-1].pack.scanned == ({"SKU-2": 1} if len(scans) == 2 else {})
    assert [e["code"] for e in events(db, picking, "pack.misscan")] == [code]


def test_one_too_few_cannot_close_the_parcel(db, picking):
    opened = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)
    packing.scan_item(db, opened.id, barcode(db, "SKU-1"), actor=STAFF)
    packing.scan_item(db, opened.id, barcode(db, "SKU-2"), actor=STAFF)

    with pytest.raises(ValidationFailed) as refused:
        packing.close_pack(db, opened.id, weight_g=None, parcel_count=0, inspection="passed",
                           actor=STAFF)

    assert [(p.field, p.code) for p in refused.value.fields] == [
        ("scan", "pack.too_few"), ("weight_g", "weight.invalid"),
        ("parcel_count", "parcels.invalid")]
    assert packing.get_pack(db, opened.id).state == "open"
    assert lines(db, picking) == [("SKU-1", 0, 0), ("SKU-2", 0, 0)]
    assert status(db, picking) == "picking"


def test_a_failed_inspection_is_recorded_and_the_scans_start_over(db, picking):
    opened = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)
    for sku in ("SKU-1", "SKU-1", "SKU-2"):
        packing.scan_item(db, opened.id, barcode(db, sku), actor=STAFF)

    again = packing.close_pack(db, opened.id, weight_g=900, parcel_count=1, inspection="failed",
                               note="外箱破损 / box torn", actor=STAFF)

    assert (again.state, again.inspection, again.inspection_note, again.scanned) == (
        "open", "failed", "外箱破损 / box torn", {})
    assert status(db, picking) == "picking"
    assert len(events(db, picking, "pack.inspection_failed")) == 1


def test_an_order_whose_wave_is_not_released_cannot_be_packed(db, settings):
    make_catalog(db, {"SKU-1": 5})
    number = make_order(db, settings, path=["approved", "allocated"])
    waves.plan_waves(db, actor=STAFF, desk=DESK, zone=ZONE)

    with pytest.raises(Conflict) as refused:
        packing.open_pack(db, number, warehouse="SH", actor=STAFF)

    assert refused.value.code == "pack.not_picking"
    with db.read() as s:
        assert s.scalars(select(Pack)).all() == []


def test_an_order_with_nothing_in_this_warehouse_is_refused(db, picking):
    with pytest.raises(Conflict) as refused:
        packing.open_pack(db, picking, warehouse="GZ", actor=STAFF)

    assert refused.value.code == "pack.not_here"


def test_scanning_the_order_again_resumes_the_same_parcel(db, picking):
    first = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)
    packing.scan_item(db, first.id, barcode(db, "SKU-1"), actor=STAFF)

    again = packing.open_pack(db, picking, warehouse="SH", actor=STAFF)

    assert (again.id, again.scanned, again.wave) == (first.id, {"SKU-1": 1}, first.wave)


def test_a_closed_parcel_can_be_re_opened_until_it_leaves(db, picking):
    pack_id = pack(db, picking, {"SKU-1": 2, "SKU-2": 1})

    again = packing.reopen_pack(db, pack_id, actor=STAFF, reason="box torn")

    assert (again.state, again.scanned) == ("open", {})
    assert status(db, picking) == "picking"
    assert lines(db, picking) == [("SKU-1", 2, 0), ("SKU-2", 1, 0)]
    assert len(events(db, picking, "pack.reopened")) == 1
    with pytest.raises(Conflict) as twice:
        packing.reopen_pack(db, pack_id, actor=STAFF, reason="again")
    assert twice.value.code == "pack.not_closed"
    with pytest.raises(ValidationFailed):
        packing.reopen_pack(db, pack_id, actor=STAFF, reason=" ")
