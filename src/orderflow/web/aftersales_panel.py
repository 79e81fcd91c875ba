"""The after-sales panel of the order page: its cases, its refunds, and what may be done."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from orderflow import money
from orderflow.aftersales import messages, queries
from orderflow.aftersales.models import CaseType, Reason
from orderflow.aftersales.refunds import service as refunds
from orderflow.orders import queries as order_queries
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.status import SHIPPED_OR_LATER
from orderflow.web.i18n import N_


def aftersales_panel(s: Session, order: Order, language: str) -> dict[str, Any]:
    cases = queries.cases_of_order(s, order.id, language)
    found = [refunds.refund_out(r, order.number, None) for r in _refunds(s, order.id)]
    return {
        "cases": [{"id": c.id, "number": c.number, "state": messages.name(
            messages.STATE_NAMES, c.state, language), "type": messages.name(
            messages.TYPE_NAMES, c.type, language), "refund": c.refund} for c in cases],
        "refunds": found,
        "refunded": money.to_str(order.refunded_minor, order.currency),
        "standing": standing(order, order_queries.lines_of(s, order.id)),
        "can_open": order.status in SHIPPED_OR_LATER,
        "lines": [ln.sku_code for ln in order_queries.lines_of(s, order.id)],
        "types": [(t.value, messages.name(messages.TYPE_NAMES, t.value, language))
                  for t in CaseType],
        "reasons": [(r.value, messages.name(messages.REASON_NAMES, r.value, language))
                    for r in Reason if r is not Reason.REFUSED_DELIVERY],
    }


def standing(order: Order, lines: list[OrderLine]) -> list[str]:
    """What the order shows as it derives from its quantities and money (msgids)."""
    out = []
    shipped = sum(ln.shipped for ln in lines)
    returned = sum(ln.returned for ln in lines)
    if returned and returned >= shipped:
        out.append(N_("Returned"))
    elif returned:
        out.append(N_("Partly returned"))
    if order.refunded_minor and order.refunded_minor >= order.paid_minor:
        out.append(N_("Refunded"))
    elif order.refunded_minor:
        out.append(N_("Partly refunded"))
    return out


def _refunds(s: Session, order_id: int) -> list[Any]:
    from sqlalchemy import select

    from orderflow.aftersales.models import Refund

    return list(s.scalars(select(Refund).where(Refund.order_id == order_id)
                          .order_by(Refund.id)))
