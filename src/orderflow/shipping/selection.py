"""Carrier choice for an order: load the tables, ask `rules.select`, store the choice.

`choose(s, order)` is a step (it takes the caller's session and never commits); the
fulfilment side reads the stored choice (`carrier_of`, `carriers_of`) to group waves.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Sku
from orderflow.config import get_settings
from orderflow.errors import Conflict
from orderflow.inventory.models import Reservation, ReservationState, Warehouse
from orderflow.orders import lifecycle
from orderflow.orders.lifecycle import SYSTEM, Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.shipping import rules
from orderflow.shipping.models import (
    ANY_ORIGIN,
    Carrier,
    CarrierService,
    OrderShipping,
    ServiceCoverage,
    ZoneRate,
)

DEFAULT_SHIP_FROM = "上海市|上海市|青浦区|华新镇华腾路 1288 号"
PACKAGING_G = 100  # carton and filling added to the goods' weight until the parcel is weighed


class NoCarrierFound(Conflict):
    code = "shipping.no_carrier"


@dataclass(frozen=True, slots=True)
class Selection:
    carrier_code: str
    service: str
    reason_code: str
    reason_zh: str
    reason_en: str
    quote_minor: int
    currency: str
    weight_g: int
    ship_date: date
    estimated_delivery: date
    late: bool

    def reason(self, language: str = "zh-CN") -> str:
        return self.reason_zh if language.startswith("zh") else self.reason_en


def destination_of(order: Order) -> str:
    """A province for Chinese addresses, else the ISO country: the key of the coverage table."""
    if order.country.upper() == "CN":
        return (order.province or "").strip()
    return order.country.upper()


def goods_weight_g(s: Session, order_id: int) -> int:
    units = OrderLine.ordered - OrderLine.cancelled
    total = s.scalar(
        select(func.coalesce(func.sum(units * Sku.weight_g), 0))
        .select_from(OrderLine)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.order_id == order_id)
    )
    return int(total or 0)


def default_origin() -> str:
    """The ship-from province when an order has no warehouse yet (`ORDERFLOW_SHIP_FROM`)."""
    return os.environ.get("ORDERFLOW_SHIP_FROM", DEFAULT_SHIP_FROM).split("|")[0].strip()


def origin_of(s: Session, order: Order) -> str:
    """The province the parcel leaves from: its warehouse's, else the default origin."""
    province = s.scalar(
        select(Warehouse.province)
        .join(Reservation, Reservation.warehouse_id == Warehouse.id)
        .where(Reservation.order_id == order.id,
               Reservation.state != ReservationState.RELEASED)
        .order_by(Reservation.id).limit(1))
    return province or default_origin()


def offers_for(s: Session, destination: str, origin: str | None = None) -> list[rules.Offer]:
    """Every active service that covers `destination` from `origin`, with its zone's rate and
    transit time. A service's zones for that origin win over its "from anywhere" zones."""
    origins = {origin or default_origin(), ANY_ORIGIN}
    rows = s.execute(
        select(Carrier, CarrierService, ZoneRate, ServiceCoverage.origin)
        .join(CarrierService, CarrierService.carrier_id == Carrier.id)
        .join(ServiceCoverage, ServiceCoverage.service_id == CarrierService.id)
        .join(
            ZoneRate,
            (ZoneRate.service_id == CarrierService.id) & (ZoneRate.zone == ServiceCoverage.zone),
        )
        .where(
            Carrier.active.is_(True),
            CarrierService.active.is_(True),
            ServiceCoverage.destination == destination,
            ServiceCoverage.origin.in_(origins),
        )
        .order_by(Carrier.code, CarrierService.level)
    ).all()
    best: dict[int, tuple[Carrier, CarrierService, ZoneRate]] = {}
    for c, svc, rate, row_origin in rows:
        if svc.id not in best or row_origin != ANY_ORIGIN:
            best[svc.id] = (c, svc, rate)
    return [
        rules.Offer(
            carrier_code=c.code,
            carrier_name_zh=c.name_zh,
            carrier_name_en=c.name_en,
            level=svc.level.value,
            rate=rules.Rate(svc.first_weight_g, rate.first_minor, svc.extra_unit_g,
                            rate.extra_minor),
            transit_days=rate.transit_days,
            cutoff=rules.cutoff_of(svc.cutoff_minute),
            cod_supported=c.cod_supported,
            currency=c.currency,
            zone=rate.zone,
        )
        for c, svc, rate in best.values()
    ]


def preferences_of(s: Session, order_id: int) -> OrderShipping:
    """The order's shipping row, created empty on first use."""
    row = s.get(OrderShipping, order_id)
    if row is None:
        row = OrderShipping(order_id=order_id, expedited=False, late=False)
        s.add(row)
        s.flush()
    return row


def demand_for(s: Session, order: Order, prefs: OrderShipping, now_local: datetime,
               weight_g: int | None = None) -> rules.Demand:
    return rules.Demand(
        destination=destination_of(order),
        weight_g=weight_g if weight_g is not None else goods_weight_g(s, order.id) + PACKAGING_G,
        now_local=now_local,
        cod=order.cod,
        expedited=prefs.expedited,
        promise_by=prefs.promise_by,
        designated_carrier=prefs.designated_carrier,
        designated_service=prefs.designated_service,
        designated_by=prefs.designated_by,
    )


def choose(
    s: Session,
    order: Order,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
    weight_g: int | None = None,
) -> Selection:
    """Choose and store the carrier and service for `order`; the timeline says why."""
    local = clock.local(now or clock.utcnow(), zone or get_settings().zone)
    prefs = preferences_of(s, order.id)
    demand = demand_for(s, order, prefs, local, weight_g)
    try:
        choice = rules.select(offers_for(s, demand.destination, origin_of(s, order)), demand)
    except rules.NoCarrier as exc:
        raise NoCarrierFound(str(exc)) from exc
    selection = Selection(
        carrier_code=choice.carrier_code,
        service=choice.level,
        reason_code=choice.reason.code,
        reason_zh=rules.reason_text(choice.reason, "zh-CN"),
        reason_en=rules.reason_text(choice.reason, "en"),
        quote_minor=choice.quote_minor,
        currency=choice.offer.currency,
        weight_g=demand.weight_g,
        ship_date=choice.ship_date,
        estimated_delivery=choice.estimated_delivery,
        late=choice.late,
    )
    _store(prefs, selection, actor)
    lifecycle.record(s, order, "carrier.chosen", actor=actor, reason=selection.reason_en,
                     data={"carrier": selection.carrier_code, "service": selection.service,
                           "reason_zh": selection.reason_zh, "quote_minor": selection.quote_minor})
    return selection


def _store(prefs: OrderShipping, sel: Selection, actor: Actor) -> None:
    prefs.carrier_code = sel.carrier_code
    prefs.service = sel.service
    prefs.reason_code = sel.reason_code
    prefs.reason_zh = sel.reason_zh
    prefs.reason_en = sel.reason_en
    prefs.quote_minor = sel.quote_minor
    prefs.currency = sel.currency
    prefs.weight_g = sel.weight_g
    prefs.ship_date = sel.ship_date
    prefs.estimated_delivery = sel.estimated_delivery
    prefs.late = sel.late
    prefs.chosen_at = clock.utcnow()
    prefs.chosen_by = str(actor)


def stored_selection(s: Session, order_id: int) -> Selection | None:
    row = s.get(OrderShipping, order_id)
    if row is None or row.carrier_code is None:
        return None
    return Selection(
        carrier_code=row.carrier_code,
        service=row.service or "standard",
        reason_code=row.reason_code or "",
        reason_zh=row.reason_zh or "",
        reason_en=row.reason_en or "",
        quote_minor=row.quote_minor or 0,
        currency=row.currency or "CNY",
        weight_g=row.weight_g or 0,
        ship_date=row.ship_date or date.min,
        estimated_delivery=row.estimated_delivery or date.min,
        late=row.late,
    )


def carrier_of(s: Session, order_id: int) -> str | None:
    """The stored carrier code of an order (None until chosen)."""
    return s.scalar(select(OrderShipping.carrier_code).where(OrderShipping.order_id == order_id))


def carriers_of(s: Session, order_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """order id -> (carrier code, service) for the orders that have a stored choice."""
    ids = list(order_ids)
    rows = s.execute(
        select(OrderShipping.order_id, OrderShipping.carrier_code, OrderShipping.service)
        .where(OrderShipping.order_id.in_(ids), OrderShipping.carrier_code.is_not(None))
    ).all()
    return {oid: (str(code), svc or "standard") for oid, code, svc in rows}
