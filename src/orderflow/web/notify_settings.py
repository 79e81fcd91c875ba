"""/notify/settings: switches per milestone and channel, quiet hours, the holiday
calendar, coalescing and retry limits. Bad input is refused whole, naming each field."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any

import holidays as holiday_lib
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.notify import milestones, prefs
from orderflow.web import notify_common, notify_queries, security
from orderflow.web.i18n import N_
from orderflow.web.notify_common import db_of
from orderflow.web.rendering import flash, render

router = notify_common.router()

SWITCH_CHANNELS = milestones.CUSTOMER_CHANNELS
QUIET_CHANNELS = ("email", "sms")
QUIET_TABLES = ("quiet_hours", "holiday_quiet_hours")
ATTEMPT_CHANNELS = ("email", "sms", "webhook")
HHMM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")
MAX_FIELD = 64


@lru_cache(maxsize=1)
def calendars() -> frozenset[str]:
    return frozenset(holiday_lib.list_supported_countries())


def _form_values(current: prefs.NotifyPrefs) -> dict[str, str]:
    """The settings as form field values."""
    values: dict[str, str] = {}
    for table in QUIET_TABLES:
        spans = current.values.get(table) or {}
        for channel in QUIET_CHANNELS:
            span = spans.get(channel) or ["", ""]
            values[f"{table}.{channel}.start"], values[f"{table}.{channel}.end"] = span
    calendar = current.calendar or ""
    values["holiday_calendar"] = calendar if calendar in ("", "CN", "-") else "other"
    values["holiday_country"] = calendar if calendar not in ("", "CN", "-") else ""
    values["coalesce_minutes"] = str(current.coalesce_minutes)
    for channel in ATTEMPT_CHANNELS:
        values[f"max_attempts.{channel}"] = str(current.max_attempts(channel))
    values.update(timenode_values(current))
    return values


# --- time nodes: confirmation, reminders, delays, channels, quiet hours per milestone ------

NODE_MINUTES = {"confirm_coalesce_minutes": (0, 1440), "payment_reminder_minutes": (0, 1440),
                "delay_hold_minutes": (0, 1440)}
POLICY_MILESTONES = ("order.confirmed", "order.shipped", "order.delayed", "order.exception",
                     "order.cancelled", "payment.reminder", "payment.failed",
                     "order.shipment_corrected")
QUIET_MILESTONES = ("order.delayed", "order.exception", "order.delivered")
SUMMARY_LANGUAGES = ("zh-CN", "en")
MAX_SUMMARY = 500


def timenode_values(current: prefs.NotifyPrefs) -> dict[str, str]:
    values = {key: str(current.minutes(key)) for key in NODE_MINUTES}
    summaries = current.values.get("aftersales_summary") or {}
    for lang in SUMMARY_LANGUAGES:
        values[f"aftersales_summary.{lang}"] = summaries.get(lang) or ""
    for code in POLICY_MILESTONES:
        values[f"channel_policy.{code}"] = current.channel_policy(code)
    per = current.values.get("milestone_quiet_hours") or {}
    for code in QUIET_MILESTONES:
        for channel in QUIET_CHANNELS:
            span = (per.get(code) or {}).get(channel)
            values[f"mq.{code}.{channel}.start"], values[f"mq.{code}.{channel}.end"] = (
                span if span else ["", ""])
    return values


def _summaries(form: dict[str, str], problems: list[FieldProblem]) -> dict[str, str]:
    out = {}
    for lang in SUMMARY_LANGUAGES:
        text = form.get(f"aftersales_summary.{lang}", "").strip()
        if len(text) > MAX_SUMMARY:
            problems.append(FieldProblem(f"aftersales_summary.{lang}", "setting.too_long",
                                         f"at most {MAX_SUMMARY} characters"))
        elif text:
            out[lang] = text
    return out


def _milestone_quiet(form: dict[str, str], problems: list[FieldProblem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code in QUIET_MILESTONES:
        spans = _quiet_spans(form, f"mq.{code}", problems)
        if spans:
            out[code] = spans
    return out


def timenode_settings(form: dict[str, str]) -> dict[str, Any]:
    """The time-node settings to store, or ValidationFailed listing every bad field."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {key: _int(form, key, low, high, problems)
                              for key, (low, high) in NODE_MINUTES.items()}
    values["aftersales_summary"] = _summaries(form, problems)
    policy = {}
    for code in POLICY_MILESTONES:
        chosen = form.get(f"channel_policy.{code}", "")
        if chosen not in milestones.CHANNEL_POLICIES:
            problems.append(FieldProblem(f"channel_policy.{code}", "setting.choice",
                                         "every channel or the first that works"))
        policy[code] = chosen
    values["channel_policy"] = policy
    values["milestone_quiet_hours"] = _milestone_quiet(form, problems)
    if problems:
        raise ValidationFailed(problems)
    return values


def page(request: Request, *, form: dict[str, str] | None = None,
         error: ValidationFailed | None = None, status_code: int = 200) -> Response:
    with db_of(request).read() as s:
        current = prefs.load(s)
    context: dict[str, Any] = {
        "section": "notify-settings", "milestones": notify_queries.editable_milestones(),
        "channels": SWITCH_CHANNELS, "quiet_channels": QUIET_CHANNELS,
        "attempt_channels": ATTEMPT_CHANNELS, "prefs": current,
        "form": {**_form_values(current), **(form or {})}, "error": error,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }
    return render(request, "notify/settings.html", context, status_code=status_code)


@router.get("/notify/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    return page(request)


@router.post("/notify/settings/switches")
def save_switches(request: Request, user: security.OrderDesk,
                  switch: Annotated[list[str], Form(max_length=100)] = []) -> Response:  # noqa: B006
    chosen = set(switch)
    with db_of(request).transaction() as s:
        for milestone in notify_queries.editable_milestones():
            for channel in SWITCH_CHANNELS:
                prefs.set_switch(s, milestone, channel, f"{milestone}:{channel}" in chosen)
    flash(request, N_("Switches saved."))
    return RedirectResponse("/notify/settings", status_code=303)


def _int(form: dict[str, str], field: str, low: int, high: int,
         problems: list[FieldProblem]) -> int:
    raw = form.get(field, "").strip()
    if not re.fullmatch(r"\d{1,6}", raw) or not low <= int(raw) <= high:
        problems.append(FieldProblem(field, "setting.range",
                                     f"a whole number from {low} to {high}"))
        return 0
    return int(raw)


def _quiet_spans(form: dict[str, str], table: str,
                 problems: list[FieldProblem]) -> dict[str, list[str]]:
    spans: dict[str, list[str]] = {}
    for channel in QUIET_CHANNELS:
        start_field, end_field = f"{table}.{channel}.start", f"{table}.{channel}.end"
        start, end = form.get(start_field, "").strip(), form.get(end_field, "").strip()
        if not start and not end:
            continue
        found = len(problems)
        for field, value in ((start_field, start), (end_field, end)):
            if not value:
                problems.append(FieldProblem(field, "setting.time_missing",
                                             "give both a start and an end, or neither"))
            elif not HHMM.fullmatch(value):
                problems.append(FieldProblem(field, "setting.time",
                                             "use a 24-hour time such as 21:00"))
        if len(problems) == found and start == end:
            problems.append(FieldProblem(end_field, "setting.time_empty",
                                         "the end must differ from the start"))
        if len(problems) == found:
            spans[channel] = [start, end]
    return spans


def timing_values(form: dict[str, str]) -> dict[str, Any]:
    """The settings to store, or ValidationFailed listing every bad field."""
    problems: list[FieldProblem] = []
    values: dict[str, Any] = {table: _quiet_spans(form, table, problems)
                              for table in QUIET_TABLES}
    calendar = form.get("holiday_calendar", "")
    if calendar == "other":
        country = form.get("holiday_country", "").strip().upper()
        if country not in calendars():
            problems.append(FieldProblem("holiday_calendar", "setting.calendar",
                                         "not a country code the holiday calendar knows, "
                                         "e.g. HK, SG, US"))
        values["holiday_calendar"] = country
    elif calendar in ("", "CN", "-"):
        values["holiday_calendar"] = calendar or None
    else:
        problems.append(FieldProblem("holiday_calendar", "setting.calendar", "choose a calendar"))
    values["coalesce_minutes"] = _int(form, "coalesce_minutes", 0, 1440, problems)
    values["max_attempts"] = {channel: _int(form, f"max_attempts.{channel}", 1, 50, problems)
                              for channel in ATTEMPT_CHANNELS}
    if problems:
        raise ValidationFailed(problems)
    return values


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted text fields (already parsed by the CSRF guard), each cut to size."""
    submitted = await request.form()
    return {key: value[:MAX_FIELD] for key, value in submitted.items()
            if isinstance(value, str) and key != security.CSRF_FIELD}


async def long_form_fields(request: Request) -> dict[str, str]:
    """Like form_fields, with room for the after-sales summaries."""
    submitted = await request.form()
    return {key: value[:MAX_SUMMARY + 1] for key, value in submitted.items()
            if isinstance(value, str) and key != security.CSRF_FIELD}


@router.post("/notify/settings/timenodes", response_class=HTMLResponse)
def save_timenodes(request: Request, user: security.OrderDesk,
                   form: Annotated[dict[str, str], Depends(long_form_fields)]) -> Response:
    try:
        values = timenode_settings(form)
    except ValidationFailed as exc:
        with db_of(request).read() as s:
            current = _form_values(prefs.load(s))
        return page(request, form={**current, **form}, error=exc,
                    status_code=exc.http_status)
    with db_of(request).transaction() as s:
        for key, value in values.items():
            prefs.set_value(s, key, value)
    flash(request, N_("Time-node settings saved."))
    return RedirectResponse("/notify/settings", status_code=303)


@router.post("/notify/settings/timing", response_class=HTMLResponse)
def save_timing(request: Request, user: security.OrderDesk,
                form: Annotated[dict[str, str], Depends(form_fields)]) -> Response:
    try:
        values = timing_values(form)
    except ValidationFailed as exc:
        return page(request, form=form, error=exc, status_code=exc.http_status)
    with db_of(request).transaction() as s:
        for key, value in values.items():
            prefs.set_value(s, key, value)
    flash(request, N_("Timing settings saved."))
    return RedirectResponse("/notify/settings", status_code=303)
