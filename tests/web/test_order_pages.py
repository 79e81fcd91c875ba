"""The dashboard, the order list (filters, pages) and the order page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.web.helpers import listed, timeline

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def _customer(name: str, phone: str) -> dict[str, str]:
    return {"name": name, "phone": phone, "email": f"{phone}@example.com"}


def test_the_dashboard_counts_orders_by_status_and_links_to_the_list(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings)
    make_order(db, settings)
    make_order(db, settings, path=["paid"])

    page = client.get("/").text

    tiles = dict(re.findall(
        r'href="/orders\?status=([a-z_]+)" data-status="[a-z_]+">\s*<span class="tile-count">(\d+)',
        page))
    assert tiles["pending_payment"] == "2"
    assert tiles["awaiting_review"] == "1"
    assert tiles["cancelled"] == "0"
    assert len(tiles) == 15
    assert "3 orders in total" in page


def test_the_list_filters_by_status_channel_and_text(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    first = make_order(db, settings, customer=_customer("Li Lei", "13900001111"))
    second = make_order(db, settings, path=["paid"],
                        customer=_customer("Han Meimei", "13700002222"), **NEEDS_REVIEW)
    third = make_order(db, settings, channel="taobao", customer=_customer("Li Lei", "13900001111"))

    everything = listed(client.get("/orders").text)
    review = listed(client.get("/orders?status=awaiting_review").text)
    taobao = listed(client.get("/orders?channel=taobao").text)
    by_phone = listed(client.get("/orders?q=13900001111").text)
    by_name = listed(client.get("/orders?q=han meimei").text)
    by_number = listed(client.get(f"/orders?q={second}").text)

    assert everything == [third, second, first]
    assert review == [second]
    assert taobao == [third]
    assert by_phone == [third, first]
    assert by_name == [second]
    assert by_number == [second]


def test_the_list_filters_by_placed_date_in_the_merchant_zone(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings)
    today = clock.local(clock.utcnow(), settings.zone).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)

    only_today = listed(client.get(f"/orders?from={today}&to={today}").text)
    before = listed(client.get(f"/orders?to={yesterday}").text)
    after = listed(client.get(f"/orders?from={tomorrow}").text)

    assert (only_today, before, after) == ([number], [], [])


def test_the_list_pages_with_next_and_first_page_links(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    numbers = [make_order(db, settings) for _ in range(3)]

    page_one = client.get("/orders?status=pending_payment&limit=2").text
    next_url = re.search(r'<a class="button" href="([^"]+)" data-testid="next-page"', page_one)
    assert next_url is not None
    page_two = client.get(next_url.group(1).replace("&amp;", "&")).text
    first_url = re.search(r'<a class="button" href="([^"]+)" data-testid="first-page"', page_two)

    assert listed(page_one) == [numbers[2], numbers[1]]
    assert 'data-testid="first-page"' not in page_one
    assert listed(page_two) == [numbers[0]]
    assert 'data-testid="next-page"' not in page_two
    assert first_url is not None
    assert first_url.group(1) == "/orders?status=pending_payment&amp;limit=2"


def test_a_bad_filter_is_shown_with_its_field(client: TestClient, token: str) -> None:
    response = client.get("/orders?status=lost&from=yesterday&cursor=zzz")

    assert response.status_code == 422
    assert re.findall(r'<li data-field="([^"]+)"><strong>([^<]+)</strong>', response.text) == [
        ("status", "Status"), ("from", "Placed from")]


def test_the_order_page_shows_lines_with_every_quantity(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=["paid"])

    page = client.get(f"/orders/{number}").text

    rows = re.findall(r'<tr>\s*<td class="mono">(SKU-\d)</td>(.*?)</tr>', page, re.S)
    quantities = {sku: dict(re.findall(r'data-quantity="(\w+)">(\d+)<', row)) for sku, row in rows}
    assert quantities["SKU-1"] == {
        "ordered": "2", "reserved": "2", "allocated": "0", "picked": "0", "packed": "0",
        "shipped": "0", "delivered": "0", "returned": "0", "exchanged": "0", "refunded": "0",
        "cancelled": "0"}
    assert quantities["SKU-2"]["ordered"] == "1"
    assert "<strong>CN¥30.00</strong>" in page


def test_the_order_page_shows_recipient_payments_and_the_timeline(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    page = client.get(f"/orders/{number}").text

    assert timeline(page) == ["review.completed", "status.changed", "status.changed",
                              "payment.succeeded", "stock.reserved", "order.placed"]
    assert '<dd class="mono">+8613800138000</dd>' in page
    assert "<td>Alipay</td>" in page
    assert "Paid" in page
    moves = re.findall(r'<span class="badge status-(\w+)">[^<]+</span> →', page)
    assert moves == ["paid", "pending_payment"]
    assert '<strong class="tl-kind">Payment received</strong>' in page


def test_an_unknown_order_is_a_404_page(client: TestClient, token: str) -> None:
    response = client.get("/orders/2611230000000")

    assert response.status_code == 404
    assert "There is no order with the number 2611230000000." in response.text
