"""Warehouse console: who may use it, the pack station's loud errors in both languages,
waves, the hand-over and the stock alerts on the dashboard."""

from __future__ import annotations

import re

import pytest

from orderflow.auth.models import Role
from orderflow.fulfilment import stock
from orderflow.shipping import waybills
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.fulfilment import barcode, status
from tests.builders.orders import STAFF, make_order
from tests.web.helpers import login, make_staff, post

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


@pytest.fixture
def floor(app, client, db, catalog):
    """The warehouse console as served: the carriers' own desk over the demo carriers."""
    with db.transaction() as s:
        install_demo_carriers(s)
    make_staff(db, "lao", role=Role.WAREHOUSE, language="en")
    return login(client, "lao")


def follow(client, response):
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])


def said(html):
    found = re.search(r'data-alarm="(\w+)"[^>]*data-code="([\w.]+)"', html)
    return found.groups() if found else None


def released(client, token, db, settings, lines):
    number = make_order(db, settings, lines=lines, path=["approved"])
    post(client, "/fulfilment/allocate", token)
    post(client, "/fulfilment/waves", token, warehouse="SH")
    page = client.get("/fulfilment/waves").text
    wave_id = re.search(r'href="/fulfilment/waves/(\d+)"', page).group(1)
    post(client, f"/fulfilment/waves/{wave_id}/release", token)
    return number, wave_id


def test_customer_service_staff_are_refused_the_warehouse_screens(client, token):
    assert client.get("/fulfilment/waves").status_code == 403
    assert 'href="/fulfilment/waves"' not in client.get("/").text


def test_the_warehouse_sees_its_nav_link_and_the_wave_with_its_pick_list(
        client, floor, db, settings):
    number, wave_id = released(client, floor, db, settings, [("SKU-1", 2), ("SKU-2", 1)])
    stock.set_bin(db, sku="SKU-2", warehouse="SH", code="A-01-1")

    page = client.get(f"/fulfilment/waves/{wave_id}").text

    assert 'href="/fulfilment/waves"' in client.get("/").text
    assert re.findall(r'<td class="mono">([^<]*)</td><td class="mono">([^<]*)</td>', page) == [
        ("A-01-1", "SKU-2"), ("—", "SKU-1")]
    assert f'href="/orders/{number}">{number}</a>' in page
    assert 'data-testid="wave-state">Released' in page
    assert status(db, number) == "picking"


def test_a_full_pack_with_one_mis_scan_at_the_station(client, floor, db, settings):
    number, _ = released(client, floor, db, settings, [("SKU-1", 2)])

    opened = follow(client, post(client, "/fulfilment/pack/scan", floor, scan=number,
                                 warehouse="SH", pack=""))
    pack_id = re.search(r'name="pack" value="(\d+)"', opened.text).group(1)
    wrong = follow(client, post(client, "/fulfilment/pack/scan", floor,
                                scan=barcode(db, "SKU-3"), warehouse="SH", pack=pack_id))
    follow(client, post(client, "/fulfilment/pack/scan", floor, scan=barcode(db, "SKU-1"),
                        warehouse="SH", pack=pack_id))
    early = follow(client, post(client, f"/fulfilment/pack/{pack_id}/close", floor,
                                weight_g="500", parcel_count="1", inspection="passed",
                                warehouse="SH"))
    follow(client, post(client, "/fulfilment/pack/scan", floor, scan=barcode(db, "SKU-1"),
                        warehouse="SH", pack=pack_id))
    closed = follow(client, post(client, f"/fulfilment/pack/{pack_id}/close", floor,
                                 weight_g="500", parcel_count="1", inspection="passed",
                                 warehouse="SH"))

    assert said(opened.text) == ("ok", "pack.opened")
    assert said(wrong.text) == ("error", "pack.wrong_item")
    assert "WRONG ITEM" in wrong.text
    assert said(early.text) == ("error", "validation.failed")
    assert 'data-field="scan"' in early.text
    assert said(closed.text) == ("ok", "pack.closed")
    assert status(db, number) == "packed"


def test_the_mis_scan_alarm_speaks_chinese(client, floor, db, settings):
    number, _ = released(client, floor, db, settings, [("SKU-1", 1)])
    post(client, "/language", floor, language="zh-CN")
    opened = follow(client, post(client, "/fulfilment/pack/scan", floor, scan=number,
                                 warehouse="SH", pack=""))
    pack_id = re.search(r'name="pack" value="(\d+)"', opened.text).group(1)

    page = follow(client, post(client, "/fulfilment/pack/scan", floor, scan="0000",
                               warehouse="SH", pack=pack_id))

    assert said(page.text) == ("error", "pack.unknown_barcode")
    assert "未知条码" in page.text
    assert "打包台" in page.text


def test_hand_over_by_scanning_the_order_then_its_tracking_number(client, floor, db, settings):
    number, wave_id = released(client, floor, db, settings, [("SKU-1", 1)])
    opened = follow(client, post(client, "/fulfilment/pack/scan", floor, scan=number,
                                 warehouse="SH", pack=""))
    pack_id = re.search(r'name="pack" value="(\d+)"', opened.text).group(1)
    post(client, "/fulfilment/pack/scan", floor, scan=barcode(db, "SKU-1"), warehouse="SH",
         pack=pack_id)
    post(client, f"/fulfilment/pack/{pack_id}/close", floor, weight_g="300", parcel_count="1",
         inspection="passed", warehouse="SH")

    started = follow(client, post(client, "/fulfilment/handover/scan", floor, scan=number,
                                  warehouse="SH"))
    shipped = follow(client, post(client, "/fulfilment/handover/scan", floor,
                                  scan="sim778899", warehouse="SH"))

    assert said(started.text) == ("ok", "handover.started")
    assert said(shipped.text) == ("ok", "handover.shipped")
    assert "SIM778899" in shipped.text
    assert status(db, number) == "shipped"
    assert "Shipped" in client.get(f"/fulfilment/waves/{wave_id}").text


def test_a_tracking_number_before_any_order_is_a_loud_error(client, floor):
    page = follow(client, post(client, "/fulfilment/handover/scan", floor, scan="SIM1",
                               warehouse="SH"))

    assert said(page.text) == ("error", "handover.scan_order_first")


def test_stock_alerts_show_on_the_dashboard_and_the_stock_screen(client, floor, db):
    post(client, "/fulfilment/stock/threshold", floor, sku="SKU-2", warehouse="SH",
         low_at="100")
    bad = follow(client, post(client, "/fulfilment/stock/damaged", floor, sku="SKU-9",
                              warehouse="SH", quantity="1"))

    dashboard = client.get("/").text

    assert re.findall(r'data-testid="stock-alerts".*?<li data-sku="([\w-]+)"', dashboard,
                      re.S) == ["SKU-2"]
    assert 'data-sku="SKU-2"' in client.get("/fulfilment/stock").text
    assert "No such SKU." in bad.text


def test_a_tracking_number_that_is_not_the_orders_waybill_is_refused(app, client, floor, db,
                                                                     settings):
    number, _ = released(client, floor, db, settings, [("SKU-1", 1)])
    [waybill] = waybills.issue(db, number, actor=STAFF)  # printed before packing
    opened = follow(client, post(client, "/fulfilment/pack/scan", floor, scan=number,
                                 warehouse="SH", pack=""))
    pack_id = re.search(r'name="pack" value="(\d+)"', opened.text).group(1)
    post(client, "/fulfilment/pack/scan", floor, scan=barcode(db, "SKU-1"), warehouse="SH",
         pack=pack_id)
    post(client, f"/fulfilment/pack/{pack_id}/close", floor, weight_g="300", parcel_count="1",
         inspection="passed", warehouse="SH")
    post(client, "/fulfilment/handover/scan", floor, scan=number, warehouse="SH")

    wrong = follow(client, post(client, "/fulfilment/handover/scan", floor, scan="YT999",
                                warehouse="SH"))
    right = follow(client, post(client, "/fulfilment/handover/scan", floor,
                                scan=waybill.tracking_number, warehouse="SH"))

    assert said(wrong.text) == ("error", "handover.wrong_label")
    assert status(db, number) == "shipped"
    assert said(right.text) == ("ok", "handover.shipped")


def test_a_closed_parcel_is_re_opened_from_the_station(client, floor, db, settings):
    number, _ = released(client, floor, db, settings, [("SKU-1", 1)])
    opened = follow(client, post(client, "/fulfilment/pack/scan", floor, scan=number,
                                 warehouse="SH", pack=""))
    pack_id = re.search(r'name="pack" value="(\d+)"', opened.text).group(1)
    post(client, "/fulfilment/pack/scan", floor, scan=barcode(db, "SKU-1"), warehouse="SH",
         pack=pack_id)
    post(client, f"/fulfilment/pack/{pack_id}/close", floor, weight_g="300", parcel_count="1",
         inspection="passed", warehouse="SH")
    closed = client.get(f"/fulfilment/pack?warehouse=SH&pack={pack_id}")

    page = follow(client, post(client, f"/fulfilment/pack/{pack_id}/reopen", floor,
                               warehouse="SH", reason="wrong box"))

    assert 'data-testid="reopen-form"' in closed.text
    assert said(page.text) == ("ok", "pack.reopened")
    assert status(db, number) == "picking"
