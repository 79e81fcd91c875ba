"""The review queue in the console: reasons, one-click approve, bulk approve,
classification filters, edit and re-review, settings, and 'why is it stuck?'."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import queries
from orderflow.review import service as review
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.support.clock import at_working_morning
from tests.web.helpers import HOST, login, make_staff, post, timeline

pytestmark = pytest.mark.clock


def queued(html: str) -> list[str]:
    return re.findall(r'<tr data-number="(\d+)"', html)


def status(db: Db, number: str) -> str:
    with db.read() as s:
        return queries.get_order(s, number).status.value


def test_the_queue_lists_reasons_in_both_languages_and_approves_in_one_click(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    passed = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"])

    english = client.get("/review").text
    post(client, "/language", token, language="zh-CN", next="/review")
    chinese = client.get("/review").text
    response = post(client, f"/review/{number}/approve", token, next="/review")

    assert queued(english) == [number]
    assert passed not in english
    assert "The seller remark says &#39;发票&#39;" in english
    assert "卖家留言含「发票」" in chinese
    assert "审单队列" in chinese
    assert (response.status_code, response.headers["location"]) == (303, "/review")
    assert status(db, number) == "approved"
    assert queued(client.get("/review").text) == []


def test_bulk_approve_skips_blocked_orders_and_says_why(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    first = make_order(db, settings, path=["paid"])
    twin = make_order(db, settings, path=["paid"])  # a likely duplicate: blocked
    remark = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"], **NEEDS_REVIEW)

    response = client.post("/review/queue/approve", headers={"Origin": "http://testserver"},
                           data={"csrf_token": token, "number": [twin, remark]})
    page = client.get("/review").text

    assert (response.status_code, response.headers["location"]) == (303, "/review")
    assert (status(db, first), status(db, twin), status(db, remark)) == (
        "approved", "awaiting_review", "approved")
    assert 'data-testid="bulk-result"' in page
    assert f"{twin}</a>: blocked by a review rule" in page
    assert queued(page) == [twin]


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_classification_filters_work_in_the_queue_and_the_order_list(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    at_working_morning()  # the order without express is standard, not due within 4 hours
    standard = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    express = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"], **NEEDS_REVIEW)
    review.edit(db, express, {"shipping_service": "express"}, actor=review.lifecycle.SYSTEM)

    expedited = queued(client.get("/review?urgency=expedited").text)
    everything = queued(client.get("/review").text)
    listed = re.findall(r'href="/orders/(\d+)"', client.get("/orders?urgency=expedited").text)
    bad = client.get("/review?urgency=soon")

    assert expedited == [express]
    assert everything == [express, standard]  # expedited first
    assert listed == [express]
    assert bad.status_code == 422
    assert 'data-field="urgency"' in bad.text


def test_editing_the_address_in_review_re_reviews_and_lands_on_the_timeline(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], shipping_address={
        "country": "CN", "province": "广东省", "city": "深圳市", "district": "西湖区",
        "detail": "科苑路 15 号"})
    before = client.get(f"/review/{number}").text

    response = post(client, f"/review/{number}/edit", token, recipient_name="张三",
                    recipient_phone="13800138000", province="广东省", city="深圳市",
                    district="南山区", address_detail="科苑路 15 号", postal_code="",
                    seller_remark="", shipping_service="standard")
    order_page = client.get(f"/orders/{number}").text

    assert "&#39;西湖区&#39; is not a district of 深圳市" in before
    assert (response.status_code, response.headers["location"]) == (303, f"/review/{number}")
    assert status(db, number) == "approved"
    assert timeline(order_page)[:3] == ["status.changed", "review.completed", "order.edited"]


def test_a_bad_phone_in_the_edit_form_is_shown_by_its_field(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    response = post(client, f"/review/{number}/edit", token, recipient_phone="12345",
                    address_detail="文三路 100 号")

    assert response.status_code == 422
    assert 'data-field="recipient_phone"' in response.text
    assert 'value="12345"' in response.text


def test_the_order_page_says_why_it_is_stuck(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    unpaid = make_order(db, settings)
    waiting = make_order(db, settings, lines=[("SKU-2", 1)], path=["paid"], **NEEDS_REVIEW)

    unpaid_page = client.get(f"/orders/{unpaid}").text
    waiting_page = client.get(f"/review/{waiting}").text

    assert 'data-testid="blockers"' in unpaid_page
    assert "Unpaid; cancelled automatically at" in unpaid_page
    assert "Record the payment, or wait for it" in unpaid_page
    assert "Waiting for review: The seller remark says" in waiting_page
    assert "Open the review: approve, edit, hold or cancel" in waiting_page


def test_only_an_admin_changes_review_settings_and_bad_values_are_named(
        app: FastAPI, client: TestClient, token: str, db: Db, settings: Settings) -> None:
    refused = post(client, "/review-settings", token, cut_off="15:00")
    make_staff(db, "root", role=Role.ADMIN)
    root = TestClient(app, base_url=f"http://{HOST}", follow_redirects=False)
    admin = login(root, "root")
    bad = post(root, "/review-settings", admin, cut_off="25:00", duplicate_window_hours="24",
               high_value="2000", first_order_high_value="800", cod_max="1000",
               ship_days_before_cut_off="0", ship_days_after_cut_off="1", ship_by_time="18:00",
               calendar="CN", rule_completeness="on", rule_validity="on", rule_address="on",
               rule_duplicates="on", auto_approve="on")
    after_bad = review.get_config(db).cut_off
    good = post(root, "/review-settings", admin, cut_off="15:00", duplicate_window_hours="48",
                high_value="3000.50", first_order_high_value="800", cod_max="1000",
                ship_days_before_cut_off="0", ship_days_after_cut_off="1", ship_by_time="18:00",
                calendar="CN", rule_completeness="on", rule_validity="on", rule_address="on",
                rule_duplicates="on", rule_risk="on", auto_approve="on",
                remark_keywords="加急\n发票", remote_outcome="pass")

    assert refused.status_code == 403
    assert bad.status_code == 422
    assert 'data-field="cut_off"' in bad.text
    assert after_bad == "16:00"
    assert (good.status_code, good.headers["location"]) == (303, "/review-settings")
    saved = review.get_config(db)
    assert (saved.cut_off, saved.duplicate_window_hours, saved.high_value_minor) == (
        "15:00", 48, 300050)
    assert saved.remark_keywords == ["加急", "发票"]
    assert saved.severity == {"address.remote": "pass"}
    assert saved.disabled_rules == []
