"""Setting a shop up from the command line: `orderflow init` (an empty database to a shop
that can take its first order, no demo data), `orderflow warehouse add|edit|retire|list`
and `orderflow carriers add|retire`: the same use cases as the API and the console."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from orderflow import migrate as migrations
from orderflow.auth import service as auth
from orderflow.auth.models import Role, StaffUser
from orderflow.cli_errors import fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment import stock
from orderflow.intake import oneline
from orderflow.inventory import warehouses
from orderflow.inventory.warehouses import WarehouseChanges, WarehouseIn
from orderflow.shipping import setup as carriers
from orderflow.shipping.models import Carrier

console = Console()

Opt = typer.Option


def _address(text: str | None) -> dict[str, Any]:
    """A one-line address (上海市浦东新区世纪大道100号) as warehouse fields."""
    if not text:
        return {}
    p = oneline.parse_line(text)
    found = {"province": p.province, "city": p.city, "district": p.district,
             "address": p.detail or None}
    return {k: v for k, v in found.items() if v}


def _given(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def warehouse_add(
    code: str, name: str,
    address: Annotated[str | None, Opt(help="One line: 上海市浦东新区世纪大道100号")] = None,
    contact_name: Annotated[str | None, Opt(help="Sender name on labels")] = None,
    contact_phone: Annotated[str | None, Opt(help="Sender phone on labels")] = None,
    latitude: float | None = None, longitude: float | None = None,
    cutoff: Annotated[str | None, Opt(help="Daily cut-off, HH:MM")] = None,
    priority: Annotated[int | None, Opt(help="Lower is preferred")] = None,
) -> None:
    """Add a warehouse (its address and contact are the sender on its labels)."""
    try:
        body = warehouses.parse(WarehouseIn, {"code": code, "name": name, **_address(address),
                                              **_given(contact_name=contact_name,
                                                       contact_phone=contact_phone,
                                                       latitude=latitude, longitude=longitude,
                                                       cutoff=cutoff, priority=priority)})
        w = warehouses.create_warehouse(get_db(), body)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"added warehouse {w.code} ({w.name})")


def warehouse_edit(
    code: str, name: str | None = None,
    address: Annotated[str | None, Opt(help="One line: 上海市浦东新区世纪大道100号")] = None,
    contact_name: str | None = None, contact_phone: str | None = None,
    latitude: float | None = None, longitude: float | None = None,
    cutoff: Annotated[str | None, Opt(help="Daily cut-off, HH:MM")] = None,
    priority: int | None = None,
) -> None:
    """Change a warehouse's name, address, sender contact, coordinates, cut-off or priority."""
    try:
        changes = warehouses.parse(WarehouseChanges, {
            **_address(address), **_given(name=name, contact_name=contact_name,
                                          contact_phone=contact_phone, latitude=latitude,
                                          longitude=longitude, cutoff=cutoff,
                                          priority=priority)})
        w = warehouses.edit_warehouse(get_db(), code, changes)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"updated warehouse {w.code}")


def warehouse_retire(code: str) -> None:
    """Retire a warehouse: no new reservations from it."""
    try:
        warehouses.retire_warehouse(get_db(), code)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"retired warehouse {code}")


def warehouse_list() -> None:
    """Every warehouse, retired ones marked."""
    table = Table("code", "name", "address", "sender", "cut-off", "priority", "state")
    for w in warehouses.list_warehouses(get_db()):
        where = "".join(filter(None, [w.province, w.city, w.district, w.address]))
        sender = " ".join(filter(None, [w.contact_name, w.contact_phone]))
        table.add_row(w.code, w.name, where, sender, w.cutoff or "", str(w.priority),
                      "active" if w.active else "retired")
    console.print(table)


def warehouse_bin(code: str, sku: str, bin_code: str) -> None:
    """Where a SKU sits in the warehouse (货位): the pick list walks bins in order."""
    try:
        stock.set_bin(get_db(), sku=sku, warehouse=code, code=bin_code)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"{sku} in {code}: bin {bin_code.strip().upper()}")


def carrier_add(
    code: str, name_zh: str, name_en: str,
    adapter: Annotated[str, Opt(help="simulated, http or manual")] = "manual",
    first: Annotated[str, Opt(help="Price of the first weight")] = "10.00",
    extra: Annotated[str, Opt(help="Price of each extra weight unit")] = "2.00",
    days: Annotated[int, Opt(help="Transit days")] = 2,
    cutoff: Annotated[str, Opt(help="Daily cut-off, HH:MM")] = "17:00",
    cod: Annotated[bool, Opt(help="Offers cash on delivery")] = False,
) -> None:
    """Add a carrier with a standard service covering all of China at one price."""
    try:
        body = warehouses.parse(carriers.NewCarrierIn, {
            "code": code, "name_zh": name_zh, "name_en": name_en, "adapter": adapter,
            "cod_supported": cod, "services": [{"first": first, "extra": extra,
                                                "transit_days": days, "cutoff": cutoff}]})
        carriers.add_carrier(get_db(), body)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"added carrier {code}")


def carrier_retire(code: str) -> None:
    """Retire a carrier: no new orders are given to it."""
    try:
        carriers.retire_carrier(get_db(), code)
    except OrderFlowError as exc:
        fail(exc)
    console.print(f"retired carrier {code}")


def init(
    admin: Annotated[str, Opt(help="The first admin's login")] = "admin",
    password: Annotated[str, Opt(prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="The first admin's password")] = "",
    warehouse_code: str = "WH1",
    warehouse_name: str = "主仓",
    address: Annotated[str, Opt(help="The warehouse (and sender) address, one line")] = "",
    contact_name: Annotated[str | None, Opt(help="Sender name on labels")] = None,
    contact_phone: Annotated[str | None, Opt(help="Sender phone on labels")] = None,
    carrier: Annotated[str, Opt(help="simulated (built-in, offline) or manual")] = "simulated",
) -> None:
    """Take an empty database to a shop that can take its first order, without demo data:
    the schema, an admin, a warehouse with the sender address, and a carrier. Safe to run
    again: what exists is kept."""
    settings = get_settings()
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrations.upgrade(settings.database_url)
    db = get_db()
    try:
        with db.read() as s:
            has_admin = s.scalar(select(StaffUser.id).where(StaffUser.role == Role.ADMIN))
            has_carrier = s.scalar(select(Carrier.id).limit(1))
        if has_admin is None:
            auth.create_user(db, admin, password, role=Role.ADMIN, display_name=admin)
            console.print(f"created admin {admin}")
        if not warehouses.list_warehouses(db):
            body = warehouses.parse(WarehouseIn, {
                "code": warehouse_code, "name": warehouse_name, **_address(address),
                **_given(contact_name=contact_name, contact_phone=contact_phone)})
            warehouses.create_warehouse(db, body)
            console.print(f"created warehouse {warehouse_code}")
        if has_carrier is None:
            carriers.add_carrier(db, warehouses.parse(carriers.NewCarrierIn, {
                "code": "LOCAL", "name_zh": "本地快递", "name_en": "Local carrier",
                "adapter": carrier}))
            console.print("created carrier LOCAL (all of China, one price; edit its rates)")
    except OrderFlowError as exc:
        fail(exc)
    console.print("the shop is set up: add SKUs and stock, then take orders")


def register(app: typer.Typer, warehouse_app: typer.Typer, carriers_app: typer.Typer) -> None:
    app.command("init")(init)
    warehouse_app.command("add")(warehouse_add)
    warehouse_app.command("edit")(warehouse_edit)
    warehouse_app.command("retire")(warehouse_retire)
    warehouse_app.command("list")(warehouse_list)
    warehouse_app.command("bin")(warehouse_bin)
    carriers_app.command("add")(carrier_add)
    carriers_app.command("retire")(carrier_retire)
