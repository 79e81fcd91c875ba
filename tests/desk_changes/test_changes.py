"""Changes before shipping, and refusals after, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import IllegalTransition, InsufficientStock, ValidationFailed
from orderflow.orders import changes
from orderflow.orders import service as orders
from orderflow.orders.schemas import LineIn, PaymentIn
from orderflow.payments import service as payments
from orderflow.review import service as review
from tests.builders.orders import STAFF, Catalog, make_catalog, make_order
from tests.desk_changes.helpers import (
    kinds,
    lines,
    money_of,
    reserved_lines_match_reservations,
    status,
    stock,
)


@pytest.fixture
def catalog(db: Db) -> Catalog:
    return make_catalog(db, {"SKU-1": 10, "SKU-2": 10, "SKU-3": 10})


def _lines(*pairs: tuple[str, int]) -> changes.LinesChangeIn:
    return changes.LinesChangeIn(lines=[LineIn(sku=s, quantity=q) for s, q in pairs],
                                 reason="customer called")


def test_more_units_reserve_more_stock_and_the_customer_owes_the_difference(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 2)], path=["paid"])

    diff = changes.change_lines(db, number, _lines(("SKU-1", 3), ("SKU-2", 1)), actor=STAFF)

    assert diff == 2000
    assert lines(db, number) == {"SKU-1": {"ordered": 3, "reserved": 3, "cancelled": 0},
                                 "SKU-2": {"ordered": 1, "reserved": 1, "cancelled": 0}}
    assert stock(db, catalog.skus["SKU-1"])["reserved"] == 3
    assert stock(db, catalog.skus["SKU-2"])["reserved"] == 1
    assert money_of(db, number) == (4000, 2000, 0)
    assert {"order.lines_changed", "payment.owed"} <= set(kinds(db, number))
    assert reserved_lines_match_reservations(db)


def test_the_difference_paid_later_is_a_top_up_not_a_duplicate(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 2)], path=["paid"])
    changes.change_lines(db, number, _lines(("SKU-1", 3)), actor=STAFF)

    payments.record_payment(db, number, PaymentIn(method="alipay", amount="10.00",
                                                  external_ref="TOPUP-1"),
                            actor=STAFF, settings=settings)

    assert money_of(db, number) == (3000, 3000, 0)
    assert "payment.duplicate" not in kinds(db, number)


def test_fewer_units_give_stock_back_and_owe_a_refund(db: Db, settings: Settings,
                                                      catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 3), ("SKU-2", 2)], path=["paid"])

    diff = changes.change_lines(db, number, _lines(("SKU-1", 1)), actor=STAFF)

    assert diff == -4000
    assert lines(db, number) == {"SKU-1": {"ordered": 3, "reserved": 1, "cancelled": 2},
                                 "SKU-2": {"ordered": 2, "reserved": 0, "cancelled": 2}}
    assert (stock(db, catalog.skus["SKU-1"])["reserved"],
            stock(db, catalog.skus["SKU-2"])["reserved"]) == (1, 0)
    assert money_of(db, number) == (1000, 1000, 4000)
    assert "refund.owed" in kinds(db, number)
    assert reserved_lines_match_reservations(db)


def test_a_change_beyond_stock_is_refused_whole(db: Db, settings: Settings,
                                                catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 2)], path=["paid"])

    with pytest.raises(InsufficientStock) as refused:
        changes.change_lines(db, number, _lines(("SKU-1", 11)), actor=STAFF)

    assert refused.value.fields[0].field == "lines[0].quantity"
    assert lines(db, number) == {"SKU-1": {"ordered": 2, "reserved": 2, "cancelled": 0}}
    assert stock(db, catalog.skus["SKU-1"])["reserved"] == 2
    assert money_of(db, number) == (2000, 2000, 0)


def test_an_unknown_sku_is_named(db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 2)], path=["paid"])

    with pytest.raises(ValidationFailed) as refused:
        changes.change_lines(db, number, _lines(("SKU-1", 1), ("NOPE", 1)), actor=STAFF)

    assert [f.field for f in refused.value.fields] == ["lines[1].sku"]
    assert lines(db, number)["SKU-1"]["ordered"] == 2


def test_an_address_change_is_validated_whole_and_names_each_field(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=["paid"])
    bad = changes.AddressChangeIn(phone="12345", district="", reason="customer moved")

    with pytest.raises(ValidationFailed) as refused:
        changes.change_address(db, number, bad, actor=STAFF)

    assert sorted(f.field for f in refused.value.fields) == ["phone", "shipping_address.district"]
    assert "order.address_changed" not in kinds(db, number)


def test_an_address_change_is_recorded_and_the_order_reviewed_again(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=["paid"])
    before = kinds(db, number).count("review.completed")
    cmd = changes.AddressChangeIn(phone="13900139000", province="广东省", city="深圳市",
                                  district="南山区", detail="科技园南区 8 栋",
                                  reason="customer moved")

    changed = changes.change_address(db, number, cmd, actor=STAFF, reviewer=review.review_order)

    assert changed == ["phone", "province", "city", "district", "detail"]
    assert "order.address_changed" in kinds(db, number)
    assert kinds(db, number).count("review.completed") == before + 1


def test_without_the_review_rules_an_approved_order_returns_to_the_queue(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=["paid", "approved"])
    cmd = changes.AddressChangeIn(detail="文三路 200 号", reason="typo")

    changes.change_address(db, number, cmd, actor=STAFF)

    assert status(db, number) == "awaiting_review"


@pytest.mark.parametrize("path", [["paid", "approved", "allocated", "picking", "packed",
                                   "shipped"], ["paid", "approved", "allocated", "picking",
                                                "packed", "shipped", "delivered"]])
def test_after_shipping_every_change_is_refused_pointing_to_after_sales(
        db: Db, settings: Settings, catalog: Catalog, path: list[str]) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=path)

    with pytest.raises(IllegalTransition) as address:
        changes.change_address(db, number, changes.AddressChangeIn(detail="x 1", reason="r"),
                               actor=STAFF)
    with pytest.raises(IllegalTransition) as quantity:
        changes.change_lines(db, number, _lines(("SKU-1", 2)), actor=STAFF)
    with pytest.raises(IllegalTransition) as cancel:
        orders.cancel_order(db, number, actor=STAFF, reason="too late")

    for refused in (address, quantity, cancel):
        assert refused.value.code == "order.already_shipped"
        assert "after-sales" in refused.value.detail
    assert lines(db, number)["SKU-1"]["ordered"] == 1


def test_lines_are_refused_in_the_warehouse_but_the_address_may_still_change(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=["paid", "approved", "allocated"])

    with pytest.raises(IllegalTransition) as refused:
        changes.change_lines(db, number, _lines(("SKU-1", 2)), actor=STAFF)
    changes.change_address(db, number, changes.AddressChangeIn(detail="文三路 300 号",
                                                                reason="door number"),
                           actor=STAFF)

    assert refused.value.code == "order.in_fulfilment"
    assert "order.address_changed" in kinds(db, number)


def test_hold_release_and_cancel_with_a_reason_release_stock_and_owe_the_refund(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 2)], path=["paid"])
    resumed = status(db, number)

    orders.hold_order(db, number, actor=STAFF, reason="customer asked to wait")
    held = status(db, number)
    orders.release_hold(db, number, actor=STAFF, reason="customer confirmed")
    released = status(db, number)
    orders.cancel_order(db, number, actor=STAFF, reason="customer cancelled")

    assert (held, released, status(db, number)) == ("on_hold", resumed, "cancelled")
    assert stock(db, catalog.skus["SKU-1"])["reserved"] == 0
    assert money_of(db, number) == (2000, 2000, 2000)
    assert lines(db, number)["SKU-1"] == {"ordered": 2, "reserved": 0, "cancelled": 2}
