"""Notification use cases for staff and the worker: deliver, fall back, re-send,
dead letters, alerts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderflow import clock, ids, logs
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.errors import Conflict, NotFound
from orderflow.notify import context, fanout, prefs
from orderflow.notify.channels import Channel
from orderflow.notify.dispatch import Dispatcher, _timeline
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Alert, Notice, NoticeState
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage


def make_fallback(s: Session, n: Notice, settings: Settings) -> int | None:
    """The next channel of the customer's preference, in the same transaction."""
    if not n.fallback_channels or n.order_id is None or n.outbox_id is None:
        return None
    order = s.get(Order, n.order_id)
    row = s.get(OutboxMessage, n.outbox_id)
    if order is None or row is None:
        return None
    customer = s.get(Customer, order.customer_id)
    known = fanout.recipients(order, customer)
    remaining = list(n.fallback_channels)
    np = prefs.load(s)
    ctx = context.build(s, order, customer, row.payload, settings)
    while remaining:
        channel = remaining.pop(0)
        if channel not in known:
            continue
        target = fanout.Target(channel, known[channel])
        new_id = fanout.create_notice(
            s, row, order, target, ctx, np, settings, fallbacks=remaining,
            key=fanout.notice_key(row, channel, target.recipient), fallback_of=n.id)
        if new_id is not None:
            return new_id
    return None


def default_channels(settings: Settings) -> dict[str, Channel]:
    from orderflow.notify.sms.registry import sms_channel  # the SMS adapters package
    from orderflow.notify.webhooks.sender import WebhookChannel

    return {
        "email": SmtpChannel(settings),
        "sms": sms_channel(settings),
        "webhook": WebhookChannel(allow_private=settings.test_mode),
    }


def dispatcher(db: Db, settings: Settings, channels: dict[str, Channel] | None = None) -> Dispatcher:
    return Dispatcher(db, settings,
                      channels if channels is not None else default_channels(settings),
                      lambda s, n: make_fallback(s, n, settings))


def resend_step(s: Session, old: Notice, *, actor: Actor) -> int:
    """A re-send is a NEW, explicit notice (its own key and message id) on the timeline."""
    if old.state in (NoticeState.QUEUED, NoticeState.SENDING):
        raise Conflict("this notice is still being delivered", code="notice.in_progress")
    count = s.scalar(select(func.count()).where(
        Notice.idempotency_key.like(f"{old.idempotency_key}|resend:%"))) or 0
    now = clock.utcnow()
    new = Notice(
        idempotency_key=f"{old.idempotency_key}|resend:{count + 1}",
        message_id=ids.message_id(), outbox_id=old.outbox_id, order_id=old.order_id,
        customer_id=old.customer_id, milestone=old.milestone, channel=old.channel,
        recipient=old.recipient, language=old.language, endpoint_id=old.endpoint_id,
        template_version=old.template_version, subject=old.subject,
        body_text=old.body_text, body_html=old.body_html, params=old.params,
        state=NoticeState.QUEUED, available_at=now, attempts=0, fence=0,
        fallback_channels=[], history=[{"at": now.isoformat(), "state": "queued",
                                        "detail": f"re-sent by {actor}"}],
        created_at=now)
    s.add(new)
    s.flush()
    _timeline(s, new, "notice.resent", f"re-sent by {actor} (was notice {old.id})")
    s.execute(update(Alert).where(Alert.key == f"notice.dead:{old.id}").values(resolved_at=now))
    return new.id


def resend(db: Db, notice_id: int, *, actor: Actor) -> int:
    """The staff use case behind the dead-letter list's re-send button."""
    with db.transaction() as s:
        old = s.get(Notice, notice_id)
        if old is None:
            raise NotFound(f"no notice {notice_id}", code="notice.not_found")
        return resend_step(s, old, actor=actor)


@dataclass(frozen=True)
class NoticeRow:
    id: int
    order_number: str | None
    milestone: str
    channel: str
    recipient: str
    state: str
    attempts: int
    last_error: str | None
    created_at: Any
    sent_at: Any


def list_notices(db: Db, *, state: NoticeState | None = None, order_id: int | None = None,
                 limit: int = 100) -> list[NoticeRow]:
    with db.read() as s:
        stmt = (select(Notice, Order.number).outerjoin(Order, Order.id == Notice.order_id)
                .order_by(Notice.id.desc()).limit(limit))
        if state:
            stmt = stmt.where(Notice.state == state)
        if order_id:
            stmt = stmt.where(Notice.order_id == order_id)
        return [NoticeRow(n.id, number, n.milestone, n.channel, logs.mask(n.recipient),
                          n.state.value, n.attempts, n.last_error, n.created_at, n.sent_at)
                for n, number in s.execute(stmt).all()]


def open_alerts(db: Db, limit: int = 100) -> list[Alert]:
    with db.read() as s:
        return list(s.scalars(select(Alert).where(Alert.resolved_at.is_(None))
                              .order_by(Alert.id.desc()).limit(limit)))
