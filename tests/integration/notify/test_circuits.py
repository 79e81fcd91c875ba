"""The dispatcher and the circuits on both databases: what waits, what counts, who probes,
and that quiet hours still hold after an outage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from orderflow import circuits, clock
from orderflow.circuits import Circuit, CircuitState
from orderflow.errors import ValidationFailed
from orderflow.notify import outage_fallback, outages, prefs, service, watchdogs
from orderflow.notify.channels import Outgoing, SendResult, TemporaryFailure
from orderflow.notify.models import NoticeEvent, NoticeState
from tests.builders.orders import make_catalog, make_order
from tests.integration.notify.test_outages import pump, shipping_notices
from tests.integration.test_doctor_and_worker import run_doctor
from tests.support.channels import RecordingChannel

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


@dataclass
class Flaky:
    """Fails with `code` while `down`; records what it sent."""

    name: str = "sms"
    down: bool = False
    code: str = "sms.provider_error"
    retry_after: float | None = None
    calls: int = 0
    sent: list[Outgoing] = field(default_factory=list)

    def send(self, message: Outgoing) -> SendResult:
        self.calls += 1
        if self.down:
            raise TemporaryFailure("provider down", code=self.code, retry_after=self.retry_after)
        self.sent.append(message)
        return SendResult(provider_message_id=f"p-{len(self.sent)}")


def zh(i: int) -> dict[str, str]:
    return {"name": f"买家{i}", "phone": f"1380013{i:04d}", "email": f"b{i}@example.com"}


def setup(db, settings, n: int = 5) -> None:
    make_catalog(db, {"SKU-1": 100})
    with db.transaction() as s:
        for m in ("order.received", "order.paid", "order.confirmed"):
            prefs.set_switch(s, m, "sms", False)
            prefs.set_switch(s, m, "email", False)
        prefs.set_switch(s, "order.shipped", "inbox", False)
    for i in range(n):
        make_order(db, settings, path=SHIPPED, customer=zh(i))


def circuit(db, key: str) -> Circuit | None:
    with db.read() as s:
        return s.get(Circuit, key)


def test_a_provider_down_holds_its_notices_without_spending_attempts_and_one_probe_closes(
        db, settings):
    sms = Flaky(down=True)
    d = service.dispatcher(db, settings, {"sms": sms, "email": RecordingChannel("email")})
    setup(db, settings)

    pump(db, settings, d)

    assert sms.calls == 1  # the rest of the batch was held unsent
    held = shipping_notices(db, "sms")
    assert {(n.state, n.attempts) for n in held} == {(NoticeState.QUEUED, 0)}
    c = circuit(db, "notify:sms")
    assert c is not None and c.state is CircuitState.OPEN
    assert timedelta(seconds=7) <= clock.as_utc(c.next_probe_at) - clock.utcnow() <= timedelta(
        seconds=10)

    clock.advance(timedelta(seconds=11))
    pump(db, settings, d)
    assert sms.calls == 2  # one probe, failed: still open, next probe later
    c = circuit(db, "notify:sms")
    assert c is not None and (c.state, c.failures) == (CircuitState.OPEN, 2)

    sms.down = False
    clock.advance(timedelta(seconds=21))
    pump(db, settings, d)

    assert [n.state for n in shipping_notices(db, "sms")] == [NoticeState.SENT] * 5
    assert [n.attempts for n in shipping_notices(db, "sms")] == [1] * 5
    assert len(sms.sent) == 5
    c = circuit(db, "notify:sms")
    assert c is not None and c.state is CircuitState.CLOSED
    with db.read() as s:
        assert s.scalar(select(NoticeEvent.detail).where(NoticeEvent.state == "held")) \
            .startswith("provider down: sms.provider_error")


def test_the_backlog_drains_oldest_first(db, settings):
    sms = Flaky(down=True)
    d = service.dispatcher(db, settings, {"sms": sms})
    setup(db, settings)
    pump(db, settings, d)

    sms.down = False
    clock.advance(timedelta(seconds=11))
    pump(db, settings, d)

    ids = [n.message_id for n in shipping_notices(db, "sms")]
    assert [m.message_id for m in sms.sent] == ids


def test_notice_level_failures_still_count_and_do_not_open_the_circuit(db, settings):
    sms = Flaky(down=True, code="sms.invalid_number")
    d = service.dispatcher(db, settings, {"sms": sms, "email": RecordingChannel("email")})
    setup(db, settings, n=2)

    pump(db, settings, d)

    assert circuit(db, "notify:sms") is None
    assert sms.calls == 2
    assert {n.attempts for n in shipping_notices(db, "sms")} == {1}


def test_one_channel_down_does_not_hold_another(db, settings):
    sms, email = Flaky(down=True), RecordingChannel("email")
    d = service.dispatcher(db, settings, {"sms": sms, "email": email})
    make_catalog(db, {"SKU-1": 10})
    make_order(db, settings, path=SHIPPED, customer=zh(1))
    make_order(db, settings, path=SHIPPED, customer={"name": "Emma", "language": "en",
                                                     "email": "emma@example.com"})

    pump(db, settings, d)

    assert "order.shipped" in [m.event_type for m in email.sent]
    assert circuit(db, "notify:sms").state is CircuitState.OPEN  # type: ignore[union-attr]
    assert circuit(db, "notify:email") is None


def test_a_throttled_notice_waits_its_window_and_the_others_go_on(db, settings):
    sms = Flaky(down=True, code="sms.throttled", retry_after=3600.0)
    d = service.dispatcher(db, settings, {"sms": sms})
    setup(db, settings, n=3)
    pump(db, settings, d)
    throttled = next(n for n in shipping_notices(db, "sms") if n.last_error)

    sms.down = False
    clock.advance(timedelta(seconds=41))
    pump(db, settings, d)

    states = {n.id: (n.state, n.attempts) for n in shipping_notices(db, "sms")}
    assert states.pop(throttled.id) == (NoticeState.QUEUED, 0)
    assert set(states.values()) == {(NoticeState.SENT, 1)}


def test_only_one_of_two_workers_takes_the_probe(db, settings):
    with db.transaction() as s:
        circuits.record_failure(s, "notify:sms", "sms.network: refused")
    clock.advance(timedelta(seconds=11))

    with db.transaction() as s:
        first = circuits.take_probe(s, "notify:sms")
    with db.transaction() as s:
        second = circuits.take_probe(s, "notify:sms")

    assert (first, second) == (True, False)
    clock.advance(circuits.PROBE_LEASE + timedelta(seconds=1))  # the prober died
    with db.transaction() as s:
        assert circuits.take_probe(s, "notify:sms")


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # a working day: the everyday quiet hours hold
def test_no_probe_in_quiet_hours_so_the_backlog_waits_for_the_window(db, settings):
    sms = Flaky(down=True)
    d = service.dispatcher(db, settings, {"sms": sms})
    setup(db, settings, n=2)
    pump(db, settings, d)
    local = clock.utcnow().astimezone(settings.zone)
    with db.transaction() as s:  # quiet hours start now, for 30 minutes
        prefs.set_value(s, "quiet_hours", {"sms": [local.strftime("%H:%M"), (
            local + timedelta(minutes=30)).strftime("%H:%M")]})
    d = service.dispatcher(db, settings, {"sms": sms})
    sms.down = False

    clock.advance(timedelta(minutes=5))
    pump(db, settings, d)
    assert sms.sent == []

    clock.advance(timedelta(minutes=26))
    pump(db, settings, d)
    assert len(sms.sent) == 2


def test_staff_alerts_on_open_and_close_and_the_backlog_is_shown(db, settings):
    sms = Flaky(down=True)
    d = service.dispatcher(db, settings, {"sms": sms})
    setup(db, settings, n=3)
    pump(db, settings, d)

    (backlog,) = outages.backlogs(db)
    alerts = service.open_alerts(db)

    assert (backlog.key, backlog.state, backlog.queued) == ("notify:sms", "open", 3)
    assert [a.kind for a in alerts] == [outages.OPENED]
    assert "sms provider is down" in alerts[0].message
    sms.down = False
    clock.advance(timedelta(seconds=11))
    pump(db, settings, d)
    assert outages.backlogs(db) == []
    assert [a.kind for a in service.open_alerts(db)] == [outages.CLOSED]


def test_the_watchdog_alerts_for_circuits_other_domains_opened(db, settings):
    with db.transaction() as s:
        circuits.record_failure(s, "tracking:kuaidi100", "timeout")

    outages.watch_circuits(db)
    outages.watch_circuits(db)

    assert [a.message.split(" is down")[0] for a in service.open_alerts(db)] == [
        "tracking provider kuaidi100"]


def test_doctor_names_the_open_circuit_and_what_it_holds(db, settings):
    d = service.dispatcher(db, settings, {"sms": Flaky(down=True)})
    setup(db, settings, n=2)
    pump(db, settings, d)

    ok, text = run_doctor(db, settings)

    assert not ok
    assert "circuit open: sms provider (notify:sms) down for 0 min" in text
    assert "2 notices held" in text
    assert "last error: sms.provider_error: provider down" in text


def test_an_outage_raises_one_alert_not_one_per_unsent_shipping_notice(db, settings):
    d = service.dispatcher(db, settings, {"sms": Flaky(down=True)})
    setup(db, settings, n=3)
    pump(db, settings, d)
    clock.advance(timedelta(minutes=20))

    raised = watchdogs.unsent_shipping_notices(db)

    assert raised == 0
    assert [a.kind for a in service.open_alerts(db)] == [outages.OPENED]


def en(i: int) -> dict[str, str]:
    return {"name": f"Buyer {i}", "language": "en", "email": f"b{i}@example.com",
            "phone": f"1380013{i:04d}"}


def email_down_for(db, settings, minutes: int, rule: dict | None):  # type: ignore[type-arg]
    email, sms = Flaky(name="email", down=True, code="smtp.unavailable"), RecordingChannel()
    d = service.dispatcher(db, settings, {"email": email, "sms": sms})
    make_catalog(db, {"SKU-1": 10})
    with db.transaction() as s:
        for m in ("order.received", "order.paid", "order.confirmed"):
            prefs.set_switch(s, m, "email", False)
            prefs.set_switch(s, m, "sms", False)
        # Shipping notices by the first channel that works (email), so SMS only by fallback.
        prefs.set_value(s, "channel_policy", {"order.shipped": "first"})
        if rule is not None:
            prefs.set_value(s, outage_fallback.KEY, rule)
    for i in range(2):
        make_order(db, settings, path=SHIPPED, customer=en(i))
    pump(db, settings, d)
    for _ in range(minutes * 2):
        clock.advance(timedelta(seconds=30))
        pump(db, settings, d)
        outage_fallback.fall_back(db, lambda s, n: service.make_fallback(s, n, settings))
    pump(db, settings, d)
    return email, sms


def test_after_the_chosen_outage_time_a_shipping_notice_falls_back_to_sms(db, settings):
    rule = {"order.shipped": {"after_minutes": 30, "channels": ["sms"]}}

    _, sms = email_down_for(db, settings, 31, rule)

    assert [m.event_type for m in sms.sent] == ["order.shipped"] * 2
    assert {n.state for n in shipping_notices(db, "email")} == {NoticeState.FAILED}
    assert "email provider down 3" in (shipping_notices(db, "email")[0].last_error or "")


def test_without_the_merchants_choice_nothing_moves_to_sms(db, settings):
    _, sms = email_down_for(db, settings, 31, None)

    assert sms.sent == []
    assert {n.state for n in shipping_notices(db, "email")} == {NoticeState.QUEUED}


def test_a_bad_fallback_setting_is_refused_naming_each_field(db):
    with pytest.raises(ValidationFailed) as caught:
        outage_fallback.save(db, {"order.shipped": {"after_minutes": 0, "channels": ["fax"]},
                                  "order.nope": {"after_minutes": 5, "channels": ["sms"]}})

    assert [p.field for p in caught.value.fields] == [
        "outage_fallback.order.shipped.after_minutes", "outage_fallback.order.shipped.channels",
        "outage_fallback.order.nope"]
