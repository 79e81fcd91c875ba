"""Template preview on a real order, and template look-up for the editor."""

from __future__ import annotations

from typing import Any

from orderflow import money
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import NotFound, ValidationFailed
from orderflow.notify import context, milestones, templates
from orderflow.notify.default_templates import Parts
from orderflow.orders import queries


def sample_context(db: Db, settings: Settings, order_number: str, milestone: str,
                   language: str | None = None) -> dict[str, Any]:
    with db.read() as s:
        order = queries.get_order(s, order_number)
        facts = context.load(s, order.id)
        assert facts is not None
        payload = {"carrier": "SF", "tracking_number": "SF1234567890123", "reason": "示例 / sample",
                   "amount": money.to_str(order.total_minor, order.currency),
                   "method": "alipay", "status": order.status.value, "parcels": 2}
        return context.build(facts, payload, settings, language=language)


def preview(db: Db, settings: Settings, milestone: str, parts: Parts,
            order_number: str, language: str | None = None) -> templates.Rendered:
    found = templates.problems(milestone, parts)
    if found:
        raise ValidationFailed(found)
    ctx = sample_context(db, settings, order_number, milestone, language)
    return templates.render(0, parts, ctx)


def current(db: Db, milestone: str, channel: str, language: str) -> tuple[int, Parts]:
    if milestones.get(milestone) is None:
        raise NotFound(f"no milestone {milestone}", code="template.not_found")
    with db.read() as s:
        found = templates.live(s, milestone, channel, language)
    if found is None:
        raise NotFound(f"no template for {milestone} / {channel} / {language}",
                       code="template.not_found")
    return found


def save(db: Db, settings: Settings, milestone: str, channel: str, language: str, parts: Parts,
         *, author: str, sample_order: str | None = None) -> int:
    sample = (sample_context(db, settings, sample_order, milestone, language)
              if sample_order else None)
    with db.transaction() as s:
        return templates.save(s, milestone, channel, language, parts, author=author, sample=sample)
