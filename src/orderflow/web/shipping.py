"""Console: carriers, services and rates (view; admin edits), the carrier choice and
waybills on the order page (choose, designate, issue, type a number, void/re-issue, print)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from orderflow.auth.models import Role
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.ids import DbId
from orderflow.shipping import printing, service, waybills
from orderflow.shipping.printing import PrintJob
from orderflow.shipping.schemas import (
    CarrierIn,
    ManualWaybillIn,
    PreferencesIn,
    ServiceIn,
    ZoneRateIn,
)
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.orders import detail_page
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

SHIPPING_DESK = frozenset({Role.ADMIN, Role.SERVICE, Role.WAREHOUSE})
Short = Annotated[str, Form(max_length=100)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def require_shipping(user: security.Staff) -> StaffIdentity:
    if user.role not in SHIPPING_DESK:
        raise security.Refused("role may not handle shipping")
    return user


def require_admin(user: security.Staff) -> StaffIdentity:
    if user.role is not Role.ADMIN:
        raise security.Refused("only an admin may change carrier tables")
    return user


Shipper = Annotated[StaffIdentity, Depends(require_shipping)]
Admin = Annotated[StaffIdentity, Depends(require_admin)]


def problems_of(exc: ValidationError) -> ValidationFailed:
    return ValidationFailed([FieldProblem(".".join(str(p) for p in e["loc"]) or "form",
                                          "invalid", e["msg"]) for e in exc.errors()])


# --------------------------------------------------------------------------- carriers


def _carriers_page(request: Request, *, error: OrderFlowError | None = None,
                   failed: str = "", status_code: int = 200) -> Response:
    carriers = service.list_carriers(_db(request))
    return render(request, "shipping/carriers.html", {
        "section": "shipping", "carriers": carriers, "error": error, "failed": failed,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }, status_code=status_code)


@router.get("/shipping/carriers", response_class=HTMLResponse)
def carriers_page(request: Request, _user: Shipper) -> Response:
    return _carriers_page(request)


def _edit(request: Request, failed: str, action: Callable[[], object]) -> Response:
    try:
        action()
    except ValidationError as exc:
        return _carriers_page(request, error=problems_of(exc), failed=failed, status_code=422)
    except OrderFlowError as exc:
        return _carriers_page(request, error=exc, failed=failed, status_code=exc.http_status)
    flash(request, N_("Carrier table saved."))
    return RedirectResponse(f"/shipping/carriers#{failed}", status_code=303)


@router.post("/shipping/carriers/{code}")
def edit_carrier(request: Request, code: str, user: Admin, adapter: Short = "simulated",
                 endpoint_url: Annotated[str, Form(max_length=300)] = "", active: Short = "",
                 cod_supported: Short = "") -> Response:
    return _edit(request, f"carrier-{code}", lambda: service.update_carrier(
        _db(request), code, CarrierIn.model_validate({
            "adapter": adapter, "endpoint_url": endpoint_url.strip(), "active": bool(active),
            "cod_supported": bool(cod_supported)}), actor=security.actor_of(user)))


@router.post("/shipping/services/{service_id}")
def edit_service(request: Request, service_id: DbId, user: Admin, first_weight_g: Short = "",
                 extra_unit_g: Short = "", cutoff: Short = "", active: Short = "") -> Response:
    return _edit(request, f"service-{service_id}", lambda: service.update_service(
        _db(request), service_id, ServiceIn.model_validate({
            "first_weight_g": first_weight_g, "extra_unit_g": extra_unit_g, "cutoff": cutoff,
            "active": bool(active)}), actor=security.actor_of(user)))


@router.post("/shipping/rates/{rate_id}")
def edit_rate(request: Request, rate_id: DbId, user: Admin, first: Short = "", extra: Short = "",
              transit_days: Short = "") -> Response:
    return _edit(request, f"rate-{rate_id}", lambda: service.update_zone_rate(
        _db(request), rate_id, ZoneRateIn.model_validate({
            "first": first, "extra": extra, "transit_days": transit_days}),
        actor=security.actor_of(user)))


# --------------------------------------------------------------------------- order page


def _on_order(request: Request, number: str, failed: str, action: Callable[[], object],
              done: str, form: dict[str, str] | None = None) -> Response:
    try:
        action()
    except ValidationError as exc:
        return detail_page(request, number, error=problems_of(exc), failed=failed, form=form,
                           status_code=422)
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed=failed, form=form,
                           status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/orders/{number}#shipping", status_code=303)


def _promise(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed([FieldProblem("promise_by", "date.invalid",
                                             "use a date such as 2026-01-31")]) from None


@router.post("/orders/{number}/shipping/preferences")
def set_preferences(request: Request, number: str, user: Shipper,
                    designated_carrier: Short = "", designated_service: Short = "",
                    designated_by: Short = "staff", expedited: Short = "",
                    promise_by: Short = "") -> Response:
    form = {"designated_carrier": designated_carrier, "promise_by": promise_by}
    return _on_order(request, number, "shipping", lambda: service.set_preferences(
        _db(request), number, PreferencesIn.model_validate({
            "designated_carrier": designated_carrier or None,
            "designated_service": designated_service or None,
            "designated_by": designated_by or "staff", "expedited": bool(expedited),
            "promise_by": _promise(promise_by)}), actor=security.actor_of(user)),
        N_("Carrier chosen again."), form)


@router.post("/orders/{number}/shipping/choose")
def choose(request: Request, number: str, user: Shipper) -> Response:
    return _on_order(request, number, "shipping", lambda: service.choose_carrier(
        _db(request), number, actor=security.actor_of(user)), N_("Carrier chosen again."))


@router.post("/orders/{number}/waybills/issue")
def issue(request: Request, number: str, user: Shipper, parcel_count: Short = "1",
          weight_g: Short = "") -> Response:
    def run() -> object:
        count = int(parcel_count) if parcel_count.strip().isdigit() else 0
        if not 1 <= count <= 99:
            raise ValidationFailed([FieldProblem("parcel_count", "range", "1 to 99 parcels")])
        weight = int(weight_g) if weight_g.strip().isdigit() else None
        return waybills.issue(_db(request), number, actor=security.actor_of(user),
                              parcel_count=count, weight_g=weight)

    return _on_order(request, number, "waybill", run, N_("Waybill issued."),
                     {"parcel_count": parcel_count, "weight_g": weight_g})


@router.post("/orders/{number}/waybills/manual")
def manual(request: Request, number: str, user: Shipper, tracking_number: Short = "",
           parcel_no: Short = "1", parcel_count: Short = "1") -> Response:
    return _on_order(request, number, "manual", lambda: waybills.record_manual(
        _db(request), number, ManualWaybillIn.model_validate({
            "tracking_number": tracking_number.strip(), "parcel_no": parcel_no or "1",
            "parcel_count": parcel_count or "1"}), actor=security.actor_of(user)),
        N_("Waybill number recorded."), {"tracking_number": tracking_number})


@router.post("/orders/{number}/waybills/{waybill_id}/void")
def void(request: Request, number: str, waybill_id: DbId, user: Shipper,
         reason: Annotated[str, Form(max_length=500)] = "", reissue: Short = "") -> Response:
    def run() -> object:
        if not reason.strip():
            raise ValidationFailed([FieldProblem("reason", "reason.required",
                                                 "a reason is required")])
        return waybills.void(_db(request), waybill_id, reason=reason.strip(),
                             actor=security.actor_of(user), reissue=bool(reissue))

    done = N_("Waybill voided and a new one issued.") if reissue else N_("Waybill voided.")
    return _on_order(request, number, "void", run, done, {"reason": reason})


@router.post("/orders/{number}/labels")
def print_order_labels(request: Request, number: str, user: Shipper, format: Short = "pdf",
                       size: Short = "100x150", privacy: Short = "") -> Response:
    """Print (or re-print) this order's labels now; the print is logged."""
    job = PrintJob([number], format="zpl" if format == "zpl" else "pdf",
                   size="76x130" if size == "76x130" else "100x150", privacy=bool(privacy),
                   language=security.language_of(request))
    try:
        result = printing.print_labels(_db(request), job, actor=security.actor_of(user),
                                       zone=request.app.state.settings.zone)
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed="print",
                           status_code=exc.http_status)
    if not result.labels:
        reason = result.skipped[0][1] if result.skipped else "no issued waybill"
        return detail_page(request, number, error=OrderFlowError(reason, code="print.nothing"),
                           failed="print", status_code=409)
    return Response(result.content, media_type=result.media_type, headers={
        "Content-Disposition": f'inline; filename="{result.filename}"'})


@router.get("/orders/{number}/packing-slip")
def packing_slip(request: Request, number: str, _user: Shipper) -> Response:
    """The packing slip (发货单) in the console's language."""
    try:
        pdf = printing.packing_slip(_db(request), number, settings=request.app.state.settings,
                                    language=security.language_of(request))
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed="print",
                           status_code=exc.http_status)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="packing-slip-{number}.pdf"'})
