"""The read side of after-sales: the queue, a case with its lines, timeline and refunds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from orderflow import clock, money
from orderflow.aftersales import messages, rules
from orderflow.aftersales.errors import CaseNotFound
from orderflow.aftersales.models import AftersalesCase, AftersalesLine, CaseEvent, Refund
from orderflow.aftersales.refunds.service import refund_out
from orderflow.aftersales.schemas import CaseDetailOut, CaseLineOut, CaseOut, EventOut
from orderflow.auth.models import StaffUser
from orderflow.catalog.models import Sku
from orderflow.orders.models import Order, OrderLine

OPEN = sorted(s.value for s in rules.OPEN_STATES)
Replacement = aliased(Order)


@dataclass(frozen=True)
class CaseFilter:
    state: str = "open"  # open | all | one state
    type: str = ""
    reason: str = ""
    owner: str = ""  # a user name, or "none"
    overdue: bool = False
    q: str = ""


def _base() -> Select[AftersalesCase, str, str, str, str]:
    return (select(AftersalesCase, Order.number, StaffUser.username, Replacement.number,
                   Order.currency)
            .join(Order, Order.id == AftersalesCase.order_id)
            .outerjoin(StaffUser, StaffUser.id == AftersalesCase.owner_id)
            .outerjoin(Replacement, Replacement.id == AftersalesCase.replacement_order_id))


def case_out(case: AftersalesCase, order_number: str, owner: str | None,
             replacement: str | None, currency: str, language: str = "en") -> CaseOut:
    now = clock.utcnow()
    refusal = (messages.render(case.refusal_code, {"note": case.refusal_note or ""}, language)
               if case.refusal_code else None)
    return CaseOut(id=case.id, number=case.number, order_number=order_number,
                   type=case.type.value, reason=case.reason.value, state=case.state.value,
                   owner=owner, freight_payer=case.freight_payer.value,
                   refund=money.to_str(case.refund_minor, currency), currency=currency,
                   refund_shipping=case.refund_shipping, return_carrier=case.return_carrier,
                   return_tracking_number=case.return_tracking_number,
                   replacement_order_number=replacement, refusal_code=case.refusal_code,
                   refusal=refusal, opened_by=case.opened_by, opened_at=case.opened_at,
                   due_at=case.due_at,
                   overdue=case.state in rules.OPEN_STATES and case.due_at < now,
                   closed_at=case.closed_at)


def list_cases(s: Session, f: CaseFilter, *, limit: int = 100,
               language: str = "en") -> list[CaseOut]:
    stmt = _base()
    if f.state == "open":
        stmt = stmt.where(AftersalesCase.state.in_(OPEN))
    elif f.state and f.state != "all":
        stmt = stmt.where(AftersalesCase.state == f.state)
    if f.type:
        stmt = stmt.where(AftersalesCase.type == f.type)
    if f.reason:
        stmt = stmt.where(AftersalesCase.reason == f.reason)
    if f.owner == "none":
        stmt = stmt.where(AftersalesCase.owner_id.is_(None))
    elif f.owner:
        stmt = stmt.where(StaffUser.username == f.owner)
    if f.overdue:
        stmt = stmt.where(AftersalesCase.due_at < clock.utcnow(),
                          AftersalesCase.state.in_(OPEN))
    if f.q:
        needle = f.q.strip().upper()
        stmt = stmt.where((AftersalesCase.number.contains(needle))
                          | (Order.number.contains(needle))
                          | (AftersalesCase.return_tracking_number == needle))
    stmt = stmt.order_by(AftersalesCase.due_at, AftersalesCase.id).limit(limit)
    return [case_out(c, n, o, r, cur, language) for c, n, o, r, cur in s.execute(stmt)]


def cases_of_order(s: Session, order_id: int, language: str = "en") -> list[CaseOut]:
    stmt = _base().where(AftersalesCase.order_id == order_id).order_by(AftersalesCase.id)
    return [case_out(c, n, o, r, cur, language) for c, n, o, r, cur in s.execute(stmt)]


def get_case(s: Session, case_id: int, language: str = "en") -> CaseDetailOut:
    row = s.execute(_base().where(AftersalesCase.id == case_id)).first()
    if row is None:
        raise CaseNotFound(f"no after-sales case {case_id}")
    case, number, owner, replacement, currency = row
    head = case_out(case, number, owner, replacement, currency, language)
    exchange = aliased(Sku)
    lines = [CaseLineOut(order_line_id=cl.order_line_id, sku=ol.sku_code, name=ol.name,
                         quantity=cl.quantity, exchange_sku=code, sellable=cl.sellable,
                         damaged=cl.damaged, rejected=cl.rejected,
                         reject_reason=cl.reject_reason,
                         refund=money.to_str(cl.refund_minor, currency))
             for cl, ol, code in s.execute(
                 select(AftersalesLine, OrderLine, exchange.code)
                 .join(OrderLine, OrderLine.id == AftersalesLine.order_line_id)
                 .outerjoin(exchange, exchange.id == AftersalesLine.exchange_sku_id)
                 .where(AftersalesLine.case_id == case.id).order_by(AftersalesLine.id))]
    events = [EventOut(at=e.at, actor=e.actor, kind=e.kind, from_state=e.from_state,
                       to_state=e.to_state, text=messages.render(e.kind, dict(e.data),
                                                                 language),
                       data=dict(e.data))
              for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.at, CaseEvent.id))]
    refunds = [refund_out(r, number, case.number)
               for r in s.scalars(select(Refund).where(Refund.case_id == case.id)
                                  .order_by(Refund.id))]
    return CaseDetailOut(**head.model_dump(), lines=lines, photos=list(case.photos or []),
                         events=events, refunds=refunds)


def find_case_id(s: Session, number: str) -> int:
    """A case by id or number (the CLI and the console's search take either)."""
    text = number.strip().upper()
    if text.isdigit():
        return int(text)
    found = s.scalar(select(AftersalesCase.id).where(AftersalesCase.number == text))
    if found is None:
        raise CaseNotFound(f"no after-sales case {number}")
    return found
