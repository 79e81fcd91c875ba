"""The same external id twice: never two buyers in one order; conflicts name both lines."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import select

from orderflow.catalog.models import Sku
from orderflow.orders import queries
from orderflow.orders.models import Order
from tests.builders.orders import make_catalog
from tests.intake.helpers import csv_bytes, row
from tests.intake.test_importer import count, run

LI = {"customer_name": "李四", "phone": "139-0000-1111", "email": "li@example.com",
      "city": "宁波市", "district": "海曙区", "address": "中山西路 1 号"}


def codes(report) -> list[tuple[int, str, str]]:
    return sorted((e.line, e.field, e.code) for e in report.errors)


def test_two_rows_apart_with_one_id_and_two_buyers_are_both_refused_naming_each_other(db, settings):
    make_catalog(db)
    data = csv_bytes([row("A1"), row("B1"), row("A1", "SKU-2", **LI)])

    report = run(db, settings, data)

    assert [line for line, _ in report.imported] == [3]
    assert codes(report) == [(2, "external_id", "import.external_id_conflict"),
                             (4, "external_id", "import.external_id_conflict")]
    first, second = sorted(report.errors, key=lambda e: e.line)
    assert (first.params["other"], second.params["other"]) == (4, 2)
    assert first.params["columns"] == "customer_name, phone, email, city, district, address, lines"
    assert "line 4" in first.message
    assert "line 2" in second.message
    assert count(db, Order) == 1


def test_an_identical_copy_further_down_is_already_present_with_its_line(db, settings):
    make_catalog(db)

    report = run(db, settings, csv_bytes([row("A1"), row("B1"), row("A1", phone="138 0013 8000")]))

    assert report.errors == []
    assert [line for line, _ in report.imported] == [2, 3]
    assert report.duplicates == [(4, report.imported[0][1])]


def test_a_changed_copy_of_an_imported_order_is_refused_naming_the_columns(db, settings):
    make_catalog(db)
    first = run(db, settings, csv_bytes([row("A1"), row("B1")]))

    again = run(db, settings, csv_bytes([row("A1", phone="+86-138-0013-8000"),
                                         row("B1", quantity=3, address="文三路 200 号")]))

    assert again.imported == []
    assert again.duplicates == [(2, first.imported[0][1])]
    assert codes(again) == [(3, "external_id", "import.external_id_changed")]
    assert again.errors[0].params == {"id": "B1", "number": first.imported[1][1],
                                      "columns": "address, total, lines"}
    assert count(db, Order) == 2


def test_the_good_lines_of_a_refused_order_are_named_as_not_imported(db, settings):
    make_catalog(db)
    data = csv_bytes([row("A1", "SKU-1"), row("A1", "SKU-2", -1), row("A1", "SKU-3")])

    report = run(db, settings, data)

    assert report.imported == []
    assert codes(report) == [(3, "quantity", "import.quantity_too_small")]
    assert "must be at least 1" in report.errors[0].message
    assert [(e.line, e.code) for e in report.not_imported] == [
        (2, "import.order_refused"), (4, "import.order_refused")]
    assert report.not_imported[0].params == {"lines": "3"}


BUYERS = [
    {"customer_name": "张三", "phone": "13800138000", "email": "a@example.com"},
    {"customer_name": "李四", "phone": "13900001111", "email": "b@example.com", **LI},
    {"customer_name": "王五", "phone": "13700002222", "email": "c@example.com",
     "address": "文三路 300 号"},
]
ROWS = st.lists(st.tuples(st.sampled_from(["X1", "X2", "X3", "X4"]), st.integers(0, 2),
                          st.sampled_from(["SKU-1", "SKU-2", "SKU-3"]), st.integers(1, 3)),
                min_size=1, max_size=12)
_run = itertools.count(1)


@hyp_settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS)
def test_no_imported_order_ever_holds_lines_of_two_buyers(db, settings, rows):
    with db.read() as s:
        empty = s.scalar(select(Sku.id).limit(1)) is None
    if empty:
        make_catalog(db, {"SKU-1": 10_000, "SKU-2": 10_000, "SKU-3": 10_000})
    prefix = f"R{next(_run)}-"
    values = [row(prefix + ext, sku, qty, **BUYERS[buyer]) for ext, buyer, sku, qty in rows]

    report = run(db, settings, csv_bytes(values))

    with db.read() as s:
        for line, number in report.imported:
            order = queries.get_order(s, number)
            ext = str(order.external_id)
            buyers = {values[i]["customer_name"] for i in range(len(values))
                      if values[i]["external_id"] == ext}
            assert buyers == {order.recipient_name}, (line, ext, buyers)
            lines = [(ln.sku_code, ln.ordered) for ln in queries.lines_of(s, order.id)]
            mine = [(v["sku"], v["quantity"]) for v in values if v["external_id"] == ext]
            assert all(item in mine for item in lines)
        total = s.scalars(select(Order.external_id).where(Order.external_id.like(prefix + "%")))
        assert len(list(total)) == len(report.imported)
    refused = {e.line for e in report.errors} | {e.line for e in report.not_imported}
    accounted = {line for line, _ in report.imported} | {line for line, _ in report.duplicates}
    firsts = _first_lines(values)
    assert firsts <= accounted | refused


def _first_lines(values: list[dict]) -> set[int]:
    """The first line of each run of rows with one external id (the header is line 1)."""
    return {i + 2 for i, v in enumerate(values)
            if i == 0 or values[i - 1]["external_id"] != v["external_id"]}
