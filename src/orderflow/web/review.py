"""The review queue (审单) in the console: reasons, one-click decisions, bulk approve,
classification filters, edit-and-re-review, and the merchant's review settings.

Every form calls the same use case as its API route (orderflow.review.service)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from orderflow import money
from orderflow.auth.models import Role
from orderflow.db import Db
from orderflow.errors import NotFound, OrderFlowError, ValidationFailed
from orderflow.reports import orders as views
from orderflow.reports.stuck import why_stuck
from orderflow.review import queries
from orderflow.review import service as review
from orderflow.review.classify import CustomerType, PaymentStatus, Urgency
from orderflow.review.config import RULES
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Filter = Annotated[str, Query(max_length=80)]
Reason = Annotated[str, Form(max_length=500)]
Field = Annotated[str, Form(max_length=300)]

FILTERS = {
    "urgency": [u.value for u in Urgency],
    "customer_type": [c.value for c in CustomerType],
    "payment_status": [p.value for p in PaymentStatus],
    "outcome": list(queries.OUTCOMES),
}


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _filters(urgency: str, customer_type: str, category: str, payment_status: str,
             outcome: str) -> queries.ClassFilter:
    return queries.ClassFilter(urgency.strip() or None, customer_type.strip() or None,
                               category.strip() or None, payment_status.strip() or None,
                               outcome.strip() or None)


@router.get("/review")
def queue_page(request: Request, urgency: Filter = "", customer_type: Filter = "",
               category: Filter = "", payment_status: Filter = "",
               outcome: Filter = "") -> Response:
    f = _filters(urgency, customer_type, category, payment_status, outcome)
    status_code = 200
    context: dict[str, Any] = {"f": f, "filters": FILTERS, "page": None, "error": None,
                               "bulk": request.session.pop("review_bulk", None)}
    with _db(request).read() as s:
        context["categories"] = queries.categories(s)
        try:
            context["page"] = queries.queue(s, f.check(), limit=200)
        except ValidationFailed as exc:
            context["error"], status_code = exc, 422
    return render(request, "review/queue.html", context, status_code=status_code)


@router.post("/review/queue/approve")
def bulk_approve(request: Request, user: security.OrderDesk,
                 number: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006
                 include_blocked: Annotated[str, Form(max_length=5)] = "") -> Response:
    result = review.bulk_approve(_db(request), number, actor=security.actor_of(user),
                                 include_blocked=include_blocked == "on")
    request.session["review_bulk"] = {"approved": result.approved, "skipped": result.skipped}
    flash(request, N_("Bulk approval done."))
    return RedirectResponse("/review", status_code=303)


def order_page(request: Request, number: str, *, error: OrderFlowError | None = None,
               form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    language = security.language_of(request)
    with _db(request).read() as s:
        try:
            order = views.get_order(s, number)
        except NotFound:
            return render(request, "errors/not_found.html", {"number": number}, status_code=404)
        context = {
            "order": views.order_view(s, order, detail=False),
            "review": queries.review_of(s, order),
            "blockers": [b.text(language) for b in
                         why_stuck(s, order, request.app.state.settings.zone, language)],
            "error": error, "form": form or {},
            "field_errors": {p.field: p.message for p in error.fields} if error else {},
            "editable": review.EDITABLE, "seller_remark": order.seller_remark,
        }
    return render(request, "review/order.html", context, status_code=status_code)


@router.get("/review/{number}")
def review_order_page(request: Request, number: str) -> Response:
    return order_page(request, number)


def _act(request: Request, number: str, use_case: Any, done: str,
         form: dict[str, str] | None = None, back: str = "") -> Response:
    try:
        use_case()
    except OrderFlowError as exc:
        return order_page(request, number, error=exc, form=form, status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(back or f"/review/{number}", status_code=303)


@router.post("/review/{number}/approve")
def approve(request: Request, number: str, user: security.OrderDesk,
            next: Annotated[str, Form(max_length=200)] = "") -> Response:
    return _act(request, number, lambda: review.approve(
        _db(request), number, actor=security.actor_of(user)), N_("Order approved."),
        back=security.safe_next(next) if next else "")


@router.post("/review/{number}/hold")
def hold(request: Request, number: str, user: security.OrderDesk, reason: Reason = "") -> Response:
    return _act(request, number, lambda: review.hold(
        _db(request), number, actor=security.actor_of(user), reason=reason),
        N_("Order put on hold."), {"reason": reason})


@router.post("/review/{number}/cancel")
def cancel(request: Request, number: str, user: security.OrderDesk,
           reason: Reason = "") -> Response:
    return _act(request, number, lambda: review.cancel(
        _db(request), number, actor=security.actor_of(user), reason=reason),
        N_("Order cancelled."), {"reason": reason})


@router.post("/review/{number}/rerun")
def rerun(request: Request, number: str, user: security.OrderDesk) -> Response:
    settings = request.app.state.settings
    return _act(request, number, lambda: review.run_review(
        _db(request), number, actor=security.actor_of(user), settings=settings),
        N_("Reviewed again."))


@router.post("/review/{number}/edit")
def edit(request: Request, number: str, user: security.OrderDesk,
         recipient_name: Field = "", recipient_phone: Field = "", province: Field = "",
         city: Field = "", district: Field = "", address_detail: Field = "",
         postal_code: Field = "", seller_remark: Field = "", shipping_service: Field = "",
         ) -> Response:
    form: dict[str, str | None] = {
            "recipient_name": recipient_name, "recipient_phone": recipient_phone,
            "province": province, "city": city, "district": district,
            "address_detail": address_detail, "postal_code": postal_code,
            "seller_remark": seller_remark, "shipping_service": shipping_service}
    settings = request.app.state.settings
    return _act(request, number, lambda: review.edit(
        _db(request), number, form, actor=security.actor_of(user), settings=settings),
        N_("Saved and reviewed again."), {k: v or "" for k, v in form.items()})


# --- settings ----------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


def _minor(text: str, currency: str = "CNY") -> int | str:
    """An amount as typed ('2000' or '2000.50') → exact minor units; junk is passed on
    to be refused with its field."""
    try:
        return money.to_minor(text.strip(), currency)
    except money.MoneyError:
        return text


@router.get("/review-settings")
def settings_form(request: Request) -> Response:
    return settings_page(request)


def settings_page(request: Request, error: OrderFlowError | None = None,
                  form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    config = review.get_config(_db(request))
    return render(request, "review/settings.html", {
        "config": config, "rules": RULES, "error": error, "form": form,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }, status_code=status_code)


@router.post("/review-settings")
async def save_settings(request: Request, user: security.OrderDesk) -> Response:
    if user.role is not Role.ADMIN:
        raise security.Refused("only an administrator changes review rules")
    data = await request.form()
    form = {k: str(v) for k, v in data.items() if k != "csrf_token"}
    changes: dict[str, Any] = {
        "auto_approve": "auto_approve" in form,
        "disabled_rules": [r for r in RULES if f"rule_{r}" not in form],
        "duplicate_window_hours": form.get("duplicate_window_hours", ""),
        "high_value_minor": _minor(form.get("high_value", "")),
        "first_order_high_value_minor": _minor(form.get("first_order_high_value", "")),
        "cod_max_minor": _minor(form.get("cod_max", "")),
        "remark_keywords": _lines(form.get("remark_keywords", "")),
        "cut_off": form.get("cut_off", ""),
        "ship_by_time": form.get("ship_by_time", ""),
        "ship_days_before_cut_off": form.get("ship_days_before_cut_off", ""),
        "ship_days_after_cut_off": form.get("ship_days_after_cut_off", ""),
        "calendar": form.get("calendar", ""),
        "closed_days": _lines(form.get("closed_days", "")),
        "open_days": _lines(form.get("open_days", "")),
        "severity": {"address.remote": form.get("remote_outcome", "warn")},
    }
    try:
        review.update_config(_db(request), changes, actor=security.actor_of(user))
    except OrderFlowError as exc:
        return settings_page(request, error=exc, form=form, status_code=exc.http_status)
    flash(request, N_("Review settings saved."))
    return RedirectResponse("/review-settings", status_code=303)

