"""After-sales use cases: open, approve, refuse, withdraw, the customer's return waybill,
assign, refund a case, and the repair sent back. Receiving is in `receiving.py`.

Each use case is one transaction on the locked order; refunds are asked for after it
commits (`refunds.service.execute`), never inside it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.aftersales import lifecycle as case_lifecycle
from orderflow.aftersales import messages, policy, replacements, rules
from orderflow.aftersales.errors import CaseIllegalTransition, CaseNotFound, NotEligible
from orderflow.aftersales.models import (
    AftersalesCase,
    AftersalesLine,
    CaseState,
    CaseType,
    Refund,
    RefundState,
)
from orderflow.aftersales.refunds import service as refunds
from orderflow.aftersales.schemas import CaseIn, RefundOut
from orderflow.auth.models import StaffUser
from orderflow.catalog.models import Product, Sku
from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.logistics.models import CaseKind, ExceptionCase
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.numbering import allocator_for
from orderflow.orders.status import SHIPPED_OR_LATER
from orderflow.review.models import OrderReview
from orderflow.shipping import tracking_numbers

DEAD = (CaseState.REFUSED, CaseState.WITHDRAWN)
RESHIP_KINDS = (CaseKind.LOST, CaseKind.DAMAGED, CaseKind.DELIVERY_FAILED)


# --- look-ups ---------------------------------------------------------------------------


def get_case_for_change(s: Session, case_id: int) -> tuple[Order, AftersalesCase]:
    """The case and its order, the order locked first (one lock order for everyone)."""
    order_id = s.scalar(select(AftersalesCase.order_id).where(AftersalesCase.id == case_id))
    if order_id is None:
        raise CaseNotFound(f"no after-sales case {case_id}")
    number = s.scalar(select(Order.number).where(Order.id == order_id))
    order = queries.get_order_for_change(s, number or "")
    return order, s.get_one(AftersalesCase, case_id)  # read after the lock: current


def signed_at(s: Session, order_id: int) -> datetime | None:
    """签收: when the order was first recorded delivered."""
    return s.scalar(select(func.min(TimelineEvent.at))
                    .where(TimelineEvent.order_id == order_id,
                           TimelineEvent.to_status == "delivered"))


def taken_units(s: Session, order_id: int) -> dict[int, int]:
    """Units of each line already in a live or finished case."""
    rows = s.execute(select(AftersalesLine.order_line_id, func.sum(AftersalesLine.quantity))
                     .join(AftersalesCase, AftersalesCase.id == AftersalesLine.case_id)
                     .where(AftersalesCase.order_id == order_id,
                            AftersalesCase.state.not_in(DEAD))
                     .group_by(AftersalesLine.order_line_id))
    return {lid: int(n) for lid, n in rows}


def _is_vip(s: Session, order_id: int) -> bool:
    kind = s.scalar(select(OrderReview.customer_type).where(OrderReview.order_id == order_id))
    return kind == "vip"


# --- opening -----------------------------------------------------------------------------


def _lines(s: Session, order: Order, body: CaseIn) -> list[tuple[OrderLine, int, int | None]]:
    by_sku = {ln.sku_code: ln for ln in queries.lines_of(s, order.id)}
    taken = taken_units(s, order.id)
    problems: list[FieldProblem] = []
    out: list[tuple[OrderLine, int, int | None]] = []
    seen: set[str] = set()
    for i, item in enumerate(body.lines):
        line = by_sku.get(item.sku)
        if line is None or item.sku in seen:
            problems.append(FieldProblem(f"lines[{i}].sku", "aftersales.unknown_line",
                                         f"{item.sku} is not a line of order {order.number}"
                                         if line is None else f"{item.sku} is listed twice"))
            continue
        seen.add(item.sku)
        cap = (line.ordered - line.cancelled if body.type is CaseType.REFUND_ONLY
               else line.shipped)
        left = cap - taken.get(line.id, 0)
        if item.quantity > left:
            problems.append(FieldProblem(f"lines[{i}].quantity", "aftersales.quantity",
                                         f"at most {max(left, 0)} unit(s) of {item.sku} "
                                         "can still be claimed"))
        exchange: int | None = None
        if body.type is CaseType.EXCHANGE:
            code = item.exchange_sku or item.sku
            exchange = s.scalar(select(Sku.id).where(Sku.code == code, Sku.active.is_(True)))
            if exchange is None:
                problems.append(FieldProblem(f"lines[{i}].exchange_sku", "aftersales.unknown_sku",
                                             f"no active SKU {code}"))
        out.append((line, item.quantity, exchange))
    if problems:
        raise ValidationFailed(problems)
    return out


def _eligibility(s: Session, order: Order, body: CaseIn,
                 lines: list[tuple[OrderLine, int, int | None]], pv: rules.PolicyView,
                 settings: Settings) -> None:
    refusal = rules.window_refusal(pv, body.reason, signed_at(s, order.id), clock.utcnow(),
                                   settings.zone)
    found: list[tuple[str, rules.Refusal]] = [("reason", refusal)] if refusal else []
    for i, (line, _n, _x) in enumerate(lines):
        category = s.scalar(select(Product.category).join(Sku, Sku.product_id == Product.id)
                            .where(Sku.id == line.sku_id))
        hit = rules.exclusion_refusal(pv, body.reason, line.sku_code, category)
        if hit:
            found.append((f"lines[{i}].sku", hit))
    if found:
        problems = [FieldProblem(field, r.code, messages.render(r.code, dict(r.params), "en"))
                    for field, r in found]
        error = NotEligible("; ".join(p.message for p in problems), fields=problems)
        error.refusals = [r for _f, r in found]  # rendered in the reader's language
        raise error


def _prices(s: Session, order: Order) -> list[rules.LinePrice]:
    return [rules.LinePrice(ln.id, ln.unit_price_minor, ln.ordered - ln.cancelled)
            for ln in queries.lines_of(s, order.id)]


def _number(s: Session, order: Order) -> str:
    count = s.scalar(select(func.count()).where(AftersalesCase.order_id == order.id)) or 0
    return f"{order.number}-R{count + 1}"


def open_step(s: Session, order: Order, body: CaseIn, *, actor: Actor, settings: Settings,
              photos: list[dict[str, object]] | None = None) -> tuple[AftersalesCase, str | None]:
    """A step: the case, its lines, the 'request received' notice; returns the
    auto-approval rule that applies (the caller approves), or None."""
    if order.status not in SHIPPED_OR_LATER:
        raise NotEligible(f"order {order.number} has not shipped: cancel it or change its "
                          "lines instead", code="aftersales.not_shipped")
    row = policy.load(s)
    pv = policy.view(row)
    lines = _lines(s, order, body)
    if not (body.override_policy and actor.kind in ("staff", "api")):
        _eligibility(s, order, body, lines, pv, settings)
    now = clock.utcnow()
    case = AftersalesCase(number=_number(s, order), order_id=order.id, type=body.type,
                          reason=body.reason, state=CaseState.REQUESTED, version=1,
                          customer_note=body.note,
                          freight_payer=rules.freight_payer(pv, body.reason),
                          refund_shipping=body.refund_shipping, refund_minor=0,
                          photos=photos or [], opened_by=str(actor), opened_at=now,
                          due_at=now + timedelta(hours=rules.DUE_HOURS[CaseState.REQUESTED]),
                          updated_at=now)
    if body.type is CaseType.RESHIP:  # lost or damaged in transit: link the logistics case
        case.exception_case_id = s.scalar(
            select(ExceptionCase.id).where(ExceptionCase.order_id == order.id,
                                           ExceptionCase.kind.in_(RESHIP_KINDS))
            .order_by(ExceptionCase.id.desc()).limit(1))
    s.add(case)
    s.flush()
    for line, quantity, exchange in lines:
        s.add(AftersalesLine(case_id=case.id, order_line_id=line.id, quantity=quantity,
                             exchange_sku_id=exchange, sellable=0, damaged=0, rejected=0,
                             refund_minor=0))
    s.flush()
    estimate = sum(rules.prorate(_prices(s, order), {ln.id: q for ln, q, _ in lines},
                                 subtotal_minor=order.subtotal_minor,
                                 discount_minor=order.discount_minor).values())
    case_lifecycle.record(s, case, "case.requested", actor=actor,
                          data={"type": body.type.value, "reason": body.reason.value},
                          to_state=CaseState.REQUESTED)
    lifecycle.record(s, order, "aftersales.requested", actor=actor,
                     data={"case": case.number, "type": body.type.value})
    case_lifecycle.owe(s, order, case, "aftersales.requested")
    return case, rules.auto_approves(pv, body.type, estimate, _is_vip(s, order.id))


def open_case(db: Db, body: CaseIn, *, actor: Actor, settings: Settings | None = None,
              photos: list[dict[str, object]] | None = None) -> int:
    """Open a case (staff, API, or the customer's page); auto-approved when a policy rule
    says so (then a refund-only case is refunded at once)."""
    settings = settings or get_settings()
    numbers = _replacement_numbers(db, body.type, settings)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, body.order_number)
        case, rule = open_step(s, order, body, actor=actor, settings=settings, photos=photos)
        asks: list[refunds.Claimed] = []
        ids: list[int] = []
        if rule:
            case_lifecycle.record(s, case, "case.auto_approved", actor=SYSTEM,
                                  data={"rule": rule})
            made = approve_step(s, order, case, actor=SYSTEM, numbers=numbers, refund_now=True)
            asks, ids = refunds.claimed(s, made), [r.id for r in made]
        case_id = case.id
    if ids:
        refunds.execute_claimed(db, asks, ids)
    return case_id


# --- decisions ---------------------------------------------------------------------------


def _replacement_numbers(db: Db, case_type: CaseType, settings: Settings) -> list[str]:
    if case_type not in (CaseType.EXCHANGE, CaseType.RESHIP):
        return []
    return allocator_for(db, settings.timezone).take(1)


def _case_lines(s: Session, case: AftersalesCase) -> list[AftersalesLine]:
    return list(s.scalars(select(AftersalesLine).where(AftersalesLine.case_id == case.id)
                          .order_by(AftersalesLine.id)))


def approve_step(s: Session, order: Order, case: AftersalesCase, *, actor: Actor,
                 numbers: list[str], refund_now: bool = False) -> list[Refund]:
    """A step: approve; returns refunds (claimed) to ask for after commit."""
    to = rules.approved_state(case.type)
    row = policy.load(s)
    notice = {"vars": {"return_address": row.return_address,
                       "freight_payer": {lang: messages.render(
                           f"freight.{case.freight_payer.value}", {}, lang)
                           for lang in ("en", "zh-CN")}}}
    case_lifecycle.transition(s, order, case, to, actor=actor, kind="case.approved",
                              notice=notice)
    if case.type in (CaseType.EXCHANGE, CaseType.RESHIP):
        replacements.create_order(s, order, case, _case_lines(s, case), numbers[0],
                                  actor=actor, hold=case.type is CaseType.EXCHANGE)
    if to is CaseState.REFUNDING:
        units = {ln.order_line_id: ln.quantity for ln in _case_lines(s, case)}
        owe_refund(s, order, case, units, actor=actor)
        if refund_now:
            return refund_step(s, order, case, actor=actor)[0]
    return []


def approve_case(db: Db, case_id: int, *, actor: Actor, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    with db.read() as s:
        case_type = s.scalar(select(AftersalesCase.type).where(AftersalesCase.id == case_id))
    if case_type is None:
        raise CaseNotFound(f"no after-sales case {case_id}")
    numbers = _replacement_numbers(db, case_type, settings)
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        if case.state is not CaseState.REQUESTED:
            raise CaseIllegalTransition(f"case {case.number} is {case.state.value}; only a "
                                        "requested case is approved")
        approve_step(s, order, case, actor=actor, numbers=numbers)


def refuse_case(db: Db, case_id: int, code: str, *, actor: Actor, note: str | None = None) -> None:
    """Refuse with a reason code (rendered in the customer's language)."""
    if code not in rules.STAFF_REFUSALS:
        raise ValidationFailed([FieldProblem("code", "aftersales.refusal_code",
                                             f"choose from {list(rules.STAFF_REFUSALS)}")])
    if code == "other" and not (note or "").strip():
        raise ValidationFailed([FieldProblem("note", "required", "say why in a note")])
    full = f"staff.{code}"
    params = {"note": (note or "").strip()}
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        case.refusal_code, case.refusal_note = full, note
        case_lifecycle.transition(s, order, case, CaseState.REFUSED, actor=actor,
                                  kind="case.refused",
                                  data={"code": full, "params": params},
                                  notice={"reason_i18n": messages.both(full, params)})


def withdraw_case(db: Db, case_id: int, *, actor: Actor) -> None:
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        if case.replacement_order_id is not None:
            raise CaseIllegalTransition(f"case {case.number} has a replacement order; "
                                        "cancel that order first")
        case_lifecycle.transition(s, order, case, CaseState.WITHDRAWN, actor=actor,
                                  kind="case.withdrawn")


def return_shipped(db: Db, case_id: int, carrier: str, tracking_number: str, *,
                   actor: Actor) -> list[str]:
    """The customer typed their return waybill: checked against the carrier's format
    (a wrong check digit is refused; other doubts are returned as warnings)."""
    plain = tracking_numbers.normalise(tracking_number)
    code = carrier.strip().upper()
    checked = tracking_numbers.check_cn(plain, code)
    warnings = [w.message for w in checked.warnings]
    if not checked.accepted or len(plain) < 6:
        raise ValidationFailed([FieldProblem("tracking_number", "tracking.format",
                                             "; ".join(warnings) or
                                             f"not a {code} tracking number")])
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        case.return_carrier, case.return_tracking_number = code, plain
        order.search_text = f"{order.search_text} {plain.lower()}"
        case_lifecycle.transition(s, order, case, CaseState.IN_TRANSIT_BACK, actor=actor,
                                  kind="case.return_shipped",
                                  data={"carrier": code, "tracking_number": plain})
    return warnings


def assign_case(db: Db, case_id: int, owner: str | None, *, actor: Actor) -> None:
    with db.transaction() as s:
        _order, case = get_case_for_change(s, case_id)
        user = None
        if owner:
            user = s.scalars(select(StaffUser).where(StaffUser.username == owner,
                                                     StaffUser.active.is_(True))).first()
            if user is None:
                raise ValidationFailed([FieldProblem("owner", "owner.unknown",
                                                     f"no active staff user '{owner}'")])
        case.owner_id = user.id if user else None
        case_lifecycle.record(s, case, "case.assigned", actor=actor,
                              data={"owner": user.username if user else "-"})


# --- money -------------------------------------------------------------------------------


def owe_refund(s: Session, order: Order, case: AftersalesCase, units: dict[int, int], *,
               actor: Actor) -> int:
    """A step: what the case owes back (prorated lines; shipping when chosen or when every
    unit has come back: then all that was paid less refunded), recorded as owed."""
    prices = _prices(s, order)
    per_line = rules.prorate(prices, units, subtotal_minor=order.subtotal_minor,
                             discount_minor=order.discount_minor)
    lines = queries.lines_of(s, order.id)
    before = {ln.id: ln.refunded + ln.exchanged for ln in lines}
    amount = sum(per_line.values())
    if rules.everything_back(prices, before, units):
        amount = max(0, order.paid_minor - order.refunded_minor - _owed_elsewhere(s, order))
    elif case.refund_shipping:
        amount += order.shipping_minor
    for item in _case_lines(s, case):
        item.refund_minor = per_line.get(item.order_line_id, 0)
    case.refund_minor = amount
    if amount > 0:
        order.refund_due_minor += amount
        lifecycle.record(s, order, "refund.owed", actor=actor, reason="after-sales",
                         data={"amount_minor": amount, "case": case.number})
    return amount


def _owed_elsewhere(s: Session, order: Order) -> int:
    """Case refunds owed or pending on this order, not yet succeeded (other cases)."""
    return int(s.scalar(select(func.coalesce(func.sum(AftersalesCase.refund_minor), 0))
                        .where(AftersalesCase.order_id == order.id,
                               AftersalesCase.state == CaseState.REFUNDING)) or 0)


def refund_step(s: Session, order: Order, case: AftersalesCase, *,
                actor: Actor) -> tuple[list[Refund], bool]:
    """A step: the case's refund rows, once, claimed for an ask right after commit
    (True); a second call finds the live ones (False) and must not ask again."""
    live = list(s.scalars(select(Refund).where(Refund.case_id == case.id,
                                               Refund.state != RefundState.FAILED)))
    if live:
        return live, False
    if case.state is not CaseState.REFUNDING:
        raise CaseIllegalTransition(f"case {case.number} is {case.state.value}; nothing to "
                                    "refund")
    if case.refund_minor <= 0:
        case_lifecycle.transition(s, order, case, CaseState.CLOSED, actor=actor,
                                  kind="case.closed")
        return [], True
    returned = case.type is CaseType.RETURN_REFUND
    units = {ln.order_line_id: (ln.sellable + ln.damaged) if returned else ln.quantity
             for ln in _case_lines(s, case)}
    rows = refunds.create(s, order, case.refund_minor, actor=actor, reason="aftersales",
                          case=case, units={k: v for k, v in units.items() if v > 0},
                          shipping_minor=order.shipping_minor if case.refund_shipping else 0,
                          claim=True)
    for row in rows:
        case_lifecycle.record(s, case, "case.refund_requested", actor=actor,
                              data={"amount": money.to_str(row.amount_minor, row.currency)})
    return rows, True


def refund_case(db: Db, case_id: int, *, actor: Actor) -> list[RefundOut]:
    """Refund a case; two people pressing Refund at once make one refund."""
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        rows, new = refund_step(s, order, case, actor=actor)
        asks, ids = (refunds.claimed(s, rows) if new else []), [r.id for r in rows]
    if new:
        return refunds.execute_claimed(db, asks, ids)
    return refunds.execute_all(db, ids)  # someone else's: asks only if its lease ran out


def ship_repair(db: Db, case_id: int, carrier: str, tracking_number: str, *,
                actor: Actor) -> None:
    """A repaired item goes back to the customer: its tracking number closes the case."""
    with db.transaction() as s:
        order, case = get_case_for_change(s, case_id)
        if case.type is not CaseType.REPAIR or case.state is not CaseState.REPLACEMENT:
            raise CaseIllegalTransition(f"case {case.number}: only a received repair is sent "
                                        "back")
        replacements.tell_shipped(s, order, case, carrier=carrier.strip().upper(),
                                  tracking_number=tracking_numbers.normalise(tracking_number),
                                  actor=actor)

