from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from rich.console import Console
from sqlalchemy import update

from orderflow import clock, doctor, worker
from orderflow.db import Db
from orderflow.inventory.models import StockLevel
from orderflow.orders import queries
from orderflow.orders.models import Order
from tests.builders.orders import make_catalog, make_order
from tests.support.server import refused_url

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def run_doctor(db, settings, repair=False):
    out = StringIO()
    ok = doctor.run(
        settings,
        console=Console(file=out, width=200),
        repair=repair,
        db_factory=lambda _url: Db(db.url),
    )
    return ok, out.getvalue()


def test_doctor_is_happy_with_a_consistent_database(db, settings):
    make_catalog(db)
    make_order(db, settings, lines=[("SKU-1", 2)], path=["paid", "approved", "allocated"])

    ok, text = run_doctor(db, settings)

    assert ok, text
    assert "stock ledger: stock figures agree" in text


def test_doctor_explains_stock_drift_and_repairs_it(db, settings):
    make_catalog(db, {"SKU-1": 10})
    make_order(db, settings, lines=[("SKU-1", 3)])
    with db.transaction() as s:
        s.execute(update(StockLevel).where(StockLevel.on_hand == 10).values(reserved=5))

    ok, text = run_doctor(db, settings)

    assert not ok
    assert (
        "SKU-1 @ SH: stock says reserved=5, live reservations hold 3 (2 more than they should)"
        in text
    )
    ok, text = run_doctor(db, settings, repair=True)
    assert "repaired 1 stock rows" in text
    ok, text = run_doctor(db, settings)
    assert ok, text


def test_doctor_reports_an_unreachable_database(settings):
    with refused_url("") as url:
        bad = replace(settings, database_url=url.replace("http://", "postgresql://nobody@")
                      + "/none")
        ok = doctor.run(bad, console=Console(file=StringIO()), repair=False)

    assert not ok


def test_worker_job_cancels_orders_past_their_payment_deadline(db, settings):
    make_catalog(db, {"SKU-1": 5})
    number = make_order(db, settings, lines=[("SKU-1", 2)])
    with db.transaction() as s:
        s.execute(update(Order).values(payment_deadline_at=clock.utcnow() - timedelta(minutes=1)))

    jobs = [j for j in worker.default_jobs(db, settings, channels={})
            if j.name.startswith("orders.")]
    worker.run_once(jobs)

    with db.read() as s:
        assert queries.get_order(s, number).status.value == "cancelled"
