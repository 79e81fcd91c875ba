"""Notices on both databases: one per milestone, channel and recipient, through quiet
hours, coalescing, retries, fallbacks, fencing and re-sends."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from orderflow import clock
from orderflow.errors import ValidationFailed
from orderflow.fulfilment import service as fulfilment
from orderflow.notify import dispatch, fanout, prefs, service, templates
from orderflow.notify.default_templates import Parts
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Alert, InboxMessage, Notice, NoticeState
from orderflow.orders import queries
from orderflow.orders.status import Status
from orderflow.outbox import OutboxMessage, OutboxState
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.support.channels import RecordingChannel
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.clock  # quiet hours and back-offs are read against the clock

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
EN = {"name": "Emma Wilson", "phone": "13800138000", "email": "emma@example.com", "language": "en"}


@pytest.fixture
def env(db, settings):
    make_catalog(db)
    with smtp_server() as (port, mailbox):
        st = replace(settings, smtp_port=port)
        sms = RecordingChannel()
        d = service.dispatcher(db, st, {"email": SmtpChannel(st), "sms": sms})
        yield st, d, mailbox, sms


def drain(db, st, d, rounds=20):
    for _ in range(rounds):
        if fanout.fan_out(db, st) + d.run_once() == 0:
            return


def sms_first_for_shipping(db):
    """The merchant's choice for these tests: the shipping notice by the first channel
    that works (fallbacks), and no confirmation SMS in the way."""
    with db.transaction() as s:
        prefs.set_value(s, "channel_policy", {"order.shipped": "first"})
        prefs.set_switch(s, "order.confirmed", "sms", False)


def notices(db, **where):
    with db.read() as s:
        stmt = select(Notice).order_by(Notice.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Notice, k) == v)
        return list(s.scalars(stmt))


def test_each_milestone_is_told_once_per_channel_and_recipient(db, env):
    st, d, mailbox, sms = env
    number = make_order(db, st, path=SHIPPED, customer=EN)

    drain(db, st, d)
    with db.transaction() as s:  # a crashed fan-out that runs again owes nothing new
        s.execute(update(OutboxMessage).values(state=OutboxState.PENDING))
    drain(db, st, d)

    # Paid and approved together: the confirmation replaces the payment notice; the
    # confirmation and the shipping notice go to every channel the customer has.
    assert mailbox.subjects() == [f"We received your order {number}",
                                  f"Order {number} is confirmed",
                                  f"Your order {number} has shipped"]
    assert [n.milestone for n in notices(db, channel="email")] == [
        "order.received", "order.confirmed", "order.shipped"]
    assert len(mailbox.messages) == 3
    assert len({m["Message-ID"] for m in mailbox.messages}) == 3
    assert [m.event_type for m in sms.sent] == ["order.confirmed", "order.shipped"]
    assert [n.milestone for n in notices(db, channel="inbox")] == [
        "order.received", "order.confirmed", "order.shipped"]
    with db.read() as s:
        assert len(s.scalars(select(InboxMessage)).all()) == 3


def test_shipping_email_carries_carrier_tracking_number_and_the_order_link(db, env):
    st, d, mailbox, _ = env
    number = make_order(db, st, path=SHIPPED, customer=EN)

    drain(db, st, d)

    shipped = mailbox.messages[-1]
    text = shipped.get_body(preferencelist=("plain",)).get_content()
    assert shipped["Subject"] == f"Your order {number} has shipped"
    assert f"tracking number SIM{number}" in text
    assert f"/track/{number}?t=" in text
    assert "- Item SKU-1 x 1" in text


def test_sms_inside_quiet_hours_is_held_until_the_window_opens(db, env):
    st, d, _, sms = env
    local_now = clock.utcnow().astimezone(st.zone)
    start = (local_now - timedelta(hours=1)).strftime("%H:%M")
    end = (local_now + timedelta(hours=2)).strftime("%H:%M")
    with db.transaction() as s:
        prefs.set_value(s, "quiet_hours", {"sms": [start, end]})
    make_order(db, st, path=SHIPPED)  # a zh-CN customer: SMS first

    drain(db, st, d)

    (held,) = notices(db, channel="sms", milestone="order.shipped")
    assert held.state is NoticeState.QUEUED
    opens = held.available_at.astimezone(st.zone)
    assert opens.strftime("%H:%M") == end
    assert opens > local_now
    assert sms.sent == []


def test_parcel_news_waiting_in_quiet_hours_coalesces_into_one_message(db, env):
    st, d, _, sms = env
    local_now = clock.utcnow().astimezone(st.zone)
    with db.transaction() as s:  # the window stays shut for the whole test, whatever the
        # second it starts at (it may cross midnight, which the --clock-at runs exercise)
        window = [(local_now - timedelta(minutes=5)).strftime("%H:%M"),
                  (local_now + timedelta(hours=2)).strftime("%H:%M")]
        prefs.set_value(s, "quiet_hours", {"sms": window})
    number = make_order(db, st, path=[*SHIPPED, "in_transit"])
    drain(db, st, d)
    fulfilment.record_carrier_status(db, number, Status.OUT_FOR_DELIVERY, actor=STAFF)
    drain(db, st, d)

    shipped, out = [n for n in notices(db, channel="sms") if n.milestone != "order.confirmed"]
    assert shipped.state is NoticeState.COALESCED
    assert shipped.superseded_by == out.id
    assert out.milestone == "order.out_for_delivery"
    with db.transaction() as s:
        s.execute(update(Notice).values(available_at=clock.utcnow()))
    drain(db, st, d)
    assert [m.event_type for m in sms.sent if m.event_type != "order.confirmed"] == [
        "order.out_for_delivery"]


def test_temporary_failures_back_off_then_fall_back_to_email(db, env):
    st, d, mailbox, sms = env
    sms_first_for_shipping(db)
    with db.transaction() as s:
        prefs.set_value(s, "max_attempts", {"sms": 3, "email": 8})
    sms.temporary(times=3)
    make_order(db, st, path=SHIPPED)

    for _ in range(6):
        drain(db, st, d)
        with db.transaction() as s:  # let retry back-offs elapse
            s.execute(update(Notice).where(Notice.state == NoticeState.QUEUED)
                      .values(available_at=clock.utcnow()))

    (sms_notice,) = notices(db, channel="sms", milestone="order.shipped")
    assert (sms_notice.state, sms_notice.attempts) == (NoticeState.FAILED, 3)
    with db.read() as s:
        history = service.notice_history(s, sms_notice.id)
    assert [(h["state"], h["attempt"]) for h in history] == [
        ("queued", 0), ("retry", 1), ("retry", 2), ("failed", 3)]
    (fallback,) = notices(db, channel="email", milestone="order.shipped")
    assert (fallback.state, fallback.fallback_of) == (NoticeState.SENT, sms_notice.id)
    assert mailbox.subjects()[-1].endswith("已发货")


def test_permanent_failure_with_no_channel_left_is_a_dead_letter_with_an_alert(db, env):
    st, d, _, sms = env
    sms_first_for_shipping(db)
    sms.permanent()
    customer = {"name": "李娜", "phone": "13800138000", "language": "zh-CN"}  # no email
    number = make_order(db, st, path=SHIPPED, customer=customer)

    drain(db, st, d)

    (dead,) = notices(db, channel="sms", milestone="order.shipped")
    assert dead.state is NoticeState.DEAD
    assert dead.last_error == "sms.unsubscribed: number unsubscribed"
    with db.read() as s:
        (alert,) = s.scalars(select(Alert)).all()
        kinds = [e.kind for e in queries.timeline_of(s, queries.get_order(s, number).id)]
    assert alert.kind == "notice.dead"
    assert "notice.dead" in kinds

    new_id = service.resend(db, dead.id, actor=STAFF)
    drain(db, st, d)

    (resent,) = notices(db, id=new_id)
    assert resent.state is NoticeState.SENT
    assert resent.message_id != dead.message_id
    with db.read() as s:
        assert s.scalars(select(Alert)).one().resolved_at is not None
        assert "notice.resent" in [e.kind for e in queries.timeline_of(s, resent.order_id)]


def test_a_worker_that_lost_its_lease_cannot_complete_the_notice(db, env):
    st, _, _, _ = env
    make_order(db, st, customer=EN)
    fanout.fan_out(db, st)
    (first,) = dispatch.claim(db, "worker-a")
    with db.transaction() as s:  # worker-a pauses past its lease
        s.execute(update(Notice).values(lease_until=clock.utcnow() - timedelta(seconds=1)))
    (second,) = dispatch.claim(db, "worker-b")

    with db.transaction() as s:
        stale = dispatch.record_sent(s, first, dispatch.SendResult("late"))
        fresh = dispatch.record_sent(s, second, dispatch.SendResult("ok"))

    assert (first.id, first.fence, second.fence) == (second.id, 1, 2)
    assert (stale, fresh) == (False, True)
    (n,) = notices(db, channel="email")
    assert (n.state, n.provider_message_id, n.attempts) == (NoticeState.SENT, "ok", 2)
    assert first.outgoing.message_id == second.outgoing.message_id


def test_a_later_milestone_waits_for_the_earlier_one_to_the_same_recipient(db, env):
    st, _, _, _ = env
    make_order(db, st, path=["paid"], customer=EN)
    fanout.fan_out(db, st)

    claimed = dispatch.claim(db, "w", limit=10)

    assert [(c.outgoing.channel, c.outgoing.event_type) for c in claimed] == [
        ("email", "order.received"), ("sms", "order.confirmed")]


def test_a_masked_buyer_gets_no_sms_and_is_not_greeted_by_the_masked_name(db, env):
    st, d, mailbox, sms = env
    customer = {"name": "王**", "phone": "131****1907", "email": "buyer@example.com"}
    make_order(db, st, customer=customer)

    drain(db, st, d)

    assert sms.sent == []
    text = mailbox.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("您好：")
    assert "王**" not in text


def test_a_switched_off_milestone_channel_is_not_sent(db, env):
    st, d, mailbox, _ = env
    with db.transaction() as s:
        prefs.set_switch(s, "order.received", "email", False)
    make_order(db, st, customer=EN)

    drain(db, st, d)

    assert mailbox.messages == []
    assert [n.channel for n in notices(db)] == ["inbox"]


def test_templates_refuse_unknown_variables_and_are_versioned(db, env):
    st, d, mailbox, _ = env
    bad = Parts("Shipped {{ order_numbr }}", "Tracking {{ tracking_number }} {{ foo.bar }}", None)

    with pytest.raises(ValidationFailed) as refused, db.transaction() as s:
        templates.save(s, "order.received", "email", "en", bad, author="staff:t")

    assert [(p.field, p.code) for p in refused.value.fields] == [
        ("subject", "template.unknown_variable"), ("body_text", "template.unknown_variable")]
    assert "order_numbr" in refused.value.fields[0].message
    with db.transaction() as s:
        good = Parts("Got it: {{ order_number }}",
                     "Hi {{ customer_name }}, order {{ order_number }}.", None)
        assert templates.save(s, "order.received", "email", "en", good, author="staff:t") == 1
        assert templates.save(s, "order.received", "email", "en", good, author="staff:t") == 2
    number = make_order(db, st, customer=EN)
    drain(db, st, d)
    assert mailbox.subjects() == [f"Got it: {number}"]
    assert notices(db, channel="email")[0].template_version == 2
