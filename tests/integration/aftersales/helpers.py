"""Builders for after-sales tests: a delivered order, cases through the real use cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from orderflow.aftersales import service
from orderflow.aftersales.models import AftersalesCase, Refund
from orderflow.aftersales.refunds import providers
from orderflow.aftersales.schemas import CaseIn
from orderflow.db import Db
from orderflow.orders import queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.outbox import OutboxMessage
from orderflow.payments.models import Payment

STAFF = Actor("staff", "service")
CUSTOMER = Actor("customer", "buyer")


def open_case(db: Db, number: str, type_: str, reason: str,
              lines: list[tuple[str, int]] | None = None, actor: Actor = STAFF,
              **extra: Any) -> int:
    body = CaseIn.model_validate({"order_number": number, "type": type_, "reason": reason,
                                  "lines": [{"sku": s, "quantity": q, **(
                                      {"exchange_sku": extra.pop("exchange_sku")}
                                      if "exchange_sku" in extra else {})}
                                      for s, q in (lines or [("SKU-1", 1)])],
                                  **extra})
    return service.open_case(db, body, actor=actor)


def case_of(db: Db, case_id: int) -> AftersalesCase:
    with db.read() as s:
        return s.get_one(AftersalesCase, case_id)


def order_of(db: Db, number: str) -> Order:
    with db.read() as s:
        return queries.get_order(s, number)


def lines_of(db: Db, number: str) -> dict[str, OrderLine]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return {ln.sku_code: ln for ln in queries.lines_of(s, order.id)}


def refunds_of(db: Db, number: str) -> list[Refund]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return list(s.scalars(select(Refund).where(Refund.order_id == order.id)
                              .order_by(Refund.id)))


def payments_of(db: Db, number: str) -> list[Payment]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return list(s.scalars(select(Payment).where(Payment.order_id == order.id)
                              .order_by(Payment.id)))


def kinds(db: Db, number: str, prefix: str = "aftersales.") -> list[str]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return [k for k in s.scalars(select(OutboxMessage.kind)
                                     .where(OutboxMessage.order_id == order.id)
                                     .order_by(OutboxMessage.id))
                if k.startswith(prefix) or k == "order.refund_issued"]


def simulated() -> None:
    providers.use("alipay", providers.SimulatedProvider())


def delivered(db: Db, settings: Any, lines: list[tuple[str, int]] | None = None, *,
              shipping: str = "0.00", discount: str = "0.00",
              path: tuple[str, ...] = ("approved", "allocated", "picking", "packed", "shipped",
                                       "delivered")) -> str:
    """A paid order walked to delivered through the real use cases (price 10.00 a unit)."""
    import uuid
    from decimal import Decimal

    from orderflow.intake import service as intake
    from orderflow.orders.schemas import OrderIn
    from tests.builders.orders import API, PATHS, order_body

    lines = lines or [("SKU-1", 1)]
    total = sum(Decimal("10.00") * q for _s, q in lines) + Decimal(shipping) - Decimal(discount)
    body = order_body(lines, shipping_fee=shipping, discount=discount,
                      payment={"method": "alipay", "amount": f"{total:.2f}",
                               "external_ref": f"PAY-{uuid.uuid4().hex[:16]}"})
    placed = intake.place_order(db, OrderIn.model_validate(body), actor=API, settings=settings)
    for step in path:
        PATHS[step](db, placed.number)
    return placed.number
