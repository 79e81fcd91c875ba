"""Order page forms for the customer's time nodes: edit the held delay notice (reason and
new estimate) before it goes, and correct the carrier or tracking number of a parcel
(one corrected shipping notice). Same use cases as the API; refusals name the field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.fulfilment import corrections
from orderflow.notify import delays
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.orders import detail_page
from orderflow.web.rendering import flash

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)
Short = Annotated[str, Form(max_length=200)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _estimate(value: str, request: Request) -> datetime | None:
    """A local `YYYY-MM-DDTHH:MM` (datetime-local) in the merchant's zone."""
    if not value.strip():
        return None
    try:
        local = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed([FieldProblem("new_estimate", "delay.estimate",
                                             "a date and time such as 2026-12-09T12:00")]) \
            from None
    return local.replace(tzinfo=request.app.state.settings.zone) if local.tzinfo is None \
        else local


def _act(request: Request, number: str, action: str, run: Any, done: str,
         form: dict[str, str]) -> Response:
    try:
        run()
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed=action, form=form,
                           status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/orders/{number}", status_code=303)


@router.post("/orders/{number}/delay-notice")
def edit_delay(request: Request, number: str, user: security.OrderDesk,
               reason: Short = "", custom_reason: Short = "", new_estimate: Short = "") -> Response:
    form = {"reason": reason, "custom_reason": custom_reason, "new_estimate": new_estimate}

    def run() -> None:
        chosen = custom_reason.strip() or reason.strip() or None
        delays.edit_delay(_db(request), number, reason=chosen,
                          new_estimate=_estimate(new_estimate, request),
                          actor=security.actor_of(user))

    return _act(request, number, "delay", run, N_("Delay notice changed."), form)


@router.post("/orders/{number}/shipment-correction")
def correct_shipment(request: Request, number: str, user: security.OrderDesk,
                     carrier: Short = "", tracking_number: Short = "") -> Response:
    form = {"carrier": carrier, "tracking_number": tracking_number}

    def run() -> None:
        corrections.correct_tracking(_db(request), number, carrier=carrier.strip() or None,
                                     tracking_number=tracking_number.strip() or None,
                                     actor=security.actor_of(user))

    return _act(request, number, "correction", run, N_("Shipping details corrected."), form)
