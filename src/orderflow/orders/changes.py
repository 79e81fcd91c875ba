"""Changes before shipping (改地址 / 改商品): the recipient and address, the lines
and quantities. Holds, releases and cancellation are in `orders.service`.

Every change re-validates what it touches, writes one timeline row with what was
there before, and sends the order back through review. Once an order has shipped,
a change is refused with a reason that points to after-sales.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from orderflow import clock, money, text
from orderflow.db import Db
from orderflow.errors import FieldProblem, IllegalTransition, ValidationFailed
from orderflow.inventory import service as inventory
from orderflow.orders import lifecycle, placement, queries, rules
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.relations import OrderMerge
from orderflow.orders.schemas import LineIn, Strict
from orderflow.orders.status import SHIPPED_OR_LATER, Status
from orderflow.outbox import OutboxMessage

S = Status
# Lines can change until the warehouse has the stock in hand; the address until it ships.
LINES_EDITABLE = frozenset({S.PENDING_PAYMENT, S.PAID, S.AWAITING_REVIEW, S.APPROVED, S.ON_HOLD})
ADDRESS_EDITABLE = LINES_EDITABLE | {S.ALLOCATED, S.PICKING, S.PACKED}
REVIEWABLE = frozenset({S.PAID, S.AWAITING_REVIEW, S.APPROVED})

# The review step to run after a change: `review.service.review_order(s, order, actor)`.
# The review domain sits above orders, so entry points pass it in.
Reviewer = Callable[[Session, Order, Actor], Any]


class AddressChangeIn(Strict):
    recipient_name: Annotated[str, Field(max_length=120)] | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)] | None = None
    province: Annotated[str, Field(max_length=64)] | None = None
    city: Annotated[str, Field(max_length=64)] | None = None
    district: Annotated[str, Field(max_length=64)] | None = None
    detail: Annotated[str, Field(max_length=300)] | None = None
    postal_code: Annotated[str, Field(max_length=16)] | None = None
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class LinesChangeIn(Strict):
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=500)]
    reason: Annotated[str, Field(min_length=1, max_length=500)]


def refuse_unless(order: Order, allowed: frozenset[Status], what: str) -> None:
    """A clear refusal: after shipping, after-sales; while in the warehouse, hold first."""
    if order.status in SHIPPED_OR_LATER:
        raise IllegalTransition(
            f"order {order.number} has shipped; its {what} can no longer be changed here. "
            "Open an after-sales case (return, exchange or re-delivery) instead",
            code="order.already_shipped")
    if order.status is S.CANCELLED:
        raise IllegalTransition(f"order {order.number} is cancelled; nothing can be changed",
                                code="order.closed")
    if order.status not in allowed and not (
            order.status is S.ON_HOLD and order.hold_resume_status in allowed):
        raise IllegalTransition(
            f"order {order.number} is {order.status.value}: the warehouse already has its "
            f"stock; its {what} can no longer be changed", code="order.in_fulfilment")


# --- the recipient and the address -------------------------------------------------

ADDRESS_FIELDS = ("country", "province", "city", "district", "detail", "postal_code")


def _current_address(order: Order) -> dict[str, str | None]:
    return {"recipient_name": order.recipient_name, "phone": order.recipient_phone,
            "country": order.country, "province": order.province, "city": order.city,
            "district": order.district, "detail": order.address_detail,
            "postal_code": order.postal_code}


def checked_address(order: Order, cmd: AddressChangeIn) -> dict[str, Any]:
    """The new recipient/address values (unchanged fields kept), validated whole."""
    given = cmd.model_dump(exclude={"reason"}, exclude_none=True)
    new = {**_current_address(order), **given}
    new["country"] = (new["country"] or "CN").upper()
    problems = rules.address_problems(
        {name: new[name] for name in ADDRESS_FIELDS}, "shipping_address")
    problems.extend(text.line_problems(
        {k: v for k, v in given.items() if isinstance(v, str) and k != "phone"}))
    phone_masked = False
    if "phone" in given:
        phone, problem = rules.check_phone(given["phone"], new["country"], "phone")
        if problem:
            problems.append(problem)
        elif phone is not None:
            new["phone"], phone_masked = phone.value, phone.masked
    if problems:
        raise ValidationFailed(problems)
    new["pii_masked"] = phone_masked or rules.is_masked(new["recipient_name"])
    return new


def change_address_step(s: Session, order: Order, cmd: AddressChangeIn, *,
                        actor: Actor, reviewer: Reviewer | None = None) -> list[str]:
    """A step: apply a validated recipient/address change; returns the fields changed."""
    refuse_unless(order, ADDRESS_EDITABLE, "address")
    new = checked_address(order, cmd)
    before = _current_address(order)
    changed = [k for k in before if new[k] != before[k]]
    if not changed:
        return []
    order.recipient_name, order.recipient_phone = new["recipient_name"], new["phone"]
    order.country, order.province, order.city = new["country"], new["province"], new["city"]
    order.district, order.address_detail = new["district"], new["detail"] or ""
    order.postal_code, order.pii_masked = new["postal_code"], new["pii_masked"]
    order.search_text = placement.search_text(order.number, order.recipient_name,
                                              order.recipient_phone, order.recipient_email,
                                              order.external_id)
    lifecycle.record(s, order, "order.address_changed", actor=actor, reason=cmd.reason,
                     data={"fields": changed,
                           "before": {k: before[k] for k in changed if k != "phone"}})
    unmerge_step(s, order, actor=actor, reason="address changed")
    review_again(s, order, actor=actor, reason=f"address changed: {cmd.reason}",
                 reviewer=reviewer)
    _tell_confirmed_customer(s, order)
    return changed


def _tell_confirmed_customer(s: Session, order: Order) -> None:
    """An address changed after the confirmation owes an updated confirmation."""
    key = f"order:{order.id}:order.confirmed"
    if s.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)):
        lifecycle.owe(s, order, "order.confirmation_updated",
                      key_suffix=f":{clock.utcnow().isoformat()}")


def change_address(db: Db, number: str, cmd: AddressChangeIn, *, actor: Actor,
                   reviewer: Reviewer | None = None) -> list[str]:
    with db.transaction() as s:
        return change_address_step(s, queries.get_order_for_change(s, number), cmd,
                                   actor=actor, reviewer=reviewer)


# --- lines and quantities ----------------------------------------------------------


def _wanted(cmd: LinesChangeIn) -> dict[str, LineIn]:
    seen: dict[str, LineIn] = {}
    problems = []
    for i, line in enumerate(cmd.lines):
        if line.sku in seen:
            problems.append(FieldProblem(f"lines[{i}].sku", "sku.repeated",
                                         f"SKU {line.sku} is listed twice"))
        seen[line.sku] = line
    if problems:
        raise ValidationFailed(problems)
    return seen


def _unit_price(order: Order, line: LineIn, sku: placement.SkuRow | None,
                field: str) -> int:
    if sku is None or not sku.active:
        raise ValidationFailed([FieldProblem(f"{field}.sku", "sku.unknown",
                                             f"unknown or inactive SKU '{line.sku}'")])
    if line.unit_price is not None:
        try:
            return money.to_minor(line.unit_price, order.currency)
        except money.MoneyError as exc:
            raise ValidationFailed([FieldProblem(f"{field}.unit_price", "money.invalid",
                                                 str(exc))]) from exc
    if sku.currency != order.currency:
        raise ValidationFailed([FieldProblem(
            f"{field}.unit_price", "money.currency_mismatch",
            f"SKU {sku.code} is priced in {sku.currency}; give a unit_price in {order.currency}")])
    return sku.price_minor


def _apply_lines(s: Session, order: Order, lines: list[OrderLine], cmd: LinesChangeIn
                 ) -> list[OrderLine]:
    wanted = _wanted(cmd)
    index = {line.sku: i for i, line in enumerate(cmd.lines)}
    for line in lines:
        target = wanted.pop(line.sku_code).quantity if line.sku_code in wanted else 0
        effective = line.ordered - line.cancelled
        if target < effective:
            line.cancelled += effective - target
        elif target > effective:
            line.ordered += target - effective
        line.line_total_minor = line.unit_price_minor * (line.ordered - line.cancelled)
    skus = placement.load_skus(s, set(wanted))
    for code, want in wanted.items():
        price = _unit_price(order, want, skus.get(code), f"lines[{index[code]}]")
        sku = skus[code]
        line = OrderLine(order_id=order.id, sku_id=sku.id, sku_code=code, name=sku.name,
                         unit_price_minor=price, line_total_minor=price * want.quantity,
                         ordered=want.quantity, reserved=0, allocated=0, picked=0, packed=0,
                         shipped=0, delivered=0, returned=0, refunded=0, cancelled=0)
        s.add(line)
        lines.append(line)
    s.flush()
    return lines


def settle_difference(s: Session, order: Order, old_total: int, *, actor: Actor,
                      why: str) -> int:
    """Record the price difference as owed either way; returns new - old total."""
    diff = order.total_minor - old_total
    if order.paid_minor > order.total_minor:
        excess = order.paid_minor - order.total_minor
        order.paid_minor = order.total_minor
        order.refund_due_minor += excess
        lifecycle.record(s, order, "refund.owed", actor=actor, reason=why,
                         data={"amount_minor": excess})
    elif 0 < order.paid_minor < order.total_minor:
        owed = order.total_minor - order.paid_minor
        lifecycle.record(s, order, "payment.owed", actor=actor, reason=why,
                         data={"amount_minor": owed})
    return diff


def change_lines_step(s: Session, order: Order, cmd: LinesChangeIn, *, actor: Actor,
                      reviewer: Reviewer | None = None) -> int:
    """A step: set the order's lines to `cmd.lines`; stock re-reserved, totals recomputed,
    the difference owed either way. Returns the change of the total (minor units)."""
    refuse_unless(order, LINES_EDITABLE, "lines")
    lines = queries.lines_of(s, order.id)
    if any(ln.allocated for ln in lines):  # whatever the status says, the warehouse has them
        raise IllegalTransition(
            f"order {order.number}: the warehouse already has its stock allocated; "
            "its lines can no longer be changed", code="order.in_fulfilment")
    before = {ln.sku_code: ln.ordered - ln.cancelled for ln in lines}
    held = any(ln.reserved for ln in lines)
    inventory.release(s, order.id)
    for line in lines:
        line.reserved = 0
    lines = _apply_lines(s, order, lines, cmd)
    if held:
        placement.reserve_order(s, order, [ln for ln in lines if ln.ordered > ln.cancelled])
    old_total = order.total_minor
    totals = rules.compute_totals([ln.line_total_minor for ln in lines], order.shipping_minor,
                                  order.discount_minor)
    if totals.total_minor < 0:
        raise ValidationFailed([FieldProblem("lines", "money.discount_too_large",
                                             "the discount is larger than the new lines")])
    order.subtotal_minor, order.total_minor = totals.subtotal_minor, totals.total_minor
    diff = settle_difference(s, order, old_total, actor=actor, why=f"lines changed: {cmd.reason}")
    after = {ln.sku_code: ln.ordered - ln.cancelled for ln in lines}
    lifecycle.record(s, order, "order.lines_changed", actor=actor, reason=cmd.reason,
                     data={"before": before, "after": after, "difference_minor": diff})
    review_again(s, order, actor=actor, reason=f"lines changed: {cmd.reason}",
                 reviewer=reviewer)
    return diff


def change_lines(db: Db, number: str, cmd: LinesChangeIn, *, actor: Actor,
                 reviewer: Reviewer | None = None) -> int:
    with db.transaction() as s:
        return change_lines_step(s, queries.get_order_for_change(s, number), cmd,
                                 actor=actor, reviewer=reviewer)


# --- steps shared with merge/split and channel updates ------------------------------


def review_again(s: Session, order: Order, *, actor: Actor, reason: str,
                 reviewer: Reviewer | None = None) -> None:
    """Send a changed order back through review: the review rules when given (they
    approve, queue or hold it); otherwise an approved order returns to the queue."""
    if order.status not in REVIEWABLE:
        return
    if reviewer is not None:
        reviewer(s, order, actor)
        return
    if order.status is S.APPROVED:
        lifecycle.transition(s, order, S.AWAITING_REVIEW, actor=actor, reason=reason)


def unmerge_step(s: Session, order: Order, *, actor: Actor, reason: str) -> list[int]:
    """Take the order out of its merge group (as a member or as the group's first
    order, which dissolves the group). Returns the ids of the orders unmerged."""
    rows = s.execute(select(OrderMerge.order_id, OrderMerge.into_id).where(
        or_(OrderMerge.order_id == order.id, OrderMerge.into_id == order.id))).all()
    if not rows:
        return []
    into = {r.into_id for r in rows}
    group = sorted(set(s.scalars(select(OrderMerge.order_id).where(
        OrderMerge.into_id.in_(into)))) | into) if order.id in into else [order.id]
    ids = group if order.id in into else [order.id]
    s.execute(delete(OrderMerge).where(or_(OrderMerge.order_id.in_(ids),
                                           OrderMerge.into_id.in_(ids)))
              .execution_options(synchronize_session=False))
    for other in s.scalars(select(Order).where(Order.id.in_(set(ids) | into))
                           .order_by(Order.id)):
        lifecycle.record(s, other, "order.unmerged", actor=actor, reason=reason)
    return sorted(set(ids) | into)
