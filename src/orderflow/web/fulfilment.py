"""Warehouse console (warehouse and admin roles): waves and pick lists, the pack station,
the hand-over, stock alerts. Each form calls one fulfilment use case; POST-redirect-GET,
with the outcome of the last scan kept in the session for the next page."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from orderflow.api.fulfilment import carrier_desk
from orderflow.auth.models import Role
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.fulfilment import handover, packing, stock, waves
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment.models import WaveState
from orderflow.ids import DbId
from orderflow.inventory.models import Warehouse
from orderflow.orders import queries
from orderflow.web import security
from orderflow.web.fulfilment_labels import CONTEXT
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

FLOOR = frozenset({Role.ADMIN, Role.WAREHOUSE})
Short = Annotated[str, Form(max_length=100)]


def require_floor(user: security.Staff) -> StaffIdentity:
    if user.role not in FLOOR:
        raise security.Refused("only warehouse staff work the warehouse screens")
    return user


Floor = Annotated[StaffIdentity, Depends(require_floor)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _zone(request: Request) -> ZoneInfo:
    zone: ZoneInfo = request.app.state.settings.zone
    return zone


def _warehouses(db: Db) -> list[tuple[str, str]]:
    with db.read() as s:
        return [(w.code, w.name) for w in s.scalars(select(Warehouse).order_by(Warehouse.id))]


def _station(db: Db, warehouse: str) -> str:
    codes = [code for code, _ in _warehouses(db)]
    return warehouse if warehouse in codes else (codes[0] if codes else "")


def _problem(exc: OrderFlowError) -> dict[str, Any]:
    return {"code": exc.code, "detail": exc.detail,
            "fields": [{"field": p.field, "code": p.code, "message": p.message}
                       for p in exc.fields]}


def _say(request: Request, key: str, kind: str, code: str, **facts: Any) -> None:
    """The outcome of the last scan, shown (and sounded) once on the next page."""
    request.session[key] = {"kind": kind, "code": code, **facts}


# --- waves ----------------------------------------------------------------------------

_WAVE_STATES = frozenset(w.value for w in WaveState)


@router.get("/fulfilment", response_class=HTMLResponse)
@router.get("/fulfilment/waves", response_class=HTMLResponse)
def wave_list(request: Request, _user: Floor,
              state: Annotated[str, Query(max_length=16)] = "") -> Response:
    db = _db(request)
    with db.read() as s:
        alerts = stock.alerts(s)
    return render(request, "fulfilment/waves.html", {
        "section": "fulfilment-waves",
        "waves": waves.list_waves(db, state=WaveState(state) if state in _WAVE_STATES else None),
        "state": state, "warehouses": _warehouses(db), "alert_count": len(alerts),
        "result": request.session.pop("wave_result", None), **CONTEXT})


@router.post("/fulfilment/allocate")
def allocate_approved(request: Request, user: Floor) -> Response:
    done, failed = fulfilment.allocate_approved(_db(request), actor=security.actor_of(user))
    request.session["wave_result"] = {"allocated": len(done), "failed": failed}
    return RedirectResponse("/fulfilment/waves", status_code=303)


@router.post("/fulfilment/waves")
def plan(request: Request, user: Floor, warehouse: Short = "",
         max_orders: Short = "50") -> Response:
    try:
        size = int(max_orders) if max_orders.strip().isdigit() else 0
        planned = waves.plan_waves(_db(request), actor=security.actor_of(user),
                                   desk=carrier_desk(request), zone=_zone(request),
                                   warehouse=warehouse or None, max_orders=size)
    except OrderFlowError as exc:
        request.session["wave_result"] = {"error": _problem(exc)}
        return RedirectResponse("/fulfilment/waves", status_code=303)
    request.session["wave_result"] = {"planned": [w.code for w in planned]}
    return RedirectResponse("/fulfilment/waves", status_code=303)


@router.get("/fulfilment/waves/{wave_id}", response_class=HTMLResponse)
def wave_page(request: Request, wave_id: DbId, _user: Floor) -> Response:
    found = waves.pick_list(_db(request), wave_id)
    return render(request, "fulfilment/wave.html", {
        "section": "fulfilment-waves", "wave": found.wave, "rows": found.rows,
        "orders": found.orders, "units": sum(r.quantity for r in found.rows),
        "result": request.session.pop("wave_result", None), **CONTEXT})


@router.get("/fulfilment/waves/{wave_id}/pick-list.pdf")
def wave_pdf(request: Request, wave_id: DbId, _user: Floor) -> Response:
    pdf = waves.pick_list_pdf(_db(request), wave_id, language=security.language_of(request),
                              zone=_zone(request))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="pick-list-{wave_id}.pdf"'})


def _wave_action(request: Request, wave_id: DbId, act: Any, done: str) -> Response:
    try:
        result = act()
    except OrderFlowError as exc:
        request.session["wave_result"] = {"error": _problem(exc)}
        return RedirectResponse(f"/fulfilment/waves/{wave_id}", status_code=303)
    flash(request, done)
    target = getattr(result, "id", wave_id)
    if isinstance(result, handover.WaveShipping):
        request.session["wave_result"] = {"shipped": [x.order_number for x in result.shipped],
                                          "skipped": result.skipped}
    return RedirectResponse(f"/fulfilment/waves/{target}", status_code=303)


@router.post("/fulfilment/waves/{wave_id}/release")
def release(request: Request, wave_id: DbId, user: Floor) -> Response:
    return _wave_action(request, wave_id, lambda: waves.release_wave(
        _db(request), wave_id, actor=security.actor_of(user)), N_("Wave released to the pickers."))


@router.post("/fulfilment/waves/{wave_id}/cancel")
def cancel(request: Request, wave_id: DbId, user: Floor) -> Response:
    return _wave_action(request, wave_id, lambda: waves.cancel_wave(
        _db(request), wave_id, actor=security.actor_of(user)), N_("Wave cancelled."))


@router.post("/fulfilment/waves/{wave_id}/rerun")
def rerun(request: Request, wave_id: DbId, user: Floor) -> Response:
    return _wave_action(request, wave_id, lambda: waves.rerun_wave(
        _db(request), wave_id, actor=security.actor_of(user), desk=carrier_desk(request),
        zone=_zone(request)), N_("Wave re-run: this is the new wave."))


@router.post("/fulfilment/waves/{wave_id}/ship")
def ship(request: Request, wave_id: DbId, user: Floor) -> Response:
    return _wave_action(request, wave_id, lambda: handover.ship_wave(
        _db(request), wave_id, desk=carrier_desk(request), actor=security.actor_of(user)),
        N_("Packed parcels of the wave marked shipped."))


# --- the pack station -----------------------------------------------------------------


@router.get("/fulfilment/pack", response_class=HTMLResponse)
def pack_station(request: Request, _user: Floor,
                 warehouse: Annotated[str, Query(max_length=32)] = "",
                 pack: Annotated[int | None, Query()] = None) -> Response:
    db = _db(request)
    view = packing.get_pack(db, pack) if pack else None
    return render(request, "fulfilment/pack.html", {
        "section": "fulfilment-pack", "warehouses": _warehouses(db),
        "warehouse": view.warehouse if view else _station(db, warehouse), "pack": view,
        "said": request.session.pop("pack_said", None), **CONTEXT})


def _to_station(warehouse: str, pack_id: DbId | None) -> RedirectResponse:
    query = f"?warehouse={warehouse}" + (f"&pack={pack_id}" if pack_id else "")
    return RedirectResponse("/fulfilment/pack" + query, status_code=303)


@router.post("/fulfilment/pack/scan")
def pack_scan(request: Request, user: Floor, scan: Short = "", warehouse: Short = "",
              pack: Short = "") -> Response:
    """The one scan field: an order number opens (or resumes) its parcel; anything else is
    an item of the open parcel."""
    db, actor, code = _db(request), security.actor_of(user), scan.strip()
    current = int(pack) if pack.isdigit() else None
    with db.read() as s:
        found = queries.find_order(s, code) if code else None
        is_order = found is not None and found.number == code  # exactly, not digits within
    try:
        if is_order or current is None:
            view = packing.open_pack(db, code, warehouse=warehouse, actor=actor)
            _say(request, "pack_said", "ok", "pack.opened", order=view.order_number)
            return _to_station(view.warehouse, view.id)
        result = packing.scan_item(db, current, code, actor=actor)
    except OrderFlowError as exc:
        _say(request, "pack_said", "error", exc.code, detail=exc.detail, scan=code)
        return _to_station(warehouse, current)
    if result.problem:
        _say(request, "pack_said", "error", result.problem.code, sku=result.problem.sku,
             scan=code, detail=result.problem.message)
    else:
        _say(request, "pack_said", "ok", "pack.scanned", sku=result.sku,
             complete=result.pack.complete)
    return _to_station(result.pack.warehouse, current)


def _int(value: str, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationFailed([FieldProblem(field, "number.invalid", "a whole number")])
    return int(text)


@router.post("/fulfilment/pack/{pack_id}/close")
def pack_close(request: Request, pack_id: DbId, user: Floor, weight_g: Short = "",
               parcel_count: Short = "1", inspection: Short = "passed",
               inspection_note: Annotated[str, Form(max_length=300)] = "",
               warehouse: Short = "") -> Response:
    try:
        view = packing.close_pack(_db(request), pack_id, weight_g=_int(weight_g, "weight_g"),
                                  parcel_count=_int(parcel_count, "parcel_count"),
                                  inspection=inspection, note=inspection_note,
                                  actor=security.actor_of(user))
    except OrderFlowError as exc:
        _say(request, "pack_said", "error", exc.code, detail=exc.detail,
             fields=_problem(exc)["fields"])
        return _to_station(warehouse, pack_id)
    if view.state == "closed":
        _say(request, "pack_said", "ok", "pack.closed", order=view.order_number)
        return _to_station(view.warehouse, None)
    _say(request, "pack_said", "error", "pack.inspection_failed", order=view.order_number)
    return _to_station(view.warehouse, pack_id)


@router.post("/fulfilment/pack/{pack_id}/reset")
def pack_reset(request: Request, pack_id: DbId, user: Floor, warehouse: Short = "") -> Response:
    try:
        view = packing.reset_pack(_db(request), pack_id, actor=security.actor_of(user))
    except OrderFlowError as exc:
        _say(request, "pack_said", "error", exc.code, detail=exc.detail)
        return _to_station(warehouse, pack_id)
    _say(request, "pack_said", "ok", "pack.reset", order=view.order_number)
    return _to_station(view.warehouse, pack_id)


@router.post("/fulfilment/pack/{pack_id}/reopen")
def pack_reopen(request: Request, pack_id: DbId, user: Floor, warehouse: Short = "",
                reason: Annotated[str, Form(max_length=300)] = "") -> Response:
    try:
        view = packing.reopen_pack(_db(request), pack_id, actor=security.actor_of(user),
                                   reason=reason)
    except OrderFlowError as exc:
        _say(request, "pack_said", "error", exc.code, detail=exc.detail,
             fields=_problem(exc)["fields"])
        return _to_station(warehouse, pack_id)
    _say(request, "pack_said", "ok", "pack.reopened", order=view.order_number)
    return _to_station(view.warehouse, pack_id)
