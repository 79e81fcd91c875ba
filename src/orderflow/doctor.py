"""`orderflow doctor`: configuration, database, migrations and the stock ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from sqlalchemy import func, select, text

from orderflow import clock, migrate, outbox
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import outages, watchdogs
from orderflow.notify import service as notify
from orderflow.notify.models import Notice, NoticeState
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.reports import ledger
from orderflow.tracking import config as tracking_config


class Report:
    def __init__(self, console: Console):
        self.console = console
        self.ok = True

    def good(self, what: str) -> None:
        self.console.print(f"[green]✓[/] {what}")

    def bad(self, what: str, fix: str) -> None:
        self.ok = False
        self.console.print(f"[red]✗[/] {what}\n    [dim]→ {fix}[/]")

    def warn(self, what: str) -> None:
        self.console.print(f"[yellow]![/] {what}")


def check_settings(settings: Settings, r: Report) -> None:
    try:
        ZoneInfo(settings.timezone)
        r.good(f"time zone {settings.timezone}")
    except (ZoneInfoNotFoundError, ValueError):
        r.bad(
            f"unknown time zone '{settings.timezone}'", "set ORDERFLOW_TIMEZONE, e.g. Asia/Shanghai"
        )
    if settings.reserve_at not in ("placement", "payment"):
        r.bad(f"ORDERFLOW_RESERVE_AT is '{settings.reserve_at}'", "use 'placement' or 'payment'")
    else:
        r.good(f"stock is reserved at {settings.reserve_at}")
    if settings.unpaid_timeout_minutes <= 0:
        r.bad("ORDERFLOW_UNPAID_TIMEOUT_MINUTES must be positive", "e.g. 30")
    if len(settings.secret_key) < 32:
        r.bad(
            "the secret key is shorter than 32 characters",
            "set ORDERFLOW_SECRET_KEY to a long random value (or delete it to use var/secret.key)",
        )


def _revisions(revs: set[str]) -> str:
    return ", ".join(sorted(revs)) or "none"


def check_database(db: Db, r: Report) -> bool:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any driver error is a finding to report, not to crash on
        r.bad(
            f"cannot reach the database {db.url.split('@')[-1]}: {exc}".splitlines()[0],
            "check ORDERFLOW_DATABASE_URL and that the server is running",
        )
        return False
    heads = set(ScriptDirectory.from_config(migrate.alembic_config(db.url)).get_heads())
    if current != heads:
        r.bad(f"schema is at revision {_revisions(current)}, code expects {_revisions(heads)}",
              "run `orderflow migrate`")
        return False
    r.good(f"database reachable ({db.dialect}), schema at revision {_revisions(heads)}")
    return True


def check_ledger(db: Db, r: Report, repair: bool) -> None:
    with db.read() as s:
        drifts = ledger.check_stock(s)
        line_drifts = ledger.check_lines(s)
        status_drifts = ledger.check_statuses(s)
    for d in drifts:
        r.bad(
            d.explain(),
            "run `orderflow doctor --repair` to reset stock figures to the reservations",
        )
    for ld in line_drifts:
        r.bad(ld.explain(), "inspect the order; line quantities are not repaired automatically")
    for sd in status_drifts:
        r.bad(sd.explain(), "inspect the order; its status is not repaired automatically")
    if not drifts and not line_drifts and not status_drifts:
        r.good("stock ledger: stock figures agree with live reservations and order lines, "
               "and order statuses with their lines")
    if drifts and repair:
        with db.transaction() as s:
            changed = ledger.repair_stock(s)
        r.console.print(f"[green]repaired[/] {changed} stock rows")


def check_backlog(db: Db, r: Report) -> None:
    now = clock.utcnow()
    with db.read() as s:
        overdue = (
            s.scalar(
                select(func.count()).where(
                    Order.status == Status.PENDING_PAYMENT,
                    Order.cod.is_(False),
                    Order.payment_deadline_at < now - timedelta(minutes=5),
                )
            )
            or 0
        )
        pending = outbox.pending_count(s)
    if overdue:
        r.warn(f"{overdue} unpaid orders are past their deadline: is `orderflow worker` running?")
    r.good(f"{pending} owed milestones waiting in the outbox")


def check_notices(db: Db, r: Report) -> None:
    """Notice coverage, dead letters and open alerts: what customers were not told."""
    cover = watchdogs.coverage(db)
    r.good(f"notice coverage (30 days): {cover.shipping_share:.1%} of {cover.shipped} shipped "
           f"orders told within 15 minutes; {cover.confirmation_share:.1%} of {cover.paid} paid "
           "orders confirmed")
    with db.read() as s:
        dead = s.scalar(select(func.count()).where(Notice.state == NoticeState.DEAD)) or 0
    alerts = notify.open_alerts(db)
    if dead:
        r.warn(f"{dead} dead-letter notices: re-send them from Notifications → Dead letters")
    for alert in alerts[:10]:
        r.warn(f"alert [{alert.kind}] {alert.message}")


def check_providers(r: Report) -> None:
    """Tracking providers whose push hook is off for want of a secret (their hook: 404)."""
    tracking = tracking_config.load()
    off = tracking_config.disabled(tracking)
    for provider, reason in off.items():
        active = " (the active tracking provider)" if provider == tracking.provider else ""
        r.warn(f"tracking provider {provider} is disabled{active}: {reason}")
    if tracking.provider not in off:
        r.good(f"tracking provider {tracking.provider} is enabled")


def check_circuits(db: Db, r: Report) -> None:
    """Every provider whose circuit is open: since when, what it holds, the last error."""
    now = clock.utcnow()
    down = outages.backlogs(db)
    for b in down:
        since = clock.as_utc(b.opened_at) if b.opened_at else now
        minutes = int((now - since).total_seconds() // 60)
        held = f"; {b.queued} notices held (oldest {b.age_s(now) // 60} min)" if b.queued else ""
        r.bad(f"circuit open: {b.what} ({b.key}) down for {minutes} min{held}; "
              f"last error: {b.last_error or 'none'}",
              "check the provider (address, credentials, its status page); nothing is lost: "
              "held work goes out at full rate once a probe succeeds")
    if not down:
        r.good("every provider circuit is closed")


def run(
    settings: Settings,
    *,
    console: Console,
    repair: bool = False,
    db_factory: Callable[[str], Db] = Db,
) -> bool:
    r = Report(console)
    check_settings(settings, r)
    check_providers(r)
    db = db_factory(settings.database_url)
    try:
        if check_database(db, r):
            check_ledger(db, r, repair)
            check_backlog(db, r)
            check_notices(db, r)
            check_circuits(db, r)
    finally:
        db.dispose()
    console.print("[bold green]all good[/]" if r.ok else "[bold red]problems found[/]")
    return r.ok
