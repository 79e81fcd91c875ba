"""Small reads the notification screens need that the notify service does not offer
(filters by channel, keyset pages by id, one notice with its attempts, template
history, the dashboard's panels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from orderflow import clock, logs
from orderflow.db import Db
from orderflow.notify import milestones, outages, service, watchdogs
from orderflow.notify.models import (
    Notice,
    NoticeState,
    Template,
    WebhookAttempt,
    WebhookEndpoint,
)
from orderflow.notify.service import NoticeRow
from orderflow.orders.models import Order
from orderflow.review import promise
from orderflow.review import service as review
from orderflow.review.config import ReviewConfig

RESENDABLE = frozenset({NoticeState.DEAD, NoticeState.FAILED, NoticeState.SENT,
                        NoticeState.DELIVERED})
# An inbox copy is written when it is made; the dispatcher never sends one, so a re-send of
# it would wait for ever.
NOT_RESENDABLE_CHANNELS = frozenset({"inbox"})


def _row(n: Notice, number: str | None) -> NoticeRow:
    recipient = n.recipient if n.channel == "webhook" else logs.mask(n.recipient)
    return NoticeRow(n.id, number, n.milestone, n.channel, recipient, n.state.value,
                     n.attempts, n.last_error, n.created_at, n.sent_at)


def notices(s: Session, *, state: NoticeState | None = None, channel: str | None = None,
            order_id: int | None = None, endpoint_id: int | None = None,
            before: int | None = None, limit: int = 50) -> list[NoticeRow]:
    """Newest first; `before` is the keyset cursor (an id)."""
    stmt = (select(Notice, Order.number).outerjoin(Order, Order.id == Notice.order_id)
            .order_by(Notice.id.desc()).limit(limit))
    if state is not None:
        stmt = stmt.where(Notice.state == state)
    if channel:
        stmt = stmt.where(Notice.channel == channel)
    if order_id is not None:
        stmt = stmt.where(Notice.order_id == order_id)
    if endpoint_id is not None:
        stmt = stmt.where(Notice.endpoint_id == endpoint_id)
    if before is not None:
        stmt = stmt.where(Notice.id < before)
    return [_row(n, number) for n, number in s.execute(stmt).all()]


@dataclass(frozen=True)
class NoticeDetail:
    notice: Notice
    order_number: str | None
    masked_recipient: str
    attempts: list[WebhookAttempt]
    endpoint: WebhookEndpoint | None
    resent_as: list[int]


def notice_detail(s: Session, notice_id: int) -> NoticeDetail | None:
    n = s.get(Notice, notice_id)
    if n is None:
        return None
    number = s.scalar(select(Order.number).where(Order.id == n.order_id)) if n.order_id else None
    attempts = list(s.scalars(select(WebhookAttempt).where(WebhookAttempt.notice_id == n.id)
                              .order_by(WebhookAttempt.id.desc())))
    endpoint = s.get(WebhookEndpoint, n.endpoint_id) if n.endpoint_id else None
    resent_as = list(s.scalars(select(Notice.id).where(
        Notice.idempotency_key.like(f"{n.idempotency_key}|resend:%")).order_by(Notice.id)))
    recipient = n.recipient if n.channel == "webhook" else logs.mask(n.recipient)
    s.expunge(n)
    for a in attempts:
        s.expunge(a)
    if endpoint is not None:
        s.expunge(endpoint)
    return NoticeDetail(n, number, recipient, attempts, endpoint, resent_as)


def attempts_by_notice(s: Session, notice_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    found: dict[int, list[WebhookAttempt]] = {i: [] for i in notice_ids}
    if notice_ids:
        for a in s.scalars(select(WebhookAttempt).where(WebhookAttempt.notice_id.in_(notice_ids))
                           .order_by(WebhookAttempt.id.desc())):
            found[a.notice_id].append(a)
    return found


def endpoint(s: Session, endpoint_id: int) -> WebhookEndpoint | None:
    return s.get(WebhookEndpoint, endpoint_id)


def live_versions(s: Session) -> dict[tuple[str, str, str], int]:
    """(milestone, channel, language) -> the highest saved version (no row: built-in, 0)."""
    rows = s.execute(select(Template.milestone, Template.channel, Template.language,
                            func.max(Template.version))
                     .group_by(Template.milestone, Template.channel, Template.language))
    return {(m, c, lang): int(v) for m, c, lang, v in rows.all()}


def template_history(s: Session, milestone: str, channel: str, language: str) -> list[Template]:
    rows = list(s.scalars(select(Template).where(
        Template.milestone == milestone, Template.channel == channel,
        Template.language == language).order_by(Template.version.desc())))
    for row in rows:
        s.expunge(row)
    return rows


def newest_order_number(s: Session) -> str | None:
    return s.scalar(select(Order.number).order_by(Order.id.desc()).limit(1))


def editable_milestones() -> list[str]:
    """Customer-facing milestones: the ones that have templates."""
    return [code for code, m in milestones.MILESTONES.items() if m.customer_facing]


# --- dashboard -------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRow:
    id: int
    kind: str
    message: str
    created_at: Any
    order_number: str | None


def dead_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).where(Notice.state == NoticeState.DEAD)) or 0)


def dashboard_panels(db: Db, *, alerts: int = 20) -> dict[str, Any]:
    open_alerts = service.open_alerts(db, limit=alerts)
    with db.read() as s:
        ids = {a.order_id for a in open_alerts if a.order_id}
        numbers = dict(s.execute(select(Order.id, Order.number).where(Order.id.in_(ids))).all()) \
            if ids else {}
        dead = dead_count(s)
        cfg = review.load_config(s)
    rows = [AlertRow(a.id, a.kind, a.message, a.created_at,
                     numbers.get(a.order_id) if a.order_id else None)
            for a in open_alerts]
    queued, oldest = outages.queued_backlog(db)
    now = clock.utcnow()
    return {"alerts": rows, "dead_count": dead, "coverage": watchdogs.coverage(db),
            "backlog": {"queued": queued,
                        "age_min": int((now - clock.as_utc(oldest)).total_seconds() // 60)
                        if oldest else 0},
            "circuits": outages.backlogs(db), "circuit_now": now,
            "unannounced_years": unannounced_years(cfg)}


def unannounced_years(cfg: ReviewConfig) -> list[int]:
    """This year and the next whose official holiday arrangement the calendar only
    guesses (China before the State Council notice), unless the merchant set days."""
    calendar = promise.calendar_of(cfg)
    this_year = clock.utcnow().year
    return [y for y in (this_year, this_year + 1) if not calendar.announced(y)
            and not any(d.startswith(f"{y}-") for d in (*cfg.open_days, *cfg.closed_days))]

