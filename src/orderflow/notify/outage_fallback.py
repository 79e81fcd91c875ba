"""The merchant's choice: once a channel has been down long enough, send a milestone's
held notices by another channel instead of waiting for the provider.

Off unless the merchant sets it, per milestone, naming the channels it may move to
(an SMS costs money, so nothing ever moves to SMS unless named):

    {"order.shipped": {"after_minutes": 30, "channels": ["sms"]}}

The held notice ends `failed` ("fell back") and a fallback notice on the customer's next
allowed channel carries on, with its own key and message id, so the customer is told
once. Webhooks have no fallback (an endpoint is not a person).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import circuits, clock
from orderflow.db import Db
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.notify import milestones, prefs
from orderflow.notify.dispatch import timeline
from orderflow.notify.health import PREFIX, split_key
from orderflow.notify.models import Notice, NoticeEvent, NoticeState

log = logging.getLogger("orderflow.notify")
KEY = "outage_fallback"
CHANNELS = ("email", "sms")
MakeFallback = Callable[[Session, Notice], int | None]


def rules(np: prefs.NotifyPrefs) -> dict[str, dict[str, Any]]:
    value = np.values.get(KEY) or {}
    return value if isinstance(value, dict) else {}


def validate(value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Refuse the whole setting with every problem named, or return it cleaned."""
    problems: list[FieldProblem] = []
    clean: dict[str, dict[str, Any]] = {}
    for milestone, rule in value.items():
        where = f"{KEY}.{milestone}"
        if milestones.get(milestone) is None:
            problems.append(FieldProblem(where, "unknown", f"no milestone {milestone!r}"))
            continue
        if not isinstance(rule, dict):
            problems.append(FieldProblem(where, "type", "expected after_minutes and channels"))
            continue
        minutes, channels = rule.get("after_minutes"), rule.get("channels")
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 1440:
            problems.append(FieldProblem(f"{where}.after_minutes", "range",
                                         "whole minutes from 1 to 1440"))
        if (not isinstance(channels, list) or not channels
                or any(c not in CHANNELS for c in channels)):
            problems.append(FieldProblem(f"{where}.channels", "choice",
                                         f"a non-empty list of {', '.join(CHANNELS)}"))
        if not problems:
            clean[milestone] = {"after_minutes": minutes, "channels": list(dict.fromkeys(
                channels or []))}
    if problems:
        raise ValidationFailed(problems)
    return clean


def save(db: Db, value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    clean = validate(value)
    with db.transaction() as s:
        prefs.set_value(s, KEY, clean)
    return clean


def fall_back(db: Db, make_fallback: MakeFallback, *, limit: int = 200) -> int:
    """The worker's job: move held notices off channels down past their milestone's time."""
    with db.read() as s:
        chosen = rules(prefs.load(s))
        down = circuits.open_circuits(s, PREFIX) if chosen else {}
    now = clock.utcnow()
    moved = 0
    for key, opened in down.items():
        channel, endpoint = split_key(key)
        if endpoint is not None or channel == "webhook":
            continue
        for milestone, rule in chosen.items():
            if opened.down_for(now) >= timedelta(minutes=int(rule["after_minutes"])):
                moved += _move(db, make_fallback, channel, milestone, rule["channels"],
                               opened.down_for(now), limit)
    return moved


def _move(db: Db, make_fallback: MakeFallback, channel: str, milestone: str,
          allowed: list[str], down_for: timedelta, limit: int) -> int:
    moved = 0
    with db.transaction() as s:
        stmt = (select(Notice).where(Notice.state == NoticeState.QUEUED,
                                     Notice.channel == channel, Notice.milestone == milestone)
                .order_by(Notice.id).limit(limit))
        if db.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        for n in s.scalars(stmt).all():
            keep = list(n.fallback_channels)
            n.fallback_channels = [c for c in keep if c in allowed and c != channel]
            new_id = make_fallback(s, n) if n.fallback_channels else None
            n.fallback_channels = keep
            if new_id is None:
                continue
            minutes = int(down_for.total_seconds() // 60)
            n.state = NoticeState.FAILED
            n.last_error = f"{channel} provider down {minutes} min: fell back (notice {new_id})"
            s.add(NoticeEvent(notice_id=n.id, at=clock.utcnow(), state="failed",
                              attempt=n.attempts, detail=n.last_error))
            timeline(s, n, "notice.failed", n.last_error)
            moved += 1
    if moved:
        log.warning("%s %s notices moved off %s (down) to %s", moved, milestone, channel,
                    ",".join(allowed))
    return moved
