"""Carriers and labels in a real browser: the carrier choice and its reason on the order
page, issue / void and re-issue, batch print with the progress bar; screenshots in both
languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.shipping import service
from orderflow.shipping.demo_carriers import install_demo_carriers
from orderflow.shipping.schemas import PreferencesIn
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
SLOW = 15000  # ms: the shared 2-core machine is often under heavy load


@pytest.fixture
def shop(db: Db, settings: Settings) -> list[str]:
    auth.create_user(db, "mei", PASSWORD, role=Role.ADMIN, display_name="发货员小美",
                     language="en")
    make_catalog(db)
    with db.transaction() as s:
        install_demo_carriers(s)
    numbers = [make_order(db, settings, [("SKU-1", n + 1)], path=["approved"])
               for n in range(3)]
    service.set_preferences(db, numbers[0], PreferencesIn(designated_carrier="SF",
                                                          designated_by="customer"),
                            actor=STAFF)
    return numbers





def test_issue_void_reissue_and_batch_print(page: Page, base_url: str,
                                            shop: list[str]) -> None:
    number = shop[0]
    sign_in(page, base_url, f"/orders/{number}", username="mei")
    expect(page.get_by_test_id("carrier-reason")).to_contain_text(
        "SF Express (standard) designated by the customer", timeout=SLOW)

    page.click("[data-testid=issue-form] button")
    expect(page.get_by_test_id("waybills")).to_contain_text("SF", timeout=SLOW)
    first = page.locator("[data-testid=waybills] tbody tr").first.inner_text()
    page.fill("form[data-testid^=void-] input[name=reason]", "label torn")
    page.click("form[data-testid^=void-] button")
    rows = page.locator("[data-testid=waybills] tbody tr")
    expect(rows).to_have_count(2, timeout=SLOW)
    expect(rows.nth(0)).to_have_attribute("data-state", "voided", timeout=SLOW)
    expect(rows.nth(1)).to_have_attribute("data-state", "issued", timeout=SLOW)
    assert rows.nth(1).inner_text() != first

    page.goto(base_url + "/shipping/print")
    page.fill("textarea[name=orders]", "\n".join(reversed(shop)))
    page.click("[data-testid=print-form] button[type=submit]")
    expect(page.get_by_test_id("batch")).to_have_attribute("data-state", "done", timeout=4 * SLOW)
    expect(page.locator("#done")).to_have_text("3", timeout=SLOW)
    expect(page.get_by_test_id("download")).to_be_visible(timeout=SLOW)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_the_shipping_screens(browser: Browser, base_url: str, db: Db,
                                             shop: list[str], language: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    sign_in(page, base_url, "/shipping/carriers", username="mei")
    expect(page.get_by_test_id("demo-rates")).to_be_visible(timeout=SLOW)
    page.screenshot(path=SCREENSHOTS / f"shipping-carriers.{language}.png")

    page.goto(base_url + f"/orders/{shop[0]}")
    page.click("[data-testid=issue-form] button")
    page.locator("#shipping").screenshot(path=SCREENSHOTS / f"order-shipping.{language}.png")
    page.fill("form[data-testid^=void-] input[name=reason]", "面单破损")
    page.click("form[data-testid^=void-] button")
    page.locator("#shipping").screenshot(
        path=SCREENSHOTS / f"order-waybill-void.{language}.png")

    page.goto(base_url + "/shipping/print")
    page.fill("textarea[name=orders]", "\n".join([*shop, "NOPE-1"]))
    page.check("input[name=privacy]")
    page.screenshot(path=SCREENSHOTS / f"shipping-print.{language}.png", full_page=True)
    page.click("[data-testid=print-form] button[type=submit]")
    expect(page.get_by_test_id("batch")).to_have_attribute("data-state", "done", timeout=4 * SLOW)
    page.reload()
    expect(page.get_by_test_id("skipped")).to_contain_text("NOPE-1", timeout=SLOW)
    page.screenshot(path=SCREENSHOTS / f"shipping-batch.{language}.png", full_page=True)
    context.close()
