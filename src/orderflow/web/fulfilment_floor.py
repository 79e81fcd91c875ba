"""Warehouse console, continued: the hand-over to the carrier and the stock screen
(库存预警, damaged stock, bins, thresholds)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from orderflow.api.fulfilment import carrier_desk
from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.fulfilment import handover, stock
from orderflow.orders import queries
from orderflow.orders.models import Order
from orderflow.shipping.models import Waybill, WaybillState
from orderflow.web import security
from orderflow.web.fulfilment import Floor, _problem, _say, _station, _warehouses
from orderflow.web.fulfilment_labels import CONTEXT
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Short = Annotated[str, Form(max_length=100)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


# --- hand-over ------------------------------------------------------------------------


@router.get("/fulfilment/handover", response_class=HTMLResponse)
def handover_page(request: Request, _user: Floor,
                  warehouse: Annotated[str, Query(max_length=32)] = "") -> Response:
    db = _db(request)
    current = request.session.get("handover")
    station = current["warehouse"] if current else _station(db, warehouse)
    return render(request, "fulfilment/handover.html", {
        "section": "fulfilment-handover", "warehouses": _warehouses(db), "warehouse": station,
        "current": current, "said": request.session.pop("handover_said", None),
        **CONTEXT})


def _start(request: Request, number: str, warehouse: str) -> dict[str, Any]:
    db = _db(request)
    number, parcels = handover.pack_waiting(db, number, warehouse=warehouse)
    with db.read() as s:
        order = queries.get_order(s, number)
        where = stock.get_warehouse(s, warehouse)
        labels = carrier_desk(request).issued_tracking_numbers(s, order, where.id)
    return {"order": number, "parcels": parcels, "numbers": [], "warehouse": warehouse,
            "labels": [n.upper() for n in labels]}


def _order_of_label(db: Db, code: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(Order.number).join(Waybill, Waybill.order_id == Order.id)
                        .where(Waybill.tracking_number == code,
                               Waybill.state == WaybillState.ISSUED))


def _next(request: Request, code: str, warehouse: str,
          current: dict[str, Any] | None) -> dict[str, Any]:
    db = _db(request)
    if current and code in current["labels"]:  # one of this order's waybills
        labelled: str | None = current["order"]
    else:
        with db.read() as s:
            order = queries.find_order(s, code)
        if order is not None and order.number == code:  # exactly an order number
            return _start(request, order.number, warehouse)
        labelled = _order_of_label(db, code)
    if labelled and (current is None or current["order"] != labelled):
        current = _start(request, labelled, warehouse)
    if current is None:
        raise OrderFlowError("scan an order number or a waybill first",
                             code="handover.scan_order_first")
    if current["labels"] and code not in current["labels"]:
        raise OrderFlowError(f"{code} is not a waybill of order {current['order']}",
                             code="handover.wrong_label")
    if code in current["numbers"]:
        raise OrderFlowError(f"{code} was already scanned", code="handover.repeated")
    return {**current, "numbers": [*current["numbers"], code]}


@router.post("/fulfilment/handover/scan")
def handover_scan(request: Request, user: Floor, scan: Short = "",
                  warehouse: Short = "") -> Response:
    code = scan.strip().upper()
    current = request.session.get("handover")
    if current and current["warehouse"] != warehouse:
        current = None
    try:
        current = _next(request, code, warehouse, current)
        if len(current["numbers"]) < current["parcels"]:
            request.session["handover"] = current
            said = "handover.scanned" if current["numbers"] else "handover.started"
            _say(request, "handover_said", "ok", said, order=current["order"])
        else:
            shipped = handover.hand_over(_db(request), current["order"], warehouse=warehouse,
                                         tracking_numbers=current["numbers"],
                                         desk=carrier_desk(request),
                                         actor=security.actor_of(user))
            request.session.pop("handover", None)
            _say(request, "handover_said", "ok", "handover.shipped", order=shipped.order_number,
                 numbers=shipped.tracking_numbers, carrier=shipped.carrier)
    except OrderFlowError as exc:
        _say(request, "handover_said", "error", exc.code, detail=exc.detail, scan=code)
    return RedirectResponse(f"/fulfilment/handover?warehouse={warehouse}", status_code=303)


@router.post("/fulfilment/handover/clear")
def handover_clear(request: Request, _user: Floor, warehouse: Short = "") -> Response:
    request.session.pop("handover", None)
    return RedirectResponse(f"/fulfilment/handover?warehouse={warehouse}", status_code=303)


# --- stock ----------------------------------------------------------------------------


@router.get("/fulfilment/stock", response_class=HTMLResponse)
def stock_page(request: Request, _user: Floor) -> Response:
    db = _db(request)
    with db.read() as s:
        alerts = stock.alerts(s)
    return render(request, "fulfilment/stock.html", {
        "section": "fulfilment-stock", "alerts": alerts, "warehouses": _warehouses(db),
        "error": request.session.pop("stock_error", None), **CONTEXT})


def _quantity(value: str, field: str) -> int:
    if not value.strip().isdigit():
        raise ValidationFailed([FieldProblem(field, "number.invalid", "a whole number")])
    return int(value.strip())


def _stock_action(request: Request, act: Any, done: str) -> Response:
    try:
        act()
    except OrderFlowError as exc:
        request.session["stock_error"] = _problem(exc)
    else:
        flash(request, done)
    return RedirectResponse("/fulfilment/stock", status_code=303)


@router.post("/fulfilment/stock/threshold")
def threshold(request: Request, _user: Floor, sku: Short = "", warehouse: Short = "",
              low_at: Short = "") -> Response:
    return _stock_action(request, lambda: stock.set_threshold(
        _db(request), sku=sku.strip() or None, warehouse=warehouse.strip() or None,
        low_at=_quantity(low_at, "low_at")), N_("Low-stock threshold saved."))


@router.post("/fulfilment/stock/damaged")
def damaged(request: Request, _user: Floor, sku: Short = "", warehouse: Short = "",
            quantity: Short = "", action: Short = "mark") -> Response:
    act = stock.write_off_damaged if action == "write_off" else stock.mark_damaged
    return _stock_action(request, lambda: act(
        _db(request), sku=sku, warehouse=warehouse, quantity=_quantity(quantity, "quantity")),
        N_("Damaged stock recorded."))


@router.post("/fulfilment/stock/bin")
def bin_location(request: Request, _user: Floor, sku: Short = "", warehouse: Short = "",
                 bin: Short = "") -> Response:
    return _stock_action(request, lambda: stock.set_bin(
        _db(request), sku=sku, warehouse=warehouse, code=bin), N_("Bin location saved."))
