"""The order desk's change screens in Chromium: change an address and the lines, split
by availability, merge two orders, key in a phone order, add a channel shop and read
its inbox; screenshots of each screen in both languages."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from tests.builders.orders import make_catalog, make_order
from tests.channels.helpers import dumps, woo_headers, woo_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in, visit

pytestmark = [pytest.mark.browser,
              pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SADeprecationWarning")]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def floor(db: Db, settings: Settings) -> dict[str, str]:
    auth.create_user(db, "boss", PASSWORD, role=Role.ADMIN, display_name="陈经理",
                     language="en")
    make_catalog(db, {"SKU-1": 3, "SKU-2": 100, "SKU-3": 100})
    pay_later = replace(settings, reserve_at="payment")
    return {
        "change": make_order(db, settings, [("SKU-2", 2)], path=["paid"]),
        "backorder": make_order(db, pay_later, [("SKU-1", 5), ("SKU-2", 1)], path=["paid"],
                                customer={"name": "李雷", "phone": "13700137000"}),
        "merge_a": make_order(db, settings, [("SKU-3", 1)], path=["paid"],
                              customer={"name": "韩梅梅", "phone": "13600136000"}),
        "merge_b": make_order(db, settings, [("SKU-2", 1)], path=["paid"],
                              customer={"name": "韩梅梅", "phone": "13600136000"}),
    }





def test_change_split_merge_and_key_in_an_order(page: Page, base_url: str,
                                                floor: dict[str, str]) -> None:
    number = floor["change"]
    sign_in(page, base_url, f"/orders/{number}", username="boss")

    form = page.get_by_test_id("address-form")
    form.locator("input[name=detail]").fill("文三路 8 号 2 单元")
    form.locator("input[name=reason]").fill("customer called")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Address changed.")
    changed = page.locator("[data-testid=timeline] li[data-kind='order.address_changed']")
    expect(changed).to_have_count(1)

    lines = page.get_by_test_id("lines-form")
    lines.locator("input[name=qty_0]").fill("3")
    lines.locator("input[name=reason]").fill("one more")
    lines.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Lines changed.")
    ordered = page.locator("[data-testid=lines] tbody tr td[data-quantity=ordered]")
    expect(ordered.first).to_have_text("3")

    page.goto(base_url + f"/orders/{floor['backorder']}")
    page.get_by_test_id("split-form").locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Order split.")
    expect(page.locator("[data-testid=timeline] li[data-kind='order.split']")).to_have_count(1)

    page.click("nav a[href='/orders/merges']")
    group = page.get_by_test_id("merge-group")
    expect(group).to_have_count(1)
    group.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Orders merged into one parcel.")
    expect(page).to_have_url(re.compile(rf"/orders/{floor['merge_a']}$"))

    page.click("nav a[href='/orders/new']")
    new = page.get_by_test_id("new-order")
    for name, value in {"name": "王五", "phone": "13800138009", "province": "浙江省",
                        "city": "杭州市", "district": "", "detail": "文一路 1 号",
                        "sku_0": "SKU-2", "qty_0": "2"}.items():
        new.locator(f"input[name={name}]").fill(value)
    new.locator("button[type=submit]").click()
    expect(page.locator("[data-field='shipping_address.district']").first).to_be_visible()
    page.get_by_test_id("new-order").locator("input[name=district]").fill("西湖区")
    page.get_by_test_id("new-order").locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Order placed.")


def test_a_shop_is_added_and_its_webhook_shows_in_the_inbox(page: Page, base_url: str,
                                                            floor: dict[str, str],
                                                            db: Db) -> None:
    sign_in(page, base_url, "/channels", username="boss")
    add = page.get_by_test_id("add-shop")
    add.locator("input[name=code]").fill("woo-shop")
    add.locator("select[name=platform]").select_option("woocommerce")
    add.locator("input[name=name]").fill("Woo shop")
    add.locator("input[name=secret]").fill("woo-webhook-secret-abcdef")
    add.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Channel shop added.")
    expect(page.locator("[data-testid=shops] tr[data-shop=woo-shop]")).to_have_count(1)

    body = dumps(woo_order())  # its SKUs are not in this catalog: kept as failed
    answer = httpx.post(base_url + "/api/hooks/woo-shop", content=body, headers=woo_headers(body))
    assert answer.status_code == 200

    page.click("nav a[href='/channels/inbox']")
    row = page.locator("[data-testid=deliveries] tbody tr").first
    expect(row).to_have_attribute("data-state", "failed")
    row.locator("a").first.click()
    expect(page.get_by_test_id("delivery-problems")).to_contain_text("lines[0].sku")
    expect(page.get_by_test_id("raw-body")).to_contain_text("Woo Single #1")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_the_desk_screens(browser: Browser, base_url: str, db: Db,
                                         floor: dict[str, str], language: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    sign_in(page, base_url, "/channels", username="boss")
    add = page.get_by_test_id("add-shop")
    add.locator("input[name=code]").fill("woo-shop")
    add.locator("input[name=name]").fill("Woo shop")
    add.locator("select[name=platform]").select_option("woocommerce")
    add.locator("input[name=secret]").fill("woo-webhook-secret-abcdef")
    add.locator("button[type=submit]").click()
    body = dumps(woo_order())
    delivery = httpx.post(base_url + "/api/hooks/woo-shop", content=body,
                          headers=woo_headers(body)).json()["delivery_id"]
    shots = {"desk-order-changes": (f"/orders/{floor['change']}", "[data-testid=lines]"),
             "desk-merges": ("/orders/merges", "form[action='/orders/merges/auto']"),
             "desk-new-order": ("/orders/new", "[data-testid=new-order]"),
             "channel-shops": ("/channels", "[data-testid=shops]"),
             "channel-inbox": ("/channels/inbox", "[data-testid=deliveries]"),
             "channel-delivery": (f"/channels/delivery?id={delivery}",
                                  "[data-testid=delivery-state]")}
    for name, (path, shows) in shots.items():
        visit(page, base_url + path, shows, language)
        page.screenshot(path=SCREENSHOTS / f"{name}.{language}.png", full_page=True)
    context.close()
