"""Logistics alerts and exceptions on a real database (SQLite and PostgreSQL): silent
parcels, carrier problem events, staff actions, and what the customer is owed."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import select

from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import Conflict, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind, CaseState
from orderflow.notify import watchdogs
from orderflow.notify.default_templates import default
from orderflow.notify.models import Alert
from orderflow.orders import queries
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.integration.logistics.helpers import (
    carrier_says,
    cases_of,
    later,
    order_of,
    owed,
    payload_of,
    status_of,
    timeline_kinds,
)
from tests.web.helpers import make_staff

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


@pytest.fixture
def shipped(db: Db, settings: Settings) -> str:
    make_catalog(db)
    return make_order(db, settings, lines=[("SKU-1", 2)], path=SHIPPED,
                      customer={"name": "张三", "phone": "13800138000"})


# --- the silent-parcel watchdog --------------------------------------------------------------


def test_a_parcel_silent_past_its_hours_gets_one_stalled_case_and_a_delay_notice(
        db: Db, settings: Settings, shipped: str) -> None:
    opened = logistics.watch_silent_parcels(db, settings, now=later(49))
    again = logistics.watch_silent_parcels(db, settings, now=later(50))

    (case,) = cases_of(db, shipped)
    assert (opened, again) == (1, 0)
    assert (case.kind, case.state, case.carrier, case.tracking_number) == (
        CaseKind.STALLED, CaseState.OPEN, "sim", f"SIM{shipped}")
    assert status_of(db, shipped) == "shipped"  # a late parcel is not a failed one
    assert ("order.delayed", "") in owed(db, shipped)
    assert payload_of(db, shipped, "", "order.delayed")["reason_i18n"] == {
        "zh-CN": "物流信息长时间未更新，我们已联系快递公司核实",
        "en": "the carrier has not updated the parcel for a while; we asked them"}
    assert timeline_kinds(db, shipped, "exception.") == ["exception.opened"]


def test_a_parcel_is_not_silent_before_its_hours(db: Db, settings: Settings,
                                                 shipped: str) -> None:
    assert logistics.watch_silent_parcels(db, settings, now=later(47)) == 0
    assert cases_of(db, shipped) == []


def test_hours_are_set_per_carrier_and_service(db: Db, settings: Settings,
                                               shipped: str) -> None:
    quick = replace(settings, tracking_silent_hours="48;sim=24;sim/standard=6")

    assert logistics.watch_silent_parcels(db, settings, now=later(7)) == 0
    assert logistics.watch_silent_parcels(db, quick, now=later(7)) == 1


def test_a_recent_carrier_scan_keeps_a_parcel_from_being_silent(
        db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "in_transit", hours_ago=0)

    assert logistics.watch_silent_parcels(db, settings, now=later(30)) == 0
    assert logistics.watch_silent_parcels(db, settings, now=later(49)) == 1


def test_a_scan_after_the_alert_settles_the_stalled_case(db: Db, settings: Settings,
                                                        shipped: str) -> None:
    logistics.watch_silent_parcels(db, settings, now=later(49))
    carrier_says(db, shipped, "in_transit")

    logistics.scan_carrier_events(db, settings)

    (case,) = cases_of(db, shipped)
    assert (case.state, case.outcome) == (CaseState.RESOLVED, "carrier_resolved")


# --- carrier problem events ------------------------------------------------------------------


def test_a_failed_attempt_opens_a_case_moves_the_order_and_tells_the_customer(
        db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "out_for_delivery", hours_ago=2)
    carrier_says(db, shipped, "delivery_attempted", hours_ago=1, description="收件人不在")

    handled = logistics.scan_carrier_events(db, settings)

    (case,) = cases_of(db, shipped)
    assert handled == 1
    assert (case.kind, case.detail, case.opened_by) == (
        CaseKind.DELIVERY_FAILED, "收件人不在", "carrier:sim")
    assert case.source_event_id is not None
    assert status_of(db, shipped) == "exception"
    assert [k for k, _ in owed(db, shipped)][-1] == "order.exception"
    reasons = payload_of(db, shipped, "", "order.exception")["reason_i18n"]
    assert reasons == {"zh-CN": "快递员派送未成功，将再次派送或与您联系",
                       "en": "the courier could not deliver it and will try again or call you"}


def test_the_scan_reads_each_event_once(db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "exception", description="包裹破损")

    first = logistics.scan_carrier_events(db, settings)
    second = logistics.scan_carrier_events(db, settings)

    assert (first, second) == (1, 0)
    assert [c.kind for c in cases_of(db, shipped)] == [CaseKind.DAMAGED]


def test_an_event_still_settling_waits_for_the_next_round(db: Db, settings: Settings,
                                                         shipped: str) -> None:
    carrier_says(db, shipped, "returning", settle=False)

    assert logistics.scan_carrier_events(db, settings) == 0
    assert cases_of(db, shipped) == []


def test_the_adapters_problem_word_names_the_case(db: Db, settings: Settings,
                                                  shipped: str) -> None:
    carrier_says(db, shipped, "exception", description="Exception", problem="lost")

    logistics.scan_carrier_events(db, settings)

    assert [c.kind for c in cases_of(db, shipped)] == [CaseKind.LOST]


def test_delivery_after_a_failed_attempt_resolves_the_case(db: Db, settings: Settings,
                                                          shipped: str) -> None:
    carrier_says(db, shipped, "delivery_attempted", hours_ago=3)
    logistics.scan_carrier_events(db, settings)
    carrier_says(db, shipped, "delivered", hours_ago=1)

    logistics.scan_carrier_events(db, settings)

    (case,) = cases_of(db, shipped)
    assert (case.state, case.outcome) == (CaseState.RESOLVED, "delivered")
    assert status_of(db, shipped) == "delivered"


def test_a_stale_failed_attempt_after_delivery_opens_nothing(db: Db, settings: Settings,
                                                            shipped: str) -> None:
    carrier_says(db, shipped, "delivered", hours_ago=1)
    carrier_says(db, shipped, "delivery_attempted", hours_ago=5)

    logistics.scan_carrier_events(db, settings)

    assert cases_of(db, shipped) == []
    assert status_of(db, shipped) == "delivered"


def test_a_second_problem_on_an_order_already_told_is_told_too(
        db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "delivery_attempted", hours_ago=3)
    logistics.scan_carrier_events(db, settings)
    carrier_says(db, shipped, "returning", hours_ago=1)

    logistics.scan_carrier_events(db, settings)

    _first, second = cases_of(db, shipped)
    exceptions = [suffix for kind, suffix in owed(db, shipped) if kind == "order.exception"]
    assert exceptions == ["", f":case:{second.id}"]
    assert second.kind is CaseKind.RETURNED


# --- staff actions -----------------------------------------------------------------------------


def _case(db: Db, settings: Settings, number: str, kind: CaseKind = CaseKind.LOST) -> int:
    return logistics.open_case(db, number, kind, actor=STAFF, settings=settings,
                               detail="customer called")


def test_staff_open_a_case_with_a_due_time_by_kind(db: Db, settings: Settings,
                                                  shipped: str) -> None:
    case_id = _case(db, settings, shipped, CaseKind.LOST)
    again = _case(db, settings, shipped, CaseKind.LOST)

    (case,) = cases_of(db, shipped)
    assert again == case_id
    hours = (case.due_at - case.opened_at).total_seconds() / 3600
    assert (case.opened_by, hours) == ("staff:tester", 48)
    assert status_of(db, shipped) == "exception"


def test_assigning_names_an_active_staff_user(db: Db, settings: Settings,
                                              shipped: str) -> None:
    case_id = _case(db, settings, shipped)
    user = make_staff(db, "lily", role=Role.SERVICE)

    with pytest.raises(ValidationFailed) as caught:
        logistics.assign_case(db, case_id, "nobody", actor=STAFF)
    logistics.assign_case(db, case_id, "lily", actor=STAFF)

    assert [p.field for p in caught.value.fields] == ["owner"]
    assert cases_of(db, shipped)[0].owner_id == user.id
    assert timeline_kinds(db, shipped, "exception.") == ["exception.opened",
                                                         "exception.assigned"]


def test_contacting_the_carrier_needs_a_note_and_lands_on_the_timeline(
        db: Db, settings: Settings, shipped: str) -> None:
    case_id = _case(db, settings, shipped)

    with pytest.raises(ValidationFailed):
        logistics.act_on_case(db, case_id, "contact_carrier", actor=STAFF, note=" ")
    logistics.act_on_case(db, case_id, "contact_carrier", actor=STAFF,
                          note="顺丰客服工单 123，48 小时内回复")

    (case,) = cases_of(db, shipped)
    assert (case.last_action, case.actions) == ("contact_carrier", 1)
    assert timeline_kinds(db, shipped, "exception.")[-1] == "exception.contact_carrier"


def test_a_refund_records_the_amount_owed_and_cannot_exceed_what_was_paid(
        db: Db, settings: Settings, shipped: str) -> None:
    case_id = _case(db, settings, shipped)
    paid = order_of(db, shipped).paid_minor

    logistics.act_on_case(db, case_id, "refund", actor=STAFF, amount="5.00", note="partial")
    with pytest.raises(ValidationFailed) as caught:
        logistics.act_on_case(db, case_id, "refund", actor=STAFF, amount=str(paid))

    assert [p.code for p in caught.value.fields] == ["amount.too_much"]
    assert order_of(db, shipped).refund_due_minor == 500
    assert cases_of(db, shipped)[0].refund_minor == 500
    assert timeline_kinds(db, shipped, "refund.") == ["refund.owed"]


def test_a_reship_with_a_new_number_ships_a_replacement_and_resolves(
        db: Db, settings: Settings, shipped: str) -> None:
    case_id = _case(db, settings, shipped)
    logistics.act_on_case(db, case_id, "reship", actor=STAFF, note="仓库补发")

    logistics.act_on_case(db, case_id, "reship", actor=STAFF, carrier="SF",
                          tracking_number="sf1234567890123")

    (case,) = cases_of(db, shipped)
    with db.read() as s:
        order = queries.get_order(s, shipped)
        numbers = list(s.scalars(select(Shipment.tracking_number)
                                 .where(Shipment.order_id == order.id).order_by(Shipment.id)))
    assert numbers == [f"SIM{shipped}", "SF1234567890123"]
    assert (case.state, case.outcome, case.actions) == (CaseState.RESOLVED, "reshipped", 2)
    assert status_of(db, shipped) == "in_transit"
    reship = [s for k, s in owed(db, shipped) if k == "order.shipped" and s]
    assert len(reship) == 1
    assert payload_of(db, shipped, reship[0], "order.shipped")["tracking_number"] == \
        "SF1234567890123"


def test_resolving_and_closing(db: Db, settings: Settings, shipped: str) -> None:
    case_id = _case(db, settings, shipped, CaseKind.DAMAGED)

    logistics.resolve_case(db, case_id, "refunded", actor=STAFF, resolution="全额退款")
    logistics.close_case(db, case_id, actor=STAFF)

    (case,) = cases_of(db, shipped)
    assert (case.state, case.outcome) == (CaseState.CLOSED, "refunded")
    assert status_of(db, shipped) == "completed"
    with pytest.raises(Conflict):
        logistics.act_on_case(db, case_id, "note", actor=STAFF, note="late")


def test_closing_an_open_case_needs_a_reason(db: Db, settings: Settings, shipped: str) -> None:
    case_id = _case(db, settings, shipped)

    with pytest.raises(ValidationFailed):
        logistics.close_case(db, case_id, actor=STAFF)
    logistics.close_case(db, case_id, actor=STAFF, note="false alarm")

    assert cases_of(db, shipped)[0].state is CaseState.CLOSED
    assert status_of(db, shipped) == "exception"  # staff still decide where the order goes


def test_unknown_actions_and_outcomes_name_the_field(db: Db, settings: Settings,
                                                     shipped: str) -> None:
    case_id = _case(db, settings, shipped)

    for call, field in [(lambda: logistics.act_on_case(db, case_id, "shout", actor=STAFF),
                         "action"),
                        (lambda: logistics.resolve_case(db, case_id, "magic", actor=STAFF),
                         "outcome")]:
        with pytest.raises(ValidationFailed) as caught:
            call()
        assert [p.field for p in caught.value.fields] == [field]


# --- delivery confirmation (签收) -------------------------------------------------------------


def test_delivered_orders_complete_after_the_set_days(db: Db, settings: Settings,
                                                      shipped: str) -> None:
    carrier_says(db, shipped, "delivered")

    early = logistics.complete_delivered(db, settings, now=later(24 * 6))
    done = logistics.complete_delivered(db, settings, now=later(24 * 7 + 1))

    assert (early, done) == ([], [shipped])
    assert status_of(db, shipped) == "completed"


def test_an_open_case_keeps_a_delivered_order_open(db: Db, settings: Settings,
                                                   shipped: str) -> None:
    carrier_says(db, shipped, "exception", hours_ago=3, description="外包装破损")
    logistics.scan_carrier_events(db, settings)
    carrier_says(db, shipped, "delivered", hours_ago=-0.01)  # news from after the case
    logistics.scan_carrier_events(db, settings)
    quick = replace(settings, auto_complete_days=1)

    held = logistics.complete_delivered(db, quick, now=later(48))
    logistics.resolve_case(db, cases_of(db, shipped)[0].id, "no_action", actor=STAFF)
    done = logistics.complete_delivered(db, quick, now=later(48))

    assert (held, done) == ([], [shipped])
    assert status_of(db, shipped) == "completed"


def test_the_delivered_notice_invites_a_review_in_both_languages() -> None:
    zh = default("order.delivered", "email", "zh-CN")
    en = default("order.delivered", "sms", "en")

    assert zh is not None and "评价" in zh.body_text and "{{ order_url }}" in zh.body_text
    assert en is not None and "review" in en.body_text


def test_two_workers_scanning_at_once_open_each_case_once(db: Db, settings: Settings,
                                                          shipped: str) -> None:
    numbers = [shipped, *(make_order(db, settings, path=SHIPPED) for _ in range(7))]
    for number in numbers:
        carrier_says(db, number, "delivery_attempted", description="客户不在")
    results: list[int] = []

    def worker() -> None:
        total = 0
        for _ in range(20):
            total += logistics.scan_carrier_events(db, settings, limit=3)
        results.append(total)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == len(numbers)
    for number in numbers:
        assert [c.kind for c in cases_of(db, number)] == [CaseKind.DELIVERY_FAILED]
        assert [k for k, _ in owed(db, number)].count("order.exception") == 1


def test_a_delay_and_the_next_scan_in_one_batch_leave_the_case_resolved(
        db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "exception", hours_ago=2, description="天气原因延误",
                 problem="delayed")
    carrier_says(db, shipped, "in_transit", hours_ago=1)

    logistics.scan_carrier_events(db, settings)

    (case,) = cases_of(db, shipped)
    assert (case.kind, case.state, case.outcome) == (CaseKind.STALLED, CaseState.RESOLVED,
                                                     "carrier_resolved")
    assert ("order.delayed", "") in owed(db, shipped)


def test_an_order_that_has_not_shipped_has_no_logistics_case(db: Db, settings: Settings,
                                                            shipped: str) -> None:
    paid = make_order(db, settings, path=["paid"])

    with pytest.raises(Conflict) as caught:
        logistics.open_case(db, paid, CaseKind.LOST, actor=STAFF, settings=settings)

    assert caught.value.code == "exception.not_shipped"
    assert cases_of(db, paid) == []


def test_an_overdue_case_raises_one_alert_that_resolves_with_the_case(
        db: Db, settings: Settings, shipped: str) -> None:
    case_id = logistics.open_case(db, shipped, CaseKind.DAMAGED, actor=STAFF,
                                  settings=replace(settings, exception_due_hours="0.00001"))
    time.sleep(0.1)  # due after 36 ms

    raised = watchdogs.overdue_exceptions(db)
    again = watchdogs.overdue_exceptions(db)
    logistics.resolve_case(db, case_id, "no_action", actor=STAFF)
    watchdogs.overdue_exceptions(db)

    with db.read() as s:
        (alert,) = s.scalars(select(Alert)).all()
    assert (raised, again) == (1, 0)
    assert (alert.kind, alert.key) == ("exception.overdue", f"exception.overdue:{case_id}")
    assert alert.resolved_at is not None
