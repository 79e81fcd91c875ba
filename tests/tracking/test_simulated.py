"""The simulated carrier: plans at configurable rates, events over demo time, signed pushes
to our hook over real HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import httpx
import pytest

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.tracking import simulator
from orderflow.tracking.adapters import simulated
from orderflow.tracking.adapters.simulated import Rates
from orderflow.tracking.config import TrackingSettings, parse_rates
from tests.tracking.helpers import (
    T0,
    order_status,
    outbox_kinds,
    ship,
    shipment,
    stored_events,
)

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def test_a_plan_is_the_same_for_the_same_number() -> None:
    assert simulated.plan("SIM000000000042") == simulated.plan("SIM000000000042")


@pytest.mark.parametrize(("rates", "kind"), [
    (Rates(lost=1.0), "lost"), (Rates(lost=0, damaged=1.0), "damaged"),
    (Rates(lost=0, damaged=0, returned=1.0), "returned"),
    (Rates(0, failed_attempt=1.0, lost=0, damaged=0, returned=0), "failed_attempt"),
    (Rates(delay=1.0, failed_attempt=0, lost=0, damaged=0, returned=0), "delayed"),
    (Rates(0, 0, 0, 0, 0), "normal"),
])
def test_the_rates_decide_what_happens_to_a_parcel(rates: Rates, kind: str) -> None:
    kinds = {simulated.scenario(simulated.plan(f"SIM{n}", rates=rates)) for n in range(20)}

    assert kinds == {kind}


def test_the_default_rates_give_every_kind_of_parcel_in_roughly_their_share() -> None:
    kinds = [simulated.scenario(simulated.plan(f"SIM{n:012d}")) for n in range(4000)]

    share = {k: kinds.count(k) / len(kinds) for k in set(kinds)}

    assert set(share) == {"normal", "delayed", "failed_attempt", "lost", "damaged", "returned"}
    assert 0.01 <= share["lost"] <= 0.03 and 0.06 <= share["failed_attempt"] <= 0.10


def test_events_come_due_over_demo_time() -> None:
    handed = T0
    rates = Rates(0, 0, 0, 0, 0)

    early = simulated.due_events("SIM1", handed, handed + timedelta(hours=1), rates=rates)
    fast = simulated.due_events("SIM1", handed, handed + timedelta(minutes=10), rates=rates,
                                speed=360)

    assert [e.raw_code for e in early] == ["created"]
    assert [e.raw_code for e in fast][-1] == "delivered"
    assert fast == sorted(fast, key=lambda e: e.occurred_at)


def test_rates_are_read_from_their_setting_and_checked() -> None:
    assert parse_rates("lost=0.5, delay=0") == Rates(delay=0, lost=0.5)
    with pytest.raises(ValueError, match="unknown"):
        parse_rates("stolen=0.1")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_rates("lost=2")


def test_the_simulator_pushes_due_events_and_the_order_follows(
        db: Db, settings: Settings, base_url: str, tracking_settings: TrackingSettings) -> None:
    quiet = replace(tracking_settings, sim_speed=1.0,
                    sim_rates="delay=0,failed_attempt=0,lost=0,damaged=0,returned=0")
    parcel = ship(db, settings, carrier="SIM", tracking_number="SIM000000000007",
                  tracking_settings=quiet)
    handed = ship_time(db, parcel.shipment_id)

    first = simulator.run_once(db, quiet, base_url=base_url, now=handed + timedelta(hours=42))
    between = order_status(db, parcel.number)
    second = simulator.run_once(db, quiet, base_url=base_url, now=handed + timedelta(hours=60))
    again = simulator.run_once(db, quiet, base_url=base_url, now=handed + timedelta(hours=60))

    assert (first, second, again) == (1, 1, 0)
    assert between == "out_for_delivery"
    assert stored_events(db, parcel.shipment_id)[-1] == ("delivered", "delivered")
    assert order_status(db, parcel.number) == "delivered"
    assert outbox_kinds(db, parcel.number)[-2:] == ["order.out_for_delivery", "order.delivered"]


def test_a_simulated_push_with_a_bad_signature_is_refused(
        db: Db, settings: Settings, base_url: str) -> None:
    parcel = ship(db, settings, carrier="SIM", tracking_number="SIM000000000008")
    body = simulated.body_for(parcel.tracking_number, "SIM", simulated.due_events(
        parcel.tracking_number, ship_time(db, parcel.shipment_id),
        ship_time(db, parcel.shipment_id) + timedelta(hours=10)))

    reply = httpx.post(f"{base_url}/api/carrier-hooks/simulated", content=body,
                       headers={simulated.HEADER: simulated.signature("wrong", body)})

    assert reply.status_code == 401
    assert stored_events(db, parcel.shipment_id) == []


def ship_time(db: Db, shipment_id: int) -> datetime:
    return shipment(db, shipment_id).shipped_at
