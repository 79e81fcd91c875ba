"""A member of staff in a real browser: sign in, find an order, approve it, switch to
Chinese; and the screenshots in docs/screenshots/ of every page in both languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import service as orders
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in, visit

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def _orders(db: Db, settings: Settings) -> dict[str, str]:
    """A small shop floor: one order in each interesting state."""
    make_catalog(db)
    placed = {
        "pending": make_order(db, settings, lines=[("SKU-1", 1)]),
        "review": make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=["paid"],
                             **NEEDS_REVIEW),
        "held": make_order(db, settings, path=["paid"], channel="taobao",
                           customer={"name": "李四", "phone": "13912345678"}),
        "shipped": make_order(db, settings, lines=[("SKU-3", 3)],
                              path=["paid", "approved", "allocated", "picking", "packed",
                                    "shipped"]),
        "cancelled": make_order(db, settings, channel="jd"),
    }
    orders.hold_order(db, placed["held"], actor=STAFF, reason="地址需要核实")
    orders.cancel_order(db, placed["cancelled"], actor=STAFF, reason="customer asked")
    return placed


@pytest.fixture
def shop(db: Db, settings: Settings) -> dict[str, str]:
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, display_name="王小丽",
                     language="en")
    return _orders(db, settings)





def test_staff_sign_in_filter_open_approve_and_switch_to_chinese(
        page: Page, base_url: str, shop: dict[str, str]) -> None:
    sign_in(page, base_url, "/orders")

    expect(page).to_have_url(base_url + "/orders")
    rows = page.locator("[data-testid=order-table] tbody tr")
    expect(rows).to_have_count(5)
    expect(page.get_by_test_id("who")).to_have_text("王小丽 Customer service")

    page.select_option("select[name=status]", "awaiting_review")
    page.click("form.filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"status=awaiting_review"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("Awaiting review")

    page.click(f"a[href='/orders/{shop['review']}']")
    expect(page.get_by_test_id("order-status")).to_have_text("Awaiting review")
    expect(page.locator("[data-testid=lines] tbody tr")).to_have_count(2)
    page.click(f"form[action='/orders/{shop['review']}/approve'] button")

    expect(page.locator(".notice")).to_have_text("Order approved.")
    expect(page.get_by_test_id("order-status")).to_have_text("Approved")
    newest = page.locator("[data-testid=timeline] li").first
    expect(newest.locator(".tl-kind")).to_have_text("Status changed")
    expect(newest.locator(".tl-move")).to_contain_text("Awaiting review → Approved")
    expect(newest.locator(".tl-meta")).to_contain_text("Staff alice")

    page.click("button[name=language][value=zh-CN]")
    expect(page).to_have_url(base_url + f"/orders/{shop['review']}")
    expect(page.get_by_test_id("order-status")).to_have_text("已审核")
    expect(page.get_by_test_id("blockers").locator("h2")).to_have_text("订单为何卡住?")
    expect(page.get_by_role("heading", name="概要", exact=True)).to_be_visible()
    expect(newest.locator(".tl-kind")).to_have_text("状态变更")
    expect(page.get_by_test_id("who")).to_have_text("王小丽 客服")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_every_page(browser: Browser, base_url: str, db: Db,
                                   shop: dict[str, str], language: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    visit(page, base_url + "/login", "form[action='/login']", language)
    page.screenshot(path=SCREENSHOTS / f"login.{language}.png", full_page=True)

    sign_in(page, base_url)
    shots = {"dashboard": ("/", "[data-testid=status-counts]"),
             "orders-list": ("/orders", "[data-testid=order-table]"),
             "order-detail": (f"/orders/{shop['review']}", "[data-testid=lines]"),
             "order-detail-held": (f"/orders/{shop['held']}", "[data-testid=lines]"),
             "orders-import": ("/orders/import", "form[action='/orders/import']")}
    for name, (path, shows) in shots.items():
        visit(page, base_url + path, shows, language)
        page.screenshot(path=SCREENSHOTS / f"{name}.{language}.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/orders")
    page.screenshot(path=SCREENSHOTS / f"orders-list.mobile.{language}.png", full_page=True)
    context.close()
