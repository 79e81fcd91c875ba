"""Notification use cases for staff and the worker: deliver, fall back, re-send,
dead letters, alerts."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from orderflow import clock, ids, logs
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.notify import context, fanout, milestones
from orderflow.notify.channels import Channel
from orderflow.notify.dispatch import Dispatcher, timeline
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Alert, Notice, NoticeEvent, NoticeState, WebhookEndpoint
from orderflow.notify.sms.registry import sms_channel
from orderflow.notify.webhooks.sender import WebhookChannel
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage


def make_fallback(s: Session, n: Notice, settings: Settings) -> int | None:
    """The next channel of the customer's preference, in the same transaction."""
    if not n.fallback_channels or n.order_id is None or n.outbox_id is None:
        return None
    order = s.get(Order, n.order_id)
    row = s.get(OutboxMessage, n.outbox_id)
    facts = context.load(s, n.order_id)
    if order is None or row is None or facts is None:
        return None
    known = fanout.recipients(order, facts.customer)
    remaining = list(n.fallback_channels)
    loaded = fanout.load_batch(s, settings)
    np = loaded.np
    ctx = context.build(facts, row.payload, settings)
    while remaining:
        channel = remaining.pop(0)
        if channel not in known:
            continue
        target = fanout.Target(channel, known[channel])
        values = fanout.plan_notice(
            s, row, facts, target, ctx, np, settings, fallbacks=remaining,
            key=fanout.notice_key(row, channel, target.recipient), fallback_of=n.id,
            batch=loaded)
        new_id = fanout.write_notice(s, values) if values else None
        if new_id is not None:
            return new_id
    return None


def default_channels(settings: Settings) -> dict[str, Channel]:
    return {
        "email": SmtpChannel(settings),
        "sms": sms_channel(settings),
        "webhook": WebhookChannel(allow_private=settings.test_mode),
    }


def dispatcher(db: Db, settings: Settings,
               channels: dict[str, Channel] | None = None) -> Dispatcher:
    return Dispatcher(db, settings,
                      channels if channels is not None else default_channels(settings),
                      lambda s, n: make_fallback(s, n, settings))


def resend_step(s: Session, old: Notice, *, actor: Actor) -> int:
    """A re-send is a NEW, explicit notice (its own key and message id) on the timeline."""
    if old.state in (NoticeState.QUEUED, NoticeState.SENDING):
        raise Conflict("this notice is still being delivered", code="notice.in_progress")
    if old.channel == "inbox":
        raise Conflict("an inbox copy is not sent again", code="notice.inbox_copy")
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
        fallback_channels=[], created_at=now)
    s.add(new)
    s.flush()
    s.add(NoticeEvent(notice_id=new.id, at=now, state="queued", attempt=0,
                      detail=f"re-sent by {actor}"))
    timeline(s, new, "notice.resent", f"re-sent by {actor} (was notice {old.id})")
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


def add_endpoint(db: Db, url: str, *, events: list[str], description: str | None,
                 test_mode: bool) -> tuple[WebhookEndpoint, str]:
    """Register a webhook endpoint; returns it and its signing secret (shown once)."""
    problems = endpoint_problems(url, events, test_mode=test_mode)
    if problems:
        raise ValidationFailed(problems)
    secret = new_secret()
    with db.transaction() as s:
        endpoint = WebhookEndpoint(url=url, description=description, secrets=[secret],
                                   events=sorted(set(events)), enabled=True,
                                   created_at=clock.utcnow())
        s.add(endpoint)
        s.flush()
        return endpoint, secret


def endpoint_problems(url: str, events: list[str], *, test_mode: bool) -> list[FieldProblem]:
    found = []
    unknown = sorted(set(events) - set(milestones.MILESTONES) - {"*"})
    if unknown:
        found.append(FieldProblem("events", "webhook.unknown_event",
                                  f"unknown events {unknown}; "
                                  f"choose from {sorted(milestones.MILESTONES)}"))
    parsed = urlsplit(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        found.append(FieldProblem("url", "webhook.bad_url", "must be an http(s) URL"))
    elif not test_mode and parsed.scheme != "https":
        found.append(FieldProblem("url", "webhook.not_https", "use https outside test mode"))
    return found


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def rotate_secret(db: Db, endpoint_id: int) -> str:
    """A new secret signs next to the old one until `retire_old_secrets`."""
    secret = new_secret()
    with db.transaction() as s:
        endpoint = s.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}", code="webhook.not_found")
        endpoint.secrets = [secret, *endpoint.secrets][:2]
    return secret


def retire_old_secrets(db: Db, endpoint_id: int) -> None:
    with db.transaction() as s:
        endpoint = s.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}", code="webhook.not_found")
        endpoint.secrets = endpoint.secrets[:1]


def enable_endpoint(db: Db, endpoint_id: int, enabled: bool) -> None:
    with db.transaction() as s:
        endpoint = s.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound(f"no webhook endpoint {endpoint_id}", code="webhook.not_found")
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else "disabled by staff"


def list_endpoints(db: Db) -> list[WebhookEndpoint]:
    with db.read() as s:
        return list(s.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def replay(db: Db, *, endpoint_id: int, since: datetime, until: datetime,
           actor: Actor) -> int:
    """Send again every delivery to this endpoint in a time range (new notices, new ids
    are NOT used: a replay keeps each event's webhook-id so receivers can dedupe)."""
    with db.transaction() as s:
        rows = s.scalars(select(Notice).where(
            Notice.endpoint_id == endpoint_id, Notice.created_at >= since,
            Notice.created_at < until,
            Notice.state.in_([NoticeState.SENT, NoticeState.DELIVERED, NoticeState.DEAD,
                              NoticeState.FAILED]))).all()
        now = clock.utcnow()
        for n in rows:
            n.state = NoticeState.QUEUED
            n.available_at = now
            n.attempts = 0
            s.add(NoticeEvent(notice_id=n.id, at=now, state="queued", attempt=0,
                              detail=f"replayed by {actor}"))
        return len(rows)


def notice_history(s: Session, notice_id: int) -> list[dict[str, Any]]:
    """Oldest first: {at (ISO, UTC), state, attempt, detail}."""
    return [{"at": e.at.isoformat(), "state": e.state, "attempt": e.attempt, "detail": e.detail}
            for e in s.scalars(select(NoticeEvent).where(NoticeEvent.notice_id == notice_id)
                               .order_by(NoticeEvent.id))]
