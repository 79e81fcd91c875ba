"""'Why is this order stuck?' from the facts of an order, with the next action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orderflow.orders.status import Status
from orderflow.review.stuck import StuckFacts, blockers

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
BASE = StuckFacts(status=Status.APPROVED, hold_reason=None, hold_resume_status=None,
                  currency="CNY", outstanding=None, cod=False, payment_deadline=None,
                  unreserved={}, review_outcome="pass", review_codes=(), review_reasons=(),
                  shipped_at=None, has_shipment=False, carrier_scanned=False, refund_due=None)


def codes(**changes: object) -> list[tuple[str, str]]:
    facts = StuckFacts(**{**{k: getattr(BASE, k) for k in BASE.__slots__}, **changes})  # type: ignore[attr-defined]
    return [(b.code, b.action) for b in blockers(facts, NOW)]


def test_an_unpaid_order_waits_for_its_payment_until_the_deadline():
    assert codes(status=Status.PENDING_PAYMENT, outstanding="10.00",
                 payment_deadline="2026-12-03 16:30") == [("payment_deadline", "record_payment")]


def test_a_held_order_names_the_hold_then_what_it_resumes_to():
    found = codes(status=Status.ON_HOLD, hold_reason="买家要改地址",
                  hold_resume_status=Status.AWAITING_REVIEW, review_outcome="warn",
                  review_codes=("risk.remark",), review_reasons=("The buyer remark …",))

    assert found == [("hold", "release_hold"), ("review", "review")]


def test_an_order_in_review_with_an_address_problem_and_missing_stock():
    found = codes(status=Status.AWAITING_REVIEW, review_outcome="block",
                  review_codes=("address.district", "address.remote"),
                  review_reasons=("'西湖区' is not a district of 深圳市.", "remote"),
                  unreserved={"SKU-1": 2})

    assert found == [("stock", "restock"), ("address", "fix_address"), ("review", "review")]


def test_warehouse_label_and_pickup_scan():
    assert codes(status=Status.ALLOCATED) == [("picking", "warehouse")]
    assert codes(status=Status.PACKED) == [("no_label", "print_label")]
    assert codes(status=Status.PACKED, has_shipment=True) == []
    assert codes(status=Status.SHIPPED, has_shipment=True,
                 shipped_at=NOW - timedelta(hours=30)) == [("no_pickup_scan", "call_carrier")]
    assert codes(status=Status.SHIPPED, has_shipment=True,
                 shipped_at=NOW - timedelta(hours=3)) == []


def test_money_owed_back_is_an_open_after_sales_matter_even_when_delivered():
    assert codes(status=Status.DELIVERED, refund_due="10.00") == [("after_sales", "refund")]
    assert codes(status=Status.EXCEPTION) == [("exception", "contact_carrier")]


def test_texts_come_in_both_languages():
    facts = StuckFacts(**{**{k: getattr(BASE, k) for k in BASE.__slots__},  # type: ignore[attr-defined]
                          "status": Status.SHIPPED, "has_shipment": True,
                          "shipped_at": NOW - timedelta(hours=26)})
    [blocker] = blockers(facts, NOW)

    assert blocker.text("en") == ("Shipped 26 h ago and no carrier scan since.",
                                  "Ask the carrier for a pickup")
    assert blocker.text("zh-CN") == ("已发货 26 小时,快递尚无揽收扫描。", "联系快递揽收")
