"""Every time node on both databases, with the application's clock: the confirmation
(replacing the payment notice), payment reminder, failure and cancellation, the
promise delay (held, edited, again only when the new estimate passes), corrections,
channels, essential vs non-essential, quiet hours on holidays and 调休 Saturdays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from orderflow import clock
from orderflow.customers.models import Customer
from orderflow.fulfilment import corrections
from orderflow.fulfilment import service as fulfilment
from orderflow.notify import delays, fanout, prefs, service, watchdogs
from orderflow.notify.models import Alert, Notice, NoticeState
from orderflow.orders import changes, lifecycle, queries
from orderflow.orders import service as orders
from orderflow.orders.schemas import PaymentIn
from orderflow.outbox import OutboxMessage
from orderflow.payments import service as payments
from orderflow.review import service as review
from orderflow.review.models import OrderReview
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_order
from tests.support.channels import RecordingChannel

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
EN = {"name": "Emma Wilson", "phone": "13800138000", "email": "emma@example.com", "language": "en"}


@pytest.fixture
def env(db, settings):
    make_catalog(db)
    st = replace(settings, shop_name="示例商城")
    email, sms = RecordingChannel("email"), RecordingChannel("sms")
    d = service.dispatcher(db, st, {"email": email, "sms": sms})
    return st, d, email, sms


def drain(db, st, d, rounds=20):
    for _ in range(rounds):
        if fanout.fan_out(db, st) + d.run_once() == 0:
            return


def notices(db, **where):
    with db.read() as s:
        stmt = select(Notice).order_by(Notice.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Notice, k) == v)
        return list(s.scalars(stmt))


def sent(channel, milestone):
    return [m for m in channel.sent if m.event_type == milestone]


def promise_of(db, number):
    with db.read() as s:
        order = queries.get_order(s, number)
        return clock.as_utc(s.get_one(OrderReview, order.id).promised_ship_by)


def minute(value: datetime) -> datetime:
    """To the minute: the application's clock keeps running inside a test."""
    return clock.as_utc(value).replace(second=0, microsecond=0)


def at_local(text: str) -> datetime:
    """A Shanghai wall-clock time as UTC."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


# --- 1. order confirmed --------------------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_an_approved_order_gets_one_confirmation_on_every_channel_instead_of_the_payment_notice(
        db, env):
    st, d, email, sms = env
    number = make_order(db, st, path=["paid"], buyer_remark="请用纸箱")

    drain(db, st, d)

    assert [m.event_type for m in email.sent] == ["order.received", "order.confirmed"]
    assert [m.event_type for m in sms.sent] == ["order.confirmed"]
    assert notices(db, milestone="order.paid") == []
    (mail,) = sent(email, "order.confirmed")
    assert mail.subject == f"订单 {number} 已确认"
    assert "2026-12-07 18:00 前以标准快递为您发出" in mail.text  # same day, before cut-off
    assert "您的备注：请用纸箱" in mail.text
    assert "售后说明：签收后 7 天内支持无理由退货" in mail.text
    assert "客服电话：400-800-8888" in mail.text
    assert "- 商品 SKU-1 × 1" in mail.text
    (text,) = sent(sms, "order.confirmed")
    assert f"{st.base_url}/s/{number}-" in text.text


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_confirmation_by_hand_inside_the_window_replaces_the_waiting_payment_notice(db, env):
    st, d, email, sms = env
    number = make_order(db, st, path=["paid"], **NEEDS_REVIEW)
    drain(db, st, d)
    (waiting,) = notices(db, milestone="order.paid", channel="email")
    assert waiting.state is NoticeState.QUEUED  # held 10 minutes for the confirmation

    clock.advance(timedelta(minutes=5))
    review.approve(db, number, actor=STAFF)
    drain(db, st, d)
    clock.advance(timedelta(minutes=10))
    drain(db, st, d)

    assert notices(db, id=waiting.id)[0].state is NoticeState.COALESCED
    assert [m.event_type for m in email.sent] == ["order.received", "order.confirmed"]
    assert [m.event_type for m in sms.sent] == ["order.confirmed"]


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_confirmation_after_the_window_follows_the_payment_notice(db, env):
    st, d, email, _ = env
    number = make_order(db, st, path=["paid"], **NEEDS_REVIEW)
    drain(db, st, d)
    clock.advance(timedelta(minutes=11))
    drain(db, st, d)

    review.approve(db, number, actor=STAFF)
    drain(db, st, d)

    assert [m.event_type for m in email.sent] == ["order.received", "order.paid",
                                                  "order.confirmed"]


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_an_expedited_order_skips_the_coalescing_wait(db, env):
    st, d, email, _ = env
    number = make_order(db, st, path=["paid"], **NEEDS_REVIEW)
    review.edit(db, number, {"shipping_service": "express"}, actor=STAFF, settings=st)

    drain(db, st, d)

    assert "order.paid" in [m.event_type for m in email.sent]


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_an_address_change_after_confirmation_sends_an_updated_confirmation(db, env):
    st, d, email, _ = env
    number = make_order(db, st, path=["paid"], customer=EN)
    drain(db, st, d)

    changes.change_address(db, number, changes.AddressChangeIn(
        detail="文二路 200 号", reason="customer moved"), actor=STAFF,
        reviewer=review.review_order)
    drain(db, st, d)

    assert [m.event_type for m in email.sent] == [
        "order.received", "order.confirmed", "order.confirmation_updated"]
    assert email.sent[-1].subject == f"Order {number} was updated"


# --- 2. payments ---------------------------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_an_unpaid_order_is_reminded_once_before_the_deadline_then_cancelled_and_told(db, env):
    st, d, email, sms = env
    number = make_order(db, st)
    drain(db, st, d)

    clock.advance(timedelta(minutes=15))
    assert watchdogs.remind_unpaid(db) == 0  # 15 minutes left: not yet
    clock.advance(timedelta(minutes=6))
    assert watchdogs.remind_unpaid(db) == 1
    assert watchdogs.remind_unpaid(db) == 0
    drain(db, st, d)
    clock.advance(timedelta(minutes=10))
    assert orders.expire_unpaid(db) == [number]
    drain(db, st, d)

    assert [m.event_type for m in sms.sent] == ["payment.reminder", "order.cancelled"]
    reminder, cancelled = sms.sent
    assert "请于2026-12-07 15:00前支付，逾期自动取消" in reminder.text
    assert f"订单{number}已取消（超时未付款）" in cancelled.text
    assert sent(email, "order.cancelled") == []  # the first channel that works


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_reminder_due_after_payment_is_dropped(db, env):
    st, d, _, sms = env
    number = make_order(db, st)
    clock.advance(timedelta(minutes=21))
    watchdogs.remind_unpaid(db)

    payments.record_payment(db, number, PaymentIn(method="alipay", amount="10.00",
                                                  external_ref="PAY-LATE"), actor=STAFF,
                            settings=st)
    drain(db, st, d)

    assert sent(sms, "payment.reminder") == []


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_failed_payment_tells_the_customer_how_to_pay_again(db, env):
    st, d, email, sms = env
    number = make_order(db, st, customer=EN)

    payments.record_payment(db, number, PaymentIn(
        method="alipay", amount="10.00", state="failed", external_ref="PAY-X",
        failure_reason="card declined"), actor=STAFF, settings=st)
    drain(db, st, d)

    (mail,) = sent(email, "payment.failed")  # the first channel that works for her
    assert mail.subject == f"Payment for order {number} did not go through"
    assert f"/track/{number}?t=" in mail.text
    assert sent(sms, "payment.failed") == []
    with db.read() as s:
        (inbox,) = [n for n in s.scalars(select(Notice).where(Notice.channel == "inbox"))
                    if n.milestone == "payment.failed"]
    assert "We keep the order for you until 07 Dec 2026, 15:00" in inbox.body_text


# --- 3. delay at the promise ---------------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_promise_that_passes_owes_one_held_delay_notice_staff_edit_then_it_goes(db, env):
    st, d, email, sms = env
    number = make_order(db, st, path=["paid", "approved", "allocated"])
    late = make_order(db, st, path=["paid"], customer=EN)
    shipped = make_order(db, st, path=SHIPPED)
    drain(db, st, d)
    promised = promise_of(db, number)
    assert promised == at_local("2026-12-07T18:00")

    clock.set_now(promised - timedelta(minutes=1))
    assert watchdogs.late_orders(db, st) == 0
    clock.set_now(promised + timedelta(minutes=1))
    assert watchdogs.late_orders(db, st) == 2  # not the shipped one
    assert watchdogs.late_orders(db, st) == 0
    drain(db, st, d)
    assert sent(sms, "order.delayed") == []  # held for staff

    held = delays.edit_delay(db, number, new_estimate=at_local("2026-12-09T12:00"),
                             actor=STAFF)
    clock.advance(timedelta(minutes=16))
    drain(db, st, d)

    assert held.reason == "late.in_warehouse"
    (text,) = [m for m in sent(sms, "order.delayed") if number in m.text]
    assert "可能延迟：仓库仍在备货。最新预计2026-12-09 12:00。" in text.text
    (mail,) = [m for m in sent(email, "order.delayed") if late in m.subject]
    assert "may be late (the order is still being checked)" in mail.text
    assert "New estimate: 08 Dec 2026, 18:00." in mail.text  # the next working day
    assert not [m for m in sent(sms, "order.delayed") if shipped in m.text]
    with pytest.raises(Exception, match="no delay notice waiting"):
        delays.edit_delay(db, number, reason="late.on_hold", actor=STAFF)
    with db.read() as s:
        kinds = {a.kind for a in s.scalars(select(Alert))}
    assert "order.late" in kinds


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_second_delay_notice_only_when_the_new_estimate_passes_too(db, env):
    st, d, _, sms = env
    number = make_order(db, st, path=["paid"])
    promised = promise_of(db, number)
    clock.set_now(promised + timedelta(minutes=1))
    watchdogs.late_orders(db, st)
    clock.advance(timedelta(hours=20))  # Tuesday 14:01: before the new estimate (18:00)

    assert watchdogs.late_orders(db, st) == 0

    clock.set_now(at_local("2026-12-08T18:01"))
    assert watchdogs.late_orders(db, st) == 1
    clock.advance(timedelta(minutes=16))
    drain(db, st, d)
    assert len(sent(sms, "order.delayed")) == 2
    assert "最新预计2026-12-09 18:00" in sent(sms, "order.delayed")[-1].text


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_delay_held_until_after_shipping_is_dropped(db, env):
    st, d, _, sms = env
    number = make_order(db, st, path=["paid", "approved", "allocated", "picking", "packed"])
    clock.set_now(promise_of(db, number) + timedelta(minutes=1))
    watchdogs.late_orders(db, st)

    fulfilment.ship_order(db, number, carrier="SF", tracking_number="SF1234567890123",
                          actor=STAFF)
    clock.advance(timedelta(minutes=16))
    drain(db, st, d)

    assert sent(sms, "order.delayed") == []
    assert len(sent(sms, "order.shipped")) == 1


# --- 4. corrections ------------------------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_corrected_tracking_number_sends_one_corrected_shipping_notice(db, env):
    st, d, email, sms = env
    number = make_order(db, st, path=SHIPPED)
    drain(db, st, d)

    assert corrections.correct_tracking(db, number, carrier="SF", tracking_number="SF0000000001",
                                        actor=STAFF) is True
    assert corrections.correct_tracking(db, number, carrier="SF", tracking_number="SF0000000001",
                                        actor=STAFF) is False
    drain(db, st, d)

    (text,) = sent(sms, "order.shipment_corrected")
    assert "快递信息更正为顺丰速运，运单号SF0000000001" in text.text
    assert len(sent(email, "order.shipment_corrected")) == 1


# --- 5/6. channels, essential and not -------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_the_first_that_works_is_a_merchant_choice_per_milestone(db, env):
    st, d, email, sms = env
    with db.transaction() as s:
        prefs.set_value(s, "channel_policy", {"order.confirmed": "first"})
    make_order(db, st, path=["paid"])  # a zh-CN customer: SMS first

    drain(db, st, d)

    assert sent(sms, "order.confirmed") and not sent(email, "order.confirmed")


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_an_opted_out_customer_gets_essential_notices_but_no_packing_update(db, env):
    st, d, email, sms = env
    number = make_order(db, st, path=["paid"])
    with db.transaction() as s:
        order = queries.get_order(s, number)
        s.execute(update(Customer).where(Customer.id == order.customer_id)
                  .values(opt_out_marketing=True))
        lifecycle.owe(s, order, "order.packing")
        lifecycle.owe(s, order, "review.requested")

    drain(db, st, d)

    assert {m.event_type for m in email.sent + sms.sent} == {"order.received", "order.confirmed"}


# --- 8. quiet hours: per milestone, holidays, 调休 --------------------------------------------


def _quiet(db):
    with db.transaction() as s:
        prefs.set_value(s, "quiet_hours", {"sms": ["21:00", "08:00"]})
        prefs.set_value(s, "holiday_quiet_hours", {"sms": ["20:00", "10:00"]})


@pytest.mark.parametrize(("local", "opens"), [
    ("2026-02-14T09:00", "2026-02-14T09:00"),  # a 调休 Saturday: a working day
    ("2026-02-15T09:00", "2026-02-15T10:00"),  # 春节 holiday
    ("2026-12-12T09:00", "2026-12-12T10:00"),  # an ordinary Saturday
    ("2026-12-07T22:00", "2026-12-08T08:00"),  # a working-day night
    ("2026-09-30T21:30", "2026-10-01T10:00"),  # the eve of 国庆: wakes on a holiday
])
def test_sms_waits_for_the_window_of_the_day_it_falls_on(db, env, local, opens):
    st, d, _, _ = env
    _quiet(db)
    clock.set_now(at_local(local))
    make_order(db, st, path=["paid"])

    drain(db, st, d)

    (n,) = notices(db, channel="sms", milestone="order.confirmed")
    assert minute(n.available_at) == at_local(opens)


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_quiet_hours_per_milestone_replace_the_channel_s(db, env):
    st, d, email, _ = env
    with db.transaction() as s:
        prefs.set_value(s, "milestone_quiet_hours",
                        {"order.confirmed": {"email": ["14:00", "09:00"]}})
    make_order(db, st, path=["paid"])

    drain(db, st, d)

    (n,) = notices(db, channel="email", milestone="order.confirmed")
    assert minute(n.available_at) == at_local("2026-12-08T09:00")
    assert [m.event_type for m in email.sent] == ["order.received"]


# --- 9. the shipping-notice watchdog --------------------------------------------------------


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_the_watchdog_raises_one_alert_for_a_shipped_order_whose_customer_was_not_told(db, env):
    st, d, _, sms = env
    number = make_order(db, st, path=SHIPPED, customer={"name": "李娜", "phone": "13800138000"})
    told = make_order(db, st, path=SHIPPED)
    sms.permanent()  # the first SMS (the confirmation of the first order) dies
    with db.transaction() as s:
        prefs.set_value(s, "channel_policy", {})
        prefs.set_switch(s, "order.confirmed", "sms", False)
    drain(db, st, d)
    with db.transaction() as s:  # the first order's shipping SMS is stuck
        s.execute(update(Notice).where(Notice.milestone == "order.shipped",
                                       Notice.recipient == "+8613800138000",
                                       Notice.order_id == queries.get_order(s, number).id)
                  .values(state=NoticeState.QUEUED,
                          available_at=clock.utcnow() + timedelta(days=1)))

    clock.advance(timedelta(minutes=16))
    assert watchdogs.unsent_shipping_notices(db) == 1
    assert watchdogs.unsent_shipping_notices(db) == 1  # still untold: still listed, one alert

    with db.read() as s:
        alerts = list(s.scalars(select(Alert).where(Alert.kind == "notice.shipping_not_sent")))
        told_id = queries.get_order(s, told).id
    assert len(alerts) == 1
    assert f"order {number} shipped 15+ minutes ago" in alerts[0].message
    assert all(a.order_id != told_id for a in alerts)
    with db.read() as s:
        assert s.scalar(select(OutboxMessage.id).where(
            OutboxMessage.kind == "order.shipped")) is not None
