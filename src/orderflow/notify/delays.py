"""Promise delay notices staff can edit while they are held.

The watchdog owes a delay notice with `available_at` = now + `delay_hold_minutes`;
until then staff may change its reason (a reason code, or their own words) and the
new estimate. The estimate can never be blank or in the past; once the hold is over
the notice is fanned out and an edit is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, texts
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, ValidationFailed
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.outbox import OutboxMessage, OutboxState
from orderflow.review.models import OrderReview

MAX_REASON = 200


@dataclass(frozen=True)
class HeldDelay:
    order_number: str
    round: int
    reason: str
    new_estimate: datetime
    sends_at: datetime

    def reason_text(self, language: str) -> str:
        return texts.render(language, self.reason)


def _held(s: Session, order_id: int) -> OutboxMessage | None:
    row = s.scalars(select(OutboxMessage).where(
        OutboxMessage.order_id == order_id, OutboxMessage.kind == "order.delayed",
        OutboxMessage.state == OutboxState.PENDING).order_by(OutboxMessage.id.desc())
        .limit(1)).first()
    if row is None or not row.payload.get("promise_round"):
        return None
    if clock.as_utc(row.available_at) <= clock.utcnow():
        return None
    return row


def _view(number: str, row: OutboxMessage) -> HeldDelay:
    p = row.payload
    return HeldDelay(number, int(p["promise_round"]), str(p.get("reason") or ""),
                     datetime.fromisoformat(p["new_estimate"]), clock.as_utc(row.available_at))


def find_held(s: Session, order_id: int, number: str) -> HeldDelay | None:
    row = _held(s, order_id)
    return _view(number, row) if row else None


def _check(reason: str | None, new_estimate: datetime | None) -> None:
    problems = []
    if reason is not None and (not reason.strip() or len(reason) > MAX_REASON):
        problems.append(FieldProblem("reason", "delay.reason",
                                     f"a reason of 1 to {MAX_REASON} characters"))
    if new_estimate is not None and (new_estimate.tzinfo is None
                                     or new_estimate <= clock.utcnow()):
        problems.append(FieldProblem("new_estimate", "delay.estimate",
                                     "a future date and time with its zone"))
    if problems:
        raise ValidationFailed(problems)


def edit_delay(db: Db, number: str, *, reason: str | None = None,
               new_estimate: datetime | None = None, actor: Actor) -> HeldDelay:
    """Change the held delay notice of an order; refused once it has gone."""
    _check(reason, new_estimate)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        row = _held(s, order.id)
        if row is None:
            raise Conflict(f"order {order.number} has no delay notice waiting to be sent",
                           code="delay.not_held")
        payload = dict(row.payload)
        if reason is not None:
            payload["reason"] = reason.strip()  # a code (DELAY_REASONS) or staff's words
        if new_estimate is not None:
            payload["new_estimate"] = clock.as_utc(new_estimate).isoformat()
            review = s.get(OrderReview, order.id)
            if review is not None:
                review.late_until = clock.as_utc(new_estimate)
        row.payload = payload
        lifecycle.record(s, order, "delay.edited", actor=actor,
                         data={"reason": payload["reason"],
                               "new_estimate": payload["new_estimate"]})
        return _view(order.number, row)
