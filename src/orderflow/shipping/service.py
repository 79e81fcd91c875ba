"""Shipping use cases: choose a carrier, record what the order asks, edit carrier tables.

Each use case opens exactly one transaction; waybill use cases live in `waybills`,
label printing in `printing`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import money
from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, ValidationFailed
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.shipping import rules, selection
from orderflow.shipping.models import (
    AdapterKind,
    Carrier,
    CarrierService,
    ServiceCoverage,
    ZoneRate,
)
from orderflow.shipping.schemas import (
    CarrierIn,
    CarrierOut,
    PreferencesIn,
    SelectionOut,
    ServiceIn,
    ServiceOut,
    ZoneRateIn,
    ZoneRateOut,
)


def selection_out(sel: selection.Selection) -> SelectionOut:
    return SelectionOut(
        carrier_code=sel.carrier_code, service=sel.service, reason_code=sel.reason_code,
        reason_zh=sel.reason_zh, reason_en=sel.reason_en, quote_minor=sel.quote_minor,
        quote=money.to_str(sel.quote_minor, sel.currency), currency=sel.currency,
        weight_g=sel.weight_g, ship_date=sel.ship_date,
        estimated_delivery=sel.estimated_delivery, late=sel.late)


def choose_carrier(db: Db, number: str, *, actor: Actor) -> SelectionOut:
    """(Re-)choose the carrier of an order by the rules and store why."""
    with db.transaction() as s:
        order = queries.get_order(s, number)
        return selection_out(selection.choose(s, order, actor=actor))


def get_selection(db: Db, number: str) -> SelectionOut | None:
    with db.read() as s:
        order = queries.get_order(s, number)
        stored = selection.stored_selection(s, order.id)
        return selection_out(stored) if stored else None


def _check_preferences(s: Session, prefs: PreferencesIn) -> list[FieldProblem]:
    if not prefs.designated_carrier:
        return []
    code = prefs.designated_carrier.strip().upper()
    carrier = s.scalar(select(Carrier).where(Carrier.code == code))
    if carrier is None or not carrier.active:
        return [FieldProblem("designated_carrier", "carrier.unknown",
                             f"no active carrier with code {code!r}")]
    return []


def set_preferences(db: Db, number: str, prefs: PreferencesIn, *, actor: Actor) -> SelectionOut:
    """Record a designated carrier / expedited flag / promised date, then choose again."""
    with db.transaction() as s:
        problems = _check_preferences(s, prefs)
        if problems:
            raise ValidationFailed(problems)
        order = queries.get_order(s, number)
        row = selection.preferences_of(s, order.id)
        code = (prefs.designated_carrier or "").strip().upper() or None
        row.designated_carrier = code
        row.designated_service = prefs.designated_service if code else None
        row.designated_by = prefs.designated_by if code else None
        row.expedited = prefs.expedited
        row.promise_by = prefs.promise_by
        lifecycle.record(s, order, "shipping.preferences", actor=actor,
                         data=prefs.model_dump(mode="json"))
        return selection_out(selection.choose(s, order, actor=actor))


# --------------------------------------------------------------------------- carrier tables


def _minute_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _service_out(s: Session, svc: CarrierService) -> ServiceOut:
    rates = s.scalars(select(ZoneRate).where(ZoneRate.service_id == svc.id)
                      .order_by(ZoneRate.zone)).all()
    cover: dict[int, dict[str, list[str]]] = {}
    for row in s.scalars(select(ServiceCoverage).where(ServiceCoverage.service_id == svc.id)
                         .order_by(ServiceCoverage.id)):
        cover.setdefault(row.zone, {}).setdefault(row.origin, []).append(row.destination)
    return ServiceOut(
        id=svc.id, level=svc.level.value, name_zh=svc.name_zh, name_en=svc.name_en,
        first_weight_g=svc.first_weight_g, extra_unit_g=svc.extra_unit_g,
        cutoff=_minute_text(svc.cutoff_minute), active=svc.active,
        zones=[ZoneRateOut(id=r.id, zone=r.zone, first_minor=r.first_minor,
                           extra_minor=r.extra_minor, transit_days=r.transit_days,
                           destinations=_union(cover.get(r.zone, {})),
                           by_origin=cover.get(r.zone, {})) for r in rates])


def _union(by_origin: dict[str, list[str]]) -> list[str]:
    return list(dict.fromkeys(d for ds in by_origin.values() for d in ds))


def carrier_out(s: Session, carrier: Carrier) -> CarrierOut:
    services = s.scalars(select(CarrierService).where(CarrierService.carrier_id == carrier.id)
                         .order_by(CarrierService.id)).all()
    return CarrierOut(
        code=carrier.code, name_zh=carrier.name_zh, name_en=carrier.name_en,
        adapter=carrier.adapter.value, endpoint_url=carrier.endpoint_url,
        tracking_code=carrier.tracking_code,
        cod_supported=carrier.cod_supported, international=carrier.international,
        demo_rates=carrier.demo_rates, active=carrier.active, currency=carrier.currency,
        services=[_service_out(s, svc) for svc in services])


def list_carriers(db: Db) -> list[CarrierOut]:
    with db.read() as s:
        return [carrier_out(s, c) for c in s.scalars(select(Carrier).order_by(Carrier.id))]


def get_carrier(s: Session, code: str) -> Carrier:
    carrier = s.scalar(select(Carrier).where(Carrier.code == code.strip().upper()))
    if carrier is None:
        raise NotFound(f"no carrier {code!r}", code="carrier.not_found")
    return carrier


def update_carrier(db: Db, code: str, body: CarrierIn, *, actor: Actor) -> CarrierOut:
    """Adapter (simulated / http / manual), its endpoint, active and COD support."""
    if body.adapter == "http" and not body.endpoint_url:
        raise ValidationFailed([FieldProblem("endpoint_url", "required",
                                             "a carrier API needs its endpoint URL")])
    with db.transaction() as s:
        carrier = get_carrier(s, code)
        carrier.adapter = AdapterKind(body.adapter)
        carrier.endpoint_url = body.endpoint_url or None
        carrier.active = body.active
        carrier.cod_supported = body.cod_supported
        s.flush()
        return carrier_out(s, carrier)


def update_service(db: Db, service_id: int, body: ServiceIn, *, actor: Actor) -> ServiceOut:
    with db.transaction() as s:
        svc = s.get(CarrierService, service_id)
        if svc is None:
            raise NotFound(f"no carrier service {service_id}", code="carrier.service_not_found")
        hours, minutes = body.cutoff.split(":")
        svc.first_weight_g = body.first_weight_g
        svc.extra_unit_g = body.extra_unit_g
        svc.cutoff_minute = int(hours) * 60 + int(minutes)
        svc.active = body.active
        s.flush()
        return _service_out(s, svc)


def _amount(value: str, field: str, currency: str, problems: list[FieldProblem]) -> int:
    try:
        minor = money.to_minor(value, currency)
    except money.MoneyError as exc:
        problems.append(FieldProblem(field, "amount.invalid", str(exc)))
        return 0
    if minor < 0:
        problems.append(FieldProblem(field, "amount.negative", "must not be negative"))
    return minor


def update_zone_rate(db: Db, rate_id: int, body: ZoneRateIn, *, actor: Actor) -> ZoneRateOut:
    """Change one zone's first-weight price, extra-weight price and transit days."""
    with db.transaction() as s:
        rate = s.get(ZoneRate, rate_id)
        if rate is None:
            raise NotFound(f"no zone rate {rate_id}", code="carrier.rate_not_found")
        svc = s.get(CarrierService, rate.service_id)
        carrier = s.get(Carrier, svc.carrier_id) if svc else None
        currency = carrier.currency if carrier else "CNY"
        problems: list[FieldProblem] = []
        first = _amount(body.first, "first", currency, problems)
        extra = _amount(body.extra, "extra", currency, problems)
        if problems:
            raise ValidationFailed(problems)
        rate.first_minor, rate.extra_minor, rate.transit_days = first, extra, body.transit_days
        s.flush()
        by_origin: dict[str, list[str]] = {}
        for origin, destination in s.execute(
                select(ServiceCoverage.origin, ServiceCoverage.destination).where(
                    ServiceCoverage.service_id == rate.service_id,
                    ServiceCoverage.zone == rate.zone).order_by(ServiceCoverage.id)):
            by_origin.setdefault(origin, []).append(destination)
        return ZoneRateOut(id=rate.id, zone=rate.zone, first_minor=first, extra_minor=extra,
                           transit_days=rate.transit_days, destinations=_union(by_origin),
                           by_origin=by_origin)


def quote(db: Db, destination: str, weight_g: int,
          origin: str | None = None) -> list[tuple[rules.Offer, int]]:
    """Every covering service with its price for `weight_g`, cheapest first."""
    with db.read() as s:
        offers = selection.offers_for(s, destination, origin)
    priced = [(o, rules.price_minor(o.rate, weight_g)) for o in offers]
    return sorted(priced, key=lambda p: (p[1], p[0].carrier_code))
