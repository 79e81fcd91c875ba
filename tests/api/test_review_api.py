"""/api/v1/review: the same use cases as the console, over HTTP with problem+json."""

from __future__ import annotations

import pytest

from tests.builders.orders import NEEDS_REVIEW, make_token, order_body, pay_body
from tests.support.clock import at_working_morning

pytestmark = pytest.mark.clock


def paid(client, lines=None, **extra) -> str:
    body = order_body(lines or [("SKU-1", 1)], **extra)
    number = client.post("/api/v1/orders", json=body).json()["number"]
    r = client.post(f"/api/v1/orders/{number}/payments", json=pay_body("10.00", f"P-{number}"))
    assert r.status_code == 201
    return number


def test_the_queue_has_every_reason_in_both_languages_and_classes(client):
    at_working_morning()  # a promise 9 hours away: standard
    waiting = paid(client, **NEEDS_REVIEW)
    approved = paid(client, [("SKU-2", 1)])

    queue = client.get("/api/v1/review/queue").json()
    one = client.get(f"/api/v1/review/orders/{approved}").json()

    assert queue["total"] == 1
    [item] = queue["items"]
    assert item["number"] == waiting
    assert (item["outcome"], item["urgency"], item["customer_type"], item["payment_status"]) == (
        "warn", "standard", "new", "paid")
    [finding] = item["findings"]
    assert finding["code"] == "risk.remark"
    assert finding["reason_en"].startswith("The seller remark says '发票'")
    assert finding["reason_zh"].startswith("卖家留言含「发票」")
    assert (one["status"], one["outcome"], one["address"]["adcode"]) == ("approved", "pass",
                                                                         "330106")


def test_decisions_and_bulk_approve(client):
    first = paid(client)
    twin = paid(client)
    remark = paid(client, [("SKU-2", 1)], **NEEDS_REVIEW)
    held = paid(client, [("SKU-3", 1)], **NEEDS_REVIEW)

    bulk = client.post("/api/v1/review/bulk-approve", json={"numbers": [twin, remark]})
    hold = client.post(f"/api/v1/review/orders/{held}/hold", json={"reason": "核实地址"})
    no_reason = client.post(f"/api/v1/review/orders/{held}/cancel", json={"reason": ""})

    assert bulk.json() == {"approved": [remark], "skipped": {
        twin: "blocked by a review rule; open it and approve it alone"}}
    assert hold.json()["status"] == "on_hold"
    assert hold.json()["decision"] == "held"
    assert no_reason.status_code == 422
    assert client.get(f"/api/v1/review/orders/{first}").json()["status"] == "approved"


def test_edit_re_reviews_and_a_bad_phone_is_a_problem_naming_the_field(client):
    number = paid(client, shipping_address={
        "country": "CN", "province": "广东省", "city": "深圳市", "district": "西湖区",
        "detail": "科苑路 15 号"})

    bad = client.post(f"/api/v1/review/orders/{number}/edit",
                      json={"recipient_phone": "12345"})
    good = client.post(f"/api/v1/review/orders/{number}/edit", json={"district": "南山区"})

    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["recipient_phone"]
    assert (good.json()["status"], good.json()["outcome"]) == ("approved", "pass")


def test_settings_round_trip_and_bad_values_are_named(client):
    bad = client.patch("/api/v1/review/settings",
                       json={"cut_off": "4pm", "duplicate_window_hours": 0, "colour": "red"})
    good = client.patch("/api/v1/review/settings",
                        json={"cut_off": "15:30", "remark_keywords": ["加急", "invoice"]})

    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["colour"]
    assert good.json()["cut_off"] == "15:30"
    assert client.get("/api/v1/review/settings").json()["remark_keywords"] == ["加急", "invoice"]
    invalid = client.patch("/api/v1/review/settings", json={"cut_off": "4pm",
                                                            "duplicate_window_hours": 0})
    assert sorted(e["field"] for e in invalid.json()["errors"]) == [
        "cut_off", "duplicate_window_hours"]


def test_blockers_say_why_an_order_is_stuck(client):
    number = client.post("/api/v1/orders", json=order_body()).json()["number"]

    blockers = client.get(f"/api/v1/review/orders/{number}/blockers").json()

    assert [(b["code"], b["action"]) for b in blockers] == [("payment_deadline",
                                                             "record_payment")]
    assert blockers[0]["action_zh"] == "登记付款,或等待买家付款"


def test_the_order_list_filters_by_review_classes(client):
    waiting = paid(client, **NEEDS_REVIEW)
    unpaid = client.post("/api/v1/orders", json=order_body([("SKU-2", 1)])).json()["number"]

    paid_only = client.get("/api/v1/orders", params={"payment_status": "paid"}).json()
    unpaid_only = client.get("/api/v1/orders", params={"payment_status": "unpaid"}).json()
    new_and_paid = client.get("/api/v1/orders", params={"payment_status": "paid",
                                                        "customer_type": "new"}).json()
    returning = client.get("/api/v1/orders", params={"customer_type": "returning"}).json()
    wrong = client.get("/api/v1/orders", params={"urgency": "soon"})

    assert [o["number"] for o in paid_only["items"]] == [waiting]
    assert [o["number"] for o in unpaid_only["items"]] == [unpaid]  # derived: not reviewed
    assert [o["number"] for o in new_and_paid["items"]] == [waiting]
    assert returning["items"] == []
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "urgency"


def test_review_routes_need_the_right_scope(client, db):
    client.headers["Authorization"] = f"Bearer {make_token(db, ['orders:read'])}"

    assert client.get("/api/v1/review/queue").status_code == 200
    refused = client.post("/api/v1/review/bulk-approve", json={"numbers": ["1"]})
    assert (refused.status_code, refused.json()["code"]) == (403, "auth.missing_scope")
