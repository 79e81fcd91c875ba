"""A carrier's waybill API that is down: after three failures within a minute its circuit
opens, further requests are kept without waiting on the carrier, one probe closes it,
and staff are told both times."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow import clock
from orderflow.circuits import Circuit, CircuitState
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import outages, service
from orderflow.shipping import waybills
from orderflow.shipping.models import AdapterKind
from tests.builders.orders import STAFF, make_order
from tests.fakes.server import serve
from tests.fakes.sim_carrier import FakeSimCarrier
from tests.integration.shipping.test_waybills import _designate, _set_adapter


def state(db: Db) -> CircuitState | None:
    with db.read() as s:
        c = s.get(Circuit, "waybill:ZTO")
        return c.state if c else None


def test_a_carrier_down_opens_its_circuit_and_a_probe_closes_it(
        carriers: Db, settings: Settings) -> None:
    numbers = [make_order(carriers, settings, path=["approved"]) for _ in range(5)]
    for number in numbers:
        _designate(carriers, number, "ZTO")
    _set_adapter(carriers, "ZTO", AdapterKind.HTTP, "http://127.0.0.1:9")  # nobody listens

    for number in numbers[:3]:
        with pytest.raises(waybills.WaybillPending, match="did not answer"):
            waybills.issue(carriers, number, actor=STAFF)
    assert state(carriers) is CircuitState.OPEN
    with pytest.raises(waybills.WaybillPending, match="waybill service is down"):
        waybills.issue(carriers, numbers[3], actor=STAFF)
    outages.watch_circuits(carriers)
    assert [a.message.split(" is down")[0] for a in service.open_alerts(carriers)] == [
        "carrier ZTO waybill API"]

    fake = FakeSimCarrier()
    with serve(fake) as url:
        _set_adapter(carriers, "ZTO", AdapterKind.HTTP, url)
        clock.advance(timedelta(seconds=11))
        issued = [waybills.issue(carriers, n, actor=STAFF)[0].state for n in numbers]

    assert issued == ["issued"] * 5
    assert len(fake.issued) == 5
    assert state(carriers) is CircuitState.CLOSED
    outages.watch_circuits(carriers)
    assert [a.kind for a in service.open_alerts(carriers)] == [outages.CLOSED]


def test_one_failure_then_a_retry_does_not_open_the_circuit(
        carriers: Db, settings: Settings) -> None:
    number = make_order(carriers, settings, path=["approved"])
    _designate(carriers, number, "ZTO")
    _set_adapter(carriers, "ZTO", AdapterKind.HTTP, "http://127.0.0.1:9")

    with pytest.raises(waybills.WaybillPending, match="did not answer"):
        waybills.issue(carriers, number, actor=STAFF)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(waybills.WaybillPending, match="did not answer"):
        waybills.issue(carriers, number, actor=STAFF)

    assert state(carriers) is CircuitState.CLOSED
