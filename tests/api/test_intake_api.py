"""Intake over the API: changed copies refused with their differences, phones as people
write them, replays byte for byte."""

from __future__ import annotations

import pytest

from tests.builders.orders import order_body


def test_a_changed_body_for_an_existing_channel_order_is_409_listing_the_differences(client):
    first = client.post("/api/v1/orders", json=order_body(channel="shopify", external_id="45"))
    changed = order_body([("SKU-3", 9)], channel="shopify", external_id="45")
    changed["customer"]["name"] = "李四"
    changed["shipping_address"]["city"] = "宁波市"

    r = client.post("/api/v1/orders", json=changed)

    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["code"] == "order.external_id_conflict"
    assert [e["field"] for e in problem["errors"]] == [
        "customer.name", "shipping_address.city", "total", "lines"]
    number = first.json()["number"]
    assert f"/api/v1/orders/{number}/address" in problem["detail"]
    assert len(client.get("/api/v1/orders").json()["items"]) == 1


def test_the_same_order_with_its_phone_spelled_otherwise_is_the_same_order(client):
    first = client.post("/api/v1/orders", json=order_body(channel="shop", external_id="7"))
    again = order_body(channel="shop", external_id="7")
    again["customer"]["phone"] = "+86-138-0013-8000"

    r = client.post("/api/v1/orders", json=again)

    assert r.status_code == 200
    assert r.json()["number"] == first.json()["number"]


@pytest.mark.parametrize(("phone", "country", "e164"), [
    ("138-1234-5678", "CN", "+8613812345678"),
    ("+86-138-1234-5678", "CN", "+8613812345678"),
    ("027-8765-4321", "CN", "+862787654321"),
    ("１３８１２３４５６７８", "CN", "+8613812345678"),
    ("+1 650-253-0000", "CN", "+16502530000"),
    ("+44 20-7946-0958", "CN", "+442079460958"),
])
def test_phones_with_hyphens_and_full_width_digits_are_taken(client, phone, country, e164):
    body = order_body()
    body["customer"]["phone"] = phone

    r = client.post("/api/v1/orders", json=body)

    assert r.status_code == 201, r.text
    assert r.json()["recipient"]["phone"] == e164


def test_a_replayed_error_is_the_same_answer_byte_for_byte(client):
    body = order_body([("SKU-1", 500)])  # more than the 100 in stock
    headers = {"Idempotency-Key": "err-1"}
    first = client.post("/api/v1/orders", json=body, headers=headers)

    again = client.post("/api/v1/orders", json=body, headers=headers)

    assert first.status_code == again.status_code == 409
    assert first.headers["content-type"] == again.headers["content-type"] \
        == "application/problem+json"
    assert again.content == first.content
    assert {"type", "title", "status", "detail", "code"} <= set(again.json())
    assert again.headers["idempotent-replayed"] == "true"


def test_a_replayed_success_is_the_same_answer_byte_for_byte(client):
    headers = {"Idempotency-Key": "ok-1"}
    first = client.post("/api/v1/orders", json=order_body(), headers=headers)

    again = client.post("/api/v1/orders", json=order_body(), headers=headers)

    assert (again.status_code, again.headers["location"], again.headers["content-type"]) == \
        (first.status_code, first.headers["location"], first.headers["content-type"])
    assert again.content == first.content


def test_a_one_line_address_with_name_and_phone_fills_the_recipient(client):
    body = order_body()
    body["customer"] = {}
    body["shipping_address"] = {"text": "张三 13800138000 广东省深圳市南山区高新南七道12号"}

    r = client.post("/api/v1/orders", json=body)

    assert r.status_code == 201, r.text
    recipient = r.json()["recipient"]
    assert {k: recipient[k] for k in ("name", "phone", "province", "city", "district", "detail")} \
        == {"name": "张三", "phone": "+8613800138000", "province": "广东省", "city": "深圳市",
            "district": "南山区", "detail": "高新南七道12号"}


def test_a_district_without_its_city_is_taken_when_the_name_is_unique(client):
    body = order_body()
    body["shipping_address"] = {"text": "海曙区中山西路 1 号"}

    r = client.post("/api/v1/orders", json=body)

    assert r.status_code == 201, r.text
    recipient = r.json()["recipient"]
    assert (recipient["province"], recipient["city"], recipient["district"]) == (
        "浙江省", "宁波市", "海曙区")


def test_an_ambiguous_district_goes_to_review_with_the_candidates(client):
    body = order_body()
    body["shipping_address"] = {"text": "王五 13900001111 朝阳区建国路88号"}

    r = client.post("/api/v1/orders", json=body)
    number = r.json()["number"]
    client.post(f"/api/v1/orders/{number}/payments", json={
        "method": "alipay", "amount": "10.00", "external_ref": "P-amb"})
    review = client.get(f"/api/v1/review/orders/{number}").json()

    assert r.status_code == 201, r.text
    assert (r.json()["recipient"]["city"], r.json()["recipient"]["district"]) == (None, "朝阳区")
    assert review["status"] == "awaiting_review"
    [finding] = [f for f in review["findings"] if f["code"] == "address.ambiguous"]
    assert "北京市北京市" in finding["reason_zh"]
    assert "吉林省长春市" in finding["reason_zh"]


def test_a_changed_copy_that_no_longer_validates_is_still_a_conflict_not_a_replay(client):
    client.post("/api/v1/orders", json=order_body(channel="shop", external_id="9"))
    changed = order_body([("NOPE", 1)], channel="shop", external_id="9")
    changed["customer"]["name"] = "李四"
    same = order_body(channel="shop", external_id="9")
    same["customer"]["email"] = "not-an-email"  # invalid now, but the same buyer and lines

    r = client.post("/api/v1/orders", json=changed)
    replay = client.post("/api/v1/orders", json=same)

    assert r.status_code == 409
    assert [e["field"] for e in r.json()["errors"]] == ["customer.name", "lines"]
    assert replay.status_code == 200
