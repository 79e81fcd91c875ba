"""Refund use cases. The pattern of waybills: the refund row (pending, with its
`request_no`) and the hold on the payment commit first; the provider is asked with no
transaction open; the answer is recorded in a second transaction. A refund whose first
ask timed out is asked for again by `request_no` (find) before any new request, so the
provider refunds once. Holds are conditional updates on the payment
(`amount_minor - refunded_minor >= :amount`), backed by a CHECK constraint.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.aftersales import lifecycle as case_lifecycle
from orderflow.aftersales.errors import RefundExceedsPaid, RefundNotFound
from orderflow.aftersales.models import AftersalesCase, CaseState, Refund, RefundState
from orderflow.aftersales.refunds import providers
from orderflow.aftersales.refunds.providers import (
    ProviderRefused,
    ProviderUnavailable,
    RefundAnswer,
    RefundRequest,
)
from orderflow.aftersales.schemas import RefundIn, RefundOut
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, ValidationFailed
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order
from orderflow.payments.models import Payment, PaymentState

BACKOFF_S = (30, 120, 600, 1800, 3600)
LEASE_S = 60  # one ask at a time; a provider call is bounded well below this


def refund_out(r: Refund, order_number: str, case_number: str | None) -> RefundOut:
    return RefundOut(id=r.id, request_no=r.request_no, order_number=order_number,
                     case_number=case_number, provider=r.provider, state=r.state.value,
                     amount=money.to_str(r.amount_minor, r.currency),
                     shipping=money.to_str(r.shipping_minor, r.currency), currency=r.currency,
                     reason=r.reason, provider_ref=r.provider_ref, attempts=r.attempts,
                     last_error=r.last_error, failure_code=r.failure_code,
                     created_by=r.created_by, created_at=r.created_at, settled_at=r.settled_at)


def refundable(s: Session, order_id: int) -> int:
    """Paid less refunded (pending refunds hold their amount)."""
    total = s.scalar(select(func.coalesce(func.sum(Payment.amount_minor - Payment.refunded_minor),
                                          0))
                     .where(Payment.order_id == order_id,
                            Payment.state == PaymentState.SUCCEEDED))
    return int(total or 0)


def _hold(s: Session, order: Order, amount: int) -> list[tuple[Payment, int]]:
    """Draw `amount` from the order's payments (money the order did not need first)."""
    payments = list(s.scalars(select(Payment).where(Payment.order_id == order.id,
                                                    Payment.state == PaymentState.SUCCEEDED)
                              .order_by(Payment.owed_back.desc(), Payment.id)))
    left = sum(p.amount_minor - p.refunded_minor for p in payments)
    if amount > left:
        raise RefundExceedsPaid(
            f"order {order.number}: a refund of {money.to_str(amount, order.currency)} exceeds "
            f"what was paid less refunded ({money.to_str(left, order.currency)})",
            fields=[FieldProblem("amount", "refund.exceeds_refundable",
                                 f"at most {money.to_str(left, order.currency)}")])
    taken: list[tuple[Payment, int]] = []
    for payment in payments:
        if amount <= 0:
            break
        part = min(amount, payment.amount_minor - payment.refunded_minor)
        if part <= 0:
            continue
        done = s.execute(update(Payment)
                         .where(Payment.id == payment.id,
                                Payment.amount_minor - Payment.refunded_minor >= part)
                         .values(refunded_minor=Payment.refunded_minor + part)
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise RefundExceedsPaid(f"order {order.number}: the payment was refunded "
                                    "concurrently; reload and retry")
        s.refresh(payment)
        taken.append((payment, part))
        amount -= part
    return taken


def create(s: Session, order: Order, amount: int, *, actor: Actor, reason: str,
           case: AftersalesCase | None = None, units: dict[int, int] | None = None,
           shipping_minor: int = 0, note: str | None = None,
           claim: bool = False) -> list[Refund]:
    """A step: pending refund rows (one per payment drawn on), committed with the caller's
    transaction. A refund beyond what is owed first records the extra as owed. `claim`:
    the first ask is counted (and leased) in this same transaction, for the caller to
    make right after commit with `execute_claimed`."""
    if amount <= 0:
        raise ValidationFailed([FieldProblem("amount", "money.not_positive", "must be positive")])
    taken = _hold(s, order, amount)
    if amount > order.refund_due_minor:
        extra = amount - order.refund_due_minor
        order.refund_due_minor += extra
        lifecycle.record(s, order, "refund.owed", actor=actor, reason=reason,
                         data={"amount_minor": extra})
    now = clock.utcnow()
    rows: list[Refund] = []
    shipping_left = shipping_minor
    for i, (payment, part) in enumerate(taken):
        ship = min(shipping_left, part)
        shipping_left -= ship
        row = Refund(request_no=f"RF{now:%y%m%d}{uuid.uuid4().hex[:20].upper()}",
                     order_id=order.id, payment_id=payment.id,
                     case_id=case.id if case else None,
                     provider=(name := providers.for_method(payment.method.value)),
                     state=RefundState.PENDING, amount_minor=part, shipping_minor=ship,
                     currency=order.currency, reason=reason, note=note,
                     units={str(k): v for k, v in (units or {}).items()} if i == 0 else {},
                     attempts=1 if claim and name != "manual" else 0,
                     next_attempt_at=now + timedelta(seconds=LEASE_S) if claim else now,
                     created_by=str(actor), created_at=now)
        s.add(row)
        rows.append(row)
    s.flush()
    for row in rows:
        lifecycle.record(s, order, "refund.requested", actor=actor, reason=reason,
                         data={"refund_id": row.id, "amount": money.to_str(row.amount_minor,
                                                                           row.currency),
                               "provider": row.provider})
    return rows


# --- asking the provider (no transaction open) -------------------------------------------


def _request(s: Session, refund: Refund) -> RefundRequest:
    order = s.get(Order, refund.order_id)
    payment = s.get(Payment, refund.payment_id)
    assert order is not None
    assert payment is not None
    return RefundRequest(request_no=refund.request_no, order_number=order.number,
                         trade_ref=payment.external_ref,
                         amount=money.to_str(refund.amount_minor, refund.currency),
                         currency=refund.currency, reason=refund.reason)


@dataclass(frozen=True)
class Claimed:
    refund_id: int
    request: RefundRequest
    provider: str


def claimed(s: Session, rows: Sequence[Refund]) -> list[Claimed]:
    """The requests of rows made with `claim=True` (manual ones wait for staff)."""
    return [Claimed(r.id, _request(s, r), r.provider) for r in rows if r.provider != "manual"]


def execute_claimed(db: Db, asks: Sequence[Claimed], ids: Sequence[int]) -> list[RefundOut]:
    """Ask the provider for refunds claimed when they were made (no retry: first ask)."""
    for ask in asks:
        _ask(db, ask.refund_id, ask.request, ask.provider, retry=False)
    return [get_refund(db, i) for i in ids]


def _ask(db: Db, refund_id: int, request: RefundRequest, name: str, *, retry: bool) -> None:
    provider = providers.get(name)
    try:
        answer = (provider.find(request) if retry else None) or provider.refund(request)
    except ProviderUnavailable as exc:
        _postpone(db, refund_id, str(exc))
    except ProviderRefused as exc:
        _settle(db, refund_id, request.order_number, None, failure=(exc.code, str(exc)),
                actor=SYSTEM)
    else:
        _settle(db, refund_id, request.order_number, answer, actor=SYSTEM)


def _claim(db: Db, refund_id: int, *, force: bool) -> tuple[RefundRequest, str, bool] | None:
    """Count the attempt BEFORE asking, so a crash after the provider answered is a retry
    that looks the refund up first. The attempt holds a short lease (`next_attempt_at`):
    a second caller meanwhile (another person pressing Refund, the worker) does not ask
    again. None: nothing to ask (settled, manual, or being asked right now)."""
    now = clock.utcnow()
    with db.transaction() as s:
        refund = s.get(Refund, refund_id)
        if refund is None:
            raise RefundNotFound(f"no refund {refund_id}")
        if refund.state is not RefundState.PENDING or refund.provider == "manual":
            return None
        leased = refund.next_attempt_at is not None and refund.next_attempt_at > now
        if refund.attempts > 0 and leased and not force:
            return None
        retry = refund.attempts > 0
        done = s.execute(update(Refund).where(Refund.id == refund_id,
                                              Refund.attempts == refund.attempts,
                                              Refund.state == RefundState.PENDING)
                         .values(attempts=Refund.attempts + 1,
                                 next_attempt_at=now + timedelta(seconds=LEASE_S))
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another worker asks right now
        return _request(s, refund), refund.provider, retry


def execute(db: Db, refund_id: int, *, force: bool = False) -> RefundOut:
    """Ask the provider for one pending refund and record the answer. Safe to call again
    at any time: a settled refund is returned as it is; `force` (staff pressing Retry)
    asks again before the back-off ends."""
    found = _claim(db, refund_id, force=force)
    if found is not None:
        request, name, retry = found
        _ask(db, refund_id, request, name, retry=retry)
    return get_refund(db, refund_id)


def _postpone(db: Db, refund_id: int, error: str) -> None:
    with db.transaction() as s:
        refund = s.get(Refund, refund_id)
        assert refund is not None
        wait = BACKOFF_S[min(refund.attempts, len(BACKOFF_S)) - 1]
        refund.last_error = error[:500]
        refund.next_attempt_at = clock.utcnow() + timedelta(seconds=wait)


def _settle(db: Db, refund_id: int, order_number: str, answer: RefundAnswer | None, *,
            actor: Actor, failure: tuple[str, str] | None = None) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, order_number)  # the order first, then the row
        refund = s.get(Refund, refund_id)
        assert refund is not None
        record_result(s, order, refund, answer, actor=actor, failure=failure)


def _number(s: Session, order_id: int) -> str:
    number = s.scalar(select(Order.number).where(Order.id == order_id))
    assert number is not None
    return number


def record_result(s: Session, order: Order, refund: Refund, answer: RefundAnswer | None, *,
                  actor: Actor, failure: tuple[str, str] | None = None) -> bool:
    """A step: the provider's answer, once (a compare-and-set on the pending state)."""
    now = clock.utcnow()
    state = RefundState.FAILED if failure else RefundState.SUCCEEDED
    done = s.execute(update(Refund).where(Refund.id == refund.id,
                                          Refund.state == RefundState.PENDING)
                     .values(state=state, settled_at=now,
                             provider_ref=answer.provider_ref if answer else None,
                             failure_code=failure[0] if failure else None,
                             last_error=failure[1][:500] if failure else refund.last_error)
                     .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    s.refresh(refund)
    amount = money.to_str(refund.amount_minor, refund.currency)
    case = s.get(AftersalesCase, refund.case_id) if refund.case_id else None
    if failure:
        s.execute(update(Payment).where(Payment.id == refund.payment_id)
                  .values(refunded_minor=Payment.refunded_minor - refund.amount_minor)
                  .execution_options(synchronize_session=False))
        lifecycle.record(s, order, "refund.failed", actor=actor, reason=failure[1][:200],
                         data={"refund_id": refund.id, "amount": amount, "code": failure[0]})
        if case:
            case_lifecycle.record(s, case, "case.refund_failed", actor=actor,
                                  data={"amount": amount, "error": failure[1][:200]})
        return True
    order.refunded_minor += refund.amount_minor
    order.refund_due_minor = max(0, order.refund_due_minor - refund.amount_minor)
    _refund_units(s, order, {int(k): v for k, v in (refund.units or {}).items()})
    lifecycle.record(s, order, "refund.succeeded", actor=actor,
                     data={"refund_id": refund.id, "amount": amount,
                           "provider": refund.provider, "provider_ref": refund.provider_ref})
    lifecycle.owe(s, order, "order.refund_issued",
                  {"amount": amount, "method": refund.provider, "refund_id": refund.id,
                   "case_number": case.number if case else None, "reason": refund.reason},
                  key_suffix=f":{refund.id}")
    if case:
        case_lifecycle.record(s, case, "case.refund_succeeded", actor=actor,
                              data={"amount": amount})
        _close_if_refunded(s, order, case, actor=actor)
    return True


def _refund_units(s: Session, order: Order, units: dict[int, int]) -> None:
    if not units:
        return
    for line in queries.lines_of(s, order.id):
        if line.id in units:
            line.refunded += units[line.id]


def _close_if_refunded(s: Session, order: Order, case: AftersalesCase, *, actor: Actor) -> None:
    pending = s.scalar(select(func.count()).where(Refund.case_id == case.id,
                                                  Refund.state == RefundState.PENDING))
    if case.state is CaseState.REFUNDING and not pending:
        case_lifecycle.transition(s, order, case, CaseState.CLOSED, actor=actor,
                                  kind="case.closed")


# --- use cases -----------------------------------------------------------------------


def get_refund(db: Db, refund_id: int) -> RefundOut:
    with db.read() as s:
        refund = s.get(Refund, refund_id)
        if refund is None:
            raise RefundNotFound(f"no refund {refund_id}")
        case = s.get(AftersalesCase, refund.case_id) if refund.case_id else None
        return refund_out(refund, _number(s, refund.order_id), case.number if case else None)


def list_refunds(db: Db, *, order_number: str | None = None, state: str | None = None,
                 limit: int = 100) -> list[RefundOut]:
    with db.read() as s:
        stmt = (select(Refund, Order.number, AftersalesCase.number)
                .join(Order, Order.id == Refund.order_id)
                .outerjoin(AftersalesCase, AftersalesCase.id == Refund.case_id)
                .order_by(Refund.id.desc()).limit(limit))
        if order_number:
            stmt = stmt.where(Order.id == queries.get_order(s, order_number).id)
        if state:
            stmt = stmt.where(Refund.state == state)
        return [refund_out(r, n, c) for r, n, c in s.execute(stmt)]


def execute_all(db: Db, ids: Sequence[int]) -> list[RefundOut]:
    return [execute(db, i) for i in ids]


def refund_order(db: Db, body: RefundIn, *, actor: Actor) -> list[RefundOut]:
    """Refund what an order owes (cancelled, reduced, paid twice), or a given amount."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, body.order_number)
        if body.amount is None:
            amount = order.refund_due_minor - _pending(s, order.id)
            if amount <= 0:
                raise Conflict(f"order {order.number} owes no refund", code="refund.nothing_owed")
        else:
            try:
                amount = money.to_minor(body.amount, order.currency)
            except money.MoneyError as exc:
                raise ValidationFailed([FieldProblem("amount", "money.invalid", str(exc))]) \
                    from exc
        rows = create(s, order, amount, actor=actor, reason=body.reason, note=body.note,
                      claim=True)
        asks, ids = claimed(s, rows), [r.id for r in rows]
    return execute_claimed(db, asks, ids)


def _pending(s: Session, order_id: int) -> int:
    return int(s.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0))
                        .where(Refund.order_id == order_id,
                               Refund.state == RefundState.PENDING)) or 0)


def confirm_manual(db: Db, refund_id: int, reference: str, *, actor: Actor) -> RefundOut:
    """Staff made the refund in the payment back office: record it with its reference."""
    with db.transaction() as s:
        refund = s.get(Refund, refund_id)
        if refund is None:
            raise RefundNotFound(f"no refund {refund_id}")
        if refund.state is not RefundState.PENDING:
            raise Conflict(f"refund {refund_id} is already {refund.state.value}",
                           code="refund.settled")
        order = queries.get_order_for_change(s, _number(s, refund.order_id))
        amount = money.to_str(refund.amount_minor, refund.currency)
        record_result(s, order, refund, RefundAnswer(reference.strip(), amount), actor=actor)
    return get_refund(db, refund_id)


def execute_due(db: Db, *, limit: int = 100) -> int:
    """The worker's job: ask again for pending refunds whose time has come."""
    with db.read() as s:
        ids = list(s.scalars(select(Refund.id).where(Refund.state == RefundState.PENDING,
                                                     Refund.provider != "manual",
                                                     Refund.next_attempt_at <= clock.utcnow())
                             .order_by(Refund.id).limit(limit)))
    for refund_id in ids:
        execute(db, refund_id, force=True)
    return len(ids)


def settle_owed(db: Db, *, limit: int = 100) -> int:
    """The worker's job: refund what orders owe outside after-sales cases (a paid order
    cancelled, lines reduced, a payment the order did not need). An order with a failed
    refund waits for staff."""
    with db.read() as s:
        numbers = list(s.scalars(select(Order.number).where(Order.refund_due_minor > 0)
                                 .order_by(Order.id).limit(limit)))
    made = 0
    for number in numbers:
        with db.transaction() as s:
            order = queries.get_order_for_change(s, number)
            failed = s.scalar(select(func.count()).where(Refund.order_id == order.id,
                                                         Refund.state == RefundState.FAILED))
            owed = order.refund_due_minor - _pending(s, order.id) - _owed_by_cases(s, order.id)
            owed = min(owed, refundable(s, order.id))
            if failed or owed <= 0:
                continue
            rows = create(s, order, owed, actor=SYSTEM, reason="owed", claim=True)
            asks, ids = claimed(s, rows), [r.id for r in rows]
        execute_claimed(db, asks, ids)
        made += 1
    return made


def _owed_by_cases(s: Session, order_id: int) -> int:
    """Money owed for cases still waiting for a person to press Refund."""
    cases = s.scalars(select(AftersalesCase).where(AftersalesCase.order_id == order_id,
                                                   AftersalesCase.state == CaseState.REFUNDING))
    owed = 0
    for case in cases:
        paid = s.scalar(select(func.coalesce(func.sum(Refund.amount_minor), 0))
                        .where(Refund.case_id == case.id, Refund.state != RefundState.FAILED))
        owed += max(0, case.refund_minor - int(paid or 0))
    return owed


