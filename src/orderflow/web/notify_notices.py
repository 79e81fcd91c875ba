"""/notify/notices (the dead-letter list is state=dead), one notice with its history and
webhook attempts, re-send; the demo's local mailbox and SMS sink."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow import clock
from orderflow.errors import Conflict, OrderFlowError
from orderflow.ids import MAX_ID, DbId
from orderflow.notify import milestones, service, smtp_sink
from orderflow.notify.models import NoticeState
from orderflow.notify.sms import local as sms_local
from orderflow.web import notify_common, notify_queries, security
from orderflow.web.i18n import N_
from orderflow.web.notify_common import db_of, settings_of
from orderflow.web.rendering import flash, local_time, render

router = notify_common.router()

PAGE_SIZE = 50
Text = Annotated[str, Query(max_length=64)]


@router.get("/notify/notices", response_class=HTMLResponse)
def notice_list(request: Request, state: Text = "", channel: Text = "",
                before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                limit: Annotated[int, Query(ge=1, le=200)] = PAGE_SIZE) -> Response:
    chosen_state = state if state in {s.value for s in NoticeState} else ""
    chosen_channel = channel if channel in milestones.ALL_CHANNELS else ""
    with db_of(request).read() as s:
        rows = notify_queries.notices(
            s, state=NoticeState(chosen_state) if chosen_state else None,
            channel=chosen_channel or None, before=before, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    base = {"state": chosen_state, "channel": chosen_channel}
    query = urlencode({k: v for k, v in base.items() if v})
    here = "/notify/notices" + (f"?{query}" if query else "")
    next_url = None
    if more and rows:
        next_url = "/notify/notices?" + urlencode(
            {**{k: v for k, v in base.items() if v}, "before": rows[-1].id})
    return render(request, "notify/notices.html", {
        "section": "notify-dead" if chosen_state == "dead" else "notify-notices",
        "rows": rows, "state": chosen_state, "channel": chosen_channel,
        "states": list(NoticeState), "channels": milestones.ALL_CHANNELS,
        "resendable": {s.value for s in notify_queries.RESENDABLE},
        "here": here + (f"{'&' if query else '?'}before={before}" if before else ""),
        "first_url": here if before else None, "next_url": next_url,
        "can_act": notify_common.can_act(request)})


def _local(value: object, request: Request) -> str:
    """A stored ISO time (UTC) in the merchant's zone; as stored when it does not parse."""
    if not isinstance(value, str):
        return ""
    try:
        return local_time(clock.as_utc(datetime.fromisoformat(value)), settings_of(request))
    except ValueError:
        return value


def detail_page(request: Request, notice_id: DbId, *, error: OrderFlowError | None = None,
                status_code: int = 200) -> Response:
    with db_of(request).read() as s:
        found = notify_queries.notice_detail(s, notice_id)
        events = service.notice_history(s, notice_id) if found else []
    if found is None:
        return render(request, "notify/not_found.html", {"section": "notify-notices"},
                      status_code=404)
    history = [{**h, "local": _local(h.get("at"), request)} for h in reversed(events)]
    return render(request, "notify/notice.html", {
        "section": "notify-notices", "d": found, "n": found.notice, "error": error,
        "history": history,
        "resendable": found.notice.state in notify_queries.RESENDABLE
        and found.notice.channel not in notify_queries.NOT_RESENDABLE_CHANNELS,
        "can_act": notify_common.can_act(request)}, status_code=status_code)


@router.get("/notify/notices/detail", response_class=HTMLResponse)
def notice_detail(request: Request, id: Annotated[int, Query(ge=1, le=MAX_ID)] = 0) -> Response:
    return detail_page(request, id)


@router.post("/notify/notices/{notice_id}/resend")
def notice_resend(request: Request, notice_id: DbId, user: security.OrderDesk,
                  next: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        with db_of(request).read() as s:
            found = notify_queries.notice_detail(s, notice_id)
        if found is not None and found.notice.channel in notify_queries.NOT_RESENDABLE_CHANNELS:
            raise Conflict("the inbox copy is already in the customer's inbox",
                           code="notice.inbox_copy")
        new_id = service.resend(db_of(request), notice_id, actor=security.actor_of(user))
    except OrderFlowError as exc:
        return detail_page(request, notice_id, error=exc, status_code=exc.http_status)
    flash(request, N_("The notice was queued again as a new notice."))
    target = security.safe_next(next) if next else f"/notify/notices/detail?id={new_id}"
    return RedirectResponse(target, status_code=303)


# --- the demo's sinks ----------------------------------------------------------------


def mail_dir(request: Request) -> Path:
    return Path(settings_of(request).var_dir) / "mail"


def sms_path(request: Request) -> Path:
    settings = settings_of(request)
    return Path(settings.sms_options.get("dir") or Path(settings.var_dir) / "sms")


@router.get("/notify/mailbox", response_class=HTMLResponse)
def mailbox(request: Request) -> Response:
    return render(request, "notify/mailbox.html", {
        "section": "notify-mailbox", "mails": smtp_sink.read(mail_dir(request), limit=200),
        "directory": str(mail_dir(request))})


@router.get("/notify/mailbox/message", response_class=HTMLResponse)
def mail_message(request: Request, key: Annotated[str, Query(max_length=200)] = "") -> Response:
    found = [m for m in smtp_sink.read(mail_dir(request), limit=1000) if m.key == key]
    if not found:
        return render(request, "notify/not_found.html", {"section": "notify-mailbox"},
                      status_code=404)
    return render(request, "notify/mail.html", {"section": "notify-mailbox", "mail": found[0]})


@router.get("/notify/sms", response_class=HTMLResponse)
def sms_sink(request: Request) -> Response:
    settings = settings_of(request)
    messages = [{**m, "local": _local(m.get("at"), request)}
                for m in sms_local.recent(sms_path(request), limit=200)]
    context: dict[str, Any] = {
        "section": "notify-sms", "messages": messages,
        "provider": (settings.sms_provider or "local").lower(), "path": str(sms_path(request))}
    return render(request, "notify/sms.html", context)
