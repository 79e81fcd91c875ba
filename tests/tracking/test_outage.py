"""A tracking provider that is down: polling pauses behind its circuit, the numbers keep
their schedule (no back-off spent), one probe goes out, and staff are told."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from orderflow import clock
from orderflow.circuits import Circuit, CircuitState
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import outages, service
from orderflow.tracking import tasks
from orderflow.tracking.adapters.kuaidi100 import Kuaidi100Error
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import ShipmentTracking
from tests.builders.orders import make_catalog
from tests.tracking.helpers import ship


class Provider:
    def __init__(self) -> None:
        self.down = True
        self.calls = 0

    def query(self, carrier: str, number: str, phone: str | None) -> list:  # type: ignore[type-arg]
        self.calls += 1
        if self.down:
            raise httpx.ConnectError("connection refused")
        return []


def rows(db: Db) -> list[tuple[int, int]]:
    with db.read() as s:
        return [(r.poll_failures, r.poll_interval_s) for r in s.scalars(
            select(ShipmentTracking).order_by(ShipmentTracking.shipment_id))]


def test_polling_pauses_while_the_provider_is_down_and_resumes_after_one_probe(
        db: Db, settings: Settings, tracking_settings: TrackingSettings) -> None:
    make_catalog(db)
    mode = replace(tracking_settings, provider="kuaidi100", kuaidi100_mode="poll")
    for i in range(3):
        ship(db, settings, carrier="YTO", tracking_number=f"YT969308363979{i}",
             tracking_settings=mode)
    before = rows(db)
    later = datetime.now(UTC) + timedelta(hours=1)
    provider = Provider()

    tasks.poll_due(db, "kuaidi100", provider.query, now=later)
    tasks.poll_due(db, "kuaidi100", provider.query, now=later)

    assert provider.calls == 1  # one failure opened it; the second run did not call
    assert rows(db) == before  # no back-off spent on the numbers
    with db.read() as s:
        assert s.get_one(Circuit, "tracking:kuaidi100").state is CircuitState.OPEN
    outages.watch_circuits(db)
    assert [a.kind for a in service.open_alerts(db)] == [outages.OPENED]

    provider.down = False
    clock.advance(timedelta(seconds=11))
    tasks.poll_due(db, "kuaidi100", provider.query, now=later)
    tasks.poll_due(db, "kuaidi100", provider.query, now=later)

    assert provider.calls == 1 + 3
    with db.read() as s:
        assert s.get_one(Circuit, "tracking:kuaidi100").state is CircuitState.CLOSED
    outages.watch_circuits(db)
    assert [a.kind for a in service.open_alerts(db)] == [outages.CLOSED]


@pytest.mark.parametrize(("exc", "down"), [
    (httpx.ConnectError("refused"), True), (httpx.ReadTimeout("slow"), True),
    (ValueError("Expecting value: line 1 column 1"), True),
    (Kuaidi100Error("601", "customer不存在或已过期"), True),
    (Kuaidi100Error("503", "验证签名失败"), True),
    (Kuaidi100Error("503", "查询过于频繁，单号已锁定24小时"), False),
    (Kuaidi100Error("500", "查询无结果，请隔段时间再查"), False)])
def test_which_tracking_failures_are_the_providers(exc: Exception, down: bool) -> None:
    assert tasks.provider_down(exc) is down


class DownAfterShip:
    def __init__(self) -> None:
        self.calls = 0

    def create_tracking(self, carrier: str, number: str, *, order_number: str) -> bool:
        self.calls += 1
        raise httpx.ConnectTimeout("timed out")


def test_aftership_registration_waits_behind_its_circuit(
        db: Db, settings: Settings, tracking_settings: TrackingSettings) -> None:
    make_catalog(db)
    mode = replace(tracking_settings, provider="aftership")
    for i in range(3):
        ship(db, settings, carrier="DHL", tracking_number=f"123456789{i}", tracking_settings=mode)
    before = rows(db)
    client = DownAfterShip()
    later = datetime.now(UTC) + timedelta(hours=1)

    tasks.register_aftership(db, client, now=later)  # type: ignore[arg-type]
    tasks.register_aftership(db, client, now=later)  # type: ignore[arg-type]

    assert client.calls == 1
    assert rows(db) == before
    with db.read() as s:
        assert s.get_one(Circuit, "tracking:aftership").state is CircuitState.OPEN
