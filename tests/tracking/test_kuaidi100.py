"""快递100: subscription push and real-time query against a local 快递100 built from its docs."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.tracking import tasks
from orderflow.tracking.adapters import kuaidi100
from orderflow.tracking.adapters.kuaidi100 import Kuaidi100Client, Kuaidi100Error
from orderflow.tracking.config import TrackingSettings
from orderflow.tracking.models import ShipmentTracking, TrackingStatus
from tests.builders.orders import make_catalog
from tests.fakes.kuaidi100 import FakeKuaidi100
from tests.fakes.server import serve
from tests.tracking import helpers
from tests.tracking.conftest import KD_CUSTOMER, KD_KEY, KD_SALT
from tests.tracking.helpers import TRACKING, order_status, outbox_kinds, shipment, stored_events


def ship(db: Db, settings: Settings, **kw: object) -> helpers.Parcel:
    """A parcel tracked by kuaidi100: only kuaidi100's pushes and polls may move it."""
    kw.setdefault("tracking_settings", replace(TRACKING, provider="kuaidi100"))
    return helpers.ship(db, settings, **kw)  # type: ignore[arg-type]

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

T = TrackingStatus


@pytest.fixture
def fake() -> FakeKuaidi100:
    return FakeKuaidi100(customer=KD_CUSTOMER, key=KD_KEY)


@pytest.fixture
def fake_url(fake: FakeKuaidi100) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
def client(fake_url: str) -> Kuaidi100Client:
    return Kuaidi100Client(KD_CUSTOMER, KD_KEY, base_url=fake_url)


def subscribed(fake: FakeKuaidi100, client: Kuaidi100Client, base_url: str, number: str) -> None:
    client.subscribe("SF", number, callback_url=f"{base_url}/api/carrier-hooks/kuaidi100",
                     salt=KD_SALT, phone="13800138000")
    fake.scan(number, "shunfeng", "2026-12-01 09:10:00", "【杭州市】顺丰速运 已收取快件",
              state="1", code="103", area="浙江省,杭州市")


def test_the_documented_state_codes_map_to_normalised_statuses() -> None:
    cases = {"0": T.IN_TRANSIT, "1": T.IN_TRANSIT, "2": T.EXCEPTION, "3": T.DELIVERED,
             "4": T.RETURNED, "5": T.OUT_FOR_DELIVERY, "6": T.RETURNING, "14": T.RETURNING,
             "101": T.INFO_RECEIVED, "103": T.IN_TRANSIT, "501": T.OUT_FOR_DELIVERY,
             "301": T.DELIVERED, "209": T.EXCEPTION, "206": T.DELIVERY_ATTEMPTED}

    got = {code: kuaidi100.normalise_item(
        {"context": "x", "ftime": "2026-12-01 08:00:00", "statusCode": code}, "0").status
        for code in cases}

    assert got == cases


def test_china_time_is_converted_to_utc() -> None:
    assert kuaidi100.china_time("2026-12-01 08:30:00") == datetime(2026, 12, 1, 0, 30,
                                                                    tzinfo=UTC)


def test_a_signed_push_is_stored_and_moves_the_order(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626292")
    subscribed(fake, client, base_url, parcel.tracking_number)

    status, answer = fake.push(parcel.tracking_number)

    assert (status, answer) == (200, {"result": True, "returnCode": "200", "message": "成功"})
    assert stored_events(db, parcel.shipment_id) == [("in_transit", "103")]
    assert order_status(db, parcel.number) == "in_transit"


def test_the_full_history_pushed_again_stores_only_the_new_scan(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626293")
    subscribed(fake, client, base_url, parcel.tracking_number)
    fake.push(parcel.tracking_number)
    fake.push(parcel.tracking_number)
    fake.scan(parcel.tracking_number, "shunfeng", "2026-12-02 08:00:00",
              "【杭州市】快递员正在派件", state="5", code="5")

    fake.push(parcel.tracking_number)

    assert stored_events(db, parcel.shipment_id) == [("in_transit", "103"),
                                                     ("out_for_delivery", "5")]
    assert order_status(db, parcel.number) == "out_for_delivery"
    assert outbox_kinds(db, parcel.number).count("order.out_for_delivery") == 1


def test_an_older_scan_arriving_late_is_placed_by_time_and_moves_nothing_back(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626294")
    subscribed(fake, client, base_url, parcel.tracking_number)
    fake.scan(parcel.tracking_number, "shunfeng", "2026-12-02 08:00:00", "快递员正在派件",
              state="5")
    fake.push(parcel.tracking_number)
    fake.scan(parcel.tracking_number, "shunfeng", "2026-12-01 20:00:00",
              "快件到达【杭州转运中心】", state="0")

    fake.push(parcel.tracking_number)

    assert stored_events(db, parcel.shipment_id) == [
        ("in_transit", "103"), ("in_transit", "0"), ("out_for_delivery", "5")]
    assert order_status(db, parcel.number) == "out_for_delivery"


def test_a_push_with_a_bad_signature_is_refused_and_nothing_is_stored(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626295")
    subscribed(fake, client, base_url, parcel.tracking_number)

    status, answer = fake.push(parcel.tracking_number, salt="not-the-salt")

    assert status == 401
    assert answer["code"] == "carrier_hook.bad_signature"
    assert stored_events(db, parcel.shipment_id) == []
    assert order_status(db, parcel.number) == "shipped"


def test_subscribing_twice_is_accepted_as_already_subscribed(
        fake: FakeKuaidi100, client: Kuaidi100Client) -> None:
    ok = client.subscribe("ZTO", "73100000000001", callback_url="http://x/cb", salt="s")
    again = client.subscribe("ZTO", "73100000000001", callback_url="http://x/cb", salt="s")

    assert (ok, again) == (True, True)
    assert fake.subscriptions["73100000000001"].company == "zhongtong"
    assert fake.refused == ["501"]


def test_a_subscription_with_a_wrong_key_is_an_error(fake_url: str) -> None:
    wrong = Kuaidi100Client(KD_CUSTOMER, "wrong-key", base_url=fake_url)

    with pytest.raises(Kuaidi100Error) as err:
        wrong.subscribe("SF", "SF1000000000001", callback_url="http://x/cb", salt="s")

    assert err.value.code == "600"


def test_a_real_time_query_with_a_wrong_key_fails_the_signature(fake_url: str,
                                                                fake: FakeKuaidi100) -> None:
    fake.scan("YT9693083639795", "yuantong", "2026-12-01 09:00:00", "已揽收", state="1")
    wrong = Kuaidi100Client(KD_CUSTOMER, "wrong-key", base_url=fake_url)

    with pytest.raises(Kuaidi100Error) as err:
        wrong.query("YTO", "YT9693083639795")

    assert err.value.code == "503"


def test_polling_stores_new_scans_and_backs_off_when_nothing_changes(
        db: Db, settings: Settings, fake: FakeKuaidi100, client: Kuaidi100Client,
        tracking_settings: TrackingSettings) -> None:
    make_catalog(db)
    parcel = ship(db, settings, carrier="YTO", tracking_number="YT9693083639796",
                  tracking_settings=replace(tracking_settings, provider="kuaidi100",
                                            kuaidi100_mode="poll"))
    fake.scan(parcel.tracking_number, "yuantong", "2026-12-01 09:00:00", "已揽收", state="1")
    later = clock.utcnow() + timedelta(hours=1)
    query = tasks.kuaidi100_query(client)

    first = tasks.poll_due(db, "kuaidi100", query, now=later)
    with db.read() as s:
        after_news = s.get_one(ShipmentTracking, parcel.shipment_id).poll_interval_s
    second = tasks.poll_due(db, "kuaidi100", query, now=later + timedelta(hours=1))
    with db.read() as s:
        row = s.scalars(select(ShipmentTracking)).one()

    assert (first, second) == (1, 1)
    assert stored_events(db, parcel.shipment_id) == [("in_transit", "1")]
    assert (after_news, row.poll_interval_s) == (1800, 3600)
    assert fake.queries[parcel.tracking_number] == 2


def test_a_number_queried_too_often_is_locked(fake_url: str, fake: FakeKuaidi100,
                                              client: Kuaidi100Client) -> None:
    fake.scan("YT9693083639797", "yuantong", "2026-12-01 09:00:00", "已揽收", state="1")
    for _ in range(48):
        client.query("YTO", "YT9693083639797")

    with pytest.raises(Kuaidi100Error) as err:
        client.query("YTO", "YT9693083639797")

    assert err.value.code == "503"


def test_an_abort_push_ends_the_subscription_and_schedules_a_poll(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626296")
    subscribed(fake, client, base_url, parcel.tracking_number)
    with db.transaction() as s:
        s.get_one(ShipmentTracking, parcel.shipment_id).subscribed_at = clock.utcnow()

    status, _ = fake.push(parcel.tracking_number, status="abort")

    with db.read() as s:
        row = s.get_one(ShipmentTracking, parcel.shipment_id)
    assert status == 200
    assert row.subscribed_at is None
    assert row.next_poll_at is not None and row.next_poll_at > clock.utcnow()


def test_the_same_push_racing_in_parallel_is_stored_once_and_told_once(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, tracking_number="SF1023574626297")
    subscribed(fake, client, base_url, parcel.tracking_number)
    fake.scan(parcel.tracking_number, "shunfeng", "2026-12-02 08:00:00", "快递员正在派件",
              state="5")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: fake.push(parcel.tracking_number)[0], range(8)))

    assert answers == [200] * 8
    assert stored_events(db, parcel.shipment_id) == [("in_transit", "103"),
                                                     ("out_for_delivery", "5")]
    assert order_status(db, parcel.number) == "out_for_delivery"
    assert outbox_kinds(db, parcel.number).count("order.out_for_delivery") == 1


def test_a_carrier_corrected_by_autocheck_is_recorded_on_the_shipment(
        db: Db, settings: Settings, base_url: str, fake: FakeKuaidi100,
        client: Kuaidi100Client) -> None:
    parcel = ship(db, settings, carrier="YTO", tracking_number="JT0006968326954")
    subscribed(fake, client, base_url, parcel.tracking_number)

    status, _ = fake.push(parcel.tracking_number, com_new="jtexpress")
    again, _ = fake.push(parcel.tracking_number, com_new="jtexpress")

    assert (status, again) == (200, 200)
    assert shipment(db, parcel.shipment_id).carrier == "JT"
    # the customer, told YTO in the shipping notice, gets ONE corrected shipping notice
    assert outbox_kinds(db, parcel.number).count("order.shipment_corrected") == 1
