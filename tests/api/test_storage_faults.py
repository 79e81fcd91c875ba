"""The database misbehaving under the API and the worker: a full disk under SQLite
(simulated with PRAGMA max_page_count, never by filling the real disk) and PostgreSQL
connections cut mid-run (pg_terminate_backend; the shared server is never restarted)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select

from orderflow import worker
from orderflow.db import Db
from orderflow.notify.models import Notice, NoticeState
from orderflow.orders.models import Order
from orderflow.outbox import OutboxMessage
from tests.builders.orders import order_body
from tests.conftest import PG_ADMIN
from tests.support.channels import RecordingChannel


def cap_pages(db: Db, limit: dict[str, int]) -> None:
    """Every new connection gets PRAGMA max_page_count = limit["pages"] (0: no cap)."""
    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        if limit["pages"]:
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA max_page_count = {limit['pages']}")
            cur.close()
    db.engine.dispose()


def counts(db: Db) -> tuple[int, int]:
    with db.read() as s:
        return (s.scalar(select(func.count()).select_from(Order)) or 0,
                s.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def test_a_full_disk_answers_503_saves_nothing_and_the_worker_resumes(db, settings, client):
    if db.dialect != "sqlite":
        pytest.skip("a full disk is simulated with SQLite's max_page_count")
    with db.read() as s:
        pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
    limit = {"pages": int(pages)}
    cap_pages(db, limit)

    answers = [client.post("/api/v1/orders", json=order_body()) for _ in range(40)]
    full = [r for r in answers if r.status_code == 503]
    made = [r for r in answers if r.status_code == 201]

    assert full, [r.status_code for r in answers]
    assert {r.status_code for r in answers} <= {201, 503}
    assert full[0].headers["content-type"] == "application/problem+json"
    assert full[0].headers["retry-after"] == "60"
    assert full[0].json()["code"] == "storage.full"
    assert "disk is full" in full[0].json()["detail"]
    assert counts(db)[0] == len(made)  # nothing half-written: one order per 201
    sms, email = RecordingChannel(), RecordingChannel("email")
    jobs = worker.default_jobs(db, settings, {"sms": sms, "email": email})
    jobs = [j for j in jobs if j.name in ("notify.fan_out", "notify.deliver")]
    worker.run_once(jobs)  # fails inside, logs, does not die

    limit["pages"] = 0
    db.engine.dispose()
    after = client.post("/api/v1/orders", json=order_body())
    for _ in range(30):
        for job in jobs:
            job.next_at = 0.0
        if worker.run_once(jobs) == 0:
            break

    assert after.status_code == 201
    assert counts(db)[0] == len(made) + 1
    with db.read() as s:
        unsent = s.scalar(select(func.count()).where(Notice.state == NoticeState.QUEUED))
    assert unsent == 0
    told = [m.event_type for m in sms.sent + email.sent]
    assert told == ["order.received"] * (len(made) + 1)  # every order's, once


def test_postgres_connections_cut_mid_run_the_web_and_the_worker_carry_on(db, settings, client):
    if db.dialect != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    sms, email = RecordingChannel(), RecordingChannel("email")
    jobs = worker.default_jobs(db, settings, {"sms": sms, "email": email})
    jobs = [j for j in jobs if j.name in ("notify.fan_out", "notify.deliver")]
    assert client.post("/api/v1/orders", json=order_body()).status_code == 201
    worker.run_once(jobs)

    name = db.engine.url.database
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        cut = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()
    answers = [client.post("/api/v1/orders", json=order_body()).status_code for _ in range(3)]
    for _ in range(10):
        for job in jobs:
            job.next_at = 0.0
        worker.run_once(jobs)

    assert cut is not None and cut[0] >= 1
    assert answers == [201, 201, 201]
    assert counts(db)[0] == 4
    assert [m.event_type for m in sms.sent + email.sent] == ["order.received"] * 4
