"""/notify/webhooks: endpoints, their secrets (each shown once), enable/disable, the
deliveries per endpoint with their attempts, and replays."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.ids import MAX_ID, DbId
from orderflow.notify import milestones, service
from orderflow.web import notify_common, notify_queries, security
from orderflow.web.i18n import N_
from orderflow.web.notify_common import db_of, settings_of
from orderflow.web.rendering import flash, render

router = notify_common.router()

PAGE_SIZE = 30
EVENTS = ("*", *milestones.MILESTONES)


def list_page(request: Request, *, secret: str | None = None, secret_for: int | None = None,
              error: OrderFlowError | None = None, form: dict[str, Any] | None = None,
              status_code: int = 200) -> Response:
    endpoints = service.list_endpoints(db_of(request))
    return render(request, "notify/webhooks.html", {
        "section": "notify-webhooks", "endpoints": endpoints, "events": EVENTS,
        "secret": secret, "secret_for": secret_for, "error": error,
        "form": form or {"url": "", "events": [], "description": ""},
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
        "can_act": notify_common.can_act(request)}, status_code=status_code)


@router.get("/notify/webhooks", response_class=HTMLResponse)
def webhooks(request: Request) -> Response:
    return list_page(request)


@router.post("/notify/webhooks", response_class=HTMLResponse)
def add_webhook(request: Request, user: security.OrderDesk,
                url: Annotated[str, Form(max_length=500)] = "",
                events: Annotated[list[str], Form(max_length=100)] = [],  # noqa: B006
                description: Annotated[str, Form(max_length=200)] = "") -> Response:
    form = {"url": url, "events": events, "description": description}
    try:
        if not events:
            raise ValidationFailed([FieldProblem("events", "webhook.no_events",
                                                 "choose at least one event")])
        endpoint, secret = service.add_endpoint(
            db_of(request), url.strip(), events=events, description=description.strip() or None,
            test_mode=settings_of(request).test_mode)
    except OrderFlowError as exc:
        return list_page(request, error=exc, form=form, status_code=exc.http_status)
    # The secret is in this response only: never stored in the session or a URL.
    return list_page(request, secret=secret, secret_for=endpoint.id, status_code=201)


@router.post("/notify/webhooks/{endpoint_id}/rotate", response_class=HTMLResponse)
def rotate(request: Request, endpoint_id: DbId, user: security.OrderDesk) -> Response:
    try:
        secret = service.rotate_secret(db_of(request), endpoint_id)
    except OrderFlowError as exc:
        return list_page(request, error=exc, status_code=exc.http_status)
    return list_page(request, secret=secret, secret_for=endpoint_id)


def _act(request: Request, action: Any, done: str) -> Response:
    try:
        action()
    except OrderFlowError as exc:
        return list_page(request, error=exc, status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse("/notify/webhooks", status_code=303)


@router.post("/notify/webhooks/{endpoint_id}/retire-old-secret")
def retire(request: Request, endpoint_id: DbId, user: security.OrderDesk) -> Response:
    return _act(request, lambda: service.retire_old_secrets(db_of(request), endpoint_id),
                N_("The old secret no longer signs deliveries."))


@router.post("/notify/webhooks/{endpoint_id}/enabled")
def enable(request: Request, endpoint_id: DbId, user: security.OrderDesk,
           enabled: Annotated[str, Form(max_length=5)] = "") -> Response:
    on = enabled == "1"
    return _act(request, lambda: service.enable_endpoint(db_of(request), endpoint_id, on),
                N_("Endpoint enabled.") if on else N_("Endpoint disabled."))


# --- deliveries of one endpoint ------------------------------------------------------------


def deliveries_page(request: Request, endpoint_id: DbId, *, before: int | None = None,
                    replayed: int | None = None, error: OrderFlowError | None = None,
                    form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    with db_of(request).read() as s:
        endpoint = notify_queries.endpoint(s, endpoint_id)
        if endpoint is None:
            return render(request, "notify/not_found.html", {"section": "notify-webhooks"},
                          status_code=404)
        rows = notify_queries.notices(s, endpoint_id=endpoint_id, before=before,
                                      limit=PAGE_SIZE + 1)
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        attempts = notify_queries.attempts_by_notice(s, [r.id for r in rows])
    base = f"/notify/webhooks/deliveries?endpoint={endpoint_id}"
    return render(request, "notify/deliveries.html", {
        "section": "notify-webhooks", "endpoint": endpoint, "rows": rows, "attempts": attempts,
        "first_url": base if before else None,
        "next_url": f"{base}&before={rows[-1].id}" if more and rows else None,
        "here": base + (f"&before={before}" if before else ""),
        "replayed": replayed, "error": error, "form": form or {"since": "", "until": ""},
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
        "resendable": {s.value for s in notify_queries.RESENDABLE},
        "can_act": notify_common.can_act(request)}, status_code=status_code)


@router.get("/notify/webhooks/deliveries", response_class=HTMLResponse)
def deliveries(request: Request, endpoint: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
               before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               replayed: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None) -> Response:
    return deliveries_page(request, endpoint, before=before, replayed=replayed)


def local_to_utc(value: str, field: str, zone: ZoneInfo,
                 problems: list[FieldProblem]) -> datetime | None:
    """A datetime-local value (YYYY-MM-DDTHH:MM) in the merchant's zone, as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        problems.append(FieldProblem(field, "replay.time", "use a date and time such as "
                                                           "2026-01-31T09:30"))
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return parsed.replace(tzinfo=zone).astimezone(UTC)


def replay_range(since: str, until: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    problems: list[FieldProblem] = []
    start = local_to_utc(since, "since", zone, problems)
    end = local_to_utc(until, "until", zone, problems)
    if start and end and end <= start:
        problems.append(FieldProblem("until", "replay.order", "must be after the start"))
    if problems or start is None or end is None:
        raise ValidationFailed(problems)
    return start, end


@router.post("/notify/webhooks/{endpoint_id}/replay", response_class=HTMLResponse)
def replay(request: Request, endpoint_id: DbId, user: security.OrderDesk,
           since: Annotated[str, Form(max_length=40)] = "",
           until: Annotated[str, Form(max_length=40)] = "") -> Response:
    form = {"since": since, "until": until}
    try:
        with db_of(request).read() as s:
            if notify_queries.endpoint(s, endpoint_id) is None:
                return render(request, "notify/not_found.html", {"section": "notify-webhooks"},
                              status_code=404)
        start, end = replay_range(since, until, settings_of(request).zone)
        count = service.replay(db_of(request), endpoint_id=endpoint_id, since=start, until=end,
                               actor=security.actor_of(user))
    except OrderFlowError as exc:
        return deliveries_page(request, endpoint_id, error=exc, form=form,
                               status_code=exc.http_status)
    return RedirectResponse(f"/notify/webhooks/deliveries?endpoint={endpoint_id}&replayed={count}",
                            status_code=303)
