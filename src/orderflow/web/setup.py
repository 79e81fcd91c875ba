"""/setup (administrators): warehouses with their sender address, cut-off and
coordinates, and carriers: added, edited and retired with the same use cases as the API
and the command line."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.intake import oneline
from orderflow.inventory import warehouses
from orderflow.inventory.warehouses import WarehouseChanges, WarehouseIn
from orderflow.shipping import service as shipping
from orderflow.shipping import setup as carriers
from orderflow.web import security
from orderflow.web.channels import Admin
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Text = Annotated[str, Form(max_length=300)]
WAREHOUSE_FIELDS = ("code", "name", "address_text", "contact_name", "contact_phone", "latitude",
                    "longitude", "cutoff", "priority")
CARRIER_FIELDS = ("code", "name_zh", "name_en", "adapter", "first", "extra", "transit_days",
                  "cutoff")


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _page(request: Request, *, error: OrderFlowError | None = None,
          form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "setup/index.html", {
        "warehouses": warehouses.list_warehouses(_db(request)),
        "carriers": shipping.list_carriers(_db(request)),
        "error": error, "form": form or {},
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }, status_code=status_code)


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, user: Admin) -> Response:
    return _page(request)


def _warehouse_values(form: dict[str, str]) -> dict[str, Any]:
    """Form text as a warehouse body: blanks left out, the one-line address parsed."""
    values: dict[str, Any] = {k: v for k, v in form.items() if v and k != "address_text"}
    if form.get("address_text"):
        p = oneline.parse_line(form["address_text"])
        values.update({k: v for k, v in (("province", p.province), ("city", p.city),
                                         ("district", p.district), ("address", p.detail))
                       if v})
    return values


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    data = await request.form()
    return {k: str(data.get(k) or "").strip()[:300] for k in (*names, "active")}


@router.post("/setup/warehouses")
async def add_warehouse(request: Request, user: Admin) -> Response:
    form = await _form(request, WAREHOUSE_FIELDS)
    try:
        body = warehouses.parse(WarehouseIn, _warehouse_values(
            {k: v for k, v in form.items() if k != "active"}))
        warehouses.create_warehouse(_db(request), body)
    except OrderFlowError as exc:
        return _page(request, error=exc, form=form, status_code=exc.http_status)
    flash(request, N_("Warehouse added."))
    return RedirectResponse("/setup", status_code=303)


@router.post("/setup/warehouses/{code}")
async def edit_warehouse(request: Request, code: str, user: Admin) -> Response:
    form = await _form(request, WAREHOUSE_FIELDS[1:])
    values = _warehouse_values({k: v for k, v in form.items() if k != "active"})
    try:
        warehouses.edit_warehouse(_db(request), code, warehouses.parse(WarehouseChanges, values))
        if form["active"] == "on":
            warehouses.reinstate_warehouse(_db(request), code)
        else:
            warehouses.retire_warehouse(_db(request), code)
    except OrderFlowError as exc:
        return _page(request, error=exc, status_code=exc.http_status)
    flash(request, N_("Warehouse saved."))
    return RedirectResponse("/setup", status_code=303)


@router.post("/setup/carriers")
async def add_carrier(request: Request, user: Admin) -> Response:
    form = await _form(request, CARRIER_FIELDS)
    service = {k: form[k] for k in ("first", "extra", "transit_days", "cutoff") if form[k]}
    try:
        body = warehouses.parse(carriers.NewCarrierIn, {
            **{k: form[k] for k in ("code", "name_zh", "name_en", "adapter") if form[k]},
            "services": [service]})
        carriers.add_carrier(_db(request), body)
    except OrderFlowError as exc:
        return _page(request, error=exc, form=form, status_code=exc.http_status)
    flash(request, N_("Carrier added."))
    return RedirectResponse("/setup", status_code=303)


@router.post("/setup/carriers/{code}/retire")
def retire_carrier(request: Request, code: str, user: Admin) -> Response:
    try:
        carriers.retire_carrier(_db(request), code)
    except OrderFlowError as exc:
        return _page(request, error=exc, status_code=exc.http_status)
    flash(request, N_("Carrier retired."))
    return RedirectResponse("/setup", status_code=303)
