"""The customer's tracking page in Chromium on a phone (375×812), reached through the
signed link every notice carries: each parcel of a split order with its copyable
tracking number, ETA and carrier scans, in both languages; a tampered link shows
nothing; and the look-up rate limit, seen from a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment.models import Shipment
from orderflow.notify.context import order_link
from orderflow.orders import queries
from tests.builders.orders import make_catalog, make_order
from tests.e2e.conftest import SCREENSHOTS
from tests.integration.logistics.helpers import backdate, carrier_says

pytestmark = [pytest.mark.browser, pytest.mark.clock]

PHONE = {"width": 375, "height": 812}
SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
BUYER = {"name": "张伟", "phone": "13800138000", "email": "zhang.wei@example.com"}


@pytest.fixture
def split(db: Db, settings: Settings) -> str:
    """An order shipped in two parcels: SIM… in transit, then an SF parcel out for delivery."""
    make_catalog(db)
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=SHIPPED,
                        customer=BUYER)
    backdate(db, number, 30)
    carrier_says(db, number, "in_transit", hours_ago=26, description="【杭州转运中心】已发出")
    with db.transaction() as s:  # the second parcel of the split (no use case ships one yet)
        order = queries.get_order_for_change(s, number)
        now = clock.utcnow()
        s.add(Shipment(order_id=order.id, carrier="SF", service="express",
                       tracking_number="SF1234567890123", shipped_at=now - timedelta(hours=6),
                       estimated_delivery_at=now + timedelta(days=1)))
    carrier_says(db, number, "in_transit", hours_ago=5, description="【上海】已到达")
    carrier_says(db, number, "out_for_delivery", hours_ago=1, description="【上海浦东】派送中")
    return number


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    yield context.new_page()
    context.close()


def _path(settings: Settings, number: str) -> str:
    return order_link(settings, number).removeprefix(settings.base_url)


def test_the_signed_link_shows_each_parcel_with_eta_scans_and_copy_in_both_languages(
        phone: Page, base_url: str, split: str, settings: Settings) -> None:
    page = phone
    page.goto(base_url + _path(settings, split))

    parcels = page.get_by_test_id("parcel")
    expect(parcels).to_have_count(2)
    expect(page.get_by_test_id("tracking-number")).to_have_text([f"SIM{split}",
                                                                 "SF1234567890123"])
    expect(parcels.nth(1)).to_contain_text("顺丰速运")
    expect(parcels.nth(1).get_by_test_id("parcel-eta")).to_contain_text("预计")
    expect(parcels.nth(1).get_by_test_id("parcel-status")).to_have_text("派送中")
    parcels.nth(1).locator("summary").click()
    expect(parcels.nth(1).get_by_test_id("parcel-scans")).to_contain_text("【上海浦东】派送中")
    copy = parcels.nth(1).get_by_test_id("copy")
    copy.click()
    expect(copy).to_have_text("已复制")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "customer-split-parcels.zh-CN.png"), full_page=True)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(parcels.nth(1).get_by_test_id("parcel-status")).to_have_text("Out for delivery")
    expect(parcels.nth(0).get_by_test_id("parcel-eta")).to_contain_text("Expected")
    expect(parcels.nth(1)).to_contain_text("SF Express")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "customer-split-parcels.en.png"), full_page=True)


def test_a_tampered_link_shows_the_look_up_form_and_nothing_of_the_order(
        phone: Page, base_url: str, split: str, settings: Settings) -> None:
    path = _path(settings, split)
    response = phone.goto(base_url + path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))

    assert response is not None and response.status == 404
    expect(phone.get_by_test_id("lookup-message")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text("SF1234567890123")
    expect(phone.locator("body")).not_to_contain_text("SIM")


def test_the_look_up_is_rate_limited_per_order_number_even_with_the_right_phone(
        phone: Page, base_url: str, split: str) -> None:
    page = phone
    page.goto(base_url + "/track?lang=en")
    for tail in ("1111", "2222", "3333", "4444", "5555"):
        page.fill("#number", split)
        page.fill("#phone_tail", tail)
        page.get_by_role("button", name="Find my order").click()
        expect(page.get_by_test_id("lookup-message")).to_contain_text("could not find")

    page.fill("#number", split)
    page.fill("#phone_tail", "8000")  # the right one, too late
    page.get_by_role("button", name="Find my order").click()

    expect(page.get_by_test_id("retry-at")).to_contain_text(re.compile(r"\d\d:\d\d"))
    expect(page.locator("body")).not_to_contain_text("SF1234567890123")
    page.screenshot(path=str(SCREENSHOTS / "customer-too-many.en.png"), full_page=True)
