"""Order placement steps: validate an incoming order whole, then write it.

`check` finds every problem at once without writing; `create` writes the order,
its lines, its first status and (when configured) its stock reservations inside
the caller's transaction. The use case that opens that transaction is
`intake.service.place_order`.
"""

from __future__ import annotations

import functools
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from orderflow import clock, ids, money, text
from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.inventory import service as inventory
from orderflow.orders import lifecycle, rules
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.schemas import OrderIn
from orderflow.orders.status import Status
from orderflow.outbox import OutboxMessage, OutboxState

ORDERS = cast(Table, Order.__table__)
LINES = cast(Table, OrderLine.__table__)
TIMELINE = cast(Table, TimelineEvent.__table__)
OUTBOX = cast(Table, OutboxMessage.__table__)
CUSTOMERS = cast(Table, Customer.__table__)


@dataclass(frozen=True, slots=True)
class SkuRow:
    """What placement needs of a SKU: a plain row, safe to share between threads."""

    id: int
    code: str
    name: str
    active: bool
    currency: str
    price_minor: int


@dataclass
class Checked:
    """An order that passed validation, with everything computed from it."""

    cmd: OrderIn
    currency: str
    skus: dict[str, SkuRow]
    unit_prices: list[int]
    totals: rules.Totals
    phone: rules.Phone | None
    email: str | None
    pii_masked: bool
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    """The rows `create` wrote (ids included): enough to show the new order without
    reading it back."""

    order_id: int
    order: dict[str, Any]
    lines: list[dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class Placed:
    order_id: int
    number: str
    created: bool
    written: Written | None = field(default=None, compare=False, repr=False)


_SKU_COLUMNS = (Sku.id, Sku.code, Sku.name, Sku.active, Sku.currency, Sku.price_minor)


def load_skus(s: Session, codes: set[str]) -> dict[str, SkuRow]:
    if not codes:
        return {}
    rows = s.execute(select(*_SKU_COLUMNS).where(Sku.code.in_(codes)))
    return {row.code: SkuRow(*row) for row in rows}


SKU_TTL = 5.0  # seconds a process trusts a SKU row it has read (never stock)
_sku_cache: dict[tuple[str, str], tuple[float, SkuRow]] = {}


def cached_skus(db: Db, codes: set[str]) -> dict[str, SkuRow]:
    """load_skus through a per-process cache of SKU rows read less than SKU_TTL ago.
    Unknown codes are not cached, so a new SKU can be ordered at once; a deactivated
    or re-priced one is seen by every process within SKU_TTL."""
    now = time.monotonic()
    found: dict[str, SkuRow] = {}
    missing = set()
    for code in codes:
        hit = _sku_cache.get((db.url, code))
        if hit is not None and now - hit[0] < SKU_TTL:
            found[code] = hit[1]
        else:
            missing.add(code)
    if missing:
        with db.read() as s:
            fresh = load_skus(s, missing)
        for code, row in fresh.items():
            _sku_cache[db.url, code] = (now, row)
        found.update(fresh)
    return found


def forget_skus() -> None:
    """Drop the SKU cache (tests that empty the database call this)."""
    _sku_cache.clear()


def check(cmd: OrderIn, skus: dict[str, SkuRow]) -> Checked:
    """Every problem with the order at once, or the computed order. No writes."""
    problems: list[FieldProblem] = []
    try:
        currency = money.check_currency(cmd.currency)
    except money.MoneyError as exc:
        raise ValidationFailed([FieldProblem("currency", "money.currency", str(exc))]) from exc
    unit_prices = _unit_prices(cmd, skus, currency, problems)
    line_totals = [p * line.quantity for p, line in zip(unit_prices, cmd.lines, strict=True)]
    totals = rules.compute_totals(
        line_totals, _amount(cmd.shipping_fee, "shipping_fee", currency, problems),
        _amount(cmd.discount, "discount", currency, problems))
    if totals.total_minor < 0:
        problems.append(FieldProblem("discount", "money.discount_too_large",
                                     "discount is larger than goods plus shipping"))
    _check_given_total(cmd, totals, currency, problems)
    phone, email, masked = _contacts(cmd, problems)
    address = cmd.shipping_address.model_dump()
    address["country"] = (address.get("country") or "").upper()
    problems.extend(rules.address_problems(address, "shipping_address"))
    problems.extend(text.line_problems({"name": cmd.customer.name}, "customer"))
    problems.extend(text.line_problems(
        {k: v for k, v in address.items() if isinstance(v, str)}, "shipping_address"))
    _check_payment(cmd, currency, problems)
    if problems:
        raise ValidationFailed(problems)
    return Checked(cmd, currency, skus, unit_prices, totals, phone, email, masked)


def _amount(value: str, name: str, currency: str, problems: list[FieldProblem]) -> int:
    """The amount in minor units; 0 (with a problem noted) when it is not a valid amount."""
    try:
        minor = money.to_minor(value, currency)
    except money.MoneyError as exc:
        problems.append(FieldProblem(name, "money.invalid", str(exc)))
        return 0
    if minor < 0:
        problems.append(FieldProblem(name, "money.negative", "must not be negative"))
    return minor


def _unit_prices(cmd: OrderIn, skus: dict[str, SkuRow], currency: str,
                 problems: list[FieldProblem]) -> list[int]:
    """Each line's unit price: the one given, else the SKU's list price (0 when unknown)."""
    unit_prices = []
    for i, line in enumerate(cmd.lines):
        sku = skus.get(line.sku)
        if sku is None or not sku.active:
            problems.append(FieldProblem(f"lines[{i}].sku", "sku.unknown",
                                         f"unknown or inactive SKU '{line.sku}'"))
            unit_prices.append(0)
            continue
        if line.unit_price is None:
            if sku.currency != currency:
                problems.append(FieldProblem(
                    f"lines[{i}].unit_price", "money.currency_mismatch",
                    f"SKU {sku.code} is priced in {sku.currency}; give a unit_price in {currency}"))
            unit_prices.append(sku.price_minor)
        else:
            unit_prices.append(_amount(line.unit_price, f"lines[{i}].unit_price", currency,
                                       problems))
    return unit_prices


def _check_given_total(cmd: OrderIn, totals: rules.Totals, currency: str,
                       problems: list[FieldProblem]) -> None:
    """A total the caller gave must match the computed one."""
    if cmd.total is None:
        return
    given = _amount(cmd.total, "total", currency, problems)
    if given != totals.total_minor:
        problems.append(FieldProblem(
            "total", "money.total_mismatch",
            f"total {cmd.total} does not add up: lines + shipping - discount = "
            f"{money.to_str(totals.total_minor, currency)}"))


def _check_payment(cmd: OrderIn, currency: str, problems: list[FieldProblem]) -> None:
    """A payment must be in the order's currency and for a positive amount."""
    if cmd.payment is None:
        return
    pay_currency = (cmd.payment.currency or currency).upper()
    if pay_currency != currency:
        problems.append(FieldProblem("payment.currency", "money.currency_mismatch",
                                     f"payment is in {pay_currency}, order in {currency}"))
    if _amount(cmd.payment.amount, "payment.amount", currency, problems) <= 0:
        problems.append(FieldProblem("payment.amount", "money.not_positive",
                                     "payment amount must be positive"))


# Phone and e-mail checks are pure and slow (~40 µs each); buyers come back, in a file
# and over the API. Bounded: a few MB at most.
_check_phone = functools.lru_cache(maxsize=16384)(rules.check_phone)
_check_email = functools.lru_cache(maxsize=16384)(rules.check_email)


def _contacts(cmd: OrderIn,
              problems: list[FieldProblem]) -> tuple[rules.Phone | None, str | None, bool]:
    customer = cmd.customer
    country = (cmd.shipping_address.country or "CN").upper()
    phone = email = None
    if customer.phone:
        phone, problem = _check_phone(customer.phone, country, "customer.phone")
        if problem:
            problems.append(problem)
    if customer.email:
        email, problem = _check_email(customer.email, "customer.email")
        if problem:
            problems.append(problem)
    if not customer.phone and not customer.email:
        problems.append(FieldProblem("customer.phone", "contact.missing",
                                     "a phone or an email is required to tell the customer"))
    masked = rules.is_masked(customer.name) or bool(phone and phone.masked)
    return phone, email, masked


def customer_keys(c: Checked) -> tuple[str | None, str | None]:
    """The (unmasked phone, email) an order's customer is found by."""
    phone = c.phone.value if c.phone and not c.phone.masked else None
    return phone, c.email


def customer_values(c: Checked, now: datetime) -> dict[str, Any]:
    """The customers row a new buyer gets (single and bulk intake)."""
    language = c.cmd.customer.language
    return {
        "name": c.cmd.customer.name, "email": c.email,
        "phone": c.phone.value if c.phone else None, "pii_masked": c.pii_masked,
        "language": language,
        "channel_prefs": ["sms", "email", "inbox"] if language == "zh-CN"
        else ["email", "sms", "inbox"],
        "opt_out_marketing": False, "blocked": False, "created_at": now,
    }


def _find_customer(phone: str | None, email: str | None) -> Select[Any]:
    """The customer whose contact is exactly this one: a missing key missing there too."""
    return (select(CUSTOMERS.c.id)
            .where(CUSTOMERS.c.phone == phone if phone else CUSTOMERS.c.phone.is_(None),
                   CUSTOMERS.c.email == email if email else CUSTOMERS.c.email.is_(None))
            .order_by(CUSTOMERS.c.id).limit(1))


_INSERT_CUSTOMER = insert(CUSTOMERS).returning(CUSTOMERS.c.id)


def _customer_id(conn: Connection, c: Checked, now: datetime) -> int:
    """The customer with exactly the order's contact (unmasked phone AND email, see
    `customer_keys`), else a new one. Two people are never joined on a phone alone: an
    order with someone's phone and another email is another customer, and so is one
    with no key at all (masked buyers)."""
    phone, email = customer_keys(c)
    if phone or email:
        found: int | None = conn.execute(_find_customer(phone, email)).scalar()
        if found is not None:
            return int(found)
    return int(conn.execute(_INSERT_CUSTOMER, customer_values(c, now)).scalar_one())


def search_text(*parts: str | None) -> str:
    return " ".join(p.lower() for p in parts if p)


def order_values(c: Checked, *, number: str, customer_id: int, now: datetime,
                 settings: Settings) -> dict[str, Any]:
    """The orders row of a checked order: the one definition both intake paths write."""
    cmd, addr = c.cmd, c.cmd.shipping_address
    phone = c.phone.value if c.phone else None
    deadline = None if cmd.cod else now + timedelta(minutes=settings.unpaid_timeout_minutes)
    return {
        "number": number, "channel": cmd.channel, "external_id": cmd.external_id,
        "status": Status.PENDING_PAYMENT, "version": 1, "hold_resume_status": None,
        "customer_id": customer_id, "recipient_name": cmd.customer.name,
        "recipient_phone": phone, "recipient_email": c.email, "pii_masked": c.pii_masked,
        "country": (addr.country or "CN").upper(), "province": addr.province, "city": addr.city,
        "district": addr.district, "address_detail": addr.detail or "",
        "postal_code": addr.postal_code, "language": cmd.customer.language,
        "currency": c.currency, "subtotal_minor": c.totals.subtotal_minor,
        "shipping_minor": c.totals.shipping_minor, "discount_minor": c.totals.discount_minor,
        "total_minor": c.totals.total_minor, "paid_minor": 0, "refund_due_minor": 0,
        "cod": cmd.cod, "payment_deadline_at": deadline, "buyer_remark": cmd.buyer_remark,
        "seller_remark": cmd.seller_remark, "placed_at": now, "updated_at": now,
        "search_text": search_text(number, cmd.customer.name, phone, c.email, cmd.external_id),
    }


def line_values(c: Checked, order_id: int, *, reserved: bool) -> list[dict[str, Any]]:
    """The order_lines rows; `reserved` when the same transaction reserves their stock."""
    return [
        {"order_id": order_id, "sku_id": c.skus[line.sku].id, "sku_code": line.sku,
         "name": c.skus[line.sku].name, "unit_price_minor": price,
         "line_total_minor": price * line.quantity, "ordered": line.quantity,
         "reserved": line.quantity if reserved else 0, "allocated": 0, "picked": 0, "packed": 0,
         "shipped": 0, "delivered": 0, "returned": 0, "exchanged": 0, "refunded": 0,
         "cancelled": 0}
        for line, price in zip(c.cmd.lines, c.unit_prices, strict=True)
    ]


def needs_of(order_id: int, lines: list[dict[str, Any]],
             line_ids: list[int]) -> list[inventory.Need]:
    """What a new order's lines must reserve (all of each line)."""
    return [inventory.Need(order_id, line_id, line["sku_id"], line["sku_code"], line["ordered"],
                           field=f"lines[{i}].quantity")
            for i, (line, line_id) in enumerate(zip(lines, line_ids, strict=True))]


def timeline_values(order_id: int, kind: str, *, actor: Actor, now: datetime,
                    to_status: Status | None = None,
                    data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A timeline row, as lifecycle.record writes it."""
    return {"order_id": order_id, "at": now, "actor": str(actor), "kind": kind,
            "from_status": None, "to_status": to_status.value if to_status else None,
            "reason": None, "data": data or {}}


def reserved_data(needs: list[inventory.Need]) -> dict[str, Any]:
    return {"lines": {n.sku_code: n.quantity for n in needs}}


@dataclass(frozen=True)
class _Snapshot:
    """The fields lifecycle.milestone_payload reads, for an order written with Core."""

    id: int
    number: str
    status: Status
    language: str
    currency: str
    total_minor: int


def received_values(order_id: int, row: dict[str, Any], now: datetime,
                    message_id: str | None = None) -> dict[str, Any]:
    """The outbox row owing 'order received', as lifecycle.start owes it via outbox.add
    (`message_id`: one drawn in advance, see bulk_message_ids)."""
    snap = _Snapshot(order_id, row["number"], row["status"], row["language"], row["currency"],
                     row["total_minor"])
    milestone = lifecycle.PLACED_MILESTONE
    return {
        "kind": milestone, "idempotency_key": f"order:{order_id}:{milestone}",
        "message_id": message_id or ids.message_id(), "order_id": order_id,
        "payload": lifecycle.milestone_payload(cast(Order, snap), milestone),
        "state": OutboxState.PENDING, "available_at": now, "attempts": 0, "fence": 0,
        "created_at": now,
    }


def placed_rows(order_id: int, row: dict[str, Any], *, actor: Actor, now: datetime,
                needs: list[inventory.Need] | None,
                message_id: str | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first timeline rows (placed, and reserved when `needs`) and the outbox row."""
    events = [timeline_values(order_id, "order.placed", actor=actor, now=now,
                              to_status=Status.PENDING_PAYMENT)]
    if needs is not None:
        events.append(timeline_values(order_id, "stock.reserved", actor=lifecycle.SYSTEM,
                                      now=now, data=reserved_data(needs)))
    return events, received_values(order_id, row, now, message_id)


def bulk_message_ids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as ids.message_id makes them, from one urandom
    call: one call per id costs ~40 µs on this kind of VM."""
    pool = os.urandom(16 * count)
    return [uuid.UUID(bytes=pool[i:i + 16], version=4).hex for i in range(0, 16 * count, 16)]


_INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
_INSERT_LINES = insert(LINES).returning(LINES.c.id, sort_by_parameter_order=True)


def create(s: Session, c: Checked, *, number: str, actor: Actor, settings: Settings) -> Written:
    """A step: write the checked order inside the caller's transaction.

    Core statements built once, from the same row builders the bulk importer uses:
    customer look-up (or insert), the order, its lines, the stock (inventory.reserve),
    the first timeline rows and the outbox row. No ORM objects: a later step that needs
    the order (a payment) loads it."""
    conn = s.connection()
    now = clock.utcnow()
    row = order_values(c, number=number, customer_id=_customer_id(conn, c, now), now=now,
                       settings=settings)
    order_id = int(conn.execute(_INSERT_ORDER, row).scalar_one())
    reserve = settings.reserve_at == "placement"
    lines = line_values(c, order_id, reserved=reserve)
    line_ids = list(conn.execute(_INSERT_LINES, lines).scalars())
    needs = needs_of(order_id, lines, line_ids) if reserve else None
    if needs:
        inventory.reserve(s, needs)
    events, notice = placed_rows(order_id, row, actor=actor, now=now, needs=needs)
    conn.execute(insert(TIMELINE).values(events))  # one multi-row INSERT, not executemany
    conn.execute(insert(OUTBOX), notice)
    for line, line_id in zip(lines, line_ids, strict=True):
        line["id"] = line_id
    return Written(order_id, row, lines, events)


def reserve_order(s: Session, order: Order, lines: list[OrderLine]) -> None:
    needs = [
        inventory.Need(order.id, line.id, line.sku_id, line.sku_code,
                       line.ordered - line.cancelled - line.reserved, field=f"lines[{i}].quantity")
        for i, line in enumerate(lines)
        if line.ordered - line.cancelled - line.reserved > 0
    ]
    inventory.reserve(s, needs)
    for line in lines:
        line.reserved = line.ordered - line.cancelled
    lifecycle.record(s, order, "stock.reserved", actor=lifecycle.SYSTEM,
                     data={"lines": {n.sku_code: n.quantity for n in needs}})


_PLACED_BEFORE = select(ORDERS.c.id, ORDERS.c.number).where(
    ORDERS.c.channel == bindparam("channel"), ORDERS.c.external_id == bindparam("external_id"))


def placed_before(s: Session, cmd: OrderIn) -> Placed | None:
    """The order already placed for this channel + external id, if any."""
    if not cmd.external_id:
        return None
    row = s.connection().execute(
        _PLACED_BEFORE, {"channel": cmd.channel, "external_id": cmd.external_id}).first()
    return None if row is None else Placed(row.id, row.number, created=False)


def find_by_external(s: Session, channel: str, external_id: str) -> Order | None:
    return s.scalars(
        select(Order).where(Order.channel == channel, Order.external_id == external_id)
    ).first()
