"""The `orderflow` command line."""

from __future__ import annotations

import getpass
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from orderflow import cli_exceptions as exceptions_cli
from orderflow import cli_setup, cli_shipping, cli_warehouse, clock, files, logs, review_cli
from orderflow import demo as demo_data
from orderflow import doctor as checks
from orderflow import migrate as migrations
from orderflow import worker as worker_mod
from orderflow.aftersales import cli as aftersales_cli
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.channels import cli as channel_cli
from orderflow.cli_errors import fail as _fail
from orderflow.config import get_settings
from orderflow.db import get_db
from orderflow.errors import OrderFlowError
from orderflow.notify import smtp_sink
from orderflow.orders.lifecycle import Actor
from orderflow.tracking import config as tracking_config
from orderflow.tracking import simulator

app = typer.Typer(
    help="OrderFlow: orders, stock, fulfilment and customer notices.", no_args_is_help=True
)
import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
user_app = typer.Typer(help="Staff users.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(review_cli.app, name="review")
app.add_typer(channel_cli.app, name="channels")
app.add_typer(channel_cli.desk_app, name="desk")
app.add_typer(exceptions_cli.app, name="exceptions")
app.add_typer(cli_shipping.labels_app, name="labels")
app.add_typer(cli_shipping.carriers_app, name="carriers")
app.add_typer(cli_warehouse.warehouse_app, name="warehouse")
cli_setup.register(app, cli_warehouse.warehouse_app, cli_shipping.carriers_app)
app.add_typer(aftersales_cli.app, name="aftersales")
console = Console()
err = Console(stderr=True)


@app.callback()
def _private_files() -> None:
    """Everything a command creates (var/, the database, PDFs, keys) is private: 0600/0700."""
    files.private_umask()


def _progress(to: Console | None = None) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=to or console,
    )


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (SQLite file or PostgreSQL)."""
    settings = get_settings()
    if settings.is_sqlite:
        files.make_private_dir(settings.var_dir)
    migrations.upgrade(settings.database_url)
    files.tighten_sqlite(settings.database_url)
    console.print("[green]database is up to date[/]")


@app.command()
def demo(
    orders: Annotated[int, typer.Option(help="How many demo orders")] = 300,
    if_empty: Annotated[bool, typer.Option(help="Only load into an empty database")] = False,
) -> None:
    """Load demo data: ~50 SKUs in two warehouses, orders in every status, three staff users."""
    db, settings = get_db(), get_settings()
    if if_empty and not demo_data.is_empty(db):
        console.print("demo data already present")
        return
    with _progress() as bar:
        task = bar.add_task("demo orders", total=orders)
        result = demo_data.load(
            db, settings, orders_count=orders, progress=lambda n: bar.update(task, completed=n)
        )
    token_file = settings.var_dir / "demo-token.txt"
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(result.token)
    token_file.chmod(0o600)
    tracking_config.ensure_demo_secret(settings.var_dir)
    console.print(
        f"loaded {result.skus} SKUs and {result.orders} orders; "
        f"staff login [bold]{demo_data.DEMO_USER}[/] / [bold]{demo_data.DEMO_PASSWORD}[/]"
    )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Web worker processes")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request")] = True,
) -> None:
    """Serve the console, the customer pages and the API.

    Several workers each listen on their own SO_REUSEPORT socket, so the kernel spreads
    connections evenly; with one shared socket, the first worker to wake accepts a
    whole burst of keep-alive connections and the others stay idle."""
    logs.setup()
    clock.start_at(get_settings().clock_at)
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run("orderflow.app:create_app", factory=True, host=host, port=port,
                    workers=workers, log_config=None, proxy_headers=False, access_log=access_log)
        return
    spawn = multiprocessing.get_context("spawn")
    procs = [spawn.Process(target=_serve_one, args=(host, port, access_log))
             for _ in range(workers)]
    for proc in procs:
        proc.start()

    def stop(_signum: int, _frame: object) -> None:
        for proc in procs:
            proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for proc in procs:
        proc.join()


def _serve_one(host: str, port: int, access_log: bool) -> None:
    """One worker process: its own listening socket on the shared port."""
    logs.setup()
    clock.start_at(get_settings().clock_at)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    config = uvicorn.Config("orderflow.app:create_app", factory=True, host=host, port=port,
                            log_config=None, proxy_headers=False, access_log=access_log)
    uvicorn.Server(config).run(sockets=[sock])


@app.command()
def worker() -> None:
    """Run the background worker (any number of them, on any number of machines)."""
    logs.setup()
    clock.start_at(get_settings().clock_at)
    worker_mod.run_forever(worker_mod.default_jobs(get_db(), get_settings()))


@app.command("smtp-sink")
def smtp_sink_cmd(host: str = "127.0.0.1", port: int = 8025) -> None:
    """The demo's local SMTP server: keeps every message in var/mail for the Mailbox page."""
    settings = get_settings()
    logs.setup()
    console.print(f"SMTP sink on {host}:{port}, mail kept in {settings.var_dir / 'mail'}")
    smtp_sink.serve_forever(settings.var_dir / "mail", host, port)


@app.command("carrier-sim")
def carrier_sim(
    base_url: Annotated[str, typer.Option(help="Where our carrier hooks listen")] = (
        "http://127.0.0.1:8000"),
) -> None:
    """The simulated carrier: pushes demo parcels' events to /api/carrier-hooks/simulated."""
    logs.setup()
    tracking = tracking_config.load()
    if not tracking.simulated_secret:
        _fail(OrderFlowError("the simulated carrier is disabled: set "
                             "ORDERFLOW_TRACKING_SIMULATED_SECRET or run `orderflow demo` to "
                             "generate var/simulated-carrier.key", code="tracking.disabled"))
    simulator.run_forever(get_db(), tracking, base_url=base_url)


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Development all-in-one: migrate, load the demo once, then serve and work."""
    settings = get_settings()
    clock.start_at(settings.clock_at)  # the children read the same setting
    migrate()
    demo(orders=300, if_empty=True)
    tracking_config.ensure_demo_secret(settings.var_dir)  # the simulated carrier's key
    token_file = settings.var_dir / "demo-token.txt"
    url = f"http://{host}:{port}"
    console.rule("[bold]OrderFlow is running")
    console.print(
        f"  Console     {url}/  (login [bold]{demo_data.DEMO_USER}[/] / "
        f"[bold]{demo_data.DEMO_PASSWORD}[/]; also service / warehouse, same password)"
    )
    console.print(f"  API docs    {url}/api/docs")
    if token_file.exists():
        console.print(f"  API token   {token_file.read_text().strip()}")
    console.print(f"  Database    {settings.database_url}")
    exe = [sys.executable, "-m", "orderflow.cli"]
    children = [
        subprocess.Popen([*exe, "serve", "--host", host, "--port", str(port)]),
        subprocess.Popen([*exe, "worker"]),
    ]
    children.append(subprocess.Popen([*exe, "carrier-sim", "--base-url", url]))
    console.print("  Carrier     simulated carrier pushing demo parcels' events (demo time x720)")
    if settings.smtp_host in ("127.0.0.1", "localhost") and settings.smtp_port == 8025:
        children.append(subprocess.Popen([*exe, "smtp-sink", "--port", "8025"]))
        console.print("  Mail        local SMTP sink on 127.0.0.1:8025 (Notifications → Mailbox)")
    console.print("  SMS         local sink (Notifications → SMS sink)"
                  if settings.sms_provider == "local" else f"  SMS         {settings.sms_provider}")
    console.print("  Stop with Ctrl-C")
    _supervise(children)


def _supervise(children: list[subprocess.Popen[bytes]]) -> None:
    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    codes = [c.returncode for c in children]
    if any(code not in (0, -signal.SIGTERM, None) for code in codes):
        raise typer.Exit(1)


@import_app.command("orders")
def import_orders(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    output: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Import orders from a CSV or XLSX file (one row per order line). Columns: see
    `orderflow import template` and the README."""
    from orderflow.intake import importer, report_text

    if output not in ("text", "json"):
        raise typer.BadParameter("text or json", param_hint="--format")

    db, settings = get_db(), get_settings()
    with _progress(err) as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        report = importer.import_orders(
            db,
            file,
            filename=file.name,
            actor=Actor("staff", f"cli:{getpass.getuser()}"),
            settings=settings,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if output == "json":
        typer.echo(report_text.as_json(report))
    else:
        typer.echo(report_text.summary(report))
        if report.imported:
            first, last = report.imported[0], report.imported[-1]
            typer.echo(f"imported orders {first[1]} (line {first[0]}) … {last[1]} "
                       f"(line {last[0]})")
        for line in report_text.lines(report):
            typer.echo(line)
    if report.errors:
        raise typer.Exit(1)


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[Role, typer.Option(help="admin, service or warehouse")] = Role.SERVICE,
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    language: Annotated[str, typer.Option(help="zh-CN or en")] = "zh-CN",
    password: Annotated[
        str | None,
        typer.Option(
            help="Prefer the prompt or ORDERFLOW_NEW_PASSWORD: this shows in shell history"
        ),
    ] = None,
) -> None:
    """Create a staff user (asks for the password)."""
    secret = password or os.environ.get("ORDERFLOW_NEW_PASSWORD")
    if not secret:
        secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = auth.create_user(
            get_db(), username, secret, role=role, display_name=name, language=language
        )
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(f"created {user.role.value} user [bold]{user.username}[/]")


@user_app.command("password")
def user_password(username: str) -> None:
    """Set a user's password (asks for it, or reads ORDERFLOW_NEW_PASSWORD); every console
    session of the user ends."""
    secret = os.environ.get("ORDERFLOW_NEW_PASSWORD") or typer.prompt(
        "new password", hide_input=True, confirmation_prompt=True)
    try:
        auth.set_password(get_db(), username, secret)
    except OrderFlowError as exc:
        _fail(exc)
    console.print(f"password changed for [bold]{username}[/]; their sessions are signed out")


@token_app.command("create")
def token_create(
    name: str,
    scope: Annotated[list[str] | None, typer.Option(help="Repeat; default: all scopes")] = None,
) -> None:
    """Create an API token; it is shown once and stored hashed."""
    try:
        token = auth.create_token(get_db(), name, scope or auth.ALL_SCOPES)
    except OrderFlowError as exc:
        _fail(exc)
        return
    console.print(token)
    err.print("[dim]store it now: only its hash is kept[/]")


@app.command()
def doctor(
    repair: Annotated[bool, typer.Option(help="Repair stock drift from the reservations")] = False,
) -> None:
    """Check configuration, database, migrations and the stock ledger; explain what is wrong."""
    ok = checks.run(get_settings(), console=console, repair=repair)
    raise typer.Exit(0 if ok else 1)


if __name__ == "__main__":
    app()
