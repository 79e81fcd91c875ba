"""After-sales in Chromium: a customer asks for a return on a phone (390×844) in both
languages; staff approve it, receive the parcel by scanning at the receiving station and
refund it; screenshots of each screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow.aftersales.refunds import providers
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.web import customer_security
from tests.builders.orders import make_catalog
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in
from tests.integration.aftersales.helpers import delivered, open_case

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
       b"5\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _simulated(monkeypatch):
    monkeypatch.setenv("ORDERFLOW_REFUND_PROVIDER", "simulated")
    yield
    for name in providers.KNOWN:
        providers.use(name, None)


@pytest.fixture
def order(db: Db, settings: Settings) -> str:
    make_catalog(db)
    return delivered(db, settings, [("SKU-1", 2), ("SKU-2", 1)])


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("language", "sent", "state"), [
    ("zh-CN", "我们已收到您的申请", "待审核"), ("en", "We received your request", "Requested")])
def test_a_customer_asks_for_a_return_on_a_phone(browser: Browser, base_url: str,
                                                 settings: Settings, order: str,
                                                 language: str, sent: str, state: str):
    context = browser.new_context(viewport=PHONE, locale=language, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    link = customer_security.tracking_path(settings, order, "/returns")
    page.goto(f"{base_url}{link}&lang={language}")

    page.select_option("[data-testid=qty-SKU-1]", "1")
    page.select_option("[data-testid=type]", "return_refund")
    page.select_option("[data-testid=reason]", "quality_damaged")
    page.fill("textarea[name=note]", "屏幕有裂痕 / cracked screen")
    page.set_input_files("[data-testid=photos]", files=[
        {"name": "crack.png", "mimeType": "image/png", "buffer": PNG}])
    shot(page, f"aftersales-customer-request-{language}")
    page.click("[data-testid=send-request]")

    expect(page.get_by_test_id("sent")).to_contain_text(sent)
    expect(page.get_by_test_id("case-state").first).to_have_text(state)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off a phone's screen
    shot(page, f"aftersales-customer-sent-{language}")
    context.close()


def test_staff_approve_receive_by_scan_and_refund(db: Db, page: Page, base_url: str,
                                                  order: str):
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, display_name="王小丽",
                     language="en")
    auth.create_user(db, "wang", PASSWORD, role=Role.WAREHOUSE, display_name="王仓管",
                     language="en")
    case_id = open_case(db, order, "return_refund", "quality_damaged", [("SKU-1", 2)])

    sign_in(page, base_url, "/aftersales")
    page.click(f"a[href='/aftersales/{case_id}']")
    shot(page, "aftersales-case-requested")
    page.click("[data-testid=approve]")
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "awaiting_return")
    page.click("form[action='/logout'] button")

    sign_in(page, base_url, "/aftersales-receiving", username="wang")
    page.fill("[data-testid=scan]", order)
    page.keyboard.press("Enter")
    page.fill("[data-testid=sellable-SKU-1]", "1")
    page.fill("[data-testid=damaged-SKU-1]", "1")
    shot(page, "aftersales-receiving")
    page.click("[data-testid=confirm-receive]")
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "refunding")
    expect(page.get_by_test_id("refund")).to_have_count(0)  # the warehouse does not refund
    page.click("form[action='/logout'] button")

    sign_in(page, base_url, f"/aftersales/{case_id}")
    page.click("[data-testid=refund]")
    expect(page.get_by_test_id("case-state")).to_have_attribute("data-state", "closed")
    expect(page.get_by_test_id("case-refunds")).to_contain_text("20.00")
    shot(page, "aftersales-case-refunded")
    page.goto(f"{base_url}/orders/{order}")
    expect(page.get_by_test_id("order-refunds")).to_contain_text(re.compile(r"20\.00"))
