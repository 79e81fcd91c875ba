"""`orderflow review …`: the review queue, a re-review, and the review settings from a
terminal (the same use cases as the console and the API)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import OrderFlowError
from orderflow.orders.lifecycle import Actor
from orderflow.review import queries
from orderflow.review import service as review

app = typer.Typer(help="The review queue (审单) and its rules.", no_args_is_help=True)
console = Console()
ACTOR = Actor("staff", "cli")



@app.command("queue")
def queue(
    urgency: Annotated[str | None, typer.Option(help="expedited, standard or deferred")] = None,
    outcome: Annotated[str | None, typer.Option(help="warn or block")] = None,
    language: Annotated[str, typer.Option(help="zh-CN or en")] = "en",
    limit: int = 50,
) -> None:
    """Orders waiting for a person, expedited first, with every reason."""
    try:
        f = queries.ClassFilter(urgency=urgency, outcome=outcome).check()
    except OrderFlowError as exc:
        _fail(exc)
        return
    with get_db().read() as s:
        page = queries.queue(s, f, limit=limit)
    table = Table("order", "urgency", "ship by (UTC)", "outcome", "reasons",
                  title=f"{page.total} waiting")
    for item in page.items:
        reasons = "\n".join(f.reason_zh if language == "zh-CN" else f.reason_en
                            for f in item.findings)
        ship_by = item.promised_ship_by.strftime("%Y-%m-%d %H:%M") if item.promised_ship_by else ""
        table.add_row(item.number, item.urgency, ship_by, item.outcome, reasons)
    console.print(table)


@app.command("run")
def run(number: str) -> None:
    """Review one order again now (after a change made elsewhere)."""
    try:
        result = review.run_review(get_db(), number, actor=ACTOR, settings=get_settings())
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"{result.number}: {result.outcome} → {result.status}")
    for f in result.findings:
        console.print(f"  - [{f.outcome}] {f.code}")


@app.command("settings")
def settings(
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help='key=value, value as JSON when it parses: --set cut_off=15:00 '
                      '--set high_value_minor=300000 --set auto_approve=false')] = None,
) -> None:
    """Show the review settings, or change some."""
    db = get_db()
    if set_:
        changes: dict[str, Any] = {}
        for item in set_:
            key, _, raw = item.partition("=")
            try:
                changes[key.strip()] = json.loads(raw)
            except json.JSONDecodeError:
                changes[key.strip()] = raw
        try:
            review.update_config(db, changes, actor=ACTOR)
        except OrderFlowError as exc:
            _fail(exc)
            return
    console.print_json(data=review.get_config(db).model_dump(mode="json"))
