"""The key-in form's paste box: the parse is shown back, then the order is placed from it."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from orderflow.orders import queries
from tests.builders.orders import make_catalog
from tests.web.helpers import login, make_staff, post


def test_the_pasted_line_is_read_back_then_placed(client: TestClient, db) -> None:
    make_catalog(db)
    make_staff(db, "mei", language="zh-CN")
    token = login(client, "mei")
    line = "王五 139-0000-1111 朝阳区建国路88号"

    fragment = post(client, "/orders/new/parse-address", token, address_text=line).text
    placed = post(client, "/orders/new", token, channel="phone", address_text=line,
                  country="CN", language="zh-CN", sku_0="SKU-1", qty_0="1")

    assert re.findall(r'data-part="(\w+)">([^<]+)<', fragment)[:5] == [
        ("name", "王五"), ("phone", "139-0000-1111"), ("province", "—"), ("city", "—"),
        ("district", "朝阳区")]
    assert "北京市 北京市 朝阳区; 吉林省 长春市 朝阳区" in fragment
    assert placed.status_code == 303, placed.text
    number = placed.headers["location"].rsplit("/", 1)[1]
    with db.read() as s:
        order = queries.get_order(s, number)
    assert (order.recipient_name, order.recipient_phone, order.city, order.district) == (
        "王五", "+8613900001111", None, "朝阳区")
