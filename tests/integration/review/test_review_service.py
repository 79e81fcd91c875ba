"""The review on a real database (SQLite and PostgreSQL): paid orders are reviewed and
pass or wait, staff decide, duplicates and stock conflicts are caught."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from orderflow import cli, clock
from orderflow import db as db_module
from orderflow.config import get_settings
from orderflow.errors import ValidationFailed
from orderflow.orders import queries
from orderflow.orders.schemas import PaymentIn
from orderflow.payments import service as payments
from orderflow.reports.stuck import why_stuck
from orderflow.review import queries as review_queries
from orderflow.review import service as review
from orderflow.review.models import OrderReview
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_order
from tests.support.clock import WORKING_AFTERNOON, at_working_morning

pytestmark = pytest.mark.clock


def status(db, number):
    with db.read() as s:
        return queries.get_order(s, number).status.value


def row(db, number) -> OrderReview:
    with db.read() as s:
        order = queries.get_order(s, number)
        found = s.get(OrderReview, order.id)
        assert found is not None
        return found


def events(db, number):
    with db.read() as s:
        order = queries.get_order(s, number)
        return [(e.kind, e.to_status, e.reason) for e in queries.timeline_of(s, order.id)]


def test_a_paid_order_that_passes_is_approved_and_classified(db, settings):
    at_working_morning()  # the 18:00 promise is 9 hours away: standard
    make_catalog(db)

    number = make_order(db, settings, path=["paid"])

    r = row(db, number)
    assert status(db, number) == "approved"
    assert (r.outcome, r.findings, r.customer_type, r.payment_status, r.urgency) == (
        "pass", [], "new", "paid", "standard")
    assert r.address == {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                         "detail": "文三路 100 号", "adcode": "330106"}
    assert r.promised_ship_by is not None and r.promised_ship_by > clock.utcnow()
    assert events(db, number)[-2:] == [
        ("review.completed", None, "reason.review_outcome"),
        ("status.changed", "approved", "reason.review_auto_approved")]


def test_an_order_paid_within_four_hours_of_its_promise_is_expedited(db, settings):
    clock.set_now(WORKING_AFTERNOON)  # Monday 14:30, before the 16:00 cut-off
    make_catalog(db)

    number = make_order(db, settings, path=["paid"])

    r = row(db, number)
    ship_by = clock.local(r.promised_ship_by, settings.zone)
    assert (ship_by.date().isoformat(), ship_by.hour) == ("2026-12-07", 18)
    assert (r.outcome, r.urgency) == ("pass", "expedited")


def test_an_order_with_a_remark_waits_with_its_reason_and_staff_approve_it(db, settings):
    make_catalog(db)
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    waiting = row(db, number)
    review.approve(db, number, actor=STAFF)

    assert (waiting.outcome, [f["code"] for f in waiting.findings]) == ("warn", ["risk.remark"])
    assert status(db, number) == "approved"
    decided = row(db, number)
    assert (decided.decision, decided.decided_by) == ("approved", "staff:tester")
    assert events(db, number)[-1] == ("status.changed", "approved", "reason.approved_in_review")


def test_a_duplicate_is_blocked_and_bulk_approve_skips_it_unless_told(db, settings):
    make_catalog(db)
    first = make_order(db, settings, path=["paid"])
    twin = make_order(db, settings, path=["paid"])
    remark = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"], **NEEDS_REVIEW)

    r = row(db, twin)
    result = review.bulk_approve(db, [twin, remark], actor=STAFF)
    forced = review.bulk_approve(db, [twin], actor=STAFF, include_blocked=True)

    assert status(db, first) == "approved"
    assert (r.outcome, r.findings[0]["code"], r.findings[0]["params"]["others"]) == (
        "block", "dup.likely", first)
    assert result.approved == [remark]
    assert set(result.skipped) == {twin}
    assert forced.approved == [twin]


def test_a_failed_reservation_blocks_until_stock_is_reserved(db, payment_settings):
    make_catalog(db, {"SKU-1": 1})
    first = make_order(db, payment_settings, lines=[("SKU-1", 1)])
    second = make_order(db, payment_settings, lines=[("SKU-1", 1)],
                        customer={"name": "李四", "phone": "13900139000"})
    for number, ref in ((first, "P1"), (second, "P2")):
        payments.record_payment(db, number, PaymentIn(method="alipay", amount="10.00",
                                                      external_ref=ref),
                                actor=STAFF, settings=payment_settings)

    blocked = row(db, second)

    assert status(db, first) == "approved"
    assert status(db, second) == "awaiting_review"
    assert [f["code"] for f in blocked.findings] == ["dup.stock_conflict",
                                                     "dup.reservation_failed"]
    with db.read() as s:
        order = queries.get_order(s, second)
        stuck = why_stuck(s, order, payment_settings.zone, "en")
    assert [b.code for b in stuck] == ["stock", "review"]
    assert stuck[0].text("zh-CN") == ("1 件商品未预占库存:SKU-1。", "补货,或拆单先发有货商品")


def test_editing_a_wrong_district_reviews_again_and_lands_on_the_timeline(db, settings):
    make_catalog(db)
    number = make_order(db, settings, path=["paid"], shipping_address={
        "country": "CN", "province": "广东省", "city": "深圳市", "district": "西湖区",
        "detail": "科苑路 15 号"})
    before = row(db, number)

    reviewed = review.edit(db, number, {"district": "南山区"}, actor=STAFF, settings=settings)

    assert (before.outcome, before.findings[0]["code"]) == ("block", "address.district")
    assert (reviewed.outcome, reviewed.status) == ("pass", "approved")
    assert [e[0] for e in events(db, number)][-3:] == [
        "order.edited", "review.completed", "status.changed"]
    with db.read() as s:
        edited = next(e for e in queries.timeline_of(s, queries.get_order(s, number).id)
                      if e.kind == "order.edited")
    assert edited.data == {"changes": {"district": ["西湖区", "南山区"]}}


def test_a_changed_address_sends_an_approved_order_back_to_review(db, settings):
    make_catalog(db)
    number = make_order(db, settings, path=["paid"])
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        order.district = "天河区"  # what an address change (the channels half) does
        s.flush()
        result = review.review_order(s, order, STAFF, settings=settings)

    assert (result.outcome, result.status) == ("block", "awaiting_review")
    assert events(db, number)[-1][:2] == ("status.changed", "awaiting_review")


def test_an_invalid_phone_in_an_edit_is_refused_by_field_and_nothing_changes(db, settings):
    make_catalog(db)
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    with pytest.raises(ValidationFailed) as err:
        review.edit(db, number, {"recipient_phone": "12345", "city": "杭州市"}, actor=STAFF)

    assert [p.field for p in err.value.fields] == ["recipient_phone"]
    assert "order.edited" not in [e[0] for e in events(db, number)]


def test_hold_and_cancel_from_review_need_a_reason_and_land_on_the_timeline(db, settings):
    make_catalog(db)
    held = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    cancelled = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"], **NEEDS_REVIEW)

    with pytest.raises(ValidationFailed):
        review.hold(db, held, actor=STAFF, reason=" ")
    review.hold(db, held, actor=STAFF, reason="买家要改地址")
    review.cancel(db, cancelled, actor=STAFF, reason="duplicate order")

    assert (status(db, held), status(db, cancelled)) == ("on_hold", "cancelled")
    assert events(db, held)[-1] == ("status.changed", "on_hold", "买家要改地址")
    assert row(db, cancelled).decision == "cancelled"


def test_settings_are_validated_by_field_and_turning_auto_approval_off_queues_all(db, settings):
    make_catalog(db)

    with pytest.raises(ValidationFailed) as err:
        review.update_config(db, {"cut_off": "25:00", "nonsense": 1}, actor=STAFF)
    review.update_config(db, {"auto_approve": False, "high_value_minor": 500}, actor=STAFF)
    number = make_order(db, settings, path=["paid"])

    assert [p.field for p in err.value.fields] == ["nonsense"]
    assert review.get_config(db).high_value_minor == 500
    assert status(db, number) == "awaiting_review"
    assert [f["code"] for f in row(db, number).findings] == ["risk.high_value"]


def test_the_queue_puts_expedited_first_then_the_earliest_promise(db, settings):
    at_working_morning()  # the first two are standard, only the express one is expedited
    make_catalog(db)
    numbers = [make_order(db, settings, lines=[(sku, 1)], path=["paid"], **NEEDS_REVIEW)
               for sku in ("SKU-1", "SKU-2", "SKU-3")]
    review.edit(db, numbers[2], {"shipping_service": "express"}, actor=STAFF)
    with db.transaction() as s:  # make the first promise later than the second
        r0 = s.get(OrderReview, queries.get_order(s, numbers[0]).id)
        assert r0 is not None
        r0.promised_ship_by = r0.promised_ship_by + timedelta(days=2)  # type: ignore[operator]

    with db.read() as s:
        page = review_queries.queue(s, review_queries.ClassFilter())
        express = review_queries.queue(s, review_queries.ClassFilter(urgency="expedited"))

    assert [i.number for i in page.items] == [numbers[2], numbers[1], numbers[0]]
    assert [i.number for i in express.items] == [numbers[2]]
    assert page.items[0].findings[0].reason_zh.startswith("卖家留言含「发票」")


def test_cod_confirmation_is_reviewed_too(db, settings):
    make_catalog(db)
    number = make_order(db, settings, cod=True)

    payments.confirm_cod(db, number, actor=STAFF)

    r = row(db, number)
    assert (status(db, number), r.payment_status) == ("approved", "cod")


def test_a_returning_customer_is_classified_from_history(db, settings):
    make_catalog(db)
    make_order(db, settings, lines=[("SKU-1", 1)], path=["paid"])
    second = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"])

    assert row(db, second).customer_type == "returning"
    with db.read() as s:
        ids = list(s.scalars(select(OrderReview.order_id)))
    assert len(ids) == 2



def test_the_cli_lists_the_queue_re_reviews_and_changes_settings(db, settings, tmp_path,
                                                                  monkeypatch):
    make_catalog(db)
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.set_db(db)
    runner = CliRunner()
    try:
        listed = runner.invoke(cli.app, ["review", "queue", "--language", "zh-CN"])
        bad = runner.invoke(cli.app, ["review", "settings", "--set", "cut_off=25:00"])
        changed = runner.invoke(cli.app, ["review", "settings", "--set", "remark_keywords=[]"])
        again = runner.invoke(cli.app, ["review", "run", number])
    finally:
        db_module.set_db(None)
        get_settings.cache_clear()

    assert listed.exit_code == 0
    assert number in listed.output
    assert bad.exit_code == 2
    assert "cut_off: must be a time HH:MM (24h)" in bad.output
    assert changed.exit_code == 0
    assert again.exit_code == 0
    assert f"{number}: pass → approved" in again.output


def test_a_bug_in_a_rule_never_loses_the_payment_the_order_waits_for_a_person(
        db, settings, monkeypatch):
    make_catalog(db)

    def broken(facts, cfg):
        raise KeyError("province")

    monkeypatch.setattr("orderflow.review.rules.review", broken)
    number = make_order(db, settings, path=["paid"])

    r = row(db, number)
    assert status(db, number) == "awaiting_review"
    with db.read() as s:
        assert queries.get_order(s, number).paid_minor == 1000
    assert [(f["code"], f["params"]["error"]) for f in r.findings] == [
        ("review.error", "KeyError: 'province'")]
