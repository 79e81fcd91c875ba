"""Bulk intake: many checked orders written in one transaction with executemany.

The rows come from the same builders `placement.create` uses (order_values,
line_values, placed_rows), so an imported order is written exactly as
`place_order` would write it. Stock is reserved with one conditional UPDATE per
(SKU, warehouse) for the whole chunk (`... AND available >= :qty`, checked by
rowcount). If any aggregate cannot be reserved, or the chunk hits a constraint
(a racing duplicate), the bulk attempt is rolled back to its savepoint and the
chunk is written order by order, each in its own savepoint, through the
single-order step: only the orders that really lack stock fail, and no order is
ever half-written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import Table, bindparam, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.intake import service
from orderflow.intake.fastinsert import insert_many
from orderflow.intake.rows import RawOrder, RowError, problem_errors
from orderflow.inventory.models import Reservation, ReservationState, StockLevel, Warehouse
from orderflow.inventory.service import AVAILABLE, Need
from orderflow.orders import placement
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.numbering import allocator_for
from orderflow.orders.placement import Checked
from orderflow.outbox import OutboxMessage

Key = tuple[str, str]
ORDERS = cast(Table, Order.__table__)
LINES = cast(Table, OrderLine.__table__)
RESERVATIONS = cast(Table, Reservation.__table__)
TIMELINE = cast(Table, TimelineEvent.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
STOCK = cast(Table, StockLevel.__table__)


@dataclass
class Pending:
    raw: RawOrder
    checked: Checked

    @property
    def key(self) -> Key:
        return self.checked.cmd.channel, self.checked.cmd.external_id or ""


@dataclass
class Result:
    kind: Literal["imported", "duplicate", "failed"]
    number: str = ""
    errors: list[RowError] = field(default_factory=list)


class _StockShort(Exception):
    """An aggregate reservation of the chunk could not be made."""


def find_existing(db: Db, keys: set[Key]) -> dict[Key, str]:
    """Orders already present by channel + external id -> their numbers."""
    by_channel: dict[str, set[str]] = defaultdict(set)
    for channel, external_id in keys:
        by_channel[channel].add(external_id)
    found: dict[Key, str] = {}
    with db.read() as s:
        for channel, external_ids in by_channel.items():
            rows = s.execute(select(Order.external_id, Order.number).where(
                Order.channel == channel, Order.external_id.in_(external_ids)))
            found.update({(channel, str(ext)): number for ext, number in rows})
    return found


def write_chunk(db: Db, items: list[Pending], *, actor: Actor, settings: Settings) -> list[Result]:
    """Write checked orders (none already present, no key twice); one result per item."""
    if not items:
        return []
    numbers = allocator_for(db, settings.timezone).take(len(items))
    bulk = [i for i, p in enumerate(items) if p.checked.cmd.payment is None]
    single = [i for i, p in enumerate(items) if p.checked.cmd.payment is not None]
    results: dict[int, Result] = {}
    with db.transaction() as s:
        try:
            with s.begin_nested():
                _write_bulk(s, [items[i] for i in bulk], [numbers[i] for i in bulk],
                            actor=actor, settings=settings)
            results.update({i: Result("imported", numbers[i]) for i in bulk})
        except (_StockShort, IntegrityError):
            single = sorted(bulk + single)
        for i in single:
            results[i] = _write_one(s, items[i], numbers[i], actor=actor, settings=settings)
    return [results[i] for i in range(len(items))]


def _write_one(s: Session, item: Pending, number: str, *, actor: Actor,
               settings: Settings) -> Result:
    """One order in its own savepoint, through the single-order step."""
    try:
        with s.begin_nested():
            service.write_one(s, item.checked, number=number, actor=actor, settings=settings)
        return Result("imported", number)
    except IntegrityError as exc:
        channel, external_id = item.key
        existing = placement.find_by_external(s, channel, external_id)
        if existing is not None:
            return Result("duplicate", existing.number)
        return Result("failed", errors=[RowError(item.raw.first_line, "external_id",
                                                 f"could not be written: {exc.orig}",
                                                 "import.write_failed")])
    except OrderFlowError as exc:
        errors = problem_errors(item.raw, exc.fields) or [
            RowError(item.raw.first_line, "external_id", exc.detail, exc.code)]
        return Result("failed", errors=errors)


# --- the bulk path ----------------------------------------------------------


@dataclass
class _Planned:
    """One order's rows, ready for executemany."""

    order: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    needs: list[Need] | None = None


def _write_bulk(s: Session, items: list[Pending], numbers: list[str], *, actor: Actor,
                settings: Settings) -> None:
    if not items:
        return
    now = clock.utcnow()
    reserve = settings.reserve_at == "placement"
    warehouses = _reserve_stock(s, items, now) if reserve else None
    customer_ids = _customer_ids(s, [p.checked for p in items], now)
    order_ids = _next_ids(s, ORDERS, len(items))
    planned = [
        _Planned({"id": oid, **placement.order_values(p.checked, number=number, customer_id=cid,
                                                      now=now, settings=settings)})
        for p, number, cid, oid in zip(items, numbers, customer_ids, order_ids, strict=True)
    ]
    _plan_lines(s, items, planned, reserve=reserve)
    _insert_all(s, planned, warehouses, actor=actor, now=now)


def _plan_lines(s: Session, items: list[Pending], planned: list[_Planned], *,
                reserve: bool) -> None:
    for p, plan in zip(items, planned, strict=True):
        plan.lines = placement.line_values(p.checked, plan.order["id"], reserved=reserve)
    line_ids = iter(_next_ids(s, LINES, sum(len(p.lines) for p in planned)))
    for plan in planned:
        ids = [next(line_ids) for _ in plan.lines]
        for line, line_id in zip(plan.lines, ids, strict=True):
            line["id"] = line_id
        if reserve:
            plan.needs = placement.needs_of(plan.order["id"], plan.lines, ids)


def _insert_all(s: Session, planned: list[_Planned], warehouses: list[list[int]] | None, *,
                actor: Actor, now: datetime) -> None:
    events: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    message_ids = placement.bulk_message_ids(len(planned))
    for plan, message_id in zip(planned, message_ids, strict=True):
        first, notice = placement.placed_rows(plan.order["id"], plan.order, actor=actor, now=now,
                                              needs=plan.needs, message_id=message_id)
        events.extend(first)
        notices.append(notice)
    insert_many(s, ORDERS, [p.order for p in planned])
    insert_many(s, LINES, [line for p in planned for line in p.lines])
    if warehouses is not None:
        insert_many(s, RESERVATIONS, _reservation_rows(planned, warehouses, now))
    insert_many(s, TIMELINE, events)
    insert_many(s, OUTBOX, notices)


def _reservation_rows(planned: list[_Planned], warehouses: list[list[int]],
                      now: datetime) -> list[dict[str, Any]]:
    """Reservation rows in the order inventory.reserve adds them (by SKU id, then line)."""
    rows: list[dict[str, Any]] = []
    for plan, chosen in zip(planned, warehouses, strict=True):
        pairs = sorted(zip(plan.needs or [], chosen, strict=True),
                       key=lambda pair: (pair[0].sku_id, pair[0].line_id))
        rows.extend({"order_id": n.order_id, "order_line_id": n.line_id, "sku_id": n.sku_id,
                     "warehouse_id": wh, "quantity": n.quantity,
                     "state": ReservationState.ACTIVE, "created_at": now, "released_at": None}
                    for n, wh in pairs)
    return rows


def _next_ids(s: Session, table: Table, count: int) -> list[int]:
    """Ids for rows about to be inserted. SQLite: the write lock (BEGIN IMMEDIATE) is
    held, so max(id) cannot move; PostgreSQL: drawn from the table's own sequence."""
    if count == 0:
        return []
    if s.get_bind().dialect.name == "sqlite":
        start = int(s.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
        return list(range(start + 1, start + count + 1))
    seq = s.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
    rows = s.scalars(text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
                     {"seq": seq, "n": count})
    return [int(v) for v in rows]


# --- customers ------------------------------------------------------------------


def _customer_ids(s: Session, checked: list[Checked], now: datetime) -> list[int]:
    """placement's rule for the whole chunk: the first customer (lowest id) with exactly
    the order's contact (unmasked phone and email), else a new one, which later orders
    with the same contact then find."""
    keys = [placement.customer_keys(c) for c in checked]
    known = _existing_customers(s, keys)
    chosen: list[tuple[int, int]] = []  # (0, id) existing, (1, n) the n-th new one
    new_rows: list[dict[str, Any]] = []
    for c, key in zip(checked, keys, strict=True):
        found = known.get(key) if any(key) else None
        if found:
            chosen.append(found)
            continue
        rank = (1, len(new_rows))
        new_rows.append(placement.customer_values(c, now))
        if any(key):
            known.setdefault(key, rank)
        chosen.append(rank)
    new_ids = _next_ids(s, CUSTOMERS, len(new_rows))
    if new_rows:
        insert_many(s, CUSTOMERS,
                    [{"id": cid, **row} for cid, row in zip(new_ids, new_rows, strict=True)])
    return [value if kind == 0 else new_ids[value] for kind, value in chosen]


Contact = tuple[str | None, str | None]


def _existing_customers(s: Session, keys: list[Contact]) -> dict[Contact, tuple[int, int]]:
    """(phone, email) -> (0, lowest customer id) for the contacts already known."""
    phones = {p for p, _ in keys if p}
    emails = {e for _, e in keys if e}
    known: dict[Contact, tuple[int, int]] = {}
    if not phones and not emails:
        return known
    rows = s.execute(select(Customer.id, Customer.phone, Customer.email)
                     .where(or_(Customer.phone.in_(phones), Customer.email.in_(emails)))
                     .order_by(Customer.id.desc()))
    wanted = set(keys)
    for cid, phone, email in rows:  # highest id first, so the lowest one stays
        if (phone, email) in wanted:
            known[(phone, email)] = (0, cid)
    return known


# --- stock ----------------------------------------------------------------------


def _levels(s: Session, sku_ids: set[int]) -> dict[int, list[list[int]]]:
    """Per SKU: [level id, warehouse id, available], best warehouse first."""
    rows = s.execute(
        select(StockLevel.id, StockLevel.sku_id, StockLevel.warehouse_id, AVAILABLE)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.sku_id.in_(sku_ids), Warehouse.active.is_(True))
        .order_by(StockLevel.sku_id, Warehouse.priority, StockLevel.id))
    levels: dict[int, list[list[int]]] = defaultdict(list)
    for level_id, sku_id, warehouse_id, available in rows:
        levels[sku_id].append([level_id, warehouse_id, int(available)])
    return levels


def _choose(levels: dict[int, list[list[int]]], c: Checked,
            taken: dict[tuple[int, int], int]) -> list[int]:
    """One order's warehouses, line by line, as inventory.reserve would pick them in turn."""
    quantities = [(c.skus[ln.sku].id, i, ln.quantity) for i, ln in enumerate(c.cmd.lines)]
    chosen = [0] * len(quantities)
    for sku_id, i, qty in sorted(quantities):
        level = next((lv for lv in levels.get(sku_id, []) if lv[2] >= qty), None)
        if level is None:
            raise _StockShort(c.cmd.lines[i].sku)
        level[2] -= qty
        taken[sku_id, level[0]] = taken.get((sku_id, level[0]), 0) + qty
        chosen[i] = level[1]
    return chosen


def _reserve_stock(s: Session, items: list[Pending], now: datetime) -> list[list[int]]:
    """Reserve the chunk's stock with one conditional UPDATE per (SKU, warehouse);
    returns each order's warehouse per line. Raises _StockShort if any is short."""
    levels = _levels(s, {sku.id for p in items for sku in p.checked.skus.values()})
    taken: dict[tuple[int, int], int] = {}  # (sku id, level id) -> quantity
    chosen = [_choose(levels, p.checked, taken) for p in items]
    stmt = (update(STOCK)
            .where(StockLevel.id == bindparam("b_id"), bindparam("b_qty") <= AVAILABLE)
            .values(reserved=StockLevel.reserved + bindparam("b_qty"),
                    updated_at=bindparam("b_at")))
    params = [{"b_id": level_id, "b_qty": qty, "b_at": now}
              for (_sku, level_id), qty in sorted(taken.items())]  # SKU order, as reserve()
    if params and s.execute(stmt, params).rowcount != len(params):  # type: ignore[attr-defined]
        raise _StockShort("stock changed under the chunk")
    return chosen

