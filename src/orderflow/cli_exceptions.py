"""`orderflow exceptions …`: the logistics exception desk from the command line."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from orderflow import clock
from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import OrderFlowError
from orderflow.logistics import queries
from orderflow.logistics import service as logistics
from orderflow.orders.lifecycle import Actor

app = typer.Typer(help="Logistics exceptions (物流预警): list, assign, resolve, close, run the "
                  "watchdogs once.", no_args_is_help=True)
console = Console()


def _actor() -> Actor:
    return Actor("staff", f"cli:{getpass.getuser()}")



@app.command("list")
def list_cases(
    state: Annotated[str, typer.Option(help="open, resolved, closed or all")] = "open",
    kind: Annotated[str, typer.Option(help="stalled, delivery_failed, lost, …")] = "",
    carrier: str = "",
    owner: Annotated[str, typer.Option(help="a user name, or 'none'")] = "",
    overdue: bool = False,
) -> None:
    """The queue: open cases by due time."""
    try:
        f = queries.case_filter(state, kind, carrier, owner, overdue)
    except OrderFlowError as exc:
        _fail(exc)
        return
    zone = get_settings().zone
    with get_db().read() as s:
        rows = queries.list_cases(s, f, limit=500)
    table = Table("id", "due", "kind", "order", "parcel", "owner", "state", "last action")
    for r in rows:
        due = clock.local(r.due_at, zone).strftime("%m-%d %H:%M") + (" OVERDUE" if r.overdue
                                                                      else "")
        table.add_row(str(r.id), due, r.kind, r.order_number,
                      f"{r.carrier} {r.tracking_number}", r.owner or "-", r.state,
                      r.last_action or "-")
    console.print(table)


@app.command()
def assign(case_id: int, owner: Annotated[str, typer.Argument(help="user name; '-' to clear")],
           ) -> None:
    try:
        logistics.assign_case(get_db(), case_id, None if owner == "-" else owner,
                              actor=_actor())
    except OrderFlowError as exc:
        _fail(exc)


@app.command()
def resolve(case_id: int,
            outcome: Annotated[str, typer.Argument(help="carrier_resolved, delivered, "
                                                        "reshipped, refunded or no_action")],
            note: str = "") -> None:
    try:
        logistics.resolve_case(get_db(), case_id, outcome, actor=_actor(), resolution=note)
    except OrderFlowError as exc:
        _fail(exc)


@app.command()
def close(case_id: int, note: str = "") -> None:
    try:
        logistics.close_case(get_db(), case_id, actor=_actor(), note=note or None)
    except OrderFlowError as exc:
        _fail(exc)


@app.command()
def watch() -> None:
    """Run the worker's logistics jobs once (carrier-event scan, silent parcels,
    delivery confirmation), e.g. from cron when no worker runs."""
    db, settings = get_db(), get_settings()
    scanned = 0
    while (done := logistics.scan_carrier_events(db, settings)) > 0:
        scanned += done
    silent = logistics.watch_silent_parcels(db, settings)
    completed = logistics.complete_delivered(db, settings)
    console.print(f"carrier events handled: {scanned}; silent parcels: {silent}; "
                  f"orders completed: {len(completed)}")
