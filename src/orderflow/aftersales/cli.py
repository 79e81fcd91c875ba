"""`orderflow aftersales …`: the after-sales queue from the command line (the same use
cases as the console and the API)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from orderflow.aftersales import queries, receiving, service
from orderflow.aftersales.queries import CaseFilter
from orderflow.aftersales.refunds import service as refunds
from orderflow.aftersales.schemas import ReceiveIn, ReceiveLineIn, RefundIn
from orderflow.cli_errors import fail as _fail
from orderflow.db import get_db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.orders.lifecycle import Actor

app = typer.Typer(help="After-sales cases (售后): the queue, decisions, receiving, refunds.",
                  no_args_is_help=True)
console = Console()
CLI = Actor("staff", "cli")
Lang = Annotated[str, typer.Option("--lang", help="en or zh-CN")]


def _case_id(case: str) -> int:
    with get_db().read() as s:
        return queries.find_case_id(s, case)


@app.command("list")
def list_cases(state: Annotated[str, typer.Option(help="open, all, or one state")] = "open",
               type: Annotated[str, typer.Option("--type")] = "",
               overdue: Annotated[bool, typer.Option(help="Only overdue cases")] = False,
               limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
               as_json: Annotated[bool, typer.Option("--json")] = False, lang: Lang = "en",
               ) -> None:
    """The queue, by due time."""
    with get_db().read() as s:
        rows = queries.list_cases(s, CaseFilter(state=state, type=type, overdue=overdue),
                                  limit=limit, language=lang)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False))
        return
    table = Table("case", "order", "type", "reason", "state", "owner", "due", "refund")
    for r in rows:
        table.add_row(r.number, r.order_number, r.type, r.reason, r.state, r.owner or "-",
                      ("[red]overdue[/] " if r.overdue else "") + r.due_at.strftime("%m-%d %H:%M"),
                      r.refund)
    console.print(table)


@app.command("show")
def show(case: str, lang: Lang = "en") -> None:
    """A case with its lines, timeline and refunds (by id or number)."""
    try:
        with get_db().read() as s:
            detail = queries.get_case(s, queries.find_case_id(s, case), lang)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"[bold]{detail.number}[/] order {detail.order_number} · {detail.type} · "
                  f"{detail.reason} · [bold]{detail.state}[/] · refund {detail.refund}")
    if detail.refusal:
        console.print(f"refused: {detail.refusal}")
    for ln in detail.lines:
        console.print(f"  {ln.sku} × {ln.quantity}  back: {ln.sellable} sellable, "
                      f"{ln.damaged} damaged, {ln.rejected} rejected")
    for e in detail.events:
        console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.text}")
    for r in detail.refunds:
        console.print(f"  refund #{r.id} {r.amount} {r.currency} {r.state} {r.provider_ref or ''}")


@app.command("approve")
def approve(case: str) -> None:
    try:
        service.approve_case(get_db(), _case_id(case), actor=CLI)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"approved {case}")


@app.command("refuse")
def refuse(case: str,
           code: Annotated[str, typer.Option(help="no_evidence, not_intact, used, duplicate, "
                                                  "other")],
           note: Annotated[str | None, typer.Option(help="Required with 'other'")] = None,
           ) -> None:
    try:
        service.refuse_case(get_db(), _case_id(case), code, actor=CLI, note=note)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"refused {case}")


def _line(text: str) -> ReceiveLineIn:
    """SKU=sellable[,damaged[,rejected]] e.g. SKU-1=1,1,0"""
    sku, _, counts = text.partition("=")
    parts = [int(x) for x in counts.split(",") if x.strip()] if counts else []
    if not sku or not parts or len(parts) > 3:
        raise ValidationFailed([FieldProblem("--line", "format",
                                             "write SKU=sellable[,damaged[,rejected]]")])
    parts += [0] * (3 - len(parts))
    return ReceiveLineIn(sku=sku, sellable=parts[0], damaged=parts[1], rejected=parts[2],
                         reject_reason="rejected at receiving" if parts[2] else None)


@app.command("receive")
def receive(scan: Annotated[str, typer.Argument(help="Return waybill, case or order number")],
            line: Annotated[list[str] | None, typer.Option(
                "--line", help="SKU=sellable[,damaged[,rejected]]; none: all sellable")] = None,
            ) -> None:
    """Check a returned parcel in (a refused parcel too)."""
    try:
        body = ReceiveIn(scan=scan, lines=[_line(x) for x in line or []])
        case_id = receiving.receive(get_db(), body, actor=CLI)
        with get_db().read() as s:
            detail = queries.get_case(s, case_id)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"received {detail.number}: now {detail.state}")


@app.command("refund")
def refund(case: Annotated[str | None, typer.Argument(help="Case id or number")] = None,
           order: Annotated[str | None, typer.Option(help="Refund what an order owes")] = None,
           amount: Annotated[str | None, typer.Option(help="With --order: this amount")] = None,
           ) -> None:
    """Refund a case, or what an order owes (cancelled, reduced, paid twice)."""
    try:
        if order:
            made = refunds.refund_order(get_db(), RefundIn(order_number=order, amount=amount),
                                        actor=CLI)
        elif case:
            made = service.refund_case(get_db(), _case_id(case), actor=CLI)
        else:
            raise ValidationFailed([FieldProblem("case", "required", "name a case or --order")])
    except OrderFlowError as exc:
        _fail(exc)
    for r in made:
        console.print(f"refund #{r.id} {r.amount} {r.currency}: {r.state}"
                      + (f" ({r.last_error})" if r.last_error else ""))
