"""`orderflow channels …` (shops, inbox, retries) and `orderflow desk …` (merge, split):
the same use cases as the console and the API, from a terminal."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from orderflow.channels import service as channels
from orderflow.channels.models import DeliveryState, Platform
from orderflow.channels.schemas import ShopIn, ShopUpdate
from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.orders import merging
from orderflow.orders.lifecycle import Actor

app = typer.Typer(help="Channel shops (Shopify, WooCommerce) and their webhook inbox.",
                  no_args_is_help=True)
desk_app = typer.Typer(help="Merge (合单) and split (拆单) orders.", no_args_is_help=True)
console = Console()
ACTOR = Actor("staff", "cli")



@app.command("add")
def add(code: str, platform: Annotated[Platform, typer.Option()],
        secret: Annotated[str, typer.Option(help="the platform's signing secret")],
        name: Annotated[str, typer.Option()] = "", domain: Annotated[str, typer.Option()] = "",
        language: Annotated[str, typer.Option()] = "en") -> None:
    """Add a shop; prints the webhook path to give the platform."""
    try:
        cmd = ShopIn.model_validate({"code": code, "platform": platform, "name": name or code,
                                     "secret": secret, "shop_domain": domain or None,
                                     "language": language})
        shop = channels.create_shop(get_db(), cmd, actor=ACTOR)
    except ValidationError as exc:
        _fail(ValidationFailed([FieldProblem(".".join(str(p) for p in e["loc"]),
                                             "invalid." + e["type"], e["msg"])
                                for e in exc.errors()]))
        return
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"shop {shop.code}: POST {get_settings().base_url}{shop.webhook_path}")


@app.command("secret")
def rotate(code: str, secret: str) -> None:
    """Set a shop's new signing secret."""
    try:
        channels.update_shop(get_db(), code, ShopUpdate(secret=secret), actor=ACTOR)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"shop {code}: secret changed")


@app.command("shops")
def shops() -> None:
    table = Table("code", "platform", "name", "webhook", "active")
    for shop in channels.list_shops(get_db()):
        table.add_row(shop.code, shop.platform.value, shop.name, shop.webhook_path,
                      "yes" if shop.active else "no")
    console.print(table)


@app.command("inbox")
def inbox(state: Annotated[DeliveryState | None, typer.Option()] = None,
          shop: Annotated[str | None, typer.Option()] = None, limit: int = 50) -> None:
    """The newest deliveries (filter by state: failed, stale, …)."""
    with get_db().read() as s:
        page = channels.list_deliveries(s, shop=shop, state=state, limit=limit)
    table = Table("id", "received", "shop", "topic", "channel order", "state", "order", "detail")
    for d in page.items:
        table.add_row(str(d.id), d.received_at.isoformat(timespec="seconds"), d.shop, d.topic,
                      d.external_id or "", d.state.value, d.order_number or "",
                      (d.detail or "")[:80])
    console.print(table)


@app.command("retry")
def retry(delivery_id: int) -> None:
    """Process a failed delivery again (after adding its SKU or stock)."""
    try:
        receipt = channels.retry_delivery(get_db(), delivery_id, actor=ACTOR,
                                          settings=get_settings())
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"delivery {delivery_id}: {receipt.state} {receipt.order_number or ''}")


@desk_app.command("merge")
def merge(numbers: Annotated[list[str] | None, typer.Argument()] = None,
          auto: Annotated[bool, typer.Option(help="merge every suggestion")] = False) -> None:
    """Merge orders into one parcel, or with --auto every suggested group."""
    db = get_db()
    try:
        if auto:
            groups = merging.auto_merge(db, actor=ACTOR)
            console.print(f"merged {len(groups)} group(s): {' '.join(groups)}")
            return
        group = merging.merge_orders(db, numbers or [], actor=ACTOR, reason="merged by staff")
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"merged into {group}")


@desk_app.command("split")
def split(number: str, by: Annotated[str, typer.Option(help="availability | warehouse")]
          = "availability") -> None:
    """Split an order by availability (backorder the rest) or by warehouse."""
    try:
        made = merging.split_order(get_db(), number, by, actor=ACTOR,  # type: ignore[arg-type]
                                   zone=get_settings().timezone)
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"split {number}: new order(s) {' '.join(made)}")
