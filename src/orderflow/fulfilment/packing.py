"""The pack station (打包复核): scan the order (or its slip), then every item's barcode; a
wrong item, one too many or one too few is refused, and the parcel closes only when the
scans match the order's part at this warehouse exactly, with weight, parcel count and the
outbound inspection (出库质检) recorded. Closing moves the lines' picked and packed units;
the order is `packed` once every part is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Sku
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.fulfilment import allocation, rules, stock
from orderflow.fulfilment.models import Inspection, Pack, PackState, Wave, WaveOrder
from orderflow.inventory.models import Warehouse
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status

MAX_PARCELS = 20


@dataclass(frozen=True)
class PackView:
    id: int
    order_number: str
    warehouse: str
    wave: str | None
    state: str
    expected: dict[str, int]
    scanned: dict[str, int]
    names: dict[str, str]
    barcodes: dict[str, str]
    parcel_count: int | None
    weight_g: int | None
    inspection: str | None
    inspection_note: str | None

    @property
    def missing(self) -> dict[str, int]:
        return rules.missing(self.expected, self.scanned)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class ScanResult:
    pack: PackView
    problem: rules.ScanProblem | None = None
    sku: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _expected(s: Session, order: Order, warehouse_id: int) -> tuple[dict[str, int],
                                                                     dict[str, str]]:
    expected: dict[str, int] = {}
    names: dict[str, str] = {}
    for line, qty in allocation.parts_of(s, order.id).get(warehouse_id, []):
        expected[line.sku_code] = expected.get(line.sku_code, 0) + qty
        names[line.sku_code] = line.name
    return expected, names


def _view(s: Session, pack: Pack, order: Order) -> PackView:
    expected, names = _expected(s, order, pack.warehouse_id)
    warehouse = s.get(Warehouse, pack.warehouse_id)
    wave = s.get(Wave, pack.wave_id) if pack.wave_id else None
    barcodes = dict(s.execute(
        select(Sku.code, Sku.barcode).where(Sku.code.in_(expected))).all())
    return PackView(pack.id, order.number, warehouse.code if warehouse else "?",
                    wave.code if wave else None, pack.state.value, expected,
                    dict(pack.scanned or {}), names,
                    {k: v for k, v in barcodes.items() if v},
                    pack.parcel_count, pack.weight_g,
                    pack.inspection.value if pack.inspection else None, pack.inspection_note)


def _pack_for_change(s: Session, pack_id: int) -> tuple[Pack, Order]:
    pack = s.get(Pack, pack_id)
    if pack is None:
        raise NotFound(f"no pack {pack_id}", code="pack.not_found")
    order = s.get(Order, pack.order_id)
    assert order is not None
    locked = queries.get_order_for_change(s, order.number)  # locks the order (PostgreSQL)
    s.refresh(pack)  # the scans as they are now that no other scan can run for this order
    return pack, locked


def _open(s: Session, number: str, warehouse: str, actor: Actor) -> tuple[Pack, Order]:
    where = stock.get_warehouse(s, warehouse)
    found = queries.find_order(s, number)
    if found is None:
        raise NotFound(f"no order {number}", code="pack.unknown_order",
                       fields=[FieldProblem("scan", "pack.unknown_order", f"no order {number}")])
    order = queries.get_order_for_change(s, found.number)
    pack = s.scalars(select(Pack).where(Pack.order_id == order.id,
                                        Pack.warehouse_id == where.id)).first()
    if pack is not None:
        return pack, order
    if order.status is not Status.PICKING:
        raise Conflict(f"order {order.number} is {order.status.value}, not picking: "
                       "release its wave first", code="pack.not_picking",
                       fields=[FieldProblem("scan", "pack.not_picking", order.status.value)])
    if where.id not in allocation.parts_of(s, order.id):
        raise Conflict(f"order {order.number} has nothing to pack in {where.code}",
                       code="pack.not_here",
                       fields=[FieldProblem("scan", "pack.not_here", where.code)])
    wave_id = s.scalar(select(WaveOrder.wave_id).where(
        WaveOrder.order_id == order.id, WaveOrder.warehouse_id == where.id))
    pack = Pack(order_id=order.id, warehouse_id=where.id, wave_id=wave_id,
                state=PackState.OPEN, scanned={}, opened_at=clock.utcnow(),
                packed_by=str(actor))
    s.add(pack)
    s.flush()
    return pack, order


def open_pack(db: Db, scan: str, *, warehouse: str, actor: Actor) -> PackView:
    """The first scan at the station: an order number (from the packing or pick slip)."""
    number = scan.strip()
    if not number:
        raise ValidationFailed([FieldProblem("scan", "required", "scan an order number")])
    with db.transaction() as s:
        pack, order = _open(s, number, warehouse, actor)
        return _view(s, pack, order)


def _sku_of(s: Session, barcode: str) -> str | None:
    code = barcode.strip()
    return s.scalar(select(Sku.code).where(or_(Sku.barcode == code, Sku.code == code)))


def _must_be_open(pack: Pack, order: Order) -> None:
    if pack.state is not PackState.OPEN:
        raise Conflict(f"the parcel of {order.number} is already {pack.state.value}",
                       code="pack.closed")


def _scan(s: Session, pack: Pack, order: Order, barcode: str) -> tuple[rules.ScanProblem | None,
                                                                       str | None]:
    expected, _ = _expected(s, order, pack.warehouse_id)
    sku = _sku_of(s, barcode)
    scanned = dict(pack.scanned or {})
    problem = rules.check_scan(expected, scanned, sku, barcode.strip())
    if problem is None and sku is not None:
        scanned[sku] = scanned.get(sku, 0) + 1
        pack.scanned = scanned
    return problem, sku


def scan_item(db: Db, pack_id: int, barcode: str, *, actor: Actor) -> ScanResult:
    """One item scanned. A problem is answered, not raised: the scan is not counted and
    the mis-scan is written on the order's timeline."""
    with db.transaction() as s:
        pack, order = _pack_for_change(s, pack_id)
        _must_be_open(pack, order)
        problem, sku = _scan(s, pack, order, barcode)
        if problem:
            lifecycle.record(s, order, "pack.misscan", actor=actor, reason=problem.message,
                             data={"code": problem.code, "barcode": barcode.strip()[:64]})
        s.flush()
        return ScanResult(_view(s, pack, order), problem, sku)


def reset_pack(db: Db, pack_id: int, *, actor: Actor) -> PackView:
    with db.transaction() as s:
        pack, order = _pack_for_change(s, pack_id)
        _must_be_open(pack, order)
        pack.scanned = {}
        return _view(s, pack, order)


def _close_problems(view: PackView, weight_g: int | None, parcel_count: int | None,
                    inspection: str, note: str) -> list[FieldProblem]:
    problems = [FieldProblem("scan", "pack.too_few", f"{n} more {sku} to scan")
                for sku, n in view.missing.items()]
    if weight_g is None or weight_g <= 0:
        problems.append(FieldProblem("weight_g", "weight.invalid", "weigh the parcel (grams)"))
    if parcel_count is None or not 1 <= parcel_count <= MAX_PARCELS:
        problems.append(FieldProblem("parcel_count", "parcels.invalid",
                                     f"from 1 to {MAX_PARCELS}"))
    if inspection not in {i.value for i in Inspection}:
        problems.append(FieldProblem("inspection", "inspection.invalid", "passed or failed"))
    elif inspection == Inspection.FAILED and not note.strip():
        problems.append(FieldProblem("inspection_note", "required", "say what failed"))
    return problems


def _close(s: Session, pack: Pack, order: Order, *, weight_g: int | None,
           parcel_count: int | None, inspection: str, note: str, actor: Actor) -> PackView:
    _must_be_open(pack, order)
    view = _view(s, pack, order)
    problems = _close_problems(view, weight_g, parcel_count, inspection, note)
    if problems:
        raise ValidationFailed(problems, detail="the parcel cannot be closed: " + "; ".join(
            f"{p.field}: {p.message}" for p in problems))
    pack.inspection = Inspection(inspection)
    pack.inspection_note = note.strip()[:300] or None
    data: dict[str, Any] = {"warehouse": view.warehouse, "weight_g": weight_g,
                            "parcels": parcel_count, "inspection": inspection}
    if pack.inspection is Inspection.FAILED:
        pack.scanned = {}
        lifecycle.record(s, order, "pack.inspection_failed", actor=actor,
                         reason=pack.inspection_note, data=data)
    else:
        _pack_part(s, order, pack, actor=actor, data=data,
                   weight_g=weight_g or 0, parcel_count=parcel_count or 1)
    return _view(s, pack, order)


def close_pack(db: Db, pack_id: int, *, weight_g: int | None, parcel_count: int | None,
               inspection: str, actor: Actor, note: str = "") -> PackView:
    """Close the parcel. Refused (whole) while any item is missing. A failed inspection is
    recorded and the scans start over; a passed one packs the part."""
    with db.transaction() as s:
        pack, order = _pack_for_change(s, pack_id)
        return _close(s, pack, order, weight_g=weight_g, parcel_count=parcel_count,
                      inspection=inspection, note=note, actor=actor)


def pack_scanned(db: Db, number: str, *, warehouse: str, scans: list[str],
                 weight_g: int | None, parcel_count: int | None, inspection: str,
                 actor: Actor, note: str = "") -> PackView:
    """A whole pack in one go (a scanner integration): every scan checked, then closed; any
    mis-scan or shortfall refuses the lot, naming each bad scan, and nothing is written."""
    with db.transaction() as s:
        pack, order = _open(s, number.strip(), warehouse, actor)
        _must_be_open(pack, order)
        expected, _ = _expected(s, order, pack.warehouse_id)
        codes = {c.strip() for c in scans}
        skus: dict[str, str] = {}
        for code, barcode in s.execute(select(Sku.code, Sku.barcode).where(
                or_(Sku.barcode.in_(codes), Sku.code.in_(codes)))):
            skus[code] = code
            if barcode:
                skus[barcode] = code
        scanned: dict[str, int] = {}
        problems = []
        for i, raw in enumerate(scans):
            sku = skus.get(raw.strip())
            problem = rules.check_scan(expected, scanned, sku, raw.strip())
            if problem:
                problems.append(FieldProblem(f"scans[{i}]", problem.code, problem.message))
            elif sku is not None:
                scanned[sku] = scanned.get(sku, 0) + 1
        if problems:
            raise ValidationFailed(problems)
        pack.scanned = scanned
        return _close(s, pack, order, weight_g=weight_g, parcel_count=parcel_count,
                      inspection=inspection, note=note, actor=actor)


def _pack_part(s: Session, order: Order, pack: Pack, *, actor: Actor, data: dict[str, Any],
               weight_g: int, parcel_count: int) -> None:
    for line, _qty in allocation.parts_of(s, order.id)[pack.warehouse_id]:
        line.picked = line.allocated
        line.packed = line.allocated
    pack.state = PackState.CLOSED
    pack.weight_g = weight_g
    pack.parcel_count = parcel_count
    pack.closed_at = clock.utcnow()
    pack.packed_by = str(actor)
    lifecycle.record(s, order, "pack.closed", actor=actor, data=data)
    s.flush()
    lines = queries.lines_of(s, order.id)
    if all(ln.packed == ln.ordered - ln.cancelled for ln in lines):
        lifecycle.transition(s, order, Status.PACKED, actor=actor, data=data)


def reopen_pack(db: Db, pack_id: int, *, actor: Actor, reason: str) -> PackView:
    """Open a closed, not yet shipped parcel again (wrong weight, torn box): its units go
    back to unpacked, the scans start over, a packed order goes back to picking."""
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "reason.required", "a reason is required")])
    with db.transaction() as s:
        pack, order = _pack_for_change(s, pack_id)
        if pack.state is not PackState.CLOSED:
            raise Conflict(f"the parcel of {order.number} is {pack.state.value}, not closed",
                           code="pack.not_closed")
        for line, _qty in allocation.parts_of(s, order.id)[pack.warehouse_id]:
            line.packed = line.shipped  # still picked: only the packing is undone
        pack.state = PackState.OPEN
        pack.scanned = {}
        pack.closed_at = None
        if order.status is Status.PACKED:
            lifecycle.transition(s, order, Status.PICKING, actor=actor, reason=reason.strip())
        lifecycle.record(s, order, "pack.reopened", actor=actor, reason=reason.strip(),
                         data={"warehouse_id": pack.warehouse_id})
        return _view(s, pack, order)


def get_pack(db: Db, pack_id: int) -> PackView:
    with db.read() as s:
        pack = s.get(Pack, pack_id)
        if pack is None:
            raise NotFound(f"no pack {pack_id}", code="pack.not_found")
        order = s.get(Order, pack.order_id)
        assert order is not None
        return _view(s, pack, order)
