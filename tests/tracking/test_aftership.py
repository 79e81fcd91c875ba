"""AfterShip tracking webhooks against a local AfterShip built from its docs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.tracking import tasks
from orderflow.tracking.adapters import aftership
from orderflow.tracking.adapters.aftership import AfterShipClient
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import TrackingStatus
from tests.fakes.aftership import FakeAfterShip
from tests.fakes.server import serve
from tests.tracking import helpers
from tests.tracking.conftest import AS_KEY, AS_SECRET
from tests.tracking.helpers import TRACKING, order_status, outbox_kinds, shipment, stored_events


def ship(db: Db, settings: Settings, **kw: object) -> helpers.Parcel:
    """A parcel tracked by aftership: only aftership's pushes and polls may move it."""
    kw.setdefault("tracking_settings", replace(TRACKING, provider="aftership"))
    return helpers.ship(db, settings, **kw)  # type: ignore[arg-type]

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

T = TrackingStatus


@pytest.fixture
def fake(base_url: str) -> FakeAfterShip:
    return FakeAfterShip(AS_KEY, AS_SECRET, webhook_url=f"{base_url}/api/carrier-hooks/aftership")


@pytest.fixture
def fake_url(fake: FakeAfterShip) -> Iterator[str]:
    with serve(fake) as url:
        yield url


def registered(db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str, number: str):
    parcel = ship(db, settings, carrier="DHL", tracking_number=number)
    AfterShipClient(AS_KEY, base_url=fake_url).create_tracking("DHL", number,
                                                               order_number=parcel.number)
    return parcel


def test_tags_and_subtags_map_to_normalised_statuses_and_problems() -> None:
    cases = {("InTransit", "InTransit_002"): (T.IN_TRANSIT, None),
             ("OutForDelivery", "OutForDelivery_001"): (T.OUT_FOR_DELIVERY, None),
             ("AttemptFail", "AttemptFail_001"): (T.DELIVERY_ATTEMPTED, "other"),
             ("Delivered", "Delivered_001"): (T.DELIVERED, None),
             ("Exception", "Exception_010"): (T.RETURNING, "returned"),
             ("Exception", "Exception_011"): (T.RETURNED, "returned"),
             ("Exception", "Exception_012"): (T.EXCEPTION, "damaged"),
             ("Exception", "Exception_013"): (T.EXCEPTION, "lost"),
             ("InfoReceived", "InfoReceived_001"): (T.INFO_RECEIVED, None)}

    got = {key: (e.status, e.problem) for key in cases
           for e in [aftership.normalise_checkpoint(
               {"checkpoint_time": "2026-12-01T10:00:00+08:00", "tag": key[0],
                "subtag": key[1], "message": "m"})]}

    assert got == cases


def test_checkpoint_times_with_offsets_become_utc() -> None:
    event = aftership.normalise_checkpoint({"checkpoint_time": "2026-12-01T10:00:00+08:00",
                                            "tag": "InTransit", "subtag": "InTransit_002"})

    assert event.occurred_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert event.pickup is True


def test_a_signed_webhook_moves_the_order_and_sets_the_eta(
        db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str) -> None:
    parcel = registered(db, settings, fake, fake_url, "1234567890")
    fake.checkpoint("1234567890", "2026-12-01T10:00:00+08:00", "InTransit", "InTransit_002",
                    "Shipment picked up", "HANGZHOU - CHINA")
    fake.checkpoint("1234567890", "2026-12-03T09:00:00+01:00", "OutForDelivery",
                    "OutForDelivery_001", "With delivery courier", "LONDON - UK")

    status, answer = fake.send(fake.body("1234567890",
                                         expected_delivery="2026-12-03T18:00:00+01:00"))

    assert (status, answer) == (200, {"received": True, "known": True})
    assert stored_events(db, parcel.shipment_id) == [("in_transit", "InTransit_002"),
                                                     ("out_for_delivery", "OutForDelivery_001")]
    assert order_status(db, parcel.number) == "out_for_delivery"
    assert shipment(db, parcel.shipment_id).estimated_delivery_at == datetime(
        2026, 12, 3, 17, 0, tzinfo=UTC)


def test_the_same_webhook_twice_is_stored_once_and_owes_one_notice(
        db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str) -> None:
    parcel = registered(db, settings, fake, fake_url, "1234567891")
    fake.checkpoint("1234567891", "2026-12-01T10:00:00+08:00", "InTransit", "InTransit_002",
                    "Shipment picked up")
    fake.checkpoint("1234567891", "2026-12-04T11:00:00+01:00", "Delivered", "Delivered_001",
                    "Delivered")
    body = fake.body("1234567891")

    first, second = fake.send(body), fake.send(body)

    assert first[0] == second[0] == 200
    assert len(stored_events(db, parcel.shipment_id)) == 2
    assert outbox_kinds(db, parcel.number).count("order.delivered") == 1
    assert order_status(db, parcel.number) == "delivered"


def test_a_late_webhook_with_an_old_checkpoint_does_not_undo_delivery(
        db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str) -> None:
    parcel = registered(db, settings, fake, fake_url, "1234567892")
    fake.checkpoint("1234567892", "2026-12-04T11:00:00+01:00", "Delivered", "Delivered_001",
                    "Delivered")
    fake.send(fake.body("1234567892"))
    fake.checkpoint("1234567892", "2026-12-02T11:00:00+01:00", "InTransit", "InTransit_003",
                    "Arrival scan")

    fake.send(fake.body("1234567892"))

    assert [s for s, _ in stored_events(db, parcel.shipment_id)] == ["in_transit", "delivered"]
    assert order_status(db, parcel.number) == "delivered"


@pytest.mark.parametrize("signature", ["", "bm90LWEtc2lnbmF0dXJl", "wrong-secret"])
def test_a_webhook_with_a_bad_signature_is_refused_and_nothing_is_stored(
        db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str, signature: str) -> None:
    parcel = registered(db, settings, fake, fake_url, "1234567893")
    fake.checkpoint("1234567893", "2026-12-01T10:00:00+08:00", "InTransit", "InTransit_002",
                    "Shipment picked up")
    body = fake.body("1234567893")
    if signature == "wrong-secret":
        signature = fake.sign(body, secret="someone-else")

    status, answer = fake.send(body, signature=signature or " ")

    assert status == 401
    assert answer["code"] == "carrier_hook.bad_signature"
    assert stored_events(db, parcel.shipment_id) == []
    assert order_status(db, parcel.number) == "shipped"


def test_creating_a_tracking_twice_is_accepted(fake: FakeAfterShip, fake_url: str) -> None:
    client = AfterShipClient(AS_KEY, base_url=fake_url)

    assert client.create_tracking("DHL", "9999999999", order_number="X1") is True
    assert client.create_tracking("DHL", "9999999999", order_number="X1") is True
    assert fake.trackings["9999999999"]["slug"] == "dhl"


def test_the_worker_registers_new_numbers_with_aftership_once(
        db: Db, settings: Settings, fake: FakeAfterShip, fake_url: str,
        tracking_settings: TrackingSettings) -> None:
    parcel = ship(db, settings, carrier="DHL", tracking_number="1234567899",
                  tracking_settings=replace(tracking_settings, provider="aftership"))
    later = clock.utcnow() + timedelta(hours=1)
    client = AfterShipClient(AS_KEY, base_url=fake_url)

    first = tasks.register_aftership(db, client, now=later)
    again = tasks.register_aftership(db, client, now=later + timedelta(hours=1))

    assert (first, again) == (1, 0)
    assert fake.trackings["1234567899"]["order_id"] == parcel.number
    assert fake.trackings["1234567899"]["slug"] == "dhl"
