"""The review's read side: the queue (expedited first, then by promised ship-by time),
one order's review, and the filters the order list shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from orderflow import money
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.review import messages
from orderflow.review.classify import CustomerType, PaymentStatus, Urgency
from orderflow.review.models import OrderReview
from orderflow.review.schemas import FindingOut, QueueItem, QueuePage, ReviewOut

OUTCOMES = ("pass", "warn", "block")


@dataclass(frozen=True)
class ClassFilter:
    urgency: str | None = None
    customer_type: str | None = None
    category: str | None = None
    payment_status: str | None = None
    outcome: str | None = None

    def check(self) -> ClassFilter:
        problems = []
        allowed = {"urgency": [u.value for u in Urgency],
                   "customer_type": [c.value for c in CustomerType],
                   "payment_status": [p.value for p in PaymentStatus],
                   "outcome": list(OUTCOMES)}
        for name, values in allowed.items():
            value = getattr(self, name)
            if value and value not in values:
                problems.append(FieldProblem(name, "filter.unknown",
                                             f"choose one of {', '.join(values)}"))
        if problems:
            raise ValidationFailed(problems)
        return self

    @property
    def active(self) -> bool:
        return any((self.urgency, self.customer_type, self.category, self.payment_status,
                    self.outcome))

    def apply(self, stmt: Any) -> Any:
        for name in ("urgency", "customer_type", "category", "payment_status", "outcome"):
            value = getattr(self, name)
            if value:
                stmt = stmt.where(getattr(OrderReview, name) == value)
        return stmt

    def conditions(self) -> list[Any]:
        """WHERE conditions on orders for the order list. Payment status is derived live
        from the order (every order has one, reviewed or not, and it follows refunds);
        the other classes come from the order's review."""
        found: list[Any] = []
        if self.payment_status:
            found.append(payment_status_is(self.payment_status))
        stmt = select(OrderReview.order_id)
        classes = [(n, getattr(self, n)) for n in ("urgency", "customer_type", "category",
                                                    "outcome")]
        for name, value in classes:
            if value:
                stmt = stmt.where(getattr(OrderReview, name) == value)
        if any(value for _, value in classes):
            found.append(Order.id.in_(stmt))
        return found


def payment_status_is(value: str) -> Any:
    """classify.payment_status as SQL over the order's own columns."""
    refund = Order.refund_due_minor > 0
    settled = Order.paid_minor >= Order.total_minor
    clauses = {
        "refund_due": refund,
        "paid": and_(~refund, settled),
        "cod": and_(~refund, ~settled, Order.cod.is_(True)),
        "partial": and_(~refund, ~settled, Order.cod.is_(False), Order.paid_minor > 0),
        "unpaid": and_(~refund, ~settled, Order.cod.is_(False), Order.paid_minor == 0),
    }
    return clauses[value]


URGENCY_ORDER = case((OrderReview.urgency == "expedited", 0),
                     (OrderReview.urgency == "standard", 1), else_=2)


def findings_out(findings: list[dict[str, Any]]) -> list[FindingOut]:
    out = []
    for f in findings:
        code, params = str(f["code"]), dict(f.get("params") or {})
        out.append(FindingOut(rule=str(f["rule"]), code=code, outcome=str(f["outcome"]),
                              params=params, reason_en=messages.render(code, params, "en"),
                              reason_zh=messages.render(code, params, "zh-CN")))
    return out


def queue(s: Session, f: ClassFilter, *, limit: int = 100,
          statuses: tuple[Status, ...] = (Status.AWAITING_REVIEW,)) -> QueuePage:
    """Orders waiting for a person: expedited first, then the earliest promise."""
    base = f.apply(select(Order, OrderReview).join(OrderReview, OrderReview.order_id == Order.id)
                   .where(Order.status.in_(statuses)))
    total = s.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = s.execute(base.order_by(URGENCY_ORDER, OrderReview.promised_ship_by.is_(None),
                                   OrderReview.promised_ship_by, Order.id).limit(limit)).all()
    return QueuePage(total=total, items=[
        QueueItem(number=o.number, status=o.status.value, recipient=o.recipient_name,
                  total=money.to_str(o.total_minor, o.currency), currency=o.currency,
                  placed_at=o.placed_at, outcome=r.outcome, findings=findings_out(r.findings),
                  urgency=r.urgency, customer_type=r.customer_type, category=r.category,
                  payment_status=r.payment_status, promised_ship_by=r.promised_ship_by)
        for o, r in rows
    ])


def review_of(s: Session, order: Order) -> ReviewOut:
    r = s.get(OrderReview, order.id)
    return ReviewOut(
        number=order.number, status=order.status.value,
        outcome=r.outcome if r else None,
        findings=findings_out(r.findings) if r else [],
        rules=dict(r.rules) if r else {},
        urgency=r.urgency if r else None, customer_type=r.customer_type if r else None,
        category=r.category if r else None, payment_status=r.payment_status if r else None,
        shipping_service=r.shipping_service if r else None,
        promised_ship_by=r.promised_ship_by if r else None,
        address=r.address if r else None, remote=bool(r and r.remote),
        reviewed_at=r.reviewed_at if r else None, decision=r.decision if r else None)


def categories(s: Session) -> list[str]:
    return [c for c in s.scalars(select(OrderReview.category).distinct()
                                 .order_by(OrderReview.category)) if c]
