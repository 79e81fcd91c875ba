"""Refunds on both databases: prorating, partial then full, the ceiling (use case and
database), the race of two staff, Alipay's wire format with a timeout, owed refunds."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from orderflow.aftersales import receiving, service
from orderflow.aftersales.errors import RefundExceedsPaid
from orderflow.aftersales.models import CaseState, RefundState
from orderflow.aftersales.refunds import providers
from orderflow.aftersales.refunds import service as refunds
from orderflow.aftersales.refunds.alipay import AlipayProvider
from orderflow.aftersales.schemas import ReceiveIn, RefundIn
from orderflow.orders import service as orders
from orderflow.payments.models import Payment
from tests.builders.orders import make_catalog
from tests.fakes.alipay import FakeAlipay, new_key
from tests.fakes.server import serve
from tests.integration.aftersales.helpers import (
    STAFF,
    case_of,
    delivered,
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


def _returned(db, number, units):
    case_id = open_case(db, number, "return_refund", "quality_damaged", units)
    service.approve_case(db, case_id, actor=STAFF)
    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    return case_id


def test_partial_then_full_refund_prorates_the_discount_and_returns_shipping_last(db, shop):
    # 3 x 10.00 + 6.00 shipping - 3.00 discount = 33.00 paid
    number = delivered(db, shop, [("SKU-1", 3)], shipping="6.00", discount="3.00")

    first = service.refund_case(db, _returned(db, number, [("SKU-1", 1)]), actor=STAFF)
    second = service.refund_case(db, _returned(db, number, [("SKU-1", 2)]), actor=STAFF)

    assert first[0].amount == "9.00"  # 10.00 less its third of the discount
    assert second[0].amount == "24.00"  # everything back: all that is left, shipping included
    order = order_of(db, number)
    assert (order.refunded_minor, order.refund_due_minor) == (3300, 0)
    assert lines_of(db, number)["SKU-1"].refunded == 3


def test_shipping_is_refunded_when_the_merchant_chooses(db, shop):
    number = delivered(db, shop, [("SKU-1", 2)], shipping="6.00")

    case_id = open_case(db, number, "return_refund", "wrong_item", [("SKU-1", 1)],
                        refund_shipping=True)
    service.approve_case(db, case_id, actor=STAFF)
    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    made = service.refund_case(db, case_id, actor=STAFF)

    assert (made[0].amount, made[0].shipping) == ("16.00", "6.00")


def test_a_refund_above_paid_less_refunded_is_refused_and_nothing_is_written(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    refunds.refund_order(db, RefundIn(order_number=number, amount="4.00", reason="goodwill"),
                         actor=STAFF)

    with pytest.raises(RefundExceedsPaid) as refused:
        refunds.refund_order(db, RefundIn(order_number=number, amount="6.01",
                                          reason="goodwill"), actor=STAFF)

    assert refused.value.fields[0].field == "amount"
    assert "6.00" in refused.value.fields[0].message
    assert len(refunds_of(db, number)) == 1
    assert payments_of(db, number)[0].refunded_minor == 400


def test_the_database_refuses_a_payment_refunded_beyond_its_amount(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)])
    payment_id = payments_of(db, number)[0].id

    with pytest.raises(IntegrityError), db.transaction() as s:
        s.execute(update(Payment).where(Payment.id == payment_id)
                  .values(refunded_minor=Payment.amount_minor + 1))


def test_the_database_refuses_more_returned_than_shipped(db, shop):
    delivered(db, shop, [("SKU-1", 1)])

    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE order_lines SET returned = shipped + 1 WHERE sku_code = 'SKU-1'"))


class CountingProvider(providers.SimulatedProvider):
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def refund(self, request):
        with self.lock:
            self.asked.append(request.request_no)
        return super().refund(request)


def test_two_staff_refunding_one_case_at_the_same_moment_make_one_refund(db, shop):
    counting = CountingProvider()
    providers.use("simulated", counting)
    number = delivered(db, shop, [("SKU-1", 2)])
    case_id = _returned(db, number, [("SKU-1", 2)])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def press() -> None:
        barrier.wait()
        try:
            results.append(service.refund_case(db, case_id, actor=STAFF))
        except Exception as exc:  # the loser may see a conflict; never a second refund
            errors.append(exc)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(refunds_of(db, number)) == 1
    assert len(counting.asked) == 1
    assert order_of(db, number).refunded_minor == 2000
    assert case_of(db, case_id).state is CaseState.CLOSED
    assert all(getattr(e, "http_status", 0) == 409 for e in errors)


@pytest.fixture
def alipay():
    app_key, alipay_key = new_key(), new_key()
    fake = FakeAlipay(app_id="2021000000000001", app_public_key=app_key.public_key(),
                      alipay_key=alipay_key)
    with serve(fake) as url:
        providers.use("alipay", AlipayProvider(fake.app_id, app_key, alipay_key.public_key(),
                                               gateway=url, timeout_s=0.5))
        yield fake


def _trade(db, number, fake):
    payment = payments_of(db, number)[0]
    fake.trades[payment.external_ref] = Decimal(payment.amount_minor) / 100


def test_a_refund_retried_after_an_alipay_timeout_is_made_once(db, shop, alipay):
    number = delivered(db, shop, [("SKU-1", 2)])
    _trade(db, number, alipay)
    alipay.timeouts = 1  # Alipay refunds, but the answer comes too late
    case_id = _returned(db, number, [("SKU-1", 2)])

    first = service.refund_case(db, case_id, actor=STAFF)
    assert first[0].state == "pending"
    assert "did not answer" in (first[0].last_error or "")

    again = refunds.execute(db, first[0].id, force=True)  # staff press Retry

    assert again.state == "succeeded"
    assert len(alipay.refunds) == 1
    assert alipay.calls == ["alipay.trade.refund", "alipay.trade.fastpay.refund.query"]
    assert order_of(db, number).refund_due_minor == 0
    assert case_of(db, case_id).state is CaseState.CLOSED


def test_alipay_refusing_a_refund_fails_it_and_releases_the_payment(db, shop, alipay):
    number = delivered(db, shop, [("SKU-1", 1)])
    _trade(db, number, alipay)
    alipay.refuse_with = "ACQ.SELLER_BALANCE_NOT_ENOUGH"

    made = refunds.refund_order(db, RefundIn(order_number=number, amount="10.00",
                                             reason="goodwill"), actor=STAFF)

    assert (made[0].state, made[0].failure_code) == ("failed", "ACQ.SELLER_BALANCE_NOT_ENOUGH")
    assert payments_of(db, number)[0].refunded_minor == 0
    assert order_of(db, number).refund_due_minor == 1000  # still owed


def test_alipay_answers_with_a_bad_signature_are_not_believed(db, shop, alipay):
    number = delivered(db, shop, [("SKU-1", 1)])
    _trade(db, number, alipay)
    alipay.alipay_key = new_key()  # someone else signs

    made = refunds.refund_order(db, RefundIn(order_number=number, amount="10.00"),
                                actor=STAFF)

    assert made[0].state == "pending"
    assert "bad signature" in (made[0].last_error or "")


def test_a_cancelled_paid_order_is_refunded_through_the_same_path(db, shop):
    number = delivered(db, shop, [("SKU-1", 1)], path=("approved",))
    orders.cancel_order(db, number, actor=STAFF, reason="customer asked")
    assert order_of(db, number).refund_due_minor == 1000

    assert refunds.settle_owed(db) == 1

    order = order_of(db, number)
    assert (order.refund_due_minor, order.refunded_minor) == (0, 1000)
    assert [r.reason for r in refunds_of(db, number)] == ["owed"]


def test_a_manual_refund_waits_for_the_back_office_reference(db, shop, monkeypatch):
    monkeypatch.setenv("ORDERFLOW_REFUND_PROVIDER", "manual")
    number = delivered(db, shop, [("SKU-1", 1)])

    made = refunds.refund_order(db, RefundIn(order_number=number, amount="10.00"), actor=STAFF)
    assert made[0].state == "pending"
    done = refunds.confirm_manual(db, made[0].id, "2026120722001", actor=STAFF)

    assert (done.state, done.provider_ref) == ("succeeded", "2026120722001")
    assert refunds_of(db, number)[0].state is RefundState.SUCCEEDED
