"""A provider down for 30 minutes of simulated time while orders ship, on both databases:
its circuit opens, the notices wait without spending attempts, one probe goes out on
the back-off, and when the provider answers again every notice goes out once, within
60 s, oldest first. The clock is the application's (`clock.advance`); the dispatcher runs
in this process. The benchmark (bench/outage.py) does the same with 2,000 orders."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from orderflow import circuits, clock
from orderflow.circuits import Circuit, CircuitState
from orderflow.fulfilment import service as fulfilment
from orderflow.notify import fanout, outages, prefs, service
from orderflow.notify.dispatch import Dispatcher
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Alert, Notice, NoticeState, WebhookEndpoint
from orderflow.notify.sms.aliyun import AliyunSms
from orderflow.notify.sms.templates import ProviderTemplate
from orderflow.notify.webhooks.sender import WebhookChannel
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.fakes.aliyun import FakeAliyunSms
from tests.fakes.server import serve
from tests.notify.conftest import ALIYUN_KEY_ID, ALIYUN_SECRET
from tests.support.outages import StoppableSmtp, Switch
from tests.support.webhooks import webhook_receiver

ORDERS = int(os.environ.get("ORDERFLOW_OUTAGE_ORDERS", "30"))
PACKED = ["paid", "approved", "allocated", "picking", "packed"]
OUTAGE = timedelta(minutes=30)
STEP = timedelta(seconds=20)
SHIPPED = "order.shipped"


def only(db, channel: str) -> None:
    """Shipping notices on `channel` only (no inbox copies, no earlier milestones)."""
    with db.transaction() as s:
        for m in ("order.received", "order.paid", "order.confirmed", SHIPPED):
            for ch in ("email", "sms", "inbox"):
                prefs.set_switch(s, m, ch, m == SHIPPED and ch == channel)


def pump(db, st, d: Dispatcher, rounds: int = 400) -> None:
    for _ in range(rounds):
        if fanout.fan_out(db, st) + d.run_once() == 0:
            return


def outage(db, st, d: Dispatcher, numbers: list[str], *, down: Callable[[], None],
           up: Callable[[], None]) -> datetime:
    """Ship the orders spread over a 30-minute outage, moving the clock 20 s a step and
    running the dispatcher each step; bring the provider back; return when it came back."""
    down()
    steps = int(OUTAGE / STEP)
    per_step = -(-len(numbers) // steps)
    for i in range(steps):
        for number in numbers[i * per_step:(i + 1) * per_step]:
            fulfilment.ship_order(db, number, carrier="SF", tracking_number=f"SF{number}",
                                  actor=STAFF)
        clock.advance(STEP)
        pump(db, st, d)
    up()
    back = clock.utcnow()
    for _ in range(20):  # the next probe is at most 30 s away; move the clock 5 s a step
        clock.advance(timedelta(seconds=5))
        pump(db, st, d)
        if not unfinished(db):
            break
    return back


def unfinished(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).where(
            Notice.state.in_((NoticeState.QUEUED, NoticeState.SENDING)))) or 0


def shipping_notices(db, channel: str) -> list[Notice]:
    with db.read() as s:
        return list(s.scalars(select(Notice).where(Notice.milestone == SHIPPED,
                                                   Notice.channel == channel)
                              .order_by(Notice.id)))


def alert_kinds(db) -> list[str]:
    with db.read() as s:
        return sorted(a.kind for a in s.scalars(select(Alert)))


def assert_all_sent_once_within_a_minute(db, channel: str, back: datetime) -> None:
    sent = shipping_notices(db, channel)
    assert len(sent) == ORDERS
    assert {n.state for n in sent} == {NoticeState.SENT}
    assert max(n.attempts for n in sent) == 1  # waiting spent no attempt
    late = [n.id for n in sent if clock.as_utc(n.sent_at) - back > timedelta(seconds=60)]
    assert late == []
    with db.read() as s:
        assert s.scalar(select(func.count()).where(Notice.state == NoticeState.DEAD)) == 0
        (circuit,) = s.scalars(select(Circuit)).all()
        assert circuit.state is CircuitState.CLOSED
        assert circuit.opened_at is not None


def packed_orders(db, st, customer: Callable[[int], dict[str, str]]) -> list[str]:
    make_catalog(db, {"SKU-1": ORDERS * 2})
    return [make_order(db, st, path=PACKED, customer=customer(i)) for i in range(ORDERS)]


def test_smtp_sink_down_30_minutes_holds_every_shipping_email_and_sends_each_once(
        db, settings):
    sink = StoppableSmtp()
    sink.start()
    st = replace(settings, smtp_port=sink.port)
    numbers = packed_orders(db, st, lambda i: {"name": f"Buyer {i}", "language": "en",
                                               "email": f"buyer{i}@example.com"})
    only(db, "email")
    d = service.dispatcher(db, st, {"email": SmtpChannel(st, timeout=2.0)})
    try:
        back = outage(db, st, d, numbers, down=sink.stop, up=sink.start)
    finally:
        sink.stop()

    assert_all_sent_once_within_a_minute(db, "email", back)
    ids = sink.message_ids(SHIPPED)
    assert len(ids) == len(set(ids)) == ORDERS
    assert alert_kinds(db) == [outages.CLOSED, outages.OPENED]


def test_sms_provider_down_30_minutes_holds_every_text_and_sends_each_once(db, settings):
    fake = FakeAliyunSms(access_keys={ALIYUN_KEY_ID: ALIYUN_SECRET}, sign_names={"示例商城"},
                         templates={"SMS_465830123": {"carrier_name", "tracking_number"}})
    switch = Switch(fake)
    numbers = packed_orders(db, settings, lambda i: {"name": f"买家{i}",
                                                     "phone": f"1380013{i:04d}"})
    only(db, "sms")
    with serve(switch) as url:
        sms = AliyunSms(ALIYUN_KEY_ID, ALIYUN_SECRET, "示例商城", {SHIPPED: ProviderTemplate(
            "SMS_465830123", ("carrier_name", "tracking_number"))}, endpoint=url)
        d = service.dispatcher(db, settings, {"sms": sms})

        back = outage(db, settings, d, numbers, down=lambda: setattr(switch, "down", True),
                      up=lambda: setattr(switch, "down", False))

    assert_all_sent_once_within_a_minute(db, "sms", back)
    out_ids = [p["OutId"] for p in fake.accepted]
    assert len(out_ids) == len(set(out_ids)) == ORDERS
    assert switch.refused <= OUTAGE / timedelta(seconds=10) + 5  # probes, not a retry storm
    assert alert_kinds(db) == [outages.CLOSED, outages.OPENED]


def test_webhook_endpoint_down_30_minutes_does_not_run_each_delivery_to_its_death(
        db, settings):
    numbers = packed_orders(db, settings, lambda i: {"name": f"Buyer {i}", "language": "en",
                                                     "email": f"buyer{i}@example.com"})
    only(db, "none")
    with webhook_receiver() as hooks:
        switch = Switch(hooks.fake)
        with serve(switch) as url:
            with db.transaction() as s:
                s.add(WebhookEndpoint(url=f"{url}/hooks", secrets=[hooks.secret],
                                      events=[SHIPPED], enabled=True, created_at=hooks.now()))
            d = service.dispatcher(db, settings, {"webhook": WebhookChannel(allow_private=True)})

            back = outage(db, settings, d, numbers,
                          down=lambda: setattr(switch, "down", True),
                          up=lambda: setattr(switch, "down", False))

        assert_all_sent_once_within_a_minute(db, "webhook", back)
        assert len(hooks.distinct_ids()) == ORDERS
        assert hooks.repeats() == 0
    assert alert_kinds(db) == [outages.CLOSED, outages.OPENED]


@pytest.mark.parametrize(("failures", "most"), [(1, 10.0), (2, 20.0), (3, 30.0), (9, 30.0)])
def test_probes_back_off_from_10_seconds_to_a_30_second_cap_with_jitter_below(failures, most):
    delays = [circuits.probe_delay(failures) for _ in range(50)]

    assert max(delays) <= most
    assert min(delays) >= most * 0.75
