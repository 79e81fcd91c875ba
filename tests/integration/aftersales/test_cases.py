"""After-sales cases end to end on both databases: each type, refusal, the policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow import clock
from orderflow.aftersales import policy, receiving, replacements, service
from orderflow.aftersales.errors import CaseIllegalTransition, CaseNotFound, NotEligible
from orderflow.aftersales.models import CaseState, RefundState
from orderflow.aftersales.schemas import PolicyIn, ReceiveIn
from orderflow.errors import ValidationFailed
from orderflow.fulfilment import service as fulfilment
from orderflow.orders.status import Status
from tests.builders.orders import make_catalog
from tests.integration.aftersales.helpers import (
    STAFF,
    case_of,
    delivered,
    kinds,
    lines_of,
    open_case,
    order_of,
    payments_of,
    refunds_of,
)


@pytest.fixture
def shop(db, settings):
    make_catalog(db)
    return settings


def test_return_and_refund_goes_from_request_to_money_back(db, shop):
    number = delivered(db, shop, [("SKU-1", 2), ("SKU-2", 1)])

    case_id = open_case(db, number, "return_refund", "quality_damaged", [("SKU-1", 1)])
    service.approve_case(db, case_id, actor=STAFF)
    service.return_shipped(db, case_id, "SF", "SF1234567890123", actor=STAFF)
    receiving.receive(db, ReceiveIn(scan="SF1234567890123"), actor=STAFF)
    made = service.refund_case(db, case_id, actor=STAFF)

    case = case_of(db, case_id)
    assert case.state is CaseState.CLOSED
    assert [r.state for r in made] == ["succeeded"]
    assert made[0].amount == "10.00"
    order = order_of(db, number)
    assert (order.refunded_minor, order.refund_due_minor) == (1000, 0)
    line = lines_of(db, number)["SKU-1"]
    assert (line.returned, line.refunded) == (1, 1)
    assert payments_of(db, number)[0].refunded_minor == 1000
    assert kinds(db, number) == ["aftersales.requested", "aftersales.approved",
                                 "aftersales.received", "order.refund_issued"]


def test_refund_only_under_the_auto_limit_is_approved_and_paid_at_once(db, shop):
    policy.set_policy(db, PolicyIn(auto_refund_only_under="20.00"), actor=STAFF)
    number = delivered(db, shop, [("SKU-1", 2)])

    case_id = open_case(db, number, "refund_only", "wrong_item", [("SKU-1", 1)])

    assert case_of(db, case_id).state is CaseState.CLOSED
    assert [r.state for r in refunds_of(db, number)] == [RefundState.SUCCEEDED]
    assert lines_of(db, number)["SKU-1"].refunded == 1
    assert order_of(db, number).refund_due_minor == 0


def test_refund_only_above_the_limit_waits_for_a_person(db, shop):
    policy.set_policy(db, PolicyIn(auto_refund_only_under="5.00"), actor=STAFF)
    number = delivered(db, shop, [("SKU-1", 1)])

    case_id = open_case(db, number, "refund_only", "wrong_item")

    assert case_of(db, case_id).state is CaseState.REQUESTED
    assert refunds_of(db, number) == []


def test_exchange_reserves_the_new_size_at_approval_and_ships_it_after_receipt(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "exchange", "wrong_size", [("SKU-1", 1)],
                        exchange_sku="SKU-2")

    service.approve_case(db, case_id, actor=STAFF)

    case = case_of(db, case_id)
    assert case.state is CaseState.AWAITING_RETURN
    new = order_of(db, _number_of(db, case.replacement_order_id))
    assert new.status is Status.ON_HOLD
    assert lines_of(db, new.number)["SKU-2"].reserved == 1

    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)

    assert order_of(db, new.number).status is Status.APPROVED
    assert lines_of(db, number)["SKU-1"].exchanged == 1
    _ship(db, new.number)
    replacements.sync_shipped(db)
    assert case_of(db, case_id).state is CaseState.CLOSED
    assert kinds(db, number)[-1] == "aftersales.replacement_shipped"


def test_reship_after_a_lost_parcel_ships_a_new_order_without_a_return(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "reship", "transport_lost")

    service.approve_case(db, case_id, actor=STAFF)

    case = case_of(db, case_id)
    assert case.state is CaseState.REPLACEMENT
    new_number = _number_of(db, case.replacement_order_id)
    assert order_of(db, new_number).status is Status.APPROVED
    _ship(db, new_number)
    replacements.sync_shipped(db)
    assert case_of(db, case_id).state is CaseState.CLOSED


def test_repair_comes_back_and_is_sent_back_repaired(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "repair", "quality_not_working")
    service.approve_case(db, case_id, actor=STAFF)

    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    service.ship_repair(db, case_id, "SF", "SF9876543210987", actor=STAFF)

    assert case_of(db, case_id).state is CaseState.CLOSED
    assert refunds_of(db, number) == []


def test_a_refusal_says_why_in_the_customers_language(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "return_refund", "no_reason")

    service.refuse_case(db, case_id, "not_intact", actor=STAFF)

    case = case_of(db, case_id)
    assert (case.state, case.refusal_code) == (CaseState.REFUSED, "staff.not_intact")
    with pytest.raises(CaseIllegalTransition):
        service.approve_case(db, case_id, actor=STAFF)
    from orderflow.notify import context

    with db.read() as s:
        from sqlalchemy import select

        from orderflow.outbox import OutboxMessage
        row = s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "aftersales.refused")).one()
        facts = context.load(s, row.order_id)
        assert facts is not None
        zh = context.build(facts, row.payload, shop, language="zh-CN")
        en = context.build(facts, row.payload, shop, language="en")
    assert "商品已不完好" in zh["reason"]
    assert "no longer intact" in en["reason"]


@pytest.mark.clock
def test_a_no_reason_request_after_seven_days_from_the_day_after_signing_is_refused(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    clock.advance(timedelta(days=8))

    with pytest.raises(NotEligible) as refused:
        open_case(db, number, "return_refund", "no_reason")

    assert refused.value.fields[0].code == "window.no_reason"
    case_id = open_case(db, number, "return_refund", "quality_defective")  # 15 days for quality
    assert case_of(db, case_id).state is CaseState.REQUESTED


@pytest.mark.clock
def test_the_seventh_day_after_signing_is_still_in_time(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    clock.advance(timedelta(days=7))  # 14:30 on the 7th day after the day of signing

    case_id = open_case(db, number, "return_refund", "no_reason")

    assert case_of(db, case_id).state is CaseState.REQUESTED


def test_an_excluded_category_is_refused_for_no_reason_but_not_for_a_defect(db, shop):
    policy.set_policy(db, PolicyIn.model_validate({"exclusions": [
        {"kind": "sku", "value": "SKU-1", "reason": "hygiene"}]}), actor=STAFF)
    number = delivered(db, shop, [("SKU-1", 1)])

    with pytest.raises(NotEligible) as refused:
        open_case(db, number, "return_refund", "no_reason")

    assert refused.value.fields[0].code == "excluded.hygiene"
    assert open_case(db, number, "return_refund", "quality_defective")


def test_more_units_than_shipped_are_refused_naming_the_line(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    open_case(db, number, "return_refund", "quality_damaged", [("SKU-1", 1)])

    with pytest.raises(ValidationFailed) as refused:
        open_case(db, number, "return_refund", "quality_damaged", [("SKU-1", 1)])

    assert refused.value.fields[0].field == "lines[0].quantity"


def test_an_order_not_yet_shipped_has_no_after_sales(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)], path=("approved",))

    with pytest.raises(NotEligible) as refused:
        open_case(db, number, "return_refund", "no_reason")

    assert refused.value.code == "aftersales.not_shipped"


def test_a_refused_parcel_scanned_at_receiving_is_restocked_and_refunded(db, shop):
    number = delivered(db, shop, [("SKU-1", 2)], path=("approved", "allocated", "picking",
                                                       "packed", "shipped"))
    fulfilment.record_carrier_status(db, number, Status.EXCEPTION, actor=STAFF,
                                     reason="拒收")
    before = _on_hand(db, "SKU-1")

    case_id = receiving.receive(db, ReceiveIn(scan=f"SIM{number}"), actor=STAFF)

    case = case_of(db, case_id)
    assert (case.reason, case.state) == ("refused_delivery", CaseState.REFUNDING)
    assert _on_hand(db, "SKU-1") == before + 2
    assert lines_of(db, number)["SKU-1"].returned == 2
    service.refund_case(db, case_id, actor=STAFF)
    order = order_of(db, number)
    assert (order.refunded_minor, order.refund_due_minor) == (2000, 0)


def test_damaged_and_rejected_units_are_kept_apart_and_not_refunded(db, shop):
    number = delivered(db, shop, [("SKU-1", 3)])
    case_id = open_case(db, number, "return_refund", "quality_damaged", [("SKU-1", 3)])
    service.approve_case(db, case_id, actor=STAFF)

    receiving.receive(db, ReceiveIn.model_validate({"scan": number, "lines": [
        {"sku": "SKU-1", "sellable": 1, "damaged": 1, "rejected": 1,
         "reject_reason": "not our item"}]}), actor=STAFF)
    made = service.refund_case(db, case_id, actor=STAFF)

    assert made[0].amount == "20.00"
    assert _damaged(db, "SKU-1") == 1
    assert lines_of(db, number)["SKU-1"].returned == 2


def _number_of(db, order_id):
    from orderflow.orders.models import Order

    with db.read() as s:
        return s.get_one(Order, order_id).number


def _ship(db, number):
    fulfilment.allocate_order(db, number, actor=STAFF)
    fulfilment.start_picking(db, number, actor=STAFF)
    fulfilment.pack_order(db, number, actor=STAFF)
    fulfilment.ship_order(db, number, carrier="sim", tracking_number=f"SIM{number}", actor=STAFF)


def _level(db, sku):
    from sqlalchemy import func, select

    from orderflow.catalog.models import Sku
    from orderflow.inventory.models import StockLevel

    with db.read() as s:
        return s.execute(select(func.sum(StockLevel.on_hand), func.sum(StockLevel.damaged))
                         .join(Sku, Sku.id == StockLevel.sku_id).where(Sku.code == sku)).one()


def _on_hand(db, sku):
    return _level(db, sku)[0]


def _damaged(db, sku):
    return _level(db, sku)[1]


def test_why_stuck_names_the_open_case_then_the_refund_owed(db, shop):
    from orderflow.reports.stuck import why_stuck

    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "return_refund", "quality_damaged")

    def codes():
        with db.read() as s:
            from orderflow.orders import queries

            return [b.code for b in why_stuck(s, queries.get_order(s, number), shop.zone, "en")]

    assert codes() == ["case_requested"]
    service.approve_case(db, case_id, actor=STAFF)
    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    assert codes() == ["case_refunding"]
    service.refund_case(db, case_id, actor=STAFF)
    assert codes() == []


def test_the_station_finds_a_return_by_case_number_and_refuses_an_unknown_scan(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    case_id = open_case(db, number, "return_refund", "quality_damaged")
    service.approve_case(db, case_id, actor=STAFF)

    with pytest.raises(CaseNotFound) as unknown:
        receiving.receive(db, ReceiveIn(scan="YT0000000000"), actor=STAFF)
    found = receiving.receive(db, ReceiveIn(scan=f"{number}-r1"), actor=STAFF)

    assert unknown.value.code == "receiving.not_expected"
    assert found == case_id
