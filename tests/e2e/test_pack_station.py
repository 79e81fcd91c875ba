"""The warehouse in a real browser: plan and release a wave, then a full scan sequence at
the pack station as a keyboard-wedge scanner types it (the field keeps the focus, Enter
submits), one mis-scan included; hand-over by scanning; screenshots in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import stock
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.fulfilment import status
from tests.builders.orders import make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def floor(db: Db, settings: Settings) -> dict[str, object]:
    auth.create_user(db, "lao", PASSWORD, role=Role.WAREHOUSE, display_name="仓库老王",
                     language="en")
    make_catalog(db, {"SKU-1": 40, "SKU-2": 40, "SKU-3": 3})
    with db.transaction() as s:
        install_demo_carriers(s)
        codes: dict[str, str] = {row.code: row.barcode for row in s.execute(
            select(Sku.code, Sku.barcode))}
    for sku, location in [("SKU-1", "A-01-3"), ("SKU-2", "A-02-1"), ("SKU-3", "B-01-1")]:
        stock.set_bin(db, sku=sku, warehouse="SH", code=location)
    stock.set_threshold(db, sku="SKU-3", warehouse=None, low_at=5)
    orders = [make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=["approved"]),
              make_order(db, settings, lines=[("SKU-2", 1)], path=["approved"])]
    return {"orders": orders, "barcodes": codes}





def _scan(page: Page, text: str) -> None:
    """A keyboard-wedge scanner: keystrokes into whatever has the focus, then Enter."""
    expect(page.get_by_test_id("scan")).to_be_focused()
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _release_a_wave(page: Page) -> None:
    page.click("form[action='/fulfilment/allocate'] button")
    expect(page.get_by_test_id("allocated")).to_contain_text("2")
    page.click("[data-testid=plan-form] button[type=submit]")
    page.click("[data-testid=wave-table] tbody tr a")
    expect(page.locator("[data-testid=pick-table] tbody tr")).to_have_count(2)
    page.click("form[action$='/release'] button")
    expect(page.get_by_test_id("wave-state")).to_have_text("Released")


def test_a_full_scan_sequence_at_the_pack_station_with_one_mis_scan(
        page: Page, base_url: str, floor: dict[str, object], db: Db) -> None:
    number = floor["orders"][0]  # type: ignore[index]
    codes: dict[str, str] = floor["barcodes"]  # type: ignore[assignment]
    sign_in(page, base_url, "/fulfilment/waves", username="lao")
    _release_a_wave(page)
    page.click("a.button[href^='/fulfilment/pack']")

    _scan(page, number)
    expect(page.get_by_test_id("scan-ok")).to_contain_text("Parcel opened")
    expect(page.get_by_test_id("progress")).to_have_text("0 / 3")
    _scan(page, codes["SKU-1"])
    _scan(page, codes["SKU-3"])  # the mis-scan

    alarm = page.get_by_test_id("scan-error")
    expect(alarm).to_be_visible()
    expect(alarm).to_contain_text("WRONG ITEM")
    expect(alarm).to_have_attribute("data-code", "pack.wrong_item")
    expect(page.get_by_test_id("progress")).to_have_text("1 / 3")
    page.screenshot(path=SCREENSHOTS / "fulfilment-pack-misscan.en.png", full_page=True)

    page.click("[data-testid=close]")  # one too few: refused
    expect(page.get_by_test_id("scan-error")).to_contain_text("Some fields are not valid")
    expect(page.locator("[data-testid=scan-error] [data-field=weight_g]")).to_be_visible()
    _scan(page, codes["SKU-2"])
    _scan(page, codes["SKU-1"])
    expect(page.get_by_test_id("progress")).to_have_text("3 / 3")
    page.fill("[data-testid=weight]", "1250")
    page.click("[data-testid=close]")

    expect(page.get_by_test_id("scan-ok")).to_contain_text("Parcel closed")
    expect(page.get_by_test_id("scan")).to_be_focused()
    assert status(db, number) == "packed"

    page.click("a[href='/fulfilment/handover']")
    _scan(page, number)
    expect(page.get_by_test_id("handover-current")).to_contain_text("0 of 1 parcels")
    _scan(page, "SF1234567890")
    expect(page.get_by_test_id("scan-ok")).to_contain_text("Handed over")
    assert status(db, number) == "shipped"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_the_warehouse_screens(browser: Browser, base_url: str, db: Db,
                                              floor: dict[str, object], language: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    number = floor["orders"][0]  # type: ignore[index]
    codes: dict[str, str] = floor["barcodes"]  # type: ignore[assignment]
    sign_in(page, base_url, "/fulfilment/waves", username="lao")
    page.click("form[action='/fulfilment/allocate'] button")
    expect(page.get_by_test_id("allocated")).to_be_visible()
    page.click("[data-testid=plan-form] button[type=submit]")
    expect(page.get_by_test_id("planned")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"fulfilment-waves.{language}.png", full_page=True)
    page.click("[data-testid=wave-table] tbody tr a")
    page.click("form[action$='/release'] button")
    expect(page.locator(".notice")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / f"fulfilment-wave.{language}.png", full_page=True)
    wave_url = page.url

    page.goto(base_url + "/fulfilment/pack?warehouse=SH")
    _scan(page, number)
    _scan(page, codes["SKU-1"])
    _scan(page, codes["SKU-1"])
    page.screenshot(path=SCREENSHOTS / f"fulfilment-pack.{language}.png", full_page=True)
    _scan(page, codes["SKU-1"])  # one too many
    expect(page.get_by_test_id("scan-error")).to_have_attribute("data-code", "pack.too_many")
    if language == "zh-CN":
        expect(page.get_by_test_id("scan-error")).to_contain_text("多件")
        page.screenshot(path=SCREENSHOTS / "fulfilment-pack-misscan.zh-CN.png", full_page=True)
    _scan(page, codes["SKU-2"])
    page.fill("[data-testid=weight]", "980")
    page.click("[data-testid=close]")
    expect(page.get_by_test_id("scan-ok")).to_have_attribute("data-code", "pack.closed")
    page.goto(base_url + "/fulfilment/handover?warehouse=SH")
    _scan(page, number)
    page.screenshot(path=SCREENSHOTS / f"fulfilment-handover.{language}.png", full_page=True)
    page.goto(base_url + "/fulfilment/stock")
    expect(page.locator("[data-testid=alert-table] tbody tr[data-sku]")).to_have_count(1)
    page.screenshot(path=SCREENSHOTS / f"fulfilment-stock.{language}.png", full_page=True)
    page.goto(wave_url)
    expect(page.get_by_test_id("pick-orders").locator("li")).to_have_count(2)
    page.goto(base_url + "/")
    expect(page.get_by_test_id("stock-alerts")).to_contain_text("SKU-3")
    context.close()
