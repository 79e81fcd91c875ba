"""The carriers' implementation of `fulfilment.desk.CarrierDesk`: the stored carrier choice,
the issued waybills and the transit table, for waves and the hand-over."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.fulfilment.desk import Choice
from orderflow.orders.models import Order
from orderflow.shipping import rules, selection
from orderflow.shipping.models import Carrier, CarrierService, Waybill, WaybillState

DELIVERY_HOUR = time(18, 0)  # an estimated delivery day is shown as that day, 18:00 local


def _cutoff(s: Session, carrier_code: str, level: str) -> time | None:
    minute = s.scalar(select(CarrierService.cutoff_minute)
                      .join(Carrier, Carrier.id == CarrierService.carrier_id)
                      .where(Carrier.code == carrier_code, CarrierService.level == level))
    return rules.cutoff_of(minute) if minute is not None else None


class ShippingDesk:
    """Carrier choice by the rules of `shipping.rules`, waybills from `shipping.waybills`.
    `zone` is the merchant's (the caller's settings): cut-offs and delivery days are local."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone

    def choice(self, s: Session, order: Order) -> Choice:
        chosen = (selection.stored_selection(s, order.id)
                  or selection.choose(s, order, zone=self.zone))
        return Choice(chosen.carrier_code, chosen.service,
                      _cutoff(s, chosen.carrier_code, chosen.service))

    def issued_tracking_numbers(self, s: Session, order: Order, warehouse_id: int) -> list[str]:
        rows = s.scalars(select(Waybill.tracking_number)
                         .where(Waybill.order_id == order.id,
                                Waybill.state == WaybillState.ISSUED)
                         .order_by(Waybill.parcel_no))
        return [r for r in rows if r]

    def estimated_delivery(self, s: Session, order: Order, choice: Choice,
                           shipped_at: datetime) -> datetime | None:
        offers = [o for o in selection.offers_for(s, selection.destination_of(order),
                                                  selection.origin_of(s, order))
                  if o.carrier_code == choice.carrier and o.level == choice.service]
        if not offers:
            return None
        zone = self.zone
        local = clock.local(shipped_at, zone)
        day = rules.delivery_date(rules.ship_date(local, offers[0].cutoff),
                                  offers[0].transit_days)
        return clock.as_utc(datetime.combine(day, DELIVERY_HOUR, tzinfo=zone))
