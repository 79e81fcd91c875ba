"""/api/v1 notifications: webhook endpoints, notices and re-sends, templates, switches,
alerts and coverage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.errors import NotFound
from orderflow.ids import DbId
from orderflow.notify import milestones, outage_fallback, outages, prefs, preview, watchdogs
from orderflow.notify import service as notify
from orderflow.notify.default_templates import Parts
from orderflow.notify.models import NoticeState, WebhookEndpoint
from orderflow.notify.schemas import (
    AlertOut,
    CoverageOut,
    EndpointIn,
    EndpointOut,
    NoticeOut,
    PreviewOut,
    SwitchIn,
    TemplateIn,
    TemplateOut,
)
from orderflow.vocab import Flag, Instant

router = APIRouter(prefix="/api/v1", tags=["notifications"])
Reader = Annotated[TokenIdentity, Depends(require("notify:read"))]
Writer = Annotated[TokenIdentity, Depends(require("notify:write"))]
Channel = Literal["email", "sms", "inbox"]
Language = Literal["zh-CN", "en"]


def _endpoint(e: WebhookEndpoint, secret: str | None = None) -> EndpointOut:
    return EndpointOut(id=e.id, url=e.url, description=e.description, events=e.events,
                       enabled=e.enabled, disabled_reason=e.disabled_reason, secret=secret)


@router.get("/webhooks", response_model=list[EndpointOut])
def list_webhooks(_t: Reader, db: DbDep) -> list[EndpointOut]:
    return [_endpoint(e) for e in notify.list_endpoints(db)]


@router.post("/webhooks", status_code=201, response_model=EndpointOut)
def add_webhook(body: EndpointIn, _t: Writer, db: DbDep, settings: SettingsDep) -> EndpointOut:
    """Register an endpoint. The signing secret is in this response only."""
    endpoint, secret = notify.add_endpoint(db, str(body.url), events=body.events,
                                           description=body.description,
                                           test_mode=settings.test_mode)
    return _endpoint(endpoint, secret)


@router.post("/webhooks/{endpoint_id}/rotate", response_model=EndpointOut)
def rotate_webhook_secret(endpoint_id: DbId, _t: Writer, db: DbDep) -> EndpointOut:
    """A new secret; old and new both sign until `/retire-old-secret`."""
    secret = notify.rotate_secret(db, endpoint_id)
    (endpoint,) = [e for e in notify.list_endpoints(db) if e.id == endpoint_id]
    return _endpoint(endpoint, secret)


@router.post("/webhooks/{endpoint_id}/retire-old-secret", status_code=204)
def retire_webhook_secret(endpoint_id: DbId, _t: Writer, db: DbDep) -> None:
    notify.retire_old_secrets(db, endpoint_id)


class EnableIn(BaseModel):
    enabled: Flag


@router.post("/webhooks/{endpoint_id}/enabled", status_code=204)
def enable_webhook(endpoint_id: DbId, body: EnableIn, _t: Writer, db: DbDep) -> None:
    notify.enable_endpoint(db, endpoint_id, body.enabled)


class ReplayIn(BaseModel):
    since: Instant
    until: Instant


class ReplayOut(BaseModel):
    replayed: int


@router.post("/webhooks/{endpoint_id}/replay", response_model=ReplayOut)
def replay_webhooks(endpoint_id: DbId, body: ReplayIn, token: Writer, db: DbDep) -> ReplayOut:
    """Deliver again every event sent to this endpoint in [since, until), same webhook-ids."""
    count = notify.replay(db, endpoint_id=endpoint_id, since=body.since, until=body.until,
                          actor=actor_of(token))
    return ReplayOut(replayed=count)


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(_t: Reader, db: DbDep, state: NoticeState | None = None) -> list[NoticeOut]:
    return [NoticeOut(**row.__dict__) for row in notify.list_notices(db, state=state)]


class ResendOut(BaseModel):
    notice_id: DbId


@router.post("/notices/{notice_id}/resend", status_code=201, response_model=ResendOut)
def resend_notice(notice_id: DbId, token: Writer, db: DbDep) -> ResendOut:
    return ResendOut(notice_id=notify.resend(db, notice_id, actor=actor_of(token)))


@router.get("/templates/{milestone}/{channel}/{language}", response_model=TemplateOut)
def get_template(milestone: str, channel: Channel, language: Language, _t: Reader,
                 db: DbDep) -> TemplateOut:
    version, parts = preview.current(db, milestone, channel, language)
    spec = milestones.MILESTONES[milestone]
    return TemplateOut(milestone=milestone, channel=channel, language=language, version=version,
                       subject=parts.subject, body_text=parts.body_text, body_html=parts.body_html,
                       variables=sorted(spec.variables))


@router.put("/templates/{milestone}/{channel}/{language}", response_model=TemplateOut)
def save_template(milestone: str, channel: Channel, language: Language, body: TemplateIn,
                  token: Writer, db: DbDep, settings: SettingsDep,
                  sample_order: str | None = None) -> TemplateOut:
    """Save a new version. Unknown variables are refused, naming each one."""
    preview.save(db, settings, milestone, channel, language,
                 Parts(body.subject, body.body_text, body.body_html),
                 author=str(actor_of(token)), sample_order=sample_order)
    return get_template(milestone, channel, language, token, db)


@router.post("/templates/{milestone}/preview", response_model=PreviewOut)
def preview_template(milestone: str, body: TemplateIn, order_number: str, _t: Reader,
                     db: DbDep, settings: SettingsDep,
                     language: Language | None = None) -> PreviewOut:
    """Render unsaved template text on a real order, in `language` (default: the order's)."""
    rendered = preview.preview(db, settings, milestone,
                               Parts(body.subject, body.body_text, body.body_html), order_number,
                               language)
    return PreviewOut(subject=rendered.subject, body_text=rendered.body_text,
                      body_html=rendered.body_html)


@router.put("/notification-switches/{milestone}/{channel}", status_code=204)
def set_switch(milestone: str, channel: Channel, body: SwitchIn, _t: Writer, db: DbDep) -> None:
    if milestones.get(milestone) is None:
        raise NotFound(f"no milestone {milestone}", code="milestone.not_found")
    with db.transaction() as s:
        prefs.set_switch(s, milestone, channel, body.enabled)


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(_t: Reader, db: DbDep) -> list[AlertOut]:
    return [AlertOut(id=a.id, kind=a.kind, message=a.message, created_at=a.created_at)
            for a in notify.open_alerts(db)]


@router.get("/notices/coverage", response_model=CoverageOut)
def coverage(_t: Reader, db: DbDep,
             within_minutes: Annotated[int, Query(ge=1, le=10080)] = 15) -> CoverageOut:
    c = watchdogs.coverage(db, within_minutes=within_minutes)
    return CoverageOut(shipped=c.shipped, shipped_told_in_time=c.shipped_told_in_time,
                       shipping_share=c.shipping_share, paid=c.paid,
                       paid_confirmed=c.paid_confirmed, confirmation_share=c.confirmation_share,
                       late=c.late, late_told=c.late_told, delay_share=c.delay_share,
                       corrected=c.corrected, corrected_told=c.corrected_told,
                       correction_share=c.correction_share)


class CircuitOut(BaseModel):
    """A provider whose circuit is not closed, and the notices it holds."""

    key: str
    provider: str
    state: str
    opened_at: datetime | None
    next_probe_at: datetime | None
    last_error: str | None
    held: int
    oldest_held_at: datetime | None


@router.get("/circuits", response_model=list[CircuitOut])
def list_circuits(_t: Reader, db: DbDep) -> list[CircuitOut]:
    """Providers that are down (open) or being probed (half_open); closed ones are omitted."""
    return [CircuitOut(key=b.key, provider=b.what, state=b.state, opened_at=b.opened_at,
                       next_probe_at=b.next_probe_at, last_error=b.last_error, held=b.queued,
                       oldest_held_at=b.oldest_at) for b in outages.backlogs(db)]


@router.get("/notify/outage-fallback")
def get_outage_fallback(_t: Reader, db: DbDep) -> dict[str, Any]:
    """Per milestone: after how many minutes of a channel being down its held notices move
    to which channels. Empty (the default): they wait for the provider."""
    with db.read() as s:
        return outage_fallback.rules(prefs.load(s))


@router.put("/notify/outage-fallback")
def put_outage_fallback(body: dict[str, Any], _t: Writer, db: DbDep) -> dict[str, Any]:
    """`{"order.shipped": {"after_minutes": 30, "channels": ["sms"]}}`; `{}` turns it off."""
    return outage_fallback.save(db, body)
