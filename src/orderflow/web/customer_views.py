"""What a customer may see of an order: read models for the tracking pages.

Only customer-relevant facts leave this module: status steps, milestone events (no
actors, staff reasons, payment references or internal notes), parcels, items,
totals, and the recipient masked (张*, 138****8000, no street detail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import format_date
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.customers import service as customers
from orderflow.customers.models import Customer
from orderflow.fulfilment.models import Shipment
from orderflow.logistics.models import CaseState, ExceptionCase
from orderflow.logistics.rules import CUSTOMER_REASON
from orderflow.notify.context import carrier_name
from orderflow.notify.models import InboxMessage
from orderflow.orders import identity
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.queries import mask_phone
from orderflow.orders.rules import is_masked
from orderflow.orders.status import Status
from orderflow.tracking.models import TrackingEvent
from orderflow.web import i18n
from orderflow.web.i18n import N_
from orderflow.web.tracking_labels import TRACKING_STATUS_LABELS

S = Status

# The step bar: (key, label). COD orders are "confirmed" rather than "paid".
STEPS: tuple[tuple[str, str], ...] = (
    ("placed", N_("Placed")),
    ("paid", N_("Paid")),
    ("packed", N_("Packed")),
    ("shipped", N_("Shipped")),
    ("out_for_delivery", N_("Out for delivery")),
    ("delivered", N_("Delivered")),
)
COD_PAID_LABEL = N_("Confirmed")

STEP_OF: dict[Status, int] = {
    S.PENDING_PAYMENT: 0,
    S.PAID: 1, S.AWAITING_REVIEW: 1, S.APPROVED: 1, S.ALLOCATED: 1, S.PICKING: 1,
    S.PACKED: 2,
    S.SHIPPED: 3, S.IN_TRANSIT: 3, S.EXCEPTION: 3,
    S.OUT_FOR_DELIVERY: 4,
    S.DELIVERED: 5, S.COMPLETED: 5,
}
STEP_BY_VALUE = {status.value: step for status, step in STEP_OF.items()}

# What the customer is told about each status (the headline under the step bar).
HEADLINES: dict[Status, str] = {
    S.PENDING_PAYMENT: N_("Waiting for your payment"),
    S.PAID: N_("Payment received; we are preparing your order"),
    S.AWAITING_REVIEW: N_("We are preparing your order"),
    S.APPROVED: N_("We are preparing your order"),
    S.ALLOCATED: N_("We are preparing your order"),
    S.PICKING: N_("We are preparing your order"),
    S.ON_HOLD: N_("We are preparing your order"),
    S.PACKED: N_("Packed and waiting for the courier"),
    S.SHIPPED: N_("On its way"),
    S.IN_TRANSIT: N_("On its way"),
    S.OUT_FOR_DELIVERY: N_("Out for delivery today"),
    S.DELIVERED: N_("Delivered"),
    S.COMPLETED: N_("Delivered"),
    S.CANCELLED: N_("This order was cancelled"),
    S.EXCEPTION: N_("There is a problem with the delivery; we are looking into it"),
}

# Timeline: which status changes a customer sees, and how they are called.
STATUS_EVENTS: dict[str, str] = {
    "paid": N_("Payment received"),
    "packed": N_("Packed"),
    "shipped": N_("Shipped"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "delivered": N_("Delivered"),
    "completed": N_("Order completed"),
    "cancelled": N_("Order cancelled"),
    "exception": N_("Delivery problem reported"),
}
OTHER_EVENTS: dict[str, str] = {
    "order.placed": N_("Order placed"),
    "payment.refunded": N_("Refund issued"),
    "customer.preferences_changed": N_("Notification preferences updated"),
}
SHIPPING = frozenset({S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.EXCEPTION})


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # msgid
    state: str  # done | current | todo
    at: str = ""


@dataclass(frozen=True)
class Event:
    at: str
    title: str  # msgid
    carrier: str = ""
    tracking_number: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Scan:
    """One carrier scan of a parcel, as the customer sees it (no raw codes)."""

    at: str
    title: str  # msgid of the normalised status
    text: str  # the carrier's own words and place


@dataclass(frozen=True)
class Parcel:
    carrier: str
    tracking_number: str
    shipped_on: str
    eta: str
    status: str = ""  # msgid of the newest carrier status
    scans: tuple[Scan, ...] = ()


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    total_minor: int


@dataclass
class Tracking:
    number: str
    status: str
    headline: str  # msgid
    cancelled: bool
    problem: bool
    cod: bool
    steps: list[Step]
    events: list[Event]
    parcels: list[Parcel]
    eta: str
    items: list[Item]
    currency: str
    totals: dict[str, int]
    recipient: dict[str, str]
    placed_at: str
    unread: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    notice: str = ""  # what the delivery desk tells the customer about an open problem


# --- masking ----------------------------------------------------------------------------


def mask_name(name: str | None) -> str:
    """张三 -> 张*; a name the channel already masked (王**) as given; none -> ''."""
    name = (name or "").strip()
    if not name or is_masked(name):
        return name
    return f"{name[0]}*"


def mask_recipient_phone(phone: str | None) -> str:
    """+8613800138000 -> 138****8000; 131****1907 as given; the extension is dropped."""
    main = (phone or "").split(";")[0].strip()
    if not main or is_masked(main):
        return main
    if main.startswith("+86"):
        main = main[3:]
    return mask_phone(main) or ""


def region(order: Order) -> str:
    """Province, city, district (no street detail); a repeated part (上海市 上海市) once."""
    parts: list[str] = []
    for part in (order.province, order.city, order.district):
        if part and part not in parts:
            parts.append(part)
    if order.country and order.country != "CN":
        parts.append(order.country)
    return " ".join(parts)


def phone_tail(phone: str | None) -> str | None:
    """The last four digits of the number a customer gave (masked ones keep theirs)."""
    digits = "".join(ch for ch in (phone or "").split(";")[0] if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else None


# --- dates ------------------------------------------------------------------------------


def when(value: datetime | None, settings: Settings) -> str:
    return clock.local(value, settings.zone).strftime("%Y-%m-%d %H:%M") if value else ""


def day(value: datetime | None, settings: Settings, language: str) -> str:
    if value is None:
        return ""
    pattern = "M月d日 EEE" if language == "zh-CN" else "EEE, d MMM"
    return format_date(clock.local(value, settings.zone).date(), pattern,
                       locale=i18n.LANGUAGES[language])


# --- the tracking view --------------------------------------------------------------------


def _steps(order: Order, events: list[TimelineEvent], settings: Settings) -> list[Step]:
    status = order.status
    if status is S.ON_HOLD and order.hold_resume_status is not None:
        status = order.hold_resume_status
    current = STEP_OF.get(status, 0)
    reached: dict[int, datetime] = {}
    for event in events:
        if event.kind == "order.placed":
            reached.setdefault(0, event.at)
        elif event.kind == "status.changed" and event.to_status:
            step = STEP_BY_VALUE.get(event.to_status)
            if step is not None and event.to_status != S.EXCEPTION.value:
                reached.setdefault(step, event.at)
    steps = []
    for index, (key, label) in enumerate(STEPS):
        if label == "Paid" and order.cod:
            label = COD_PAID_LABEL
        if order.status is S.CANCELLED:
            state = "done" if index in reached else "todo"
        elif index < current or (index == current and status in (S.DELIVERED, S.COMPLETED)):
            state = "done"
        else:
            state = "current" if index == current else "todo"
        at = reached.get(index)
        steps.append(Step(key, label, state, clock.local(at, settings.zone).strftime("%m-%d")
                          if at and state != "todo" else ""))
    return steps


def _events(events: list[TimelineEvent], settings: Settings, language: str) -> list[Event]:
    shown = []
    for event in events:
        if event.kind == "status.changed":
            title = STATUS_EVENTS.get(event.to_status or "")
        else:
            title = OTHER_EVENTS.get(event.kind)
        if title is None:
            continue
        data = event.data or {}
        carrier = tracking = ""
        if event.kind == "status.changed" and event.to_status == "shipped":
            carrier = carrier_name(str(data.get("carrier") or ""), language)
            tracking = str(data.get("tracking_number") or "")
        kind = event.to_status if event.kind == "status.changed" else event.kind
        shown.append(Event(when(event.at, settings), title, carrier, tracking, kind or ""))
    shown.reverse()  # newest first
    return shown


def _scans(s: Session, shipment_ids: list[int], settings: Settings) -> dict[int, list[Scan]]:
    """Each parcel's carrier scans, newest first (at most 20 per parcel)."""
    found: dict[int, list[Scan]] = {}
    if not shipment_ids:
        return found
    for event in s.scalars(select(TrackingEvent).where(TrackingEvent.shipment_id.in_(
            shipment_ids)).order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())):
        title = TRACKING_STATUS_LABELS.get(event.status.value)
        scans = found.setdefault(event.shipment_id, [])
        if title and len(scans) < 20:
            text = " · ".join(p for p in (event.location, event.description) if p)
            scans.append(Scan(when(event.occurred_at, settings), title, text))
    return found


def inbox_scope(s: Session, order: Order) -> ColumnElement[bool]:
    """The inbox messages an order's full link shows: the customer's, when the order's
    contact is the customer's own or staff linked the order to that customer; otherwise
    only this order's (someone who gave that customer's phone with another email never
    reads that customer's messages)."""
    customer = s.get(Customer, order.customer_id)
    mine = InboxMessage.customer_id == order.customer_id
    if customer is not None and (customers.has_contact(
            customer, order.recipient_phone, order.recipient_email)
            or identity.linked_by_staff(s, order)):
        return mine
    return and_(mine, InboxMessage.order_id == order.id)


def tracking(s: Session, order: Order, settings: Settings, language: str, *,
             inbox: ColumnElement[bool] | None = None) -> Tracking:
    """The order's page; `inbox` the messages counted as unread (none without one)."""
    timeline = list(s.scalars(select(TimelineEvent).where(TimelineEvent.order_id == order.id)
                              .order_by(TimelineEvent.at, TimelineEvent.id)))
    shipments = list(s.scalars(select(Shipment).where(Shipment.order_id == order.id)
                               .order_by(Shipment.id)))
    lines = s.execute(select(OrderLine, Sku.name_en).join(Sku, Sku.id == OrderLine.sku_id)
                      .where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
    scans = _scans(s, [sh.id for sh in shipments], settings)
    parcels = [Parcel(carrier_name(sh.carrier, language), sh.tracking_number,
                      day(sh.shipped_at, settings, language),
                      day(sh.estimated_delivery_at, settings, language),
                      scans[sh.id][0].title if scans.get(sh.id) else "",
                      tuple(scans.get(sh.id, ()))) for sh in shipments]
    etas = [sh.estimated_delivery_at for sh in shipments if sh.estimated_delivery_at]
    eta = day(max(etas), settings, language) if etas and order.status in SHIPPING else ""
    items = [Item(name_en if language == "en" and name_en else ln.name,
                  ln.ordered - ln.cancelled, ln.line_total_minor)
             for ln, name_en in lines if ln.ordered - ln.cancelled > 0]
    unread = 0
    if inbox is not None:
        unread = s.scalar(select(func.count()).select_from(InboxMessage).where(
            inbox, InboxMessage.read_at.is_(None))) or 0
    return Tracking(
        number=order.number,
        status=order.status.value,
        headline=HEADLINES[order.status],
        cancelled=order.status is S.CANCELLED,
        problem=order.status is S.EXCEPTION,
        cod=order.cod,
        steps=_steps(order, timeline, settings),
        events=_events(timeline, settings, language),
        parcels=parcels,
        eta=eta,
        items=items,
        currency=order.currency,
        totals={"subtotal": order.subtotal_minor, "shipping": order.shipping_minor,
                "discount": order.discount_minor, "total": order.total_minor},
        recipient={"name": mask_name(order.recipient_name),
                   "phone": mask_recipient_phone(order.recipient_phone),
                   "region": region(order)},
        placed_at=when(order.placed_at, settings),
        unread=int(unread),
        notice=_open_problem(s, order, language),
    )


def _open_problem(s: Session, order: Order, language: str) -> str:
    """The customer's words for the newest open logistics case (already in their language:
    the same text their notice carried), or nothing."""
    if order.status in (S.CANCELLED, S.COMPLETED):
        return ""
    kind = s.scalar(select(ExceptionCase.kind).where(
        ExceptionCase.order_id == order.id, ExceptionCase.state == CaseState.OPEN)
        .order_by(ExceptionCase.id.desc()).limit(1))
    if kind is None:
        return ""
    reasons = CUSTOMER_REASON[kind]
    return reasons.get(language, reasons["en"])
