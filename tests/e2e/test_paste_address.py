"""The key-in form reads a pasted one-line address (name, phone, address) back before
the order is placed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.db import Db
from orderflow.orders import queries
from tests.builders.orders import make_catalog
from tests.e2e.conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser]


def test_a_pasted_line_with_name_and_phone_is_parsed_shown_and_placed(page: Page, base_url: str,
                                                                      db: Db) -> None:
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, display_name="Alice",
                     language="en")
    make_catalog(db)
    sign_in(page, base_url, "/orders/new")
    form = page.get_by_test_id("new-order")

    form.get_by_test_id("address-text").fill("张三 13800138000 广东省深圳市南山区高新南七道12号")
    form.get_by_test_id("parse-address").click()

    parsed = page.get_by_test_id("parsed-address")
    expect(parsed.locator("[data-part=name]")).to_have_text("张三")
    expect(parsed.locator("[data-part=phone]")).to_have_text("13800138000")
    expect(parsed.locator("[data-part=city]")).to_have_text("深圳市")
    expect(parsed.locator("[data-part=district]")).to_have_text("南山区")
    expect(parsed.locator("[data-part=detail]")).to_have_text("高新南七道12号")
    expect(form.locator("input[name=province]")).to_have_value("广东省")
    expect(form.locator("input[name=name]")).to_have_value("张三")

    form.locator("input[name=sku_0]").fill("SKU-1")
    form.locator("input[name=qty_0]").fill("1")
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Order placed.")
    number = re.search(r"/orders/(\w+)$", page.url)[1]  # type: ignore[index]
    with db.read() as s:
        order = queries.get_order(s, number)
    assert (order.recipient_name, order.recipient_phone, order.city, order.district,
            order.address_detail) == ("张三", "+8613800138000", "深圳市", "南山区",
                                      "高新南七道12号")
