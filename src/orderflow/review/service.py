"""Review use cases and the review step every paid or COD-confirmed order goes through.

`review_order(s, order, actor)` is the step: run the rules, store the verdict with the
classification and the promise date, and move the order (pass → approved at once;
otherwise it waits in the review queue, or goes back to it after a change). The
console, the API and other domains (payments, order changes) all call it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, IllegalTransition, ValidationFailed
from orderflow.orders import lifecycle, queries
from orderflow.orders import service as orders
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.rules import check_phone
from orderflow.orders.status import Status
from orderflow.review import classify, promise, rules
from orderflow.review.config import DEFAULT, ReviewConfig
from orderflow.review.facts import OrderFacts
from orderflow.review.facts_loader import load_facts
from orderflow.review.models import OrderReview, ReviewSettings

log = logging.getLogger(__name__)

# Where a blocked re-review sends an order that is already in the warehouse.
_IN_WAREHOUSE = (Status.ALLOCATED, Status.PICKING, Status.PACKED)


# --- settings ------------------------------------------------------------------


def load_config(s: Session) -> ReviewConfig:
    row = s.get(ReviewSettings, 1)
    return ReviewConfig.model_validate(row.config) if row else DEFAULT


def get_config(db: Db) -> ReviewConfig:
    with db.read() as s:
        return load_config(s)


def update_config(db: Db, changes: dict[str, Any], *, actor: Actor) -> ReviewConfig:
    """Merge `changes` into the settings; every bad field is named, nothing half-saved."""
    with db.transaction() as s:
        current = load_config(s).model_dump()
        unknown = [k for k in changes if k not in current]
        if unknown:
            raise ValidationFailed([FieldProblem(k, "settings.unknown", "not a review setting")
                                    for k in unknown])
        config = parse_config({**current, **changes})
        row = s.get(ReviewSettings, 1)
        if row is None:
            row = ReviewSettings(id=1, config={}, updated_at=clock.utcnow(), updated_by="")
            s.add(row)
        row.config = config.model_dump(mode="json")
        row.updated_at = clock.utcnow()
        row.updated_by = str(actor)
        return config


def parse_config(data: dict[str, Any]) -> ReviewConfig:
    try:
        return ReviewConfig.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(".".join(str(p) for p in e["loc"]) or "settings", "settings.invalid",
                         e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]) from exc


# --- the review step -----------------------------------------------------------


@dataclass(frozen=True)
class Reviewed:
    number: str
    outcome: str
    status: str
    findings: tuple[rules.Finding, ...]


def review_order(s: Session, order: Order, actor: Actor, *,
                 settings: Settings | None = None) -> Reviewed:
    """A step: review `order` now and move it. Safe to call again after any change."""
    cfg = load_config(s)
    row = s.get(OrderReview, order.id)
    service = row.shipping_service if row else "standard"
    facts, categories = load_facts(s, order, cfg, service=service)
    verdict = _judge(facts, cfg)
    row = _store(s, order, row, facts, categories, verdict, cfg, actor, _zone(settings))
    lifecycle.record(s, order, "review.completed", actor=actor,
                     reason="reason.review_outcome",
                     data={"outcome": verdict.outcome,
                           "reason_params": {"outcome": f"outcome.{verdict.outcome}"},
                           "codes": [f.code for f in verdict.findings]})
    _move(s, order, verdict, cfg, actor)
    return Reviewed(order.number, verdict.outcome, order.status.value, verdict.findings)


def _judge(facts: OrderFacts, cfg: ReviewConfig) -> rules.Verdict:
    """The rules' verdict. A bug in a rule must never lose the payment that triggered
    the review: the order then waits for a person, with the error as its reason."""
    try:
        return rules.review(facts, cfg)
    except Exception as exc:
        log.exception("review of order %s failed", facts.number)
        error = rules.Finding("review", "review.error", "block",
                              {"error": f"{type(exc).__name__}: {exc}"[:200]})
        return rules.Verdict("block", (error,), {"review": "block"}, None)


def _zone(settings: Settings | None) -> ZoneInfo:
    """The merchant's zone: from the settings in hand, else ORDERFLOW_TIMEZONE."""
    if settings is not None:
        return settings.zone
    return ZoneInfo(os.environ.get("ORDERFLOW_TIMEZONE", "Asia/Shanghai"))


def _move(s: Session, order: Order, verdict: rules.Verdict, cfg: ReviewConfig,
          actor: Actor) -> None:
    codes = {"reason_params": {"codes": ", ".join(f.code for f in verdict.findings) or "-"}}
    if order.status is Status.PAID:
        lifecycle.transition(s, order, Status.AWAITING_REVIEW, actor=actor,
                             reason="reason.paid_waiting_review")
    if order.status is Status.AWAITING_REVIEW:
        if verdict.outcome == "pass" and cfg.auto_approve and lifecycle.can(order, Status.APPROVED):
            lifecycle.transition(s, order, Status.APPROVED, actor=actor,
                                 reason="reason.review_auto_approved")
    elif order.status is Status.APPROVED and verdict.outcome != "pass":
        lifecycle.transition(s, order, Status.AWAITING_REVIEW, actor=actor,
                             reason="reason.re_review", data=codes)
    elif order.status in _IN_WAREHOUSE and verdict.outcome == "block":
        lifecycle.transition(s, order, Status.ON_HOLD, actor=actor,
                             reason="reason.re_review_blocked", data=codes)


def _store(s: Session, order: Order, row: OrderReview | None, facts: Any,
           categories: list[str | None], verdict: rules.Verdict, cfg: ReviewConfig,
           actor: Actor, zone: ZoneInfo) -> OrderReview:
    now = clock.utcnow()
    kind = classify.customer_type(facts.previous_orders, facts.previous_spend_minor, cfg)
    ship_by = promise.ship_by(facts.paid_at or now, zone, cfg)
    if row is None:
        row = OrderReview(order_id=order.id, shipping_service=facts.shipping_service)
        s.add(row)
    address = verdict.address
    row.outcome = verdict.outcome
    row.findings = [f.as_dict() for f in verdict.findings]
    row.rules = dict(verdict.rules)
    row.reviewed_at = now
    row.reviewed_by = str(actor)
    row.address = None if address is None else {
        "province": address.province, "city": address.city, "district": address.district,
        "detail": address.detail, "adcode": address.adcode}
    row.adcode = address.adcode if address else None
    row.remote = bool(address and address.remote)
    row.customer_type = kind.value
    row.urgency = classify.urgency(row.shipping_service, ship_by, now, kind, cfg).value
    row.category = classify.category(categories)
    row.payment_status = classify.payment_status(
        order.total_minor, order.paid_minor, order.refund_due_minor, order.cod).value
    row.promised_ship_by = ship_by
    s.flush()
    return row


# --- staff use cases ------------------------------------------------------------


def run_review(db: Db, number: str, *, actor: Actor,
               settings: Settings | None = None) -> Reviewed:
    """Review (again) on demand: the console's 'Re-review' and POST /review/{n}/rerun."""
    with db.transaction() as s:
        return review_order(s, queries.get_order_for_change(s, number), actor,
                            settings=settings)


def _decide(s: Session, order: Order, decision: str, actor: Actor) -> None:
    row = s.get(OrderReview, order.id)
    if row is not None:
        row.decision, row.decided_by, row.decided_at = decision, str(actor), clock.utcnow()


def approve(db: Db, number: str, *, actor: Actor, reason: str | None = None) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.APPROVED, actor=actor,
                             reason=reason or "reason.approved_in_review")
        _decide(s, order, "approved", actor)


def hold(db: Db, number: str, *, actor: Actor, reason: str) -> None:
    _require_reason(reason)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        lifecycle.transition(s, order, Status.ON_HOLD, actor=actor, reason=reason)
        _decide(s, order, "held", actor)


def cancel(db: Db, number: str, *, actor: Actor, reason: str) -> None:
    _require_reason(reason)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        orders.cancel(s, order, actor=actor, reason=reason)
        _decide(s, order, "cancelled", actor)


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "reason.missing", "a reason is required")])


@dataclass(frozen=True)
class BulkResult:
    approved: list[str]
    skipped: dict[str, str]  # number → why


def bulk_approve(db: Db, numbers: list[str], *, actor: Actor,
                 include_blocked: bool = False) -> BulkResult:
    """Approve many: each in its own transaction, so one that changed meanwhile is
    skipped with its reason and the rest go through. Blocked ones need
    `include_blocked` (a person looked at every reason)."""
    approved, skipped = [], {}
    for number in dict.fromkeys(numbers):
        try:
            with db.transaction() as s:
                order = queries.get_order_for_change(s, number)
                row = s.get(OrderReview, order.id)
                if row is not None and row.outcome == "block" and not include_blocked:
                    raise Conflict("blocked by a review rule; open it and approve it alone",
                                   code="review.blocked")
                lifecycle.transition(s, order, Status.APPROVED, actor=actor,
                                     reason="reason.approved_in_bulk")
                _decide(s, order, "approved", actor)
            approved.append(number)
        except (Conflict, IllegalTransition) as exc:
            skipped[number] = exc.detail
        except Exception as exc:  # a missing order is reported, not fatal to the batch
            skipped[number] = str(exc)
    return BulkResult(approved, skipped)


EDITABLE = ("recipient_name", "recipient_phone", "province", "city", "district",
            "address_detail", "postal_code", "seller_remark", "shipping_service")


def edit(db: Db, number: str, changes: dict[str, str | None], *, actor: Actor,
         settings: Settings | None = None) -> Reviewed:
    """Correct what review flagged (recipient, phone, address, seller remark, shipping
    service), record old → new on the timeline, and review again."""
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise ValidationFailed([FieldProblem(k, "review.not_editable", "cannot be edited here")
                                for k in unknown])
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        if order.status not in (Status.AWAITING_REVIEW, Status.ON_HOLD, Status.APPROVED,
                                Status.PAID):
            raise IllegalTransition(
                f"order {order.number} is {order.status.value}; edit it through order changes",
                code="review.not_editable")
        diff = _apply_edit(s, order, changes)
        if diff:
            lifecycle.record(s, order, "order.edited", actor=actor,
                             reason="reason.edited_in_review", data={"changes": diff})
        _decide(s, order, "edited", actor)
        if order.status is Status.ON_HOLD:
            return Reviewed(order.number, "held", order.status.value, ())
        return review_order(s, order, actor, settings=settings)


def _apply_edit(s: Session, order: Order, changes: dict[str, str | None]) -> dict[str, Any]:
    diff: dict[str, Any] = {}
    problems = []
    for name, raw in changes.items():
        value = (raw or "").strip() or None
        if name == "shipping_service":
            row = s.get(OrderReview, order.id)
            if row is not None and value and row.shipping_service != value:
                diff[name] = [row.shipping_service, value]
                row.shipping_service = value
            continue
        if name == "recipient_phone" and value:
            phone, problem = check_phone(value, order.country, name)
            if problem:
                problems.append(problem)
                continue
            value = phone.value if phone else value
        if name == "address_detail" and not value:
            problems.append(FieldProblem(name, "address.missing", "the street address is required"))
            continue
        old = getattr(order, name)
        if old != value:
            diff[name] = [old, value]
            setattr(order, name, value)
    if problems:
        raise ValidationFailed(problems)
    s.flush()
    return diff


def find_review(s: Session, order_id: int) -> OrderReview | None:
    return s.scalars(select(OrderReview).where(OrderReview.order_id == order_id)).first()
