"""Order actions from the order page: each form calls one use case.

Success redirects back to the order (POST-redirect-GET) with a one-time notice;
an OrderFlowError re-renders the page with the message and the field at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.orders import service as orders
from orderflow.orders.schemas import PaymentIn
from orderflow.payments import service as payments
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.orders import detail_page
from orderflow.web.rendering import flash

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Reason = Annotated[str, Form(max_length=500)]
Short = Annotated[str, Form(max_length=100)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def required_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "reason.required", "a reason is required")])
    return reason.strip()


def _act(request: Request, number: str, action: str, use_case: Callable[[], object],
         done: str, form: dict[str, str] | None = None) -> Response:
    try:
        use_case()
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed=action, form=form,
                           status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/orders/{number}", status_code=303)


@router.post("/orders/{number}/approve")
def approve(request: Request, number: str, user: security.OrderDesk) -> Response:
    return _act(request, number, "approve", lambda: orders.approve_order(
        _db(request), number, actor=security.actor_of(user)), N_("Order approved."))


@router.post("/orders/{number}/hold")
def hold(request: Request, number: str, user: security.OrderDesk, reason: Reason = "") -> Response:
    return _act(request, number, "hold", lambda: orders.hold_order(
        _db(request), number, actor=security.actor_of(user), reason=required_reason(reason)),
        N_("Order put on hold."), {"reason": reason})


@router.post("/orders/{number}/release")
def release(request: Request, number: str, user: security.OrderDesk,
            reason: Reason = "") -> Response:
    return _act(request, number, "release", lambda: orders.release_hold(
        _db(request), number, actor=security.actor_of(user), reason=reason.strip() or None),
        N_("Hold released."), {"reason": reason})


@router.post("/orders/{number}/cancel")
def cancel(request: Request, number: str, user: security.OrderDesk,
           reason: Reason = "") -> Response:
    return _act(request, number, "cancel", lambda: orders.cancel_order(
        _db(request), number, actor=security.actor_of(user), reason=required_reason(reason)),
        N_("Order cancelled."), {"reason": reason})


def payment_command(method: str, amount: str, reference: str) -> PaymentIn:
    try:
        return PaymentIn.model_validate(
            {"method": method, "amount": amount.strip(), "external_ref": reference.strip() or None})
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(str(err["loc"][0]) if err["loc"] else "payment", "invalid." + err["type"],
                         err["msg"].removeprefix("Value error, "))
            for err in exc.errors()]) from exc


@router.post("/orders/{number}/payments")
def record_payment(request: Request, number: str, user: security.OrderDesk, method: Short = "",
                   amount: Short = "", external_ref: Short = "") -> Response:
    settings = request.app.state.settings
    return _act(request, number, "payment", lambda: payments.record_payment(
        _db(request), number, payment_command(method, amount, external_ref),
        actor=security.actor_of(user), settings=settings),
        N_("Payment recorded."), {"method": method, "amount": amount, "external_ref": external_ref})
