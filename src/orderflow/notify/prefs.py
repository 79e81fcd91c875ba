"""The merchant's notification settings: switches, quiet hours, holidays, coalescing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.notify import milestones, templates
from orderflow.notify.default_templates import Parts
from orderflow.notify.models import ChannelSwitch, MerchantSetting, WebhookEndpoint
from orderflow.notify.timing import Window

DEFAULTS: dict[str, Any] = {
    # No SMS from 21:00 to 08:00; email and inbox any time.
    "quiet_hours": {"sms": ["21:00", "08:00"]},
    # On days off (per the calendar) SMS waits until 10:00.
    "holiday_quiet_hours": {"sms": ["20:00", "10:00"]},
    # None: the merchant's country (ORDERFLOW_DEFAULT_COUNTRY; CN with 调休), or a country
    # code; "-" for no calendar. The review settings' open/closed days override it.
    "holiday_calendar": None,
    # Extra minutes to hold coalescible notices (shipped, out for delivery, delivered) so
    # fast-moving parcels give one message; waiting notices coalesce regardless.
    "coalesce_minutes": 0,
    "max_attempts": {"email": 8, "sms": 6, "webhook": 10},  # webhook: the spec's schedule
    # Per milestone: quiet hours per channel that replace the channel's own (a delay may
    # wait for morning; [] = none for that milestone), "all" channels or the "first" that
    # works, and how long a payment notice waits for the confirmation that replaces it.
    "milestone_quiet_hours": {},
    "channel_policy": {},
    "confirm_coalesce_minutes": 10,
    # Minutes before the unpaid order is cancelled that the payment reminder goes out.
    "payment_reminder_minutes": 10,
    # Minutes a promise delay notice waits so staff can edit its reason and estimate.
    "delay_hold_minutes": 15,
}


@dataclass
class NotifyPrefs:
    """Loaded once per batch: settings, switches, and (lazily) templates and endpoints."""

    values: dict[str, Any]
    switches: dict[tuple[str, str], bool] = field(default_factory=dict)
    _templates: dict[tuple[str, str, str], tuple[int, Parts] | None] = field(default_factory=dict)
    _endpoints: list[WebhookEndpoint] | None = None

    def template(self, s: Session, milestone: str, channel: str,
                 language: str) -> tuple[int, Parts] | None:
        key = (milestone, channel, language)
        if key not in self._templates:
            self._templates[key] = templates.live(s, milestone, channel, language)
        return self._templates[key]

    def endpoints(self, s: Session) -> list[WebhookEndpoint]:
        if self._endpoints is None:
            self._endpoints = list(s.scalars(
                select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))
                .order_by(WebhookEndpoint.id)))
        return self._endpoints

    def enabled(self, milestone: str, channel: str) -> bool:
        explicit = self.switches.get((milestone, channel))
        if explicit is not None:
            return explicit
        return (milestone, channel) not in milestones.DEFAULT_OFF

    def quiet(self, channel: str, *, holiday: bool = False,
              milestone: str | None = None) -> Window | None:
        per_milestone = (self.values.get("milestone_quiet_hours") or {}).get(milestone or "")
        if per_milestone is not None and channel in per_milestone:
            span = per_milestone[channel]
            return Window.parse(*span) if span else None
        table = self.values["holiday_quiet_hours" if holiday else "quiet_hours"] or {}
        span = table.get(channel)
        return Window.parse(*span) if span else None

    @property
    def calendar(self) -> str | None:
        value = self.values.get("holiday_calendar")
        return str(value) if value else None

    def channel_policy(self, milestone: str) -> str:
        chosen = (self.values.get("channel_policy") or {}).get(milestone)
        if chosen in milestones.CHANNEL_POLICIES:
            return str(chosen)
        spec = milestones.get(milestone)
        return spec.channels if spec else "first"

    def minutes(self, key: str) -> int:
        return int(self.values.get(key) or 0)

    @property
    def coalesce_minutes(self) -> int:
        return int(self.values.get("coalesce_minutes") or 0)

    def max_attempts(self, channel: str) -> int:
        return int((self.values.get("max_attempts") or {}).get(channel, 6))


def load(s: Session) -> NotifyPrefs:
    values = dict(DEFAULTS)
    for row in s.scalars(select(MerchantSetting)):
        values[row.key] = row.value
    switches = {(sw.milestone, sw.channel): sw.enabled for sw in s.scalars(select(ChannelSwitch))}
    return NotifyPrefs(values, switches)


def _upsert(s: Session, model: type[Any], values: dict[str, Any], keys: list[str],
            update: dict[str, Any]) -> None:
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values)
    s.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update))


def set_value(s: Session, key: str, value: Any) -> None:
    now = clock.utcnow()
    _upsert(s, MerchantSetting, {"key": key, "value": value, "updated_at": now}, ["key"],
            {"value": value, "updated_at": now})


def set_switch(s: Session, milestone: str, channel: str, enabled: bool) -> None:
    _upsert(s, ChannelSwitch, {"milestone": milestone, "channel": channel, "enabled": enabled},
            ["milestone", "channel"], {"enabled": enabled})
