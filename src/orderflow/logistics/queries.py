"""The read side of logistics: the exceptions queue, one case with its history, the
carrier events of an order, and carrier performance per carrier and service."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from orderflow import clock, ids
from orderflow.auth.models import StaffUser
from orderflow.errors import FieldProblem, NotFound, ValidationFailed
from orderflow.fulfilment.models import Shipment
from orderflow.logistics import rules
from orderflow.logistics.models import CaseKind, CaseState, ExceptionCase
from orderflow.orders.models import Order, TimelineEvent
from orderflow.orders.status import Status
from orderflow.tracking import queries as tracking_queries
from orderflow.tracking.models import ShipmentTracking, TrackingEvent


@dataclass(frozen=True)
class CaseFilter:
    state: CaseState | None = CaseState.OPEN
    kind: CaseKind | None = None
    carrier: str | None = None
    owner: str | None = None  # a user name, "none" (unassigned) or None (anyone)
    overdue: bool = False
    text: str | None = None  # order number or tracking number


def case_filter(state: str = "open", kind: str = "", carrier: str = "", owner: str = "",
                overdue: bool = False, text: str = "") -> CaseFilter:
    """From query parameters, every bad one named."""
    problems: list[FieldProblem] = []
    chosen_state: CaseState | None = None
    if state and state != "all":
        try:
            chosen_state = CaseState(state)
        except ValueError:
            problems.append(FieldProblem("state", "state.unknown",
                                         "choose open, resolved, closed or all"))
    chosen_kind: CaseKind | None = None
    if kind:
        try:
            chosen_kind = CaseKind(kind)
        except ValueError:
            problems.append(FieldProblem("kind", "kind.unknown", "not an exception kind"))
    if problems:
        raise ValidationFailed(problems)
    return CaseFilter(chosen_state, chosen_kind, carrier.strip().upper() or None,
                      owner.strip() or None, overdue, text.strip() or None)


@dataclass(frozen=True)
class CaseRow:
    id: int
    order_number: str
    order_status: str
    kind: str
    state: str
    carrier: str
    service: str
    tracking_number: str
    detail: str | None
    owner: str | None  # user name
    owner_name: str | None  # display name
    opened_at: datetime
    due_at: datetime
    overdue: bool
    last_action: str | None
    last_action_at: datetime | None
    refund_minor: int
    currency: str
    outcome: str | None
    resolution: str | None
    silent_hours: float | None = None  # a STALLED case: the hours without an update


def _rows(s: Session, stmt: Select[ExceptionCase, str, Status, str, str, str],
          now: datetime) -> list[CaseRow]:
    return [CaseRow(
        id=c.id, order_number=number, order_status=status.value, kind=c.kind.value,
        state=c.state.value, carrier=c.carrier, service=c.service,
        tracking_number=c.tracking_number, detail=c.detail, owner=username,
        owner_name=display, opened_at=c.opened_at, due_at=c.due_at,
        overdue=rules.is_overdue(c.state, clock.as_utc(c.due_at), now),
        last_action=c.last_action, last_action_at=c.last_action_at,
        refund_minor=c.refund_minor, currency=currency, outcome=c.outcome,
        resolution=c.resolution, silent_hours=(c.data or {}).get("silent_hours"))
        for c, number, status, currency, username, display in s.execute(stmt)]


def _base() -> Select[ExceptionCase, str, Status, str, str, str]:
    return (select(ExceptionCase, Order.number, Order.status, Order.currency,
                   StaffUser.username, StaffUser.display_name)
            .join(Order, Order.id == ExceptionCase.order_id)
            .outerjoin(StaffUser, StaffUser.id == ExceptionCase.owner_id))


def list_cases(s: Session, f: CaseFilter, *, now: datetime | None = None,
               limit: int = 100) -> list[CaseRow]:
    """Open cases first by due time (the most urgent on top); others newest first."""
    now = now or clock.utcnow()
    stmt = _base()
    if f.state is not None:
        stmt = stmt.where(ExceptionCase.state == f.state)
    if f.kind is not None:
        stmt = stmt.where(ExceptionCase.kind == f.kind)
    if f.carrier:
        stmt = stmt.where(func.upper(ExceptionCase.carrier) == f.carrier)
    if f.owner == "none":
        stmt = stmt.where(ExceptionCase.owner_id.is_(None))
    elif f.owner:
        stmt = stmt.where(StaffUser.username == f.owner)
    if f.overdue:
        stmt = stmt.where(ExceptionCase.state == CaseState.OPEN, ExceptionCase.due_at < now)
    if f.text:
        text = f.text.strip()
        stmt = stmt.where(or_(Order.number == ids.normalise_order_number(text),
                              ExceptionCase.tracking_number == text.upper()))
    if f.state is CaseState.OPEN:
        stmt = stmt.order_by(ExceptionCase.due_at, ExceptionCase.id)
    else:
        stmt = stmt.order_by(ExceptionCase.opened_at.desc(), ExceptionCase.id.desc())
    return _rows(s, stmt.limit(limit), now)


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int
    unassigned: int


def counts(s: Session, *, now: datetime | None = None) -> QueueCounts:
    now = now or clock.utcnow()
    is_open = ExceptionCase.state == CaseState.OPEN
    total, overdue, unassigned = s.execute(select(
        func.count(), func.count().filter(ExceptionCase.due_at < now),
        func.count().filter(ExceptionCase.owner_id.is_(None))).where(is_open)).one()
    return QueueCounts(int(total), int(overdue or 0), int(unassigned or 0))


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    kind: str
    actor: str
    reason: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class CaseDetail:
    case: CaseRow
    history: list[HistoryItem] = field(default_factory=list)


def get_case(s: Session, case_id: int, *, now: datetime | None = None) -> CaseDetail:
    rows = _rows(s, _base().where(ExceptionCase.id == case_id), now or clock.utcnow())
    if not rows:
        raise NotFound(f"no exception case {case_id}", code="exception.not_found")
    order_id = s.scalar(select(ExceptionCase.order_id).where(ExceptionCase.id == case_id))
    events = s.scalars(select(TimelineEvent).where(TimelineEvent.order_id == order_id)
                       .order_by(TimelineEvent.at, TimelineEvent.id))
    history = [HistoryItem(e.at, e.kind, e.actor, e.reason, dict(e.data or {}))
               for e in events if (e.data or {}).get("case_id") == case_id]
    return CaseDetail(rows[0], history)


def cases_of_order(s: Session, order_id: int) -> list[CaseRow]:
    return _rows(s, _base().where(ExceptionCase.order_id == order_id)
                 .order_by(ExceptionCase.id), clock.utcnow())


def owners(s: Session) -> list[tuple[str, str]]:
    """(user name, display name) of staff who may own a case (admins and service)."""
    return [(u, d) for u, d in s.execute(
        select(StaffUser.username, StaffUser.display_name)
        .where(StaffUser.active.is_(True), StaffUser.role.in_(("admin", "service")))
        .order_by(StaffUser.username))]


def carriers(s: Session) -> list[str]:
    return list(s.scalars(select(ExceptionCase.carrier).distinct().order_by(
        ExceptionCase.carrier)))


# --- carrier events on the order page -------------------------------------------------------


@dataclass(frozen=True)
class ParcelEvents:
    shipment_id: int
    carrier: str
    service: str
    tracking_number: str
    shipped_at: datetime
    eta: datetime | None
    status: str | None
    picked_up_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackingEvent]


def parcel_events(s: Session, order_id: int) -> list[ParcelEvents]:
    """Each parcel of the order with its carrier events, newest first."""
    shipments = list(s.scalars(select(Shipment).where(Shipment.order_id == order_id)
                               .order_by(Shipment.id)))
    if not shipments:
        return []
    ids_ = [sh.id for sh in shipments]
    states = {t.shipment_id: t for t in s.scalars(
        select(ShipmentTracking).where(ShipmentTracking.shipment_id.in_(ids_)))}
    events: dict[int, list[TrackingEvent]] = defaultdict(list)
    for event in s.scalars(select(TrackingEvent).where(TrackingEvent.shipment_id.in_(ids_))
                           .order_by(TrackingEvent.occurred_at.desc(),
                                     TrackingEvent.id.desc())):
        events[event.shipment_id].append(event)
    out = []
    for sh in shipments:
        state = states.get(sh.id)
        out.append(ParcelEvents(
            sh.id, sh.carrier, sh.service, sh.tracking_number, sh.shipped_at,
            sh.estimated_delivery_at, state.status.value if state and state.status else None,
            state.picked_up_at if state else None, state.delivered_at if state else None,
            events[sh.id]))
    return out


# --- carrier performance --------------------------------------------------------------------


@dataclass(frozen=True)
class Performance:
    carrier: str
    service: str
    shipments: int
    delivered: int
    median_transit_hours: float | None
    on_time_rate: float | None  # delivered by the promised day / delivered
    exception_rate: float | None  # parcels with a case / shipments
    pickup_rate: float | None  # 揽收及时率 of the carrier (tracking.queries.pickup_timeliness)


@dataclass
class _Tally:
    shipments: int = 0
    transit: list[float] = field(default_factory=list)
    on_time: int = 0
    with_case: int = 0


def _delivered_at_by_order(s: Session, order_ids: set[int]) -> dict[int, datetime]:
    """When each order was delivered, from its timeline (parcels without carrier events)."""
    if not order_ids:
        return {}
    return {oid: clock.as_utc(at) for oid, at in s.execute(
        select(TimelineEvent.order_id, func.max(TimelineEvent.at))
        .where(TimelineEvent.order_id.in_(order_ids), TimelineEvent.kind == "status.changed",
               TimelineEvent.to_status == Status.DELIVERED.value)
        .group_by(TimelineEvent.order_id))}


def performance(s: Session, *, since: datetime, until: datetime, zone: ZoneInfo,
                pickup_hours: float = 24.0) -> list[Performance]:
    """Per carrier and service, over parcels shipped in [since, until)."""
    rows = s.execute(
        select(Shipment.id, Shipment.order_id, Shipment.carrier, Shipment.service,
               Shipment.shipped_at, Shipment.estimated_delivery_at,
               ShipmentTracking.first_eta_at, ShipmentTracking.delivered_at)
        .outerjoin(ShipmentTracking, ShipmentTracking.shipment_id == Shipment.id)
        .where(Shipment.shipped_at >= since, Shipment.shipped_at < until)).all()
    cased = set(s.scalars(select(ExceptionCase.shipment_id).where(
        ExceptionCase.shipment_id.in_([r.id for r in rows]))) if rows else [])
    by_order = _delivered_at_by_order(s, {r.order_id for r in rows if r.delivered_at is None})
    now = clock.utcnow()
    pickup = {p.carrier: p.rate for p in tracking_queries.pickup_timeliness(
        s, since, until, now=now, on_time_hours=pickup_hours)}
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for r in rows:
        t = tallies[(r.carrier, r.service)]
        t.shipments += 1
        t.with_case += r.id in cased
        delivered = r.delivered_at or by_order.get(r.order_id)
        if delivered is not None:
            shipped, delivered = clock.as_utc(r.shipped_at), clock.as_utc(delivered)
            if delivered < shipped:  # a carrier clock before our handover: not a transit time
                continue
            t.transit.append((delivered - shipped).total_seconds() / 3600)
            promised = r.first_eta_at or r.estimated_delivery_at
            if promised is not None and clock.local(delivered, zone).date() <= \
                    clock.local(promised, zone).date():
                t.on_time += 1
    return [Performance(
        carrier, service, t.shipments, len(t.transit),
        round(statistics.median(t.transit), 1) if t.transit else None,
        t.on_time / len(t.transit) if t.transit else None,
        t.with_case / t.shipments if t.shipments else None,
        pickup.get(carrier))
        for (carrier, service), t in sorted(tallies.items())]
