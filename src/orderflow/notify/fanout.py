"""Fan-out: turn each owed milestone (an outbox row) into notices, one per channel
and recipient, in ONE transaction with marking the row done.

The notice's idempotency key (order, milestone, channel, recipient) is unique in
the database, so fanning the same row out twice creates nothing new. The first
channel of the customer's preference that is switched on and has an address is
used; the others are kept as fallbacks. The inbox always gets a copy, and every
subscribed webhook endpoint gets the event.

A batch loads what its notices need in a few queries, renders every notice of a
row before writing any (a template that fails postpones that row alone), then
writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orderflow import clock, ids
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.notify import context, milestones, prefs, templates, timing
from orderflow.notify.context import OrderFacts
from orderflow.notify.models import InboxMessage, Notice, NoticeEvent, NoticeState
from orderflow.notify.prefs import NotifyPrefs
from orderflow.orders.models import Order
from orderflow.orders.status import SHIPPED_OR_LATER, Status
from orderflow.outbox import OutboxMessage, OutboxState
from orderflow.review import service as review
from orderflow.review.config import ReviewConfig
from orderflow.workdays import Calendar

NOTICES = cast(Table, Notice.__table__)
NOTICE_EVENTS = cast(Table, NoticeEvent.__table__)
INBOX_MESSAGES = cast(Table, InboxMessage.__table__)


@dataclass(frozen=True)
class Target:
    channel: str
    recipient: str


def recipients(order: Order, customer: Customer | None) -> dict[str, str]:
    """The address each customer channel would use; masked or absent ones are left out."""
    found: dict[str, str] = {}
    email = order.recipient_email or (customer.email if customer else None)
    if email:
        found["email"] = email
    phone = order.recipient_phone or (customer.phone if customer else None)
    if phone and "*" not in phone and ";ext=" not in phone:
        found["sms"] = phone
    if customer is not None:
        found["inbox"] = f"customer:{customer.id}"
    return found


@dataclass(frozen=True)
class Batch:
    """What one fan-out batch loads once: the merchant's settings and calendar."""

    np: NotifyPrefs
    calendar: Calendar | None
    expedited_services: frozenset[str]


def notice_calendar(np: NotifyPrefs, settings: Settings, cfg: ReviewConfig) -> Calendar | None:
    """The notice calendar: the merchant's country unless chosen otherwise ("-": none),
    with the merchant's own open and closed days."""
    chosen = np.calendar
    if chosen == "-":
        return None
    return Calendar.of(chosen or settings.default_country, cfg.open_days, cfg.closed_days)


def load_batch(s: Session, settings: Settings) -> Batch:
    np = prefs.load(s)
    cfg = review.load_config(s)
    return Batch(np, notice_calendar(np, settings, cfg), frozenset(cfg.expedited_services))


def channel_chain(milestone: str, order: Order, customer: Customer | None,
                  np: NotifyPrefs) -> list[Target]:
    spec = milestones.get(milestone)
    if spec is None or not spec.customer_facing:
        return []
    if customer is not None and customer.opt_out_marketing and not spec.essential:
        return []
    order_of = (customer.channel_prefs if customer and customer.channel_prefs
                else ["sms", "email", "inbox"])
    known = recipients(order, customer)
    return [Target(ch, known[ch]) for ch in order_of
            if ch in ("email", "sms") and ch in known and np.enabled(milestone, ch)]


def notice_key(row: OutboxMessage, channel: str, recipient: str) -> str:
    return f"{row.idempotency_key}|{channel}|{recipient}"


def coalesce_group(milestone: str) -> str | None:
    spec = milestones.get(milestone)
    return milestones.COALESCE_GROUP_OF.get(milestone) or (spec.coalesce_group if spec else None)


def is_expedited(facts: OrderFacts, batch: Batch | None) -> bool:
    review_row = facts.review
    return bool(batch and review_row and review_row.shipping_service in batch.expedited_services)


def _available_at(channel: str, milestone: str, now: datetime, np: NotifyPrefs,
                  settings: Settings, *, calendar: Calendar | None = None,
                  expedited: bool = False) -> datetime:
    at = now
    if not expedited:
        if milestone in milestones.COALESCE_GROUP_OF:
            at = now + timedelta(minutes=np.minutes("confirm_coalesce_minutes"))
        elif coalesce_group(milestone) and np.coalesce_minutes:
            at = now + timedelta(minutes=np.coalesce_minutes)
    return timing.next_allowed(at, settings.zone, np.quiet(channel, milestone=milestone),
                               holiday_quiet=np.quiet(channel, holiday=True, milestone=milestone),
                               calendar=calendar)


def plan_notice(s: Session, row: OutboxMessage, facts: OrderFacts, target: Target,
                ctx: dict[str, Any], np: NotifyPrefs, settings: Settings, *,
                fallbacks: list[str], key: str, fallback_of: int | None = None,
                batch: Batch | None = None) -> dict[str, Any] | None:
    """The notice's row values, rendered; None when no template exists for it."""
    order = facts.order
    live = np.template(s, row.kind, target.channel, order.language)
    if live is None:
        return None
    rendered = templates.render(live[0], live[1], ctx)
    now = clock.utcnow()
    available_at = _available_at(target.channel, row.kind, now, np, settings,
                                 calendar=batch.calendar if batch else None,
                                 expedited=is_expedited(facts, batch))
    state = NoticeState.SENT if target.channel == "inbox" else NoticeState.QUEUED
    return {
        "idempotency_key": key, "message_id": ids.message_id(), "outbox_id": row.id,
        "order_id": order.id, "customer_id": order.customer_id, "milestone": row.kind,
        "channel": target.channel, "recipient": target.recipient, "language": order.language,
        "template_version": rendered.version, "subject": rendered.subject,
        "body_text": rendered.body_text, "body_html": rendered.body_html,
        "params": {k: v for k, v in ctx.items() if isinstance(v, str)},
        "state": state, "available_at": available_at,
        "attempts": 0, "fence": 0, "fallback_channels": fallbacks, "fallback_of": fallback_of,
        "coalesce_group": coalesce_group(row.kind), "created_at": now,
        "sent_at": now if state is NoticeState.SENT else None,
    }


def write_notice(s: Session, values: dict[str, Any],
                 events: list[dict[str, Any]] | None = None) -> int | None:
    """Insert unless its key exists; then the inbox copy, the coalescing, the first event
    (appended to `events` for the caller to insert with the rest of its batch)."""
    conn = s.connection()  # Core on the tables: this is the hot path
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    notice_id = conn.execute(insert_(NOTICES).values(**values).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(NOTICES.c.id)).scalar()
    if notice_id is None:
        return None
    now = values["created_at"]
    event = {"notice_id": notice_id, "at": now, "state": values["state"].value, "attempt": 0,
             "detail": None}
    if events is None:
        conn.execute(insert(NOTICE_EVENTS).values(**event))
    else:
        events.append(event)
    if values["channel"] == "inbox":
        conn.execute(insert(INBOX_MESSAGES).values(
            customer_id=values["customer_id"], order_id=values["order_id"], notice_id=notice_id,
            subject=values["subject"], body_text=values["body_text"], created_at=now))
    elif values["coalesce_group"]:
        n = NOTICES.c
        conn.execute(update(NOTICES).where(
            n.order_id == values["order_id"], n.channel == values["channel"],
            n.coalesce_group == values["coalesce_group"],
            n.state == NoticeState.QUEUED, n.id < notice_id,
        ).values(state=NoticeState.COALESCED, superseded_by=notice_id))
    return int(notice_id)


def _webhook_notices(row: OutboxMessage, order: Order | None, np: NotifyPrefs,
                     s: Session) -> list[dict[str, Any]]:
    now = clock.utcnow()
    return [{
        "idempotency_key": notice_key(row, "webhook", f"endpoint:{endpoint.id}"),
        "message_id": f"msg_{row.message_id}_{endpoint.id}", "outbox_id": row.id,
        "order_id": order.id if order else None,
        "customer_id": order.customer_id if order else None, "milestone": row.kind,
        "channel": "webhook", "recipient": endpoint.url, "language": "en",
        "endpoint_id": endpoint.id, "body_text": "",
        "params": {"type": row.kind, "timestamp": row.created_at.isoformat(), "data": row.payload},
        "state": NoticeState.QUEUED, "available_at": now, "attempts": 0, "fence": 0,
        "fallback_channels": [], "coalesce_group": None, "created_at": now,
    } for endpoint in np.endpoints(s) if "*" in endpoint.events or row.kind in endpoint.events]


_UNPAID = (Status.PENDING_PAYMENT,)


def still_owed(s: Session, row: OutboxMessage, order: Order) -> bool:
    """A milestone owed ahead of time, checked again when it is due."""
    if row.kind in ("payment.reminder", "payment.failed"):
        return order.status in _UNPAID
    if row.kind == "order.delayed" and row.payload.get("promise_round"):
        return order.status not in SHIPPED_OR_LATER and order.status is not Status.CANCELLED
    if row.kind == "order.paid":  # the confirmation owed with it replaces it
        key = f"order:{order.id}:order.confirmed"
        return s.scalar(select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key == key)) is None
    return True


def _targets(row: OutboxMessage, facts: OrderFacts, np: NotifyPrefs
             ) -> list[tuple[Target, list[str]]]:
    """(target, its fallbacks): every channel for "all", else the first with the rest."""
    chain = channel_chain(row.kind, facts.order, facts.customer, np)
    if not chain:
        return []
    if np.channel_policy(row.kind) == "all":
        return [(t, []) for t in chain]
    return [(chain[0], [t.channel for t in chain[1:]])]


def plan_row(s: Session, row: OutboxMessage, facts: OrderFacts | None, np: NotifyPrefs,
             settings: Settings, batch: Batch | None = None) -> list[dict[str, Any]]:
    """Every notice one owed milestone makes: webhooks, the customer channels, inbox."""
    planned = _webhook_notices(row, facts.order if facts else None, np, s)
    if facts is None or not still_owed(s, row, facts.order):
        return planned
    order, customer = facts.order, facts.customer
    ctx = context.build(facts, row.payload, settings)
    for target, rest in _targets(row, facts, np):
        notice = plan_notice(s, row, facts, target, ctx, np, settings, fallbacks=rest,
                             key=notice_key(row, target.channel, target.recipient),
                             batch=batch)
        if notice is not None:
            planned.append(notice)
    inbox = recipients(order, customer).get("inbox")
    spec = milestones.get(row.kind)
    if inbox and spec and spec.customer_facing and np.enabled(row.kind, "inbox"):
        copy = plan_notice(s, row, facts, Target("inbox", inbox), ctx, np, settings,
                           fallbacks=[], key=notice_key(row, "inbox", inbox), batch=batch)
        if copy is not None:
            planned.append(copy)
    return planned


def fan_out(db: Db, settings: Settings, *, batch: int = 50) -> int:
    """One transaction: claim due outbox rows (SKIP LOCKED on PostgreSQL), fan them out."""
    with db.transaction() as s:
        stmt = (select(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.PENDING,
                       OutboxMessage.available_at <= clock.utcnow())
                .order_by(OutboxMessage.id).limit(batch))
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(s.scalars(stmt))
        if not rows:
            return 0
        loaded = load_batch(s, settings)
        np = loaded.np
        facts = context.load_many(s, {r.order_id for r in rows if r.order_id})
        events: list[dict[str, Any]] = []
        for row in rows:
            try:
                planned = plan_row(s, row, facts.get(row.order_id or 0), np, settings, loaded)
            except Exception as exc:  # one poisoned row must not block the others
                _postpone(row, exc)
                continue
            for values in planned:
                write_notice(s, values, events)
            row.state = OutboxState.DONE
            row.attempts += 1
        if events:
            s.connection().execute(insert(NOTICE_EVENTS), events)
        return len(rows)


def _postpone(row: OutboxMessage, exc: Exception) -> None:
    row.attempts += 1
    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= 10:
        row.state = OutboxState.DEAD
    else:
        row.available_at = clock.utcnow() + timedelta(seconds=min(3600, 5 * 2**row.attempts))
