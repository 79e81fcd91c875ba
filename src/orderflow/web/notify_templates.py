"""/notify/templates: the matrix of live template versions and the editor.

The editor previews on a real order (by number; the newest order by default) and saves
a new version through `preview.save`; an unknown variable is refused naming the field
and the variable, and the entered text stays in the form.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.notify import milestones, preview
from orderflow.notify.default_templates import Parts
from orderflow.notify.templates import Rendered
from orderflow.web import notify_common, notify_queries, security
from orderflow.web.i18n import N_
from orderflow.web.notify_common import db_of, settings_of
from orderflow.web.rendering import flash, render

router = notify_common.router()

CHANNELS = milestones.CUSTOMER_CHANNELS
LANGUAGES = ("zh-CN", "en")
Key = Annotated[str, Query(max_length=64)]
Body = Annotated[str, Form(max_length=20000)]
Short = Annotated[str, Form(max_length=64)]


@router.get("/notify/templates", response_class=HTMLResponse)
def template_matrix(request: Request) -> Response:
    with db_of(request).read() as s:
        versions = notify_queries.live_versions(s)
    return render(request, "notify/templates.html", {
        "section": "notify-templates", "milestones": notify_queries.editable_milestones(),
        "channels": CHANNELS, "languages": LANGUAGES, "versions": versions})


def _check_key(milestone: str, channel: str, language: str) -> None:
    spec = milestones.get(milestone)
    if spec is None or not spec.customer_facing or channel not in CHANNELS \
            or language not in LANGUAGES:
        raise NotFound(f"no template for {milestone} / {channel} / {language}",
                       code="template.not_found")


def edit_url(milestone: str, channel: str, language: str, order: str = "") -> str:
    params = {"milestone": milestone, "channel": channel, "language": language}
    if order:
        params["order"] = order
    return "/notify/templates/edit?" + urlencode(params)


def _render_preview(request: Request, milestone: str, parts: Parts, order: str,
                    language: str) -> tuple[Rendered | None, OrderFlowError | None]:
    if not order:
        return None, None
    try:
        rendered = preview.preview(db_of(request), settings_of(request), milestone, parts, order,
                                   language)
        return rendered, None
    except OrderFlowError as exc:
        return None, exc
    except Exception as exc:  # a sandbox or type error on this order is a template error
        return None, ValidationFailed([FieldProblem("body_text", "template.render", str(exc))])


def editor(request: Request, milestone: str, channel: str, language: str, *,
           parts: Parts | None = None, order: str = "", error: OrderFlowError | None = None,
           status_code: int = 200) -> Response:
    try:
        _check_key(milestone, channel, language)
        version, live = preview.current(db_of(request), milestone, channel, language)
    except NotFound:
        return render(request, "notify/not_found.html", {"section": "notify-templates"},
                      status_code=404)
    with db_of(request).read() as s:
        history = notify_queries.template_history(s, milestone, channel, language)
        order = order or notify_queries.newest_order_number(s) or ""
    form = parts or live
    rendered, preview_error = (None, None) if error else _render_preview(
        request, milestone, form, order, language)
    shown = error or preview_error
    context: dict[str, Any] = {
        "section": "notify-templates", "milestone": milestone, "channel": channel,
        "language": language, "version": version, "form": form, "order": order,
        "variables": sorted(milestones.MILESTONES[milestone].variables), "history": history,
        "rendered": rendered, "error": shown,
        "field_errors": {p.field: p.message for p in shown.fields} if shown else {},
        "can_act": notify_common.can_act(request),
    }
    if shown is not None and status_code == 200 and parts is not None:
        status_code = shown.http_status
    return render(request, "notify/template_edit.html", context, status_code=status_code)


@router.get("/notify/templates/edit", response_class=HTMLResponse)
def template_edit(request: Request, milestone: Key = "", channel: Key = "", language: Key = "",
                  order: Key = "") -> Response:
    return editor(request, milestone, channel, language, order=order.strip())


def _parts(channel: str, subject: str, body_text: str, body_html: str) -> Parts:
    """SMS has no subject; only email has an HTML part."""
    return Parts(subject if channel != "sms" else None, body_text,
                 (body_html or None) if channel == "email" else None)


@router.post("/notify/templates/preview", response_class=HTMLResponse)
def template_preview(request: Request, user: security.OrderDesk, milestone: Short = "",
                     channel: Short = "", language: Short = "", order: Short = "",
                     subject: Body = "", body_text: Body = "", body_html: Body = "") -> Response:
    return editor(request, milestone, channel, language,
                  parts=_parts(channel, subject, body_text, body_html), order=order.strip())


@router.post("/notify/templates/save", response_class=HTMLResponse)
def template_save(request: Request, user: security.OrderDesk, milestone: Short = "",
                  channel: Short = "", language: Short = "", order: Short = "",
                  subject: Body = "", body_text: Body = "", body_html: Body = "") -> Response:
    parts = _parts(channel, subject, body_text, body_html)
    try:
        _check_key(milestone, channel, language)
        preview.save(db_of(request), settings_of(request), milestone, channel, language, parts,
                     author=str(security.actor_of(user)), sample_order=order.strip() or None)
    except NotFound as exc:
        if exc.code == "template.not_found":
            return render(request, "notify/not_found.html", {"section": "notify-templates"},
                          status_code=404)
        return editor(request, milestone, channel, language, parts=parts, order=order.strip(),
                      error=exc, status_code=exc.http_status)
    except OrderFlowError as exc:
        return editor(request, milestone, channel, language, parts=parts, order=order.strip(),
                      error=exc, status_code=exc.http_status)
    flash(request, N_("Template saved as a new version."))
    return RedirectResponse(edit_url(milestone, channel, language, order.strip()),
                            status_code=303)
