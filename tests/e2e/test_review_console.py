"""Review (审单) in a real browser: the queue with its reasons, filters, one-click and bulk
approval, editing an address that review flagged, in English and Chinese; and the
screenshots of the review screens in docs/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.review import service as review
from tests.builders.orders import NEEDS_REVIEW, STAFF, make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in, visit
from tests.support.clock import at_working_morning

pytestmark = [pytest.mark.browser, pytest.mark.clock]

DESKTOP = {"width": 1280, "height": 900}


def _queue(db: Db, settings: Settings) -> dict[str, str]:
    at_working_morning()  # only the express order is expedited (no promise due within 4 h)
    make_catalog(db, {"SKU-1": 100, "SKU-2": 100, "SKU-3": 100, "SKU-4": 100})
    placed = {
        "remark": make_order(db, settings, lines=[("SKU-1", 1)], path=["paid"],
                             buyer_remark="麻烦加急,周五前要用"),
        "district": make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"],
                               customer={"name": "李四", "phone": "13912345678"},
                               shipping_address={"country": "CN", "province": "广东省",
                                                 "city": "深圳市", "district": "西湖区",
                                                 "detail": "科苑路 15 号"}),
        "express": make_order(db, settings, lines=[("SKU-3", 1)], path=["paid"],
                              customer={"name": "Emma Wilson", "phone": "+14155550123",
                                        "language": "en"},
                              shipping_address={"country": "US", "city": "San Francisco",
                                                "detail": "1 Market St", "postal_code": "94105"},
                              **NEEDS_REVIEW),
        "passed": make_order(db, settings, lines=[("SKU-4", 1)], path=["paid"]),
        "pending": make_order(db, settings, lines=[("SKU-4", 1)],
                              customer={"name": "赵六", "phone": "13700001111"}),
    }
    review.edit(db, placed["express"], {"shipping_service": "express"}, actor=STAFF)
    return placed


@pytest.fixture
def shop(db: Db, settings: Settings) -> dict[str, str]:
    auth.create_user(db, "alice", PASSWORD, role=Role.ADMIN, display_name="王小丽",
                     language="en")
    return _queue(db, settings)





def test_staff_work_the_queue_filter_approve_bulk_and_fix_an_address(
        page: Page, base_url: str, shop: dict[str, str]) -> None:
    sign_in(page, base_url, "/review")

    rows = page.locator("[data-testid=review-queue] tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-number", shop["express"])  # expedited first
    district = page.locator(f"tr[data-number='{shop['district']}']")
    expect(district.locator("li[data-code='address.district']")).to_have_text(
        "'西湖区' is not a district of 深圳市 (it is in 浙江省杭州市, 江西省南昌市).")
    expect(page.locator(f"tr[data-number='{shop['passed']}']")).to_have_count(0)

    page.select_option("select[name=urgency]", "expedited")
    page.click("form[data-testid=review-filters] button[type=submit]")
    expect(page).to_have_url(re.compile(r"urgency=expedited"))
    expect(rows).to_have_count(1)
    page.click(f"[data-testid=approve-{shop['express']}]")
    expect(page.locator(".notice")).to_have_text("Order approved.")
    expect(page).to_have_url(base_url + "/review")

    page.check(f"input[name=number][value='{shop['remark']}']")
    page.check(f"input[name=number][value='{shop['district']}']")
    page.click("[data-testid=bulk-approve]")
    expect(page.get_by_test_id("bulk-result")).to_contain_text(shop["remark"])
    expect(page.get_by_test_id("bulk-result")).to_contain_text("blocked by a review rule")
    expect(rows).to_have_count(1)

    page.click(f"a[href='/review/{shop['district']}']")
    expect(page.get_by_test_id("review-outcome")).to_have_text("Blocked")
    expect(page.get_by_test_id("blockers")).to_contain_text("Edit the address in review")
    page.fill("[data-testid=review-edit] input[name=district]", "南山区")
    page.click("[data-testid=review-edit] button[type=submit]")
    expect(page.locator(".notice")).to_have_text("Saved and reviewed again.")
    expect(page.get_by_test_id("order-status")).to_have_text("Approved")
    expect(page.get_by_test_id("normalised")).to_contain_text("广东省 深圳市 南山区")

    page.click("button[name=language][value=zh-CN]")
    expect(page.get_by_test_id("review-outcome")).to_have_text("通过")
    page.goto(base_url + "/review")
    expect(page.get_by_test_id("queue-empty")).to_have_text("没有待审核的订单。")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_the_review_screens(browser: Browser, base_url: str, db: Db,
                                           shop: dict[str, str], language: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    sign_in(page, base_url, "/review")
    shots = {"review-queue": ("/review", "[data-testid=review-filters]"),
             "review-order": (f"/review/{shop['district']}", "[data-testid=review-outcome]"),
             "review-settings": ("/review-settings", "[data-testid=review-settings]"),
             "order-detail-stuck": (f"/orders/{shop['pending']}", "[data-testid=lines]"),
             "orders-list-filters": ("/orders?customer_type=new", "[data-testid=order-table]")}
    for name, (path, shows) in shots.items():
        visit(page, base_url + path, shows, language)
        page.screenshot(path=SCREENSHOTS / f"{name}.{language}.png", full_page=True)
    context.close()
