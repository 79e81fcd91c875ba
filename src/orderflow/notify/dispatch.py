"""Delivery: claim due notices with a lease and a fencing number, send them with no
transaction open, and record each result only if the fence still matches.

- Claim: one short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN
  IMMEDIATE on SQLite) moves due rows to `sending`, sets the lease and bumps the
  fence. A notice waits while an earlier notice to the same recipient on the same
  channel for the same order is unfinished, so milestones arrive in order.
- A lease that expires (a worker died or paused) is claimed again by another worker.
- Complete: `UPDATE ... WHERE id = :id AND fence = :fence AND state = 'sending'`.
  A worker that wakes up after losing its lease finds zero rows and records nothing.
- Temporary failure: back off exponentially with full jitter (or the provider's
  Retry-After). Permanent failure or retries exhausted: fall back to the customer's
  next channel; with none left the notice is dead and staff see it.
"""

from __future__ import annotations

import logging
import random
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from orderflow import clock, logs
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import prefs
from orderflow.notify.channels import (
    Channel,
    DeliveryFailure,
    EndpointGone,
    Outgoing,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from orderflow.notify.models import Alert, Notice, NoticeState, WebhookEndpoint
from orderflow.notify.models import WebhookAttempt as AttemptRow
from orderflow.notify.webhooks.sender import next_delay
from orderflow.orders.models import TimelineEvent

log = logging.getLogger("orderflow.notify")
LEASE = timedelta(seconds=float(os.environ.get("ORDERFLOW_NOTIFY_LEASE_SECONDS", "60")))
# A worker does not start a send when less than this is left of its lease: better to let
# another worker reclaim the notice than to race it.
LEASE_MARGIN = LEASE / 4
_rng = random.Random()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claimed:
    id: int
    fence: int
    outgoing: Outgoing
    deadline: float = 0.0  # time.monotonic() after which this worker must not send
    endpoint_id: int | None = None


def backoff(attempts: int, *, base: float = 5.0, cap: float = 3600.0) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^attempts)], at least one second."""
    return max(1.0, _rng.uniform(0, min(cap, base * 2 ** attempts)))


def _due(now: datetime) -> Any:
    earlier = aliased(Notice)
    blocked = exists().where(
        earlier.order_id == Notice.order_id, earlier.channel == Notice.channel,
        earlier.recipient == Notice.recipient, earlier.id < Notice.id,
        earlier.state.in_([NoticeState.QUEUED, NoticeState.SENDING]),
    )
    ready = or_(
        and_(Notice.state == NoticeState.QUEUED, Notice.available_at <= now),
        and_(Notice.state == NoticeState.SENDING, Notice.lease_until < now),
    )
    return and_(ready, Notice.channel != "inbox", ~blocked)


def claim(db: Db, owner: str, *, limit: int = 50, channels: tuple[str, ...] | None = None) -> list[Claimed]:
    now = clock.utcnow()
    deadline = time.monotonic() + (LEASE - LEASE_MARGIN).total_seconds()
    with db.transaction() as s:
        stmt = select(Notice).where(_due(now))
        if channels:
            stmt = stmt.where(Notice.channel.in_(channels))
        stmt = stmt.order_by(Notice.available_at, Notice.id).limit(limit)
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Notice)
        rows = list(s.scalars(stmt))
        claimed = []
        for n in rows:
            n.state = NoticeState.SENDING
            n.lease_owner = owner
            n.lease_until = now + LEASE
            n.fence += 1
            n.attempts += 1
            secrets: tuple[str, ...] = ()
            if n.endpoint_id:
                endpoint = s.get(WebhookEndpoint, n.endpoint_id)
                secrets = tuple(endpoint.secrets) if endpoint else ()
            claimed.append(Claimed(n.id, n.fence, _outgoing(n, secrets), deadline, n.endpoint_id))
        return claimed


def _outgoing(n: Notice, secrets: tuple[str, ...] = ()) -> Outgoing:
    return Outgoing(
        message_id=n.message_id, channel=n.channel, recipient=n.recipient, language=n.language,
        text=n.body_text, subject=n.subject, html=n.body_html,
        template_code=n.milestone, template_params={k: str(v) for k, v in n.params.items()
                                                    if isinstance(v, str | int)},
        payload=n.params if n.channel == "webhook" else {}, event_type=n.milestone,
        signing_secrets=secrets,
    )


def _fenced(s: Session, c: Claimed) -> Notice | None:
    """The notice, only if this worker still holds it."""
    n = s.get(Notice, c.id, with_for_update=s.get_bind().dialect.name == "postgresql")
    if n is None or n.fence != c.fence or n.state is not NoticeState.SENDING:
        log.warning("notice %s: stale completion refused (fence %s)", c.id, c.fence)
        return None
    return n


def _history(n: Notice, state: str, detail: str | None = None) -> None:
    entry = {"at": clock.utcnow().isoformat(), "state": state, "attempt": n.attempts}
    if detail:
        entry["detail"] = detail[:500]
    n.history = [*n.history, entry]


def _timeline(s: Session, n: Notice, kind: str, reason: str | None = None) -> None:
    if n.order_id is None:
        return
    s.execute(insert(TimelineEvent).values(
        order_id=n.order_id, at=clock.utcnow(), actor="system:notify", kind=kind,
        reason=reason, data={"notice_id": n.id, "milestone": n.milestone, "channel": n.channel,
                             "recipient": logs.mask(n.recipient)}))


def record_sent(s: Session, c: Claimed, result: SendResult) -> bool:
    n = _fenced(s, c)
    if n is None:
        return False
    now = clock.utcnow()
    n.state, n.sent_at, n.provider_message_id = NoticeState.SENT, now, result.provider_message_id
    n.lease_owner = n.lease_until = None
    n.last_error = None
    _history(n, "sent", result.detail or None)
    _timeline(s, n, "notice.sent")
    return True


def _retry_delay(n: Notice, failure: DeliveryFailure, max_attempts: int) -> float | None:
    """Seconds until the next try, or None when this channel is done with the notice."""
    if not isinstance(failure, TemporaryFailure) or n.attempts >= max_attempts:
        return None
    if failure.retry_after is not None:
        return failure.retry_after
    if n.channel == "webhook":
        return next_delay(n.attempts, _rng)  # the spec's schedule; None when exhausted
    return backoff(n.attempts)


def record_failure(s: Session, c: Claimed, failure: DeliveryFailure, *, max_attempts: int,
                   make_fallback: Callable[[Session, Notice], int | None]) -> bool:
    n = _fenced(s, c)
    if n is None:
        return False
    n.lease_owner = n.lease_until = None
    n.last_error = f"{failure.code}: {failure.reason}"[:2000]
    delay = _retry_delay(n, failure, max_attempts)
    if delay is not None:
        n.state = NoticeState.QUEUED
        n.available_at = clock.utcnow() + timedelta(seconds=delay)
        _history(n, "retry", n.last_error)
        return True
    if isinstance(failure, EndpointGone) and n.endpoint_id:
        _disable_endpoint(s, n.endpoint_id, failure.reason)
    fallback = make_fallback(s, n)
    n.state = NoticeState.FAILED if fallback else NoticeState.DEAD
    _history(n, n.state.value, n.last_error)
    _timeline(s, n, "notice.failed" if fallback else "notice.dead", n.last_error)
    if not fallback:
        raise_alert(s, f"notice.dead:{n.id}", "notice.dead", n.order_id,
                    f"{n.milestone} by {n.channel} to {logs.mask(n.recipient)} failed: {n.last_error}")
    return True


def _disable_endpoint(s: Session, endpoint_id: int, reason: str) -> None:
    s.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
              .values(enabled=False, disabled_reason=f"410 Gone: {reason}"[:300]))
    raise_alert(s, f"webhook.gone:{endpoint_id}", "webhook.disabled", None,
                f"webhook endpoint #{endpoint_id} answered 410 Gone and was disabled")


def raise_alert(s: Session, key: str, kind: str, order_id: int | None, message: str) -> None:
    if s.scalar(select(Alert.id).where(Alert.key == key)) is None:
        s.add(Alert(key=key, kind=kind, order_id=order_id, message=message,
                    created_at=clock.utcnow()))


@dataclass
class Dispatcher:
    db: Db
    settings: Settings
    channels: dict[str, Channel]
    make_fallback: Callable[[Session, Notice], int | None]
    owner: str = field(default_factory=worker_id)

    def run_once(self, limit: int = 50, *, group: int = 10) -> int:
        """Claim a batch, send each, and record results every `group` sends, so a worker
        killed mid-batch leaves at most that many accepted-but-unrecorded notices."""
        claimed = claim(self.db, self.owner, limit=limit, channels=tuple(self.channels))
        pending: list[tuple[Claimed, SendResult | DeliveryFailure]] = []
        for c in claimed:
            if time.monotonic() > c.deadline:
                break  # the rest of the batch is left for whoever reclaims it
            pending.append((c, self._send(c)))
            if len(pending) >= group:
                self._record_all(pending)
                pending = []
        self._record_all(pending)
        return len(claimed)

    def _record_all(self, results: list[tuple[Claimed, SendResult | DeliveryFailure]]) -> None:
        if not results:
            return
        with self.db.transaction() as s:
            np = prefs.load(s)
            for c, outcome in results:
                with s.begin_nested():
                    self._record(s, c, outcome, np.max_attempts(c.outgoing.channel))

    def _send(self, c: Claimed) -> SendResult | DeliveryFailure:
        channel = self.channels[c.outgoing.channel]
        try:
            return channel.send(c.outgoing)
        except DeliveryFailure as failure:
            return failure
        except Exception as exc:  # an adapter bug must not lose the notice: retry it
            log.exception("channel %s crashed", c.outgoing.channel)
            return TemporaryFailure(f"{type(exc).__name__}: {exc}", code="channel.crashed")

    def _record(self, s: Session, c: Claimed, outcome: SendResult | DeliveryFailure,
                max_attempts: int) -> None:
        attempt = getattr(outcome, "attempt", None)
        if attempt is not None and c.endpoint_id is not None:
            s.add(AttemptRow(notice_id=c.id, endpoint_id=c.endpoint_id, at=attempt.at,
                             status_code=attempt.status, duration_ms=attempt.duration_ms,
                             response_excerpt=attempt.response_body[:2000] or None,
                             error=attempt.error))
        if isinstance(outcome, SendResult):
            record_sent(s, c, outcome)
        else:
            record_failure(s, c, outcome, max_attempts=max_attempts,
                           make_fallback=self.make_fallback)


__all__ = ["Dispatcher", "PermanentFailure", "claim", "raise_alert"]
