"""`orderflow labels …` and `orderflow carriers …`: batch label printing with a Rich
progress bar, waybills, and the carrier tables from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from orderflow import files, money
from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import OrderFlowError
from orderflow.orders.lifecycle import Actor
from orderflow.shipping import printing, service, waybills
from orderflow.shipping.printing import PrintJob

labels_app = typer.Typer(help="Waybills and label printing (打单).", no_args_is_help=True)
carriers_app = typer.Typer(help="Carriers, services, rates and quotes.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
CLI = Actor("staff", "cli")



@labels_app.command("print")
def print_labels(
    orders: Annotated[list[str] | None, typer.Argument(help="Order numbers, in print order")]
    = None,
    wave: Annotated[int | None, typer.Option(help="Print a wave, in pick order")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write")] = Path("labels.pdf"),
    fmt: Annotated[str, typer.Option("--format", help="pdf or zpl")] = "pdf",
    size: Annotated[str, typer.Option(help="100x150 or 76x130")] = "100x150",
    privacy: Annotated[bool, typer.Option(help="隐私面单: mask name and phone")] = False,
    language: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN",
    copies: Annotated[int, typer.Option(min=1, max=5)] = 1,
) -> None:
    """One PDF/ZPL of labels; missing waybills are issued first; every print is logged."""
    db = get_db()
    numbers = list(orders or []) or (printing.orders_of_wave(db, wave) if wave else [])
    if not numbers:
        err.print("give order numbers or --wave")
        raise typer.Exit(2)
    job = PrintJob(numbers, format="zpl" if fmt == "zpl" else "pdf",
                   size="76x130" if size == "76x130" else "100x150", privacy=privacy,
                   language="en" if language == "en" else "zh-CN", copies=copies)
    with Progress(TextColumn("labels"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=err) as bar:
        task = bar.add_task("labels", total=len(numbers) * copies)
        try:
            result = printing.print_labels(
                db, job, actor=CLI, zone=get_settings().zone,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
        except OrderFlowError as exc:
            _fail(exc)
            return
    files.write_private(out, result.content)
    console.print(f"{result.labels} labels → {out} (batch {result.batch_id[:8]}"
                  f"{', re-print of ' + ' '.join(result.reprints) if result.reprints else ''})")
    for number, why in result.skipped:
        err.print(f"[yellow]not printed[/] {number}: {why}")


@labels_app.command("issue")
def issue(number: str, parcels: Annotated[int, typer.Option(min=1, max=99)] = 1,
          weight_g: Annotated[int | None, typer.Option()] = None) -> None:
    """Issue (idempotently) the order's waybills with its chosen carrier."""
    try:
        issued = waybills.issue(get_db(), number, actor=CLI, parcel_count=parcels,
                                weight_g=weight_g)
    except OrderFlowError as exc:
        _fail(exc)
        return
    for w in issued:
        console.print(f"{w.parcel_no}/{w.parcel_count} {w.carrier_code} {w.tracking_number} "
                      f"{w.state}")


@carriers_app.command("list")
def list_carriers() -> None:
    """Carriers and services with cut-offs (demo rates are flagged)."""
    table = Table("code", "carrier", "service", "first/unit g", "cut-off", "zones", "demo")
    for c in service.list_carriers(get_db()):
        for s in c.services:
            table.add_row(c.code, c.name_zh, s.name_zh, f"{s.first_weight_g}/{s.extra_unit_g}",
                          s.cutoff, str(len(s.zones)), "yes" if c.demo_rates else "")
    console.print(table)


@carriers_app.command("quote")
def quote(destination: str, weight_g: int,
          origin: Annotated[str | None, typer.Option(help="ship-from province")] = None) -> None:
    """Every covering service priced for the weight, cheapest first."""
    table = Table("carrier", "service", "zone", "price", "days", "cut-off")
    for o, p in service.quote(get_db(), destination, weight_g, origin):
        table.add_row(o.carrier_code, o.level, str(o.zone), money.to_str(p, o.currency),
                      str(o.transit_days), o.cutoff.strftime("%H:%M"))
    console.print(table)
