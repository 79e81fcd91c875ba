"""The after-sales policy: one row, set by an admin in the console (or the API)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.aftersales.models import AftersalesPolicy
from orderflow.aftersales.rules import PolicyView
from orderflow.aftersales.schemas import PolicyIn, PolicyOut
from orderflow.db import Db
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.orders.lifecycle import Actor

POLICY_ID = 1
CURRENCY = "CNY"


def _default() -> AftersalesPolicy:
    return AftersalesPolicy(id=POLICY_ID, no_reason_days=7, quality_days=15, exclusions=[],
                            freight={}, auto_refund_only_under_minor=None,
                            auto_approve_vip=False, return_address="", refund_days=7)


def load(s: Session) -> AftersalesPolicy:
    """The row, or the defaults (not stored until an admin saves)."""
    row = s.scalar(select(AftersalesPolicy).where(AftersalesPolicy.id == POLICY_ID))
    return row or _default()


def view(row: AftersalesPolicy) -> PolicyView:
    return PolicyView(no_reason_days=row.no_reason_days, quality_days=row.quality_days,
                      exclusions=list(row.exclusions or []), freight=dict(row.freight or {}),
                      auto_refund_only_under_minor=row.auto_refund_only_under_minor,
                      auto_approve_vip=row.auto_approve_vip)


def out(row: AftersalesPolicy) -> PolicyOut:
    limit = row.auto_refund_only_under_minor
    return PolicyOut(no_reason_days=row.no_reason_days, quality_days=row.quality_days,
                     refund_days=row.refund_days, exclusions=list(row.exclusions or []),
                     freight=dict(row.freight or {}),
                     auto_refund_only_under=money.to_str(limit, CURRENCY)
                     if limit is not None else None,
                     auto_approve_vip=row.auto_approve_vip, return_address=row.return_address,
                     updated_at=row.updated_at, updated_by=row.updated_by)


def get_policy(db: Db) -> PolicyOut:
    with db.read() as s:
        return out(load(s))


def set_policy(db: Db, body: PolicyIn, *, actor: Actor) -> PolicyOut:
    limit: int | None = None
    if body.auto_refund_only_under not in (None, ""):
        try:
            limit = money.to_minor(body.auto_refund_only_under or "", CURRENCY)
        except money.MoneyError as exc:
            raise ValidationFailed([FieldProblem("auto_refund_only_under", "money.invalid",
                                                 str(exc))]) from exc
        if limit < 0:
            raise ValidationFailed([FieldProblem("auto_refund_only_under",
                                                 "money.not_positive", "must not be negative")])
    with db.transaction() as s:
        row = s.scalar(select(AftersalesPolicy).where(AftersalesPolicy.id == POLICY_ID))
        if row is None:
            row = _default()
            s.add(row)
        row.no_reason_days = body.no_reason_days
        row.quality_days = body.quality_days
        row.refund_days = body.refund_days
        row.exclusions = [e.model_dump() for e in body.exclusions]
        row.freight = {k.value: v.value for k, v in body.freight.items()}
        row.auto_refund_only_under_minor = limit
        row.auto_approve_vip = body.auto_approve_vip
        row.return_address = body.return_address
        row.updated_at = clock.utcnow()
        row.updated_by = str(actor)
        s.flush()
        return out(row)
