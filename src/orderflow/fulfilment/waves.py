"""Waves (波次): allocated order parts grouped by warehouse, carrier, priority and cut-off;
their pick list in bin order; release, cancel and re-run.

A wave holds an order's part at one warehouse (`wave_orders`, unique per part), so a split
order's parts go out in waves of their own warehouses. Releasing a wave starts picking
(orders go to `picking` through the lifecycle); cancelling puts them back to `allocated`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.db import Db
from orderflow.documents import PickItem, PickListData, render_pick_list
from orderflow.documents.pick_list import PickRow, pick_rows
from orderflow.errors import Conflict, FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.fulfilment import rules, stock
from orderflow.fulfilment.desk import CarrierDesk
from orderflow.fulfilment.models import BinLocation, Pack, PackState, Wave, WaveOrder, WaveState
from orderflow.inventory.models import Reservation, ReservationState, Warehouse
from orderflow.orders import lifecycle
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.status import Status

LIVE = (WaveState.OPEN, WaveState.RELEASED)
WAVEABLE = (Status.ALLOCATED, Status.PICKING)
NOT_PICKED = (Status.CANCELLED, Status.ON_HOLD)


@dataclass(frozen=True)
class WaveView:
    id: int
    code: str
    warehouse: str
    carrier: str
    priority: str
    cutoff_at: datetime | None
    state: str
    order_count: int
    created_by: str
    created_at: datetime
    released_at: datetime | None
    rerun_of: int | None


@dataclass(frozen=True)
class PickList:
    wave: WaveView
    items: list[PickItem]
    rows: list[PickRow]
    orders: list[str]  # in pick order


def _view(s: Session, wave: Wave) -> WaveView:
    warehouse = s.get(Warehouse, wave.warehouse_id)
    return WaveView(wave.id, wave.code, warehouse.code if warehouse else "?", wave.carrier,
                    wave.priority, wave.cutoff_at, wave.state.value, wave.order_count,
                    wave.created_by, wave.created_at, wave.released_at, wave.rerun_of)


def get_wave(s: Session, wave_id: int) -> Wave:
    wave = s.get(Wave, wave_id)
    if wave is None:
        raise NotFound(f"no wave {wave_id}", code="wave.not_found")
    return wave


def _waveable_parts(s: Session, warehouse_id: int | None,
                    order_ids: list[int] | None = None) -> list[tuple[int, int]]:
    """(order id, warehouse id) of allocated parts in no live wave and not yet packed."""
    packed = select(Pack.id).where(Pack.order_id == Reservation.order_id,
                                   Pack.warehouse_id == Reservation.warehouse_id,
                                   Pack.state != PackState.OPEN).exists()
    waved = select(WaveOrder.id).where(WaveOrder.order_id == Reservation.order_id,
                                       WaveOrder.warehouse_id == Reservation.warehouse_id).exists()
    stmt = (select(Reservation.order_id, Reservation.warehouse_id).distinct()
            .join(Order, Order.id == Reservation.order_id)
            .where(Reservation.state == ReservationState.ALLOCATED,
                   Order.status.in_(WAVEABLE), ~packed, ~waved)
            .order_by(Reservation.order_id, Reservation.warehouse_id))
    if warehouse_id is not None:
        stmt = stmt.where(Reservation.warehouse_id == warehouse_id)
    if order_ids is not None:
        stmt = stmt.where(Reservation.order_id.in_(order_ids))
    return [(int(o), int(w)) for o, w in s.execute(stmt).all()]


def _create(s: Session, key: rules.WaveKey, order_ids: list[int], *, actor: Actor,
            zone: ZoneInfo, rerun_of: int | None = None) -> Wave:
    now = clock.utcnow()
    wave = Wave(code=uuid.uuid4().hex[:16], warehouse_id=key.warehouse_id, carrier=key.carrier,
                priority=key.priority, cutoff_at=key.cutoff_at, state=WaveState.OPEN,
                order_count=len(order_ids), created_by=str(actor), created_at=now,
                rerun_of=rerun_of)
    s.add(wave)
    s.flush()
    wave.code = f"W{clock.local(now, zone):%y%m%d}-{wave.id:04d}"
    s.add_all(WaveOrder(wave_id=wave.id, order_id=o, warehouse_id=key.warehouse_id)
              for o in order_ids)
    s.flush()
    return wave


def _plan(s: Session, parts: list[tuple[int, int]], *, desk: CarrierDesk, zone: ZoneInfo,
          max_orders: int) -> list[tuple[rules.WaveKey, list[int]]]:
    now = clock.utcnow()
    orders = {o.id: o for o in s.scalars(select(Order).where(
        Order.id.in_({o for o, _ in parts})))}
    keyed = []
    for order_id, warehouse_id in parts:
        try:
            with s.begin_nested():
                choice = desk.choice(s, orders[order_id])
        except OrderFlowError as exc:  # no carrier covers it: stays allocated, says why
            lifecycle.record(s, orders[order_id], "wave.not_planned", actor=lifecycle.SYSTEM,
                             reason=exc.detail, data={"code": exc.code})
            continue
        keyed.append((rules.WaveKey(warehouse_id, choice.carrier, rules.priority_of(choice.service),
                                    rules.next_cutoff(now, choice.cutoff, zone)), order_id))
    return rules.group_waves(keyed, max_orders)


def plan_waves(db: Db, *, actor: Actor, desk: CarrierDesk, zone: ZoneInfo,
               warehouse: str | None = None, max_orders: int = 50) -> list[WaveView]:
    """Every allocated part not yet in a wave, grouped into new open waves."""
    if not 1 <= max_orders <= 500:
        raise ValidationFailed([FieldProblem("max_orders", "range", "from 1 to 500")])
    try:
        with db.transaction() as s:
            warehouse_id = stock.get_warehouse(s, warehouse).id if warehouse else None
            parts = _waveable_parts(s, warehouse_id)
            waves = [_create(s, key, ids, actor=actor, zone=zone) for key, ids in
                     _plan(s, parts, desk=desk, zone=zone, max_orders=max_orders)]
            return [_view(s, w) for w in waves]
    except IntegrityError as exc:  # the unique part-in-one-wave key: someone planned first
        raise Conflict("another planner put some of these orders in a wave just now; "
                       "plan again", code="wave.concurrent") from exc


def _orders_of(s: Session, wave_id: int) -> list[Order]:
    return list(s.scalars(select(Order).join(WaveOrder, WaveOrder.order_id == Order.id)
                          .where(WaveOrder.wave_id == wave_id).order_by(Order.id)))


def _set_state(s: Session, wave: Wave, to: WaveState, allowed: tuple[WaveState, ...],
               **values: object) -> None:
    done = s.execute(update(Wave).where(Wave.id == wave.id, Wave.state.in_(allowed))
                     .values(state=to, **values).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"wave {wave.code} is {wave.state.value}", code="wave.state")
    s.refresh(wave)


def release_wave(db: Db, wave_id: int, *, actor: Actor) -> WaveView:
    """Hand the wave to the pickers: its allocated orders start picking."""
    with db.transaction() as s:
        wave = get_wave(s, wave_id)
        _set_state(s, wave, WaveState.RELEASED, (WaveState.OPEN,), released_at=clock.utcnow())
        for order in _orders_of(s, wave.id):
            if order.status is Status.ALLOCATED:
                lifecycle.transition(s, order, Status.PICKING, actor=actor,
                                     data={"wave": wave.code})
        return _view(s, wave)


def _unwave(s: Session, wave: Wave, *, actor: Actor, reason: str) -> list[int]:
    """Take the wave's parts out of it; orders with nothing else in progress go back to
    `allocated`. Refused once a parcel of the wave is packed."""
    closed = s.scalar(select(func.count()).select_from(Pack).where(
        Pack.wave_id == wave.id, Pack.state != PackState.OPEN))
    if closed:
        raise Conflict(f"wave {wave.code} has {closed} packed parcel(s); ship or unpack them",
                       code="wave.has_packed")
    orders = _orders_of(s, wave.id)
    s.execute(delete(Pack).where(Pack.wave_id == wave.id, Pack.state == PackState.OPEN))
    s.execute(delete(WaveOrder).where(WaveOrder.wave_id == wave.id))
    for order in orders:
        busy = s.scalar(select(func.count()).select_from(WaveOrder)
                        .where(WaveOrder.order_id == order.id)) or s.scalar(
            select(func.count()).select_from(Pack).where(Pack.order_id == order.id))
        if order.status is Status.PICKING and not busy:
            lifecycle.transition(s, order, Status.ALLOCATED, actor=actor, reason=reason,
                                 data={"wave": wave.code})
    return [o.id for o in orders]


def cancel_wave(db: Db, wave_id: int, *, actor: Actor, reason: str = "wave cancelled") -> WaveView:
    with db.transaction() as s:
        wave = get_wave(s, wave_id)
        state = wave.state
        _unwave(s, wave, actor=actor, reason=reason)
        _set_state(s, wave, WaveState.CANCELLED, (state,), closed_at=clock.utcnow())
        return _view(s, wave)


def rerun_wave(db: Db, wave_id: int, *, actor: Actor, desk: CarrierDesk,
               zone: ZoneInfo) -> WaveView:
    """Cancel the wave and plan its orders again (those still allocated, not held or
    cancelled since) into one new open wave that remembers the one it replaces."""
    with db.transaction() as s:
        wave = get_wave(s, wave_id)
        state = wave.state
        order_ids = _unwave(s, wave, actor=actor, reason=f"wave {wave.code} re-run")
        _set_state(s, wave, WaveState.CANCELLED, (state,), closed_at=clock.utcnow())
        parts = _waveable_parts(s, wave.warehouse_id, order_ids)
        if not parts:
            raise Conflict(f"no order of wave {wave.code} can be picked any more",
                           code="wave.empty")
        planned = _plan(s, parts, desk=desk, zone=zone, max_orders=len(parts))
        ids = sorted(o for _, group in planned for o in group)
        key = rules.WaveKey(wave.warehouse_id, wave.carrier, wave.priority, wave.cutoff_at)
        return _view(s, _create(s, key, ids, actor=actor, zone=zone, rerun_of=wave.id))


# --- the read side --------------------------------------------------------------------


def list_waves(db: Db, *, state: WaveState | None = None, limit: int = 100) -> list[WaveView]:
    with db.read() as s:
        stmt = select(Wave).order_by(Wave.id.desc()).limit(limit)
        if state:
            stmt = stmt.where(Wave.state == state)
        return [_view(s, w) for w in s.scalars(stmt)]


def pick_items(s: Session, wave: Wave) -> list[PickItem]:
    """What to pick for the wave: each order's allocated units at the wave's warehouse,
    with the SKU's bin there (orders cancelled or held since are left out)."""
    rows = s.execute(
        select(Order.number, OrderLine.sku_code, OrderLine.name, Reservation.quantity,
               BinLocation.code)
        .join(WaveOrder, WaveOrder.order_id == Reservation.order_id)
        .join(Order, Order.id == Reservation.order_id)
        .join(OrderLine, OrderLine.id == Reservation.order_line_id)
        .outerjoin(BinLocation, (BinLocation.sku_id == Reservation.sku_id)
                   & (BinLocation.warehouse_id == Reservation.warehouse_id))
        .where(WaveOrder.wave_id == wave.id, Reservation.warehouse_id == wave.warehouse_id,
               WaveOrder.warehouse_id == wave.warehouse_id,
               Reservation.state.in_([ReservationState.ALLOCATED, ReservationState.CONSUMED]),
               Order.status.not_in(NOT_PICKED))
        .order_by(Order.number, OrderLine.id)).all()
    return [PickItem(number, sku, name, int(qty), location)
            for number, sku, name, qty, location in rows]


def pick_list(db: Db, wave_id: int) -> PickList:
    with db.read() as s:
        wave = get_wave(s, wave_id)
        items = pick_items(s, wave)
        return PickList(_view(s, wave), items, pick_rows(items),
                        rules.pick_order((i.order_number, i.bin) for i in items))


def orders_in_pick_order(db: Db, wave_id: int) -> list[str]:
    """The wave's order numbers in the order the picker meets them: labels printed in
    this order come off the printer in the order the parcels reach the pack bench."""
    return pick_list(db, wave_id).orders


def pick_list_pdf(db: Db, wave_id: int, *, language: str, zone: ZoneInfo) -> bytes:
    found = pick_list(db, wave_id)
    data = PickListData(found.wave.code, found.items,
                        created_at=clock.local(found.wave.created_at, zone),
                        warehouse=found.wave.warehouse)
    return render_pick_list(data, language=language)


def order_waves(s: Session, order_id: int) -> list[str]:
    return list(s.scalars(select(Wave.code).join(WaveOrder, WaveOrder.wave_id == Wave.id)
                          .where(WaveOrder.order_id == order_id)))
