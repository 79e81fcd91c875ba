"""Read side for screens: the order page's shipping panel and the print batches."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.orders.models import Order
from orderflow.shipping import selection, waybills
from orderflow.shipping.models import (
    Carrier,
    OrderShipping,
    PrintBatch,
    Waybill,
    WaybillPrint,
    WaybillState,
)


@dataclass
class ShippingPanel:
    choice: selection.Selection | None
    prefs: OrderShipping | None
    waybills: list[Waybill]
    prints: list[WaybillPrint]
    carriers: list[Carrier] = field(default_factory=list)

    @property
    def live(self) -> list[Waybill]:
        return [w for w in self.waybills if w.state is not WaybillState.VOIDED]

    @property
    def printable(self) -> bool:
        return any(w.state is WaybillState.ISSUED for w in self.waybills)


def order_panel(s: Session, order: Order) -> ShippingPanel:
    return ShippingPanel(
        choice=selection.stored_selection(s, order.id),
        prefs=s.get(OrderShipping, order.id),
        waybills=waybills.waybills_of(s, order.id),
        prints=list(s.scalars(select(WaybillPrint).where(WaybillPrint.order_id == order.id)
                              .order_by(WaybillPrint.id.desc()).limit(20))),
        carriers=list(s.scalars(select(Carrier).where(Carrier.active.is_(True))
                                .order_by(Carrier.id))),
    )


def recent_batches(s: Session, limit: int = 10) -> list[PrintBatch]:
    return list(s.scalars(select(PrintBatch).order_by(PrintBatch.created_at.desc())
                          .limit(limit)))
