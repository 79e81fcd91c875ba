"""Carrier choice on a real database: stored with its reason, readable by the wave builder."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import ValidationFailed
from orderflow.inventory.models import Reservation, Warehouse
from orderflow.orders import queries
from orderflow.orders.models import TimelineEvent
from orderflow.shipping import selection, service
from orderflow.shipping.schemas import PreferencesIn
from tests.builders.orders import STAFF, make_order
from tests.integration.shipping.conftest import JAPAN

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

CHINA = timezone(timedelta(hours=8))
MORNING = datetime(2026, 12, 3, 9, 0, tzinfo=CHINA)


def _address(province: str, country: str = "CN") -> dict[str, object]:
    return {"shipping_address": {"country": country, "province": province, "city": "某市",
                                 "district": "某区", "detail": "某路 1 号"}}


def test_choose_stores_the_cheapest_covering_service_with_its_reason(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, [("SKU-1", 3)], path=["approved"],
                        **_address("广东省"))

    with carriers.transaction() as s:
        order = queries.get_order(s, number)
        chosen = selection.choose(s, order, actor=STAFF, now=MORNING)

    # 3 x 300 g + 100 g packaging = 1000 g: ZTO zone 2 first weight 6.00
    assert (chosen.carrier_code, chosen.service, chosen.quote_minor, chosen.weight_g) == (
        "ZTO", "standard", 600, 1000)
    assert chosen.estimated_delivery == date(2026, 12, 6)
    assert chosen.reason_en.startswith("Cheapest service to 广东省: ZTO Express (standard)")
    assert chosen.reason_zh.startswith("送达广东省最便宜的服务：中通快递（标准快递）")
    with carriers.read() as s:
        order = queries.get_order(s, number)
        assert selection.carrier_of(s, order.id) == "ZTO"
        assert selection.carriers_of(s, [order.id]) == {order.id: ("ZTO", "standard")}
        stored = selection.stored_selection(s, order.id)
        events = [e for e in queries.timeline_of(s, order.id) if e.kind == "carrier.chosen"]
    assert stored == chosen
    assert len(events) == 1
    assert events[0].data["carrier"] == "ZTO"


def test_customer_designation_wins_and_the_order_says_why(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, [("SKU-1", 1)], **_address("浙江省"))

    out = service.set_preferences(
        carriers, number, PreferencesIn(designated_carrier="sf", designated_by="customer"),
        actor=STAFF)

    assert (out.carrier_code, out.service, out.quote) == ("SF", "standard", "10.00")
    assert out.reason_zh.startswith("客户指定顺丰速运（标准快递）")
    assert service.get_selection(carriers, number) == out


def test_expedited_order_gets_the_fastest_and_international_goes_abroad(
    carriers: Db, settings: Settings
) -> None:
    fast = make_order(carriers, settings, **_address("上海市"))
    abroad = make_order(carriers, settings, [("SKU-1", 2)], **JAPAN)

    out = service.set_preferences(carriers, fast, PreferencesIn(expedited=True), actor=STAFF)
    dhl = service.choose_carrier(carriers, abroad, actor=STAFF)

    assert out.reason_code == "expedited_fastest"
    assert (dhl.carrier_code, dhl.service) == ("DHL", "express")
    # 700 g: first 500 g 120.00 + one started 500 g unit 30.00
    assert dhl.quote == "150.00"


def test_an_unknown_designated_carrier_is_refused_naming_the_field(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings)

    with pytest.raises(ValidationFailed) as caught:
        service.set_preferences(carriers, number, PreferencesIn(designated_carrier="NOPE"),
                                actor=STAFF)

    assert [p.field for p in caught.value.fields] == ["designated_carrier"]
    with carriers.read() as s:
        order = queries.get_order(s, number)
        assert selection.stored_selection(s, order.id) is None
        kinds = {e.kind for e in s.query(TimelineEvent).filter_by(order_id=order.id)}
    assert "shipping.preferences" not in kinds


def test_zones_count_from_the_warehouse_the_order_ships_from(
    carriers: Db, settings: Settings
) -> None:
    from_shanghai = make_order(carriers, settings, **_address("广东省"))
    from_guangzhou = make_order(carriers, settings, **_address("广东省"))
    with carriers.transaction() as s:  # the order's stock sits in the Guangzhou warehouse
        order = queries.get_order(s, from_guangzhou)
        s.execute(update(Reservation).where(Reservation.order_id == order.id)
                  .values(warehouse_id=s.scalar(select(Warehouse.id).where(
                      Warehouse.code == "GZ"))))

    far = service.choose_carrier(carriers, from_shanghai, actor=STAFF)
    near = service.choose_carrier(carriers, from_guangzhou, actor=STAFF)

    # ZTO standard: zone 2 from Shanghai (6.00, 3 days), zone 1 within Guangdong (5.00)
    assert (far.carrier_code, far.quote) == ("ZTO", "6.00")
    assert (near.carrier_code, near.quote) == ("YTO", "4.50")
    quotes = {(o.carrier_code, o.level): o.zone for o, _p in service.quote(
        carriers, "广东省", 500, origin="广东省")}
    assert quotes[("SF", "same_day")] == 1 and quotes[("ZTO", "standard")] == 1
    assert ("SF", "same_day") not in {(o.carrier_code, o.level) for o, _p in service.quote(
        carriers, "广东省", 500, origin="上海市")}
