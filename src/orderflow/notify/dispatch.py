"""Delivery: claim due notices with a lease and a fencing number, send them with no
transaction open, and record each result only if the fence still matches.

- Claim: ONE statement, `UPDATE notices ... WHERE id IN (SELECT ... FOR UPDATE SKIP
  LOCKED) RETURNING ...` on PostgreSQL (on SQLite the write transaction's BEGIN
  IMMEDIATE serialises claimers), moves due rows to `sending`, sets the lease and
  bumps the fence. A notice waits while an earlier notice to the same recipient on
  the same channel for the same order is unfinished, so milestones arrive in order.
- A lease that expires (a worker died or paused) is claimed again by another worker.
- Complete: `UPDATE ... WHERE id = :id AND fence = :fence AND state = 'sending'`.
  A worker that wakes up after losing its lease matches no row and records nothing.
- Temporary failure: back off exponentially with full jitter (the spec's schedule for
  webhooks, or the provider's Retry-After). Permanent failure or retries exhausted:
  fall back to the customer's next channel; with none left the notice is dead and
  staff see it.
- Provider down (`health.provider_level`: refused, DNS, TLS, timeout, 5xx, SMTP 421/451,
  throttling): the provider's circuit opens (`orderflow.circuits`), the notice and the
  rest of the batch for that provider go back to the queue WITHOUT spending an attempt,
  and claims skip that provider except for one probe on the circuit's back-off. The first
  answer closes the circuit; the held notices are still due, so the next claims drain
  them oldest first at the channel's full rate. A channel inside its quiet hours gets no
  probe, so its circuit closes (and its backlog drains) only once the window opens.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, case, exists, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from orderflow import circuits, clock, logs
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import fanout, outages, prefs, timing
from orderflow.notify.channels import (
    Channel,
    DeliveryFailure,
    EndpointGone,
    Outgoing,
    SendResult,
    TemporaryFailure,
)
from orderflow.notify.health import circuit_key, provider_level, split_key
from orderflow.notify.models import Alert, Notice, NoticeEvent, NoticeState, WebhookEndpoint
from orderflow.notify.models import WebhookAttempt as AttemptRow
from orderflow.notify.webhooks.sender import next_delay
from orderflow.orders.models import TimelineEvent
from orderflow.review import service as review
from orderflow.workdays import Calendar

log = logging.getLogger("orderflow.notify")
LEASE = timedelta(seconds=float(os.environ.get("ORDERFLOW_NOTIFY_LEASE_SECONDS", "60")))
# A worker does not start a send when less than this is left of its lease: better to let
# another worker reclaim the notice than to race it.
LEASE_MARGIN = LEASE / 4
_rng = random.Random()
_CLAIMED = (Notice.id, Notice.fence, Notice.attempts, Notice.message_id, Notice.channel,
            Notice.recipient, Notice.language, Notice.body_text, Notice.subject, Notice.body_html,
            Notice.milestone, Notice.params, Notice.endpoint_id)
NOTICES = cast(Table, Notice.__table__)
NOTICE_EVENTS = cast(Table, NoticeEvent.__table__)
TIMELINE = cast(Table, TimelineEvent.__table__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Claimed:
    id: int
    fence: int
    attempts: int
    outgoing: Outgoing
    deadline: float = 0.0  # time.monotonic() after which this worker must not send
    endpoint_id: int | None = None


def backoff(attempts: int, *, base: float = 5.0, cap: float = 3600.0) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^attempts)], at least one second."""
    return max(1.0, _rng.uniform(0, min(cap, base * 2 ** attempts)))


def _due(now: Any) -> Any:
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


def claim(db: Db, owner: str, *, limit: int = 50,
          channels: tuple[str, ...] | None = None, endpoint: int | None = None,
          skip_endpoints: tuple[int, ...] = ()) -> list[Claimed]:
    """Due notices, oldest first. `channels` () claims nothing; `endpoint` only that
    webhook endpoint's (a probe); `skip_endpoints` those whose circuit is open."""
    if channels is not None and not channels:
        return []
    now = clock.utcnow()
    deadline = time.monotonic() + (LEASE - LEASE_MARGIN).total_seconds()
    with db.transaction() as s:
        due = select(Notice.id).where(_due(now))
        if channels:
            due = due.where(Notice.channel.in_(channels))
        if endpoint is not None:
            due = due.where(Notice.endpoint_id == endpoint)
        if skip_endpoints:
            due = due.where(or_(Notice.endpoint_id.is_(None),
                                Notice.endpoint_id.not_in(skip_endpoints)))
        due = due.order_by(Notice.available_at, Notice.id).limit(limit)
        if db.dialect == "postgresql":
            due = due.with_for_update(skip_locked=True, of=Notice)
        rows = s.execute(
            update(Notice).where(Notice.id.in_(due.scalar_subquery()))
            .values(state=NoticeState.SENDING, lease_owner=owner, lease_until=now + LEASE,
                    fence=Notice.fence + 1, attempts=Notice.attempts + 1)
            .returning(*_CLAIMED).execution_options(synchronize_session=False)).all()
        secrets = _secrets(s, {r.endpoint_id for r in rows if r.endpoint_id})
    return [Claimed(r.id, r.fence, r.attempts, _outgoing(r, secrets.get(r.endpoint_id, ())),
                    deadline, r.endpoint_id) for r in sorted(rows, key=lambda r: r.id)]


def _secrets(s: Session, endpoint_ids: set[int]) -> dict[int, tuple[str, ...]]:
    if not endpoint_ids:
        return {}
    return {e.id: tuple(e.secrets) for e in s.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.id.in_(endpoint_ids)))}


def _outgoing(r: Any, secrets: tuple[str, ...]) -> Outgoing:
    params = r.params or {}
    return Outgoing(
        message_id=r.message_id, channel=r.channel, recipient=r.recipient, language=r.language,
        text=r.body_text, subject=r.subject, html=r.body_html, template_code=r.milestone,
        template_params={k: str(v) for k, v in params.items() if isinstance(v, str | int)},
        payload=params if r.channel == "webhook" else {}, event_type=r.milestone,
        signing_secrets=secrets,
    )


def _event(notice_id: int, state: str, attempt: int, detail: str | None = None) -> dict[str, Any]:
    return {"notice_id": notice_id, "at": clock.utcnow(), "state": state, "attempt": attempt,
            "detail": detail[:500] if detail else None}


def _timeline_row(order_id: int | None, kind: str, notice_id: int, milestone: str, channel: str,
                  recipient: str, reason: str | None = None) -> dict[str, Any] | None:
    if order_id is None:
        return None
    return {"order_id": order_id, "at": clock.utcnow(), "actor": "system:notify", "kind": kind,
            "from_status": None, "to_status": None, "reason": reason,
            "data": {"notice_id": notice_id, "milestone": milestone, "channel": channel,
                     "recipient": logs.mask(recipient)}}


def timeline(s: Session, n: Notice, kind: str, reason: str | None = None) -> None:
    row = _timeline_row(n.order_id, kind, n.id, n.milestone, n.channel, n.recipient, reason)
    if row:
        s.execute(insert(TimelineEvent).values(**row))


def record_sent(s: Session, c: Claimed, result: SendResult) -> bool:
    """Fenced: True only if this worker still held the notice."""
    return c.id in record_sent_many(s, [(c, result)])


def record_sent_many(s: Session, done: list[tuple[Claimed, SendResult]]) -> set[int]:
    """One fenced UPDATE for a group of sends, then their history and timeline rows in two
    multi-row inserts. Returns the ids this worker still held; the rest are refused."""
    if not done:
        return set()
    table, now = NOTICES, clock.utcnow()
    by_id = {c.id: (c, r) for c, r in done}
    provider_ids = case({c.id: r.provider_message_id for c, r in done}, value=table.c.id)
    accepted = {row.id: row.order_id for row in s.connection().execute(
        update(table).where(
            tuple_(table.c.id, table.c.fence).in_([(c.id, c.fence) for c, _ in done]),
            table.c.state == NoticeState.SENDING)
        .values(state=NoticeState.SENT, sent_at=now, lease_owner=None, lease_until=None,
                last_error=None, provider_message_id=provider_ids)
        .returning(table.c.id, table.c.order_id))}
    for stale in sorted(set(by_id) - set(accepted)):
        log.warning("notice %s: stale completion refused (fence %s)", stale, by_id[stale][0].fence)
    if not accepted:
        return set()
    s.connection().execute(insert(NOTICE_EVENTS), [
        _event(i, "sent", by_id[i][0].attempts, by_id[i][1].detail or None) for i in accepted])
    maybe_rows = [
        _timeline_row(order_id, "notice.sent", i, by_id[i][0].outgoing.event_type or "",
                      by_id[i][0].outgoing.channel, by_id[i][0].outgoing.recipient)
        for i, order_id in accepted.items()]
    rows = [r for r in maybe_rows if r]
    if rows:
        s.connection().execute(insert(TIMELINE), rows)
    return set(accepted)


def _fenced(s: Session, c: Claimed) -> Notice | None:
    """The notice, only if this worker still holds it."""
    n = s.get(Notice, c.id, with_for_update=s.get_bind().dialect.name == "postgresql")
    if n is None or n.fence != c.fence or n.state is not NoticeState.SENDING:
        log.warning("notice %s: stale completion refused (fence %s)", c.id, c.fence)
        return None
    return n


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
        s.execute(insert(NoticeEvent).values(**_event(n.id, "retry", n.attempts, n.last_error)))
        return True
    if isinstance(failure, EndpointGone) and n.endpoint_id:
        _disable_endpoint(s, n.endpoint_id, failure.reason)
    fallback = make_fallback(s, n)
    n.state = NoticeState.FAILED if fallback else NoticeState.DEAD
    s.execute(insert(NoticeEvent).values(**_event(n.id, n.state.value, n.attempts, n.last_error)))
    timeline(s, n, "notice.failed" if fallback else "notice.dead", n.last_error)
    if not fallback:
        raise_alert(s, f"notice.dead:{n.id}", "notice.dead", n.order_id,
                    f"{n.milestone} by {n.channel} to {logs.mask(n.recipient)} "
                    f"failed: {n.last_error}")
    return True


def release_held(s: Session, held: list[tuple[Claimed, DeliveryFailure | None]]) -> set[int]:
    """Back to the queue, the attempt given back: the provider was down (the failure) or
    was not even tried because it had just failed for another notice (None). Fenced."""
    if not held:
        return set()
    now = clock.utcnow()
    released: set[int] = set()
    for c, failure in held:
        values: dict[str, Any] = {"state": NoticeState.QUEUED, "lease_owner": None,
                                  "lease_until": None, "attempts": NOTICES.c.attempts - 1}
        if failure is not None:
            values["last_error"] = f"{failure.code}: {failure.reason}"[:2000]
            if isinstance(failure, TemporaryFailure) and failure.retry_after:
                values["available_at"] = now + timedelta(seconds=failure.retry_after)
        done = s.connection().execute(
            update(NOTICES).where(NOTICES.c.id == c.id, NOTICES.c.fence == c.fence,
                                  NOTICES.c.state == NoticeState.SENDING).values(**values))
        if done.rowcount:
            released.add(c.id)
            if failure is not None:
                s.connection().execute(insert(NOTICE_EVENTS), [_event(
                    c.id, "held", c.attempts - 1, f"provider down: {values['last_error']}")])
    return released


def _disable_endpoint(s: Session, endpoint_id: int, reason: str) -> None:
    s.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
              .values(enabled=False, disabled_reason=f"410 Gone: {reason}"[:300]))
    raise_alert(s, f"webhook.gone:{endpoint_id}", "webhook.disabled", None,
                f"webhook endpoint #{endpoint_id} answered 410 Gone and was disabled")


def raise_alert(s: Session, key: str, kind: str, order_id: int | None, message: str) -> None:
    if s.scalar(select(Alert.id).where(Alert.key == key)) is None:
        s.add(Alert(key=key, kind=kind, order_id=order_id, message=message,
                    created_at=clock.utcnow()))


class RateLimit:
    """A token bucket per channel, in this worker: `rate` sends a second, bursts of `burst`.
    Providers' own limits (429 / Retry-After) still come back as TemporaryFailure."""

    def __init__(self, rate: float, burst: float | None = None):
        self.rate = rate
        self.burst = burst or max(1.0, rate)
        self.tokens = self.burst
        self.at = time.monotonic()

    def wait(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1.0:
            time.sleep((1.0 - self.tokens) / self.rate)
            self.tokens, self.at = 1.0, time.monotonic()
        self.tokens -= 1.0


def rate_limits_from_env() -> dict[str, RateLimit]:
    """ORDERFLOW_RATE_SMS=20 (per second, per worker); unset means unlimited."""
    limits = {}
    for channel in ("email", "sms", "webhook"):
        value = os.environ.get(f"ORDERFLOW_RATE_{channel.upper()}")
        if value:
            limits[channel] = RateLimit(float(value))
    return limits


@dataclass
class Dispatcher:
    db: Db
    settings: Settings
    channels: dict[str, Channel]
    make_fallback: Callable[[Session, Notice], int | None]
    owner: str = field(default_factory=worker_id)
    limits: dict[str, RateLimit] = field(default_factory=rate_limits_from_env)
    _prefs: tuple[float, prefs.NotifyPrefs] | None = None
    _calendar: Calendar | None = None
    # This batch: providers that failed (the rest of their notices are held unsent) and
    # providers that answered; which of them are already recorded on their circuit.
    _down: dict[str, DeliveryFailure] = field(default_factory=dict, init=False)
    _up: set[str] = field(default_factory=set, init=False)
    _recorded: set[str] = field(default_factory=set, init=False)

    def run_once(self, limit: int = 50, *, group: int = 10) -> int:
        """Claim a batch, send each, and record results every `group` sends, so a worker
        killed mid-batch leaves at most that many accepted-but-unrecorded notices.
        Providers whose circuit is open get one probe when it is due, nothing else."""
        held, probes = self._circuits()
        channels = tuple(self.channels)
        claimed: list[Claimed] = []
        for key in probes:
            channel, endpoint = split_key(key)
            claimed += claim(self.db, self.owner, limit=1, channels=(channel,),
                             endpoint=endpoint)
        open_channels = {split_key(k)[0] for k in held if split_key(k)[1] is None}
        claimed += claim(self.db, self.owner, limit=limit,
                         channels=tuple(c for c in channels if c not in open_channels),
                         skip_endpoints=tuple(e for k in held
                                              if (e := split_key(k)[1]) is not None))
        self._down, self._up, self._recorded = {}, set(), set()
        pending: list[tuple[Claimed, SendResult | DeliveryFailure | None]] = []
        for c in claimed:
            if time.monotonic() > c.deadline:
                break  # the rest of the batch is left for whoever reclaims it
            pending.append((c, self._attempt(c)))
            if len(pending) >= group:
                self._record_all(pending, probes)
                pending = []
        self._record_all(pending, probes)
        return len(claimed)

    def _attempt(self, c: Claimed) -> SendResult | DeliveryFailure | None:
        """Send, unless this provider just failed in this batch (None: hold it)."""
        key = circuit_key(c.outgoing.channel, c.endpoint_id)
        if key in self._down:
            return None
        outcome = self._send(c)
        if isinstance(outcome, DeliveryFailure) and provider_level(outcome):
            self._down[key] = outcome
        else:
            self._up.add(key)
        return outcome

    def _circuits(self) -> tuple[set[str], list[str]]:
        """(keys of open notify circuits, keys whose probe this worker took)."""
        with self.db.read() as s:
            open_ = circuits.open_circuits(s, "notify:")
        now = clock.utcnow()
        due = [k for k, o in open_.items() if o.probe_due(now)
               and split_key(k)[0] in self.channels and not self._quiet(split_key(k)[0])]
        probes = []
        for key in due:
            with self.db.transaction() as s:
                if circuits.take_probe(s, key):
                    probes.append(key)
        return set(open_), probes

    def _quiet(self, channel: str) -> bool:
        """Inside the channel's quiet hours no probe goes out, so a circuit never closes
        (and a held backlog never drains) at night: it drains when the window opens."""
        np = self._notify_prefs()
        local = clock.utcnow().astimezone(self.settings.zone)
        holiday = timing.is_day_off(local.date(), self._calendar)
        window = np.quiet(channel, holiday=holiday) if holiday else np.quiet(channel)
        return window is not None and window.contains(local.time())

    def _notify_prefs(self) -> prefs.NotifyPrefs:
        now = time.monotonic()
        if self._prefs is None or now - self._prefs[0] > 5.0:
            with self.db.read() as s:
                self._prefs = (now, prefs.load(s))
                # The notice calendar, as fan-out times notices (调休 and the merchant's days).
                self._calendar = fanout.notice_calendar(self._prefs[1], self.settings,
                                                        review.load_config(s))
        return self._prefs[1]

    def _send(self, c: Claimed) -> SendResult | DeliveryFailure:
        channel = self.channels[c.outgoing.channel]
        limit = self.limits.get(c.outgoing.channel)
        if limit is not None:
            limit.wait()
        try:
            return channel.send(c.outgoing)
        except DeliveryFailure as failure:
            return failure
        except Exception as exc:  # an adapter bug must not lose the notice: retry it
            log.exception("channel %s crashed", c.outgoing.channel)
            return TemporaryFailure(f"{type(exc).__name__}: {exc}", code="channel.crashed")

    def _max_attempts(self, s: Session, channel: str) -> int:
        now = time.monotonic()
        if self._prefs is None or now - self._prefs[0] > 5.0:
            self._prefs = (now, prefs.load(s))
        return self._prefs[1].max_attempts(channel)

    def _record_all(self, results: list[tuple[Claimed, SendResult | DeliveryFailure | None]],
                    probes: list[str]) -> None:
        if not results:
            return
        with self.db.transaction() as s:
            held: list[tuple[Claimed, DeliveryFailure | None]] = []
            for c, outcome in results:
                if outcome is not None:
                    self._attempt_log(s, c, outcome)
                if outcome is None or (isinstance(outcome, DeliveryFailure)
                                       and provider_level(outcome)):
                    held.append((c, outcome))
            record_sent_many(s, [(c, r) for c, r in results if isinstance(r, SendResult)])
            release_held(s, held)
            for c, outcome in results:
                if not isinstance(outcome, DeliveryFailure) or provider_level(outcome):
                    continue
                with s.begin_nested():  # a failing fallback must not undo the others' results
                    record_failure(s, c, outcome, make_fallback=self.make_fallback,
                                   max_attempts=self._max_attempts(s, c.outgoing.channel))
            self._record_circuits(s, probes)

    def _record_circuits(self, s: Session, probes: list[str]) -> None:
        for key, failure in sorted(self._down.items()):
            if key in self._recorded:
                continue
            self._recorded.add(key)
            retry_after = failure.retry_after if isinstance(failure, TemporaryFailure) else None
            if circuits.record_failure(s, key, f"{failure.code}: {failure.reason}",
                                       retry_after=retry_after):
                log.warning("circuit %s opened: %s", key, failure.reason)
            outages.alert_key_changes(s, key)
        # Only a probe closes a circuit: a send that was claimed before another worker
        # opened it proves little, and closing costs a write per batch.
        for key in sorted((self._up & set(probes)) - self._recorded - set(self._down)):
            self._recorded.add(key)
            if circuits.record_success(s, key):
                log.warning("circuit %s closed", key)
                outages.alert_key_changes(s, key)

    @staticmethod
    def _attempt_log(s: Session, c: Claimed, outcome: SendResult | DeliveryFailure) -> None:
        attempt = getattr(outcome, "attempt", None)
        if attempt is not None and c.endpoint_id is not None:
            s.add(AttemptRow(notice_id=c.id, endpoint_id=c.endpoint_id, at=attempt.at,
                             status_code=attempt.status, duration_ms=attempt.duration_ms,
                             response_excerpt=attempt.response_body[:2000] or None,
                             error=attempt.error))
