"""The logistics exception desk in Chromium: the queue with owners and due times, a
filter, a case taken, worked and resolved; the order page's carrier tracking; carrier
performance; screenshots of each screen in both languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow import clock
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in, visit
from tests.integration.logistics.helpers import backdate, carrier_says, status_of

pytestmark = [pytest.mark.browser, pytest.mark.clock]

DESKTOP = {"width": 1280, "height": 900}
SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


@pytest.fixture
def desk(db: Db, settings: Settings) -> dict[str, str]:
    """Three parcels in trouble: a failed attempt, a lost one, one silent for days."""
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, display_name="王小丽",
                     language="en")
    auth.create_user(db, "bob", PASSWORD, role=Role.SERVICE, display_name="李客服")
    make_catalog(db)
    numbers = {name: make_order(db, settings, path=SHIPPED,
                                customer={"name": "张伟", "phone": "13800138000"})
               for name in ("attempt", "lost", "silent")}
    for number in numbers.values():
        backdate(db, number, 40)
    carrier_says(db, numbers["attempt"], "in_transit", hours_ago=20,
                 description="【杭州转运中心】已发出")
    carrier_says(db, numbers["attempt"], "out_for_delivery", hours_ago=3,
                 description="【上海浦东】派送中")
    carrier_says(db, numbers["attempt"], "delivery_attempted", hours_ago=1,
                 description="收件人电话无人接听")
    logistics.scan_carrier_events(db, settings)
    lost = logistics.open_case(db, numbers["lost"], CaseKind.LOST, actor=STAFF,
                               settings=settings, detail="网点反馈包裹遗失")
    logistics.assign_case(db, lost, "bob", actor=STAFF)
    logistics.watch_silent_parcels(db, settings, now=clock.utcnow() + timedelta(hours=49))
    return numbers





def shot(page: Page, name: str, language: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.{language}.png"), full_page=True)


def test_staff_filter_the_queue_take_a_case_work_it_and_resolve_it(
        page: Page, base_url: str, desk: dict[str, str], db: Db) -> None:
    sign_in(page, base_url, "/exceptions")

    rows = page.locator("[data-testid=case-table] tbody tr")
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("queue-counts")).to_contain_text("Unassigned 2")
    expect(rows.first).to_contain_text("Failed delivery attempt")  # due first (24 h)
    expect(rows.nth(1)).to_contain_text("李客服")

    page.select_option("select[name=kind]", "delivery_failed")
    page.click("[data-testid=queue-filters] button[type=submit]")
    expect(page).to_have_url(re.compile(r"kind=delivery_failed"))
    expect(rows).to_have_count(1)

    rows.first.get_by_test_id("case-link").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Delivery exception")
    page.select_option("[data-testid=owner-select]", "alice")
    page.click("form[action$='/assign'] button[type=submit]")
    expect(page.get_by_test_id("case-owner")).to_have_text("王小丽")

    page.fill("form:has([data-testid=contact-carrier]) input[name=note]", "")
    page.get_by_test_id("contact-carrier").click()
    expect(page.get_by_test_id("error")).to_contain_text("Note")
    page.fill("form:has([data-testid=contact-carrier]) input[name=note]",
              "已联系网点，明天上午再派")
    page.get_by_test_id("contact-carrier").click()
    expect(page.get_by_test_id("case-history").locator("li").first).to_contain_text(
        "Carrier contacted")

    page.select_option("[data-testid=outcome-select]", "carrier_resolved")
    page.fill("input[name=resolution]", "快递员已约好时间")
    page.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("case-state")).to_have_text("Resolved")
    expect(page.get_by_test_id("order-status")).to_have_text("In transit")
    assert status_of(db, desk["attempt"]) == "in_transit"

    page.goto(base_url + "/exceptions?owner=me&state=all")
    expect(rows).to_have_count(1)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_the_exception_desk(browser: Browser, base_url: str, db: Db,
                                           desk: dict[str, str], language: str) -> None:
    carrier_says(db, desk["lost"], "delivered", hours_ago=4)  # a delivered parcel for stats
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    sign_in(page, base_url, "/exceptions")
    visit(page, base_url + "/exceptions", "[data-testid=case-table]", language)
    shot(page, "exceptions-queue", language)

    page.locator("[data-testid=case-link]").first.click()
    expect(page.get_by_test_id("case-actions")).to_be_visible()
    shot(page, "exceptions-case", language)

    page.goto(f"{base_url}/orders/{desk['attempt']}")
    expect(page.get_by_test_id("parcel-events").locator("li")).to_have_count(3)
    page.get_by_test_id("carrier-tracking").scroll_into_view_if_needed()
    shot(page, "order-carrier-tracking", language)

    page.goto(base_url + "/carriers/performance")
    expect(page.get_by_test_id("performance-table").locator("tbody tr")).to_have_count(1)
    shot(page, "carrier-performance", language)
    context.close()
