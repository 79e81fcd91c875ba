"""Tracking use cases and steps: record carrier events, follow them with the order, ship
with an ETA, confirm pickups, watch ETAs.

`record_events(s, shipment, events)` is the step every adapter ends in (push hooks,
polling, the simulated carrier): it stores each event once, places late events by their
time, moves the order through `lifecycle.transition` only forward in time, and returns
what changed so other steps (the exception desk) can act on the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.fulfilment import corrections
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment.models import Shipment
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.tracking import rules, state
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import ShipmentTracking, TrackingEvent, TrackingStatus
from orderflow.tracking.rules import CarrierEvent

CARRIER = Actor("carrier", "tracking")


@dataclass
class Changes:
    """What one batch of carrier events changed."""

    shipment_id: int
    order_id: int
    new_events: list[CarrierEvent] = field(default_factory=list)
    duplicates: int = 0
    status_before: TrackingStatus | None = None
    status_after: TrackingStatus | None = None
    order_before: Status | None = None
    order_after: Status | None = None
    picked_up: bool = False  # the pickup scan arrived in this batch
    eta_before: datetime | None = None
    eta_after: datetime | None = None

    @property
    def problems(self) -> list[CarrierEvent]:
        """New events an exception desk cares about: exception, failed attempt, return."""
        return [e for e in self.new_events if e.status in rules.PROBLEMS]

    @property
    def status_changed(self) -> bool:
        return self.status_before != self.status_after

    @property
    def order_changed(self) -> bool:
        return self.order_before != self.order_after


# --- steps ------------------------------------------------------------------------------------
def tracking_of(s: Session, shipment: Shipment, *, provider: str = "simulated") -> ShipmentTracking:
    """The shipment's tracking row, locked for this transaction; made if missing (two
    first pushes racing for a shipment made before tracking existed both find one row)."""
    stmt = select(ShipmentTracking).where(ShipmentTracking.shipment_id == shipment.id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = s.scalars(stmt).first()
    if row is not None:
        return row
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(insert(ShipmentTracking).values(
        shipment_id=shipment.id, order_id=shipment.order_id, provider=provider,
        status_rank=-1, events=0, handed_over_at=shipment.shipped_at,
        first_eta_at=shipment.estimated_delivery_at, awaiting_pickup=False,
        delay_owed=False, poll_failures=0, poll_interval_s=rules.MIN_POLL_S, closed=False,
    ).on_conflict_do_nothing(index_elements=["shipment_id"]))
    return s.scalars(stmt.execution_options(populate_existing=True)).one()


def _store(s: Session, shipment_id: int, order_id: int, source: str,
           events: Sequence[CarrierEvent]) -> tuple[list[CarrierEvent], int]:
    """Insert the events not stored yet; returns (the new ones, duplicates)."""
    unique = {e.dedupe_key: e for e in events}
    if not unique:
        return [], 0
    now = clock.utcnow()
    rows = [{
        "shipment_id": shipment_id, "order_id": order_id, "source": source,
        "dedupe_key": key, "occurred_at": e.occurred_at, "received_at": now,
        "status": e.status, "raw_code": e.raw_code[:40], "description": e.description,
        "location": (e.location or None) and e.location[:200], "pickup": e.pickup,
        "problem": e.problem, "eta": e.eta, "raw": e.raw,
    } for key, e in unique.items()]
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    # One cached statement, executemany with RETURNING ("insertmanyvalues"): one round trip.
    table = cast(Table, TrackingEvent.__table__)
    stmt = (insert(table).on_conflict_do_nothing(index_elements=["shipment_id", "dedupe_key"])
            .returning(table.c.dedupe_key))
    stored = set(s.connection().execute(stmt, rows).scalars())
    new = sorted((e for k, e in unique.items() if k in stored), key=rules.sort_key)
    return new, len(events) - len(new)


def _parcel_statuses(s: Session, track: ShipmentTracking,
                     parcels: int | None) -> list[TrackingStatus | None]:
    if parcels == 1:
        return [track.status]
    others = s.scalars(select(ShipmentTracking.status).where(
        ShipmentTracking.order_id == track.order_id,
        ShipmentTracking.shipment_id != track.shipment_id))
    return [track.status, *others]


def _follow(s: Session, order: Order, shipment: Shipment, track: ShipmentTracking,
            actor: Actor, parcels: int | None) -> None:
    """Move the order to what its parcels say, through the one transition table."""
    target = rules.order_target(_parcel_statuses(s, track, parcels))
    if target is None or target is order.status or not lifecycle.can(order, target):
        return
    if order.status is Status.EXCEPTION and (track.status_at is None
                                             or track.status_at <= order.updated_at):
        return  # only news from after the exception was raised clears it
    latest = track.status.value if track.status else None
    data: dict[str, Any] = {"carrier": shipment.carrier,
                            "tracking_number": shipment.tracking_number,
                            "tracking_status": latest,
                            "event_at": track.status_at.isoformat() if track.status_at else None}
    if target is Status.DELIVERED:
        fulfilment.mark_delivered(s, order, actor=actor, data=data)
    else:
        lifecycle.transition(s, order, target, actor=actor, data=data)


def record_events(s: Session, shipment: Shipment, events: Sequence[CarrierEvent], *,
                  source: str = "simulated", actor: Actor = CARRIER,
                  order: Order | None = None, track: ShipmentTracking | None = None,
                  parcels: int | None = None) -> Changes:
    """Step: store carrier events once each and let the order follow the newest.
    `track` (locked) and `parcels` (the order's shipment count) save queries when known."""
    track = track or tracking_of(s, shipment, provider=source)
    new, duplicates = _store(s, shipment.id, shipment.order_id, source, events)
    return _fold(s, shipment, track, new, duplicates, actor=actor, order=order, parcels=parcels)


def _fold(s: Session, shipment: Shipment, track: ShipmentTracking, new: list[CarrierEvent],
          duplicates: int, *, actor: Actor, order: Order | None, parcels: int | None) -> Changes:
    changes = Changes(shipment.id, shipment.order_id, new_events=new, duplicates=duplicates,
                      status_before=track.status, eta_before=shipment.estimated_delivery_at)
    if new:
        was_picked_up = track.picked_up_at is not None
        state.apply_events(track, shipment, new, clock.utcnow())
        changes.picked_up = not was_picked_up and track.picked_up_at is not None
    changes.status_after = track.status
    changes.eta_after = shipment.estimated_delivery_at
    if not changes.status_changed and not changes.picked_up:
        return changes
    if order is None:
        order = _order_for_change(s, shipment.order_id)
    changes.order_before = order.status
    if track.awaiting_pickup and changes.picked_up:
        confirm_shipped(s, order, shipment, track, actor=actor, reason="reason.pickup_scan")
    if changes.status_changed and not track.awaiting_pickup:
        _follow(s, order, shipment, track, actor, parcels)
    changes.order_after = order.status
    return changes


def _order_for_change(s: Session, order_id: int) -> Order:
    stmt = select(Order).where(Order.id == order_id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return s.scalars(stmt).one()


def confirm_shipped(s: Session, order: Order, shipment: Shipment, track: ShipmentTracking, *,
                    actor: Actor, reason: str) -> None:
    """Step: a parcel that waited for its pickup scan now counts as shipped."""
    track.awaiting_pickup = False
    track.pickup_deadline_at = None
    if lifecycle.can(order, Status.SHIPPED):
        fulfilment.mark_shipped(s, order, shipment, actor=actor)
        lifecycle.record(s, order, "tracking.shipped_confirmed", actor=actor, reason=reason,
                         data={"tracking_number": shipment.tracking_number})


def find_shipment(s: Session, tracking_number: str, carrier: str | None = None) -> Shipment | None:
    """The newest shipment with this number (and carrier, when the provider says which)."""
    stmt = select(Shipment).where(Shipment.tracking_number == tracking_number.strip().upper())
    if carrier:
        stmt = stmt.where(Shipment.carrier == carrier)
    return s.scalars(stmt.order_by(Shipment.id.desc()).limit(1)).first()


def register(s: Session, shipment: Shipment, settings: TrackingSettings, *,
             province: str | None = None, await_pickup: bool = False) -> ShipmentTracking:
    """Step: start tracking a shipment (ETA from the transit table, poll schedule)."""
    eta = rules.estimated_delivery(shipment.shipped_at, shipment.carrier, shipment.service,
                                   province)
    shipment.estimated_delivery_at = eta
    track = tracking_of(s, shipment, provider=settings.provider)
    track.first_eta_at = eta
    track.awaiting_pickup = await_pickup
    track.pickup_deadline_at = (shipment.shipped_at + timedelta(hours=settings.pickup_grace_hours)
                                if await_pickup else None)
    # Push providers still get a slow safety poll; poll-only providers start at the base rate.
    track.next_poll_at = shipment.shipped_at + timedelta(seconds=rules.MIN_POLL_S)
    return track


# --- use cases --------------------------------------------------------------------------------
def ship_parcel(db: Db, number: str, *, carrier: str, tracking_number: str, actor: Actor,
                settings: TrackingSettings, service: str = "standard") -> int:
    """Hand a packed order's parcel to the carrier and start tracking it. With the
    merchant setting `shipped_at=pickup` the order stays packed (no "shipped" notice)
    until the carrier's pickup scan, or until the grace window ends. Returns the shipment id."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        shipment = fulfilment.add_shipment(s, order, carrier=carrier,
                                           tracking_number=tracking_number, service=service,
                                           eta=None)
        await_pickup = settings.shipped_at == "pickup"
        register(s, shipment, settings, province=order.province, await_pickup=await_pickup)
        if not await_pickup:
            fulfilment.mark_shipped(s, order, shipment, actor=actor)
        return shipment.id


class WrongProvider(Exception):
    """A push or poll answer from a provider that does not track this shipment: refused,
    nothing stored (a forged "delivered" from another provider's hook moves nothing)."""

    def __init__(self, source: str, provider: str, tracking_number: str):
        super().__init__(f"{source} is not the provider tracking {tracking_number} ({provider})")
        self.source, self.provider = source, provider


def _locate(s: Session, tracking_number: str, carrier: str | None) -> Row[Any] | None:
    """One round trip: the newest shipment with this number, its tracking state (the row
    locked on PostgreSQL) and how many parcels its order has."""
    parcels = (select(func.count()).select_from(Shipment.__table__.alias("siblings"))
               .where(text("siblings.order_id = shipments.order_id")).scalar_subquery())
    t = ShipmentTracking
    stmt = (select(t.shipment_id, t.order_id, t.status, t.status_at, t.status_rank,
                   t.picked_up_at, t.awaiting_pickup, parcels.label("parcels"), t.provider)
            .join(Shipment, t.shipment_id == Shipment.id)
            .where(Shipment.tracking_number == tracking_number.strip().upper()))
    if carrier:
        stmt = stmt.where(Shipment.carrier == carrier)
    stmt = stmt.order_by(Shipment.id.desc()).limit(1)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=ShipmentTracking)
    return s.execute(stmt).first()


def _ingest(s: Session, source: str, tracking_number: str, events: Sequence[CarrierEvent],
            carrier: str | None) -> Changes | None:
    row = _locate(s, tracking_number, carrier)
    if row is not None and row.provider != source:
        raise WrongProvider(source, row.provider, tracking_number)
    if row is None:  # unknown, or shipped before tracking existed: the ORM path makes the row
        shipment = find_shipment(s, tracking_number, carrier)
        return record_events(s, shipment, events, source=source) if shipment else None
    new, duplicates = _store(s, row.shipment_id, row.order_id, source, events)
    quick = state.quick_values(row.status, row.status_at, row.status_rank, row.picked_up_at,
                               row.awaiting_pickup, new, clock.utcnow())
    if quick is not None:  # nothing can move the order: one UPDATE, no ORM objects
        if new:
            quick["events"] = ShipmentTracking.events + len(new)
        s.execute(update(ShipmentTracking)
                  .where(ShipmentTracking.shipment_id == row.shipment_id).values(**quick))
        return Changes(row.shipment_id, row.order_id, new_events=new, duplicates=duplicates,
                       status_before=row.status, status_after=row.status)
    # The full path: the shipment, its (already locked) tracking row and the order, locked
    # too, in one round trip.
    full = (select(Shipment, ShipmentTracking, Order)
            .join(ShipmentTracking, ShipmentTracking.shipment_id == Shipment.id)
            .join(Order, Order.id == Shipment.order_id).where(Shipment.id == row.shipment_id))
    if s.get_bind().dialect.name == "postgresql":
        full = full.with_for_update(of=Order)
    shipment, track, order = s.execute(full).one()
    return _fold(s, shipment, track, new, duplicates, actor=CARRIER, order=order,
                 parcels=row.parcels)


@dataclass(frozen=True)
class Batch:
    """One push or poll answer: the events a provider gave for one tracking number."""

    source: str
    tracking_number: str
    events: Sequence[CarrierEvent]
    carrier: str | None = None
    subscription: str | None = None  # 快递100 push status (polling | shutdown | abort)
    carrier_correction: str | None = None  # 快递100 autoCheck: the carrier it really is


def ingest_step(s: Session, batch: Batch) -> Changes | None:
    """Step: one batch of events for one tracking number. None: not a number we shipped.
    `subscription` `abort` ends a 快递100 subscription (it stopped pushing: re-subscribe or
    poll after 30 minutes); `shutdown` closes tracking."""
    changes = _ingest(s, batch.source, batch.tracking_number, batch.events, batch.carrier)
    if changes is not None and batch.carrier_correction:
        shipment = s.get_one(Shipment, changes.shipment_id)
        corrections.correct_shipment(
            s, s.get_one(Order, changes.order_id), shipment, carrier=batch.carrier_correction,
            tracking_number=None, source="carrier", actor=lifecycle.Actor("channel", batch.source))
    if changes is not None and batch.subscription in ("abort", "shutdown"):
        values: dict[str, object] = {"subscribed_at": None}
        if batch.subscription == "abort":
            values["next_poll_at"] = clock.utcnow() + timedelta(seconds=rules.MIN_POLL_S)
        else:
            values["closed"] = True
        s.execute(update(ShipmentTracking)
                  .where(ShipmentTracking.shipment_id == changes.shipment_id).values(**values))
    return changes


def ingest(db: Db, source: str, tracking_number: str, events: Sequence[CarrierEvent], *,
           carrier: str | None = None, subscription: str | None = None,
           carrier_correction: str | None = None) -> Changes | None:
    """One pushed or polled batch for one tracking number, in its own transaction."""
    with db.transaction() as s:
        return ingest_step(s, Batch(source, tracking_number, events, carrier, subscription,
                                    carrier_correction))


def confirm_overdue_pickups(db: Db, *, now: datetime | None = None, limit: int = 200) -> int:
    """Worker job: parcels whose grace window ended without a pickup scan count as shipped."""
    now = now or clock.utcnow()
    with db.transaction() as s:
        rows = s.execute(
            select(ShipmentTracking, Shipment)
            .join(Shipment, Shipment.id == ShipmentTracking.shipment_id)
            .where(ShipmentTracking.awaiting_pickup.is_(True),
                   ShipmentTracking.pickup_deadline_at <= now)
            .order_by(ShipmentTracking.order_id).limit(limit)).all()
        for track, shipment in rows:
            order = _order_for_change(s, shipment.order_id)
            confirm_shipped(s, order, shipment, track, actor=lifecycle.SYSTEM,
                            reason="reason.pickup_grace_ended")
        return len(rows)


def watch_eta(db: Db, *, now: datetime | None = None, limit: int = 200) -> int:
    """Worker job: a parcel past its estimated delivery owes the customer a delay notice
    (order.delayed, once per parcel)."""
    now = now or clock.utcnow()
    with db.transaction() as s:
        rows = s.execute(
            select(ShipmentTracking, Shipment)
            .join(Shipment, Shipment.id == ShipmentTracking.shipment_id)
            .where(ShipmentTracking.closed.is_(False), ShipmentTracking.delay_owed.is_(False),
                   ShipmentTracking.awaiting_pickup.is_(False),
                   Shipment.estimated_delivery_at < now)
            .order_by(ShipmentTracking.order_id).limit(limit)).all()
        for track, shipment in rows:
            track.delay_owed = True
            order = s.get_one(Order, shipment.order_id)
            if order.status in (Status.CANCELLED, Status.COMPLETED, Status.DELIVERED):
                continue
            eta = shipment.estimated_delivery_at
            lifecycle.owe(s, order, "order.delayed", {
                "reason": "late.parcel_past_eta",
                "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
                "eta": eta.isoformat() if eta else None,
            }, key_suffix=f":eta:{shipment.id}")
            lifecycle.record(s, order, "tracking.past_eta", actor=lifecycle.SYSTEM,
                             data={"tracking_number": shipment.tracking_number,
                                   "eta": eta.isoformat() if eta else None})
        return len(rows)
