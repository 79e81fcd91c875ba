"""`orderflow warehouse …`: allocation, waves, pick lists and stock alerts from the command
line (the same use cases as the console and the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from orderflow import files
from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import Db, get_db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment import stock, waves
from orderflow.fulfilment.desk import CarrierDesk, DefaultDesk
from orderflow.orders.lifecycle import Actor
from orderflow.shipping.desk import ShippingDesk
from orderflow.shipping.models import Carrier

warehouse_app = typer.Typer(help="Allocation, waves, pick lists and stock alerts.",
                            no_args_is_help=True)
console = Console()
err = Console(stderr=True)
CLI = Actor("staff", "cli")



def _desk(db: Db) -> CarrierDesk:
    with db.read() as s:
        has_carriers = s.scalar(select(Carrier.id).limit(1)) is not None
    return ShippingDesk(get_settings().zone) if has_carriers else DefaultDesk()


@warehouse_app.command("allocate")
def allocate(limit: Annotated[int, typer.Option(min=1, max=10_000)] = 500) -> None:
    """Allocate every approved order (one warehouse, the nearest, or split)."""
    done, failed = fulfilment.allocate_approved(get_db(), actor=CLI, limit=limit)
    console.print(f"allocated {len(done)} orders")
    for number, why in failed.items():
        err.print(f"  {number}: {why}")


@warehouse_app.command("waves")
def plan(warehouse: Annotated[str | None, typer.Option(help="Only this warehouse")] = None,
         max_orders: Annotated[int, typer.Option(min=1, max=500)] = 50,
         release: Annotated[bool, typer.Option(help="Release the new waves at once")] = False,
         ) -> None:
    """Group allocated orders into waves by warehouse, carrier, priority and cut-off."""
    db = get_db()
    try:
        planned = waves.plan_waves(db, actor=CLI, desk=_desk(db), zone=get_settings().zone,
                                   warehouse=warehouse, max_orders=max_orders)
        if release:
            planned = [waves.release_wave(db, w.id, actor=CLI) for w in planned]
    except OrderFlowError as exc:
        _fail(exc)
    table = Table("id", "wave", "state", "warehouse", "carrier", "priority", "orders")
    for w in planned:
        table.add_row(str(w.id), w.code, w.state, w.warehouse, w.carrier, w.priority,
                      str(w.order_count))
    console.print(table)


@warehouse_app.command("pick-list")
def pick_list(wave: int,
              out: Annotated[Path, typer.Option("--out", "-o")] = Path("pick-list.pdf"),
              language: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN") -> None:
    """Write the wave's pick list (bin order, total per SKU) as a PDF; print its orders in
    pick order."""
    db = get_db()
    try:
        files.write_private(out, waves.pick_list_pdf(db, wave, language=language,
                                                     zone=get_settings().zone))
        console.print(" ".join(waves.orders_in_pick_order(db, wave)))
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"wrote {out}")


@warehouse_app.command("alerts")
def alerts() -> None:
    """库存预警: SKUs at or below their low-stock threshold (exit 1 if any)."""
    with get_db().read() as s:
        found = stock.alerts(s)
    table = Table("sku", "warehouse", "available", "alert at", "damaged", "level")
    for a in found:
        table.add_row(a.sku, a.warehouse, str(a.available), str(a.low_at), str(a.damaged),
                      a.level)
    console.print(table)
    raise typer.Exit(1 if found else 0)
