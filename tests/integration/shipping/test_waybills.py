"""Waybills on a real database, against the built-in carrier and a real local HTTP fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import Conflict, ValidationFailed
from orderflow.orders import queries
from orderflow.shipping import service, tracking_numbers, waybills
from orderflow.shipping.models import AdapterKind, Carrier
from orderflow.shipping.schemas import ManualWaybillIn, PreferencesIn
from tests.builders.orders import STAFF, make_order
from tests.fakes.server import serve
from tests.fakes.sim_carrier import FakeSimCarrier
from tests.integration.shipping.conftest import JAPAN
from tests.support.server import refused_url

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def _designate(db: Db, number: str, code: str) -> None:
    service.set_preferences(db, number, PreferencesIn(designated_carrier=code), actor=STAFF)


def _set_adapter(db: Db, code: str, adapter: AdapterKind, url: str | None = None) -> None:
    with db.transaction() as s:
        s.execute(update(Carrier).where(Carrier.code == code)
                  .values(adapter=adapter, endpoint_url=url))


def _timeline(db: Db, number: str, kind: str) -> list[dict[str, object]]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return [e.data for e in queries.timeline_of(s, order.id) if e.kind == kind]


@pytest.fixture
def fake(carriers: Db) -> Iterator[tuple[FakeSimCarrier, str]]:
    carrier = FakeSimCarrier()
    with serve(carrier) as url:
        _set_adapter(carriers, "ZTO", AdapterKind.HTTP, url)
        yield carrier, url


def test_the_built_in_carrier_issues_valid_numbers_once_per_parcel(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, [("SKU-1", 2)], path=["approved"])
    _designate(carriers, number, "SF")

    first = waybills.issue(carriers, number, actor=STAFF, parcel_count=2, weight_g=700)
    again = waybills.issue(carriers, number, actor=STAFF, parcel_count=2, weight_g=700)

    numbers = [w.tracking_number for w in first]
    assert [w.tracking_number for w in again] == numbers
    assert [(w.parcel_no, w.parcel_count, w.state) for w in first] == [
        (1, 2, "issued"), (2, 2, "issued")]
    assert len(set(numbers)) == 2
    for tracking in numbers:
        assert tracking is not None
        check = tracking_numbers.check_cn(tracking, "sf")
        assert check.accepted and check.warnings == ()
    assert [d["tracking_number"] for d in _timeline(carriers, number, "waybill.issued")] == numbers


def test_the_international_carrier_issues_numbers_with_a_valid_check_digit(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, path=["approved"], **JAPAN)

    tracking = waybills.issue(carriers, number, actor=STAFF)[0].tracking_number

    assert tracking is not None
    assert tracking_numbers.validate(tracking, "dhl").ok


def test_a_retry_after_a_timeout_reconciles_and_never_issues_a_second_waybill(
    carriers: Db, settings: Settings, fake: tuple[FakeSimCarrier, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carrier, _url = fake
    monkeypatch.setenv("ORDERFLOW_CARRIER_TIMEOUT", "0.3")
    number = make_order(carriers, settings, path=["approved"])
    _designate(carriers, number, "ZTO")
    carrier.stall_after_issue = 1.0

    with pytest.raises(waybills.WaybillPending, match="did not answer"):
        waybills.issue(carriers, number, actor=STAFF)
    pending = waybills.list_waybills(carriers, number)
    carrier.stall_after_issue = 0.0
    done = waybills.issue(carriers, number, actor=STAFF)

    assert [(w.state, w.tracking_number) for w in pending] == [("requested", None)]
    assert len(carrier.issued) == 1
    assert carrier.parcels(number) == [done[0].tracking_number]
    assert carrier.lookups == [carrier.issued[0]["request_id"]]
    assert [(w.id, w.state) for w in done] == [(pending[0].id, "issued")]


def test_a_retry_after_the_carrier_was_unreachable_asks_once_then_creates(
    carriers: Db, settings: Settings, fake: tuple[FakeSimCarrier, str]
) -> None:
    carrier, url = fake
    number = make_order(carriers, settings, path=["approved"])
    _designate(carriers, number, "ZTO")
    with refused_url("") as nobody_listens:
        _set_adapter(carriers, "ZTO", AdapterKind.HTTP, nobody_listens)
        with pytest.raises(waybills.WaybillPending):
            waybills.issue(carriers, number, actor=STAFF)
    _set_adapter(carriers, "ZTO", AdapterKind.HTTP, url)
    done = waybills.issue(carriers, number, actor=STAFF)

    assert carrier.parcels(number) == [done[0].tracking_number]
    assert len(carrier.lookups) == 1


def test_void_cancels_with_the_carrier_and_reissue_gets_a_new_number(
    carriers: Db, settings: Settings, fake: tuple[FakeSimCarrier, str]
) -> None:
    carrier, _url = fake
    number = make_order(carriers, settings, path=["approved"])
    _designate(carriers, number, "ZTO")
    old = waybills.issue(carriers, number, actor=STAFF)[0]

    after = waybills.void(carriers, old.id, reason="label smudged", actor=STAFF, reissue=True)

    assert carrier.cancelled == [old.tracking_number]
    assert [(w.id, w.state) for w in after] == [(old.id, "voided"), (old.id + 1, "issued")]
    assert after[1].tracking_number not in (None, old.tracking_number)
    assert _timeline(carriers, number, "waybill.voided")[0]["tracking_number"] == (
        old.tracking_number)
    with pytest.raises(Conflict, match="already void"):
        waybills.void(carriers, old.id, reason="again", actor=STAFF)


def test_a_refusing_carrier_leaves_nothing_issued(
    carriers: Db, settings: Settings, fake: tuple[FakeSimCarrier, str]
) -> None:
    carrier, _url = fake
    number = make_order(carriers, settings, path=["approved"], shipping_address={
        "country": "CN", "province": "浙江省", "city": "杭州市", "district": "西湖区",
        "detail": "文三路 ****"})
    _designate(carriers, number, "ZTO")

    with pytest.raises(waybills.WaybillRefused, match="脱敏"):
        waybills.issue(carriers, number, actor=STAFF)

    assert carrier.issued == []
    assert [w.state for w in waybills.list_waybills(carriers, number)] == ["requested"]


def test_manual_numbers_warn_on_odd_domestic_formats_and_refuse_bad_check_digits(
    carriers: Db, settings: Settings
) -> None:
    domestic = make_order(carriers, settings, path=["approved"])
    abroad = make_order(carriers, settings, path=["approved"])
    _set_adapter(carriers, "YTO", AdapterKind.MANUAL)
    _designate(carriers, domestic, "YTO")

    with pytest.raises(waybills.ManualEntryRequired):
        waybills.issue(carriers, domestic, actor=STAFF)
    odd = waybills.record_manual(carriers, domestic, ManualWaybillIn(tracking_number="yt 12345"),
                                 actor=STAFF)
    with pytest.raises(ValidationFailed) as bad:
        waybills.record_manual(carriers, abroad, ManualWaybillIn(tracking_number="3318810026"),
                               actor=STAFF, carrier_code="DHL")
    good = waybills.record_manual(carriers, abroad,
                                  ManualWaybillIn(tracking_number="3318810025"), actor=STAFF,
                                  carrier_code="dhl")
    with pytest.raises(ValidationFailed) as dup:
        waybills.record_manual(carriers, domestic, ManualWaybillIn(
            tracking_number="3318810025", parcel_no=2, parcel_count=2), actor=STAFF)

    assert (odd.state, odd.tracking_number) == ("issued", "YT12345")
    assert odd.warnings and "not a known yto format" in odd.warnings[0]
    assert [(p.field, p.code) for p in bad.value.fields] == [
        ("tracking_number", "tracking.checksum")]
    assert "should be 5" in bad.value.fields[0].message
    assert (good.carrier_code, good.tracking_number, good.warnings) == ("DHL", "3318810025", [])
    assert [p.code for p in dup.value.fields] == ["tracking.duplicate"]


def test_an_order_not_yet_approved_gets_no_waybill(carriers: Db, settings: Settings) -> None:
    unpaid = make_order(carriers, settings)

    with pytest.raises(Conflict) as refused:
        waybills.issue(carriers, unpaid, actor=STAFF)

    assert refused.value.code == "waybill.order_state"
    assert waybills.list_waybills(carriers, unpaid) == []


def test_a_second_parcel_added_later_renumbers_the_first_and_fewer_parcels_are_refused(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, path=["approved"])
    [first] = waybills.issue(carriers, number, actor=STAFF)

    both = waybills.issue(carriers, number, actor=STAFF, parcel_count=2)
    with pytest.raises(Conflict, match=r"parcels \[2\]"):
        waybills.issue(carriers, number, actor=STAFF, parcel_count=1)

    assert [(w.id, w.parcel_no, w.parcel_count) for w in both] == [
        (first.id, 1, 2), (first.id + 1, 2, 2)]
    assert both[0].tracking_number == first.tracking_number


def test_voiding_a_pending_request_cancels_what_the_carrier_issued_meanwhile(
    carriers: Db, settings: Settings, fake: tuple[FakeSimCarrier, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carrier, _url = fake
    monkeypatch.setenv("ORDERFLOW_CARRIER_TIMEOUT", "0.3")
    number = make_order(carriers, settings, path=["approved"])
    _designate(carriers, number, "ZTO")
    carrier.stall_after_issue = 1.0
    with pytest.raises(waybills.WaybillPending):
        waybills.issue(carriers, number, actor=STAFF)
    carrier.stall_after_issue = 0.0
    [pending] = waybills.list_waybills(carriers, number)

    after = waybills.void(carriers, pending.id, reason="order changed", actor=STAFF)

    assert carrier.cancelled == carrier.parcels(number)
    assert [w.state for w in after] == ["voided"]
