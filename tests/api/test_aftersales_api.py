"""/api/v1/aftersales/cases and /api/v1/refunds: the HTTP contract on both databases."""

from __future__ import annotations

import pytest

from orderflow.aftersales.refunds import providers
from tests.builders.orders import make_token
from tests.integration.aftersales.helpers import delivered


@pytest.fixture(autouse=True)
def _simulated(monkeypatch):
    monkeypatch.setenv("ORDERFLOW_REFUND_PROVIDER", "simulated")
    yield
    for name in providers.KNOWN:
        providers.use(name, None)


def test_a_case_goes_from_request_to_refund_over_http(client, db, settings):
    number = delivered(db, settings, [("SKU-1", 2)])

    opened = client.post("/api/v1/aftersales/cases", json={
        "order_number": number, "type": "return_refund", "reason": "quality_damaged",
        "lines": [{"sku": "SKU-1", "quantity": 2}], "note": "屏幕碎了"})
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert (case["state"], case["lines"][0]["quantity"]) == ("requested", 2)
    cid = case["id"]

    assert client.post(f"/api/v1/aftersales/cases/{cid}/approve", json={}).json()["state"] \
        == "awaiting_return"
    shipped = client.post(f"/api/v1/aftersales/cases/{cid}/return-shipment",
                          json={"carrier": "SF", "tracking_number": "SF1234567890123"})
    assert shipped.json()["state"] == "in_transit_back"
    received = client.post("/api/v1/aftersales/receiving", json={"scan": "SF1234567890123"})
    assert received.json()["state"] == "refunding"
    made = client.post(f"/api/v1/aftersales/cases/{cid}/refund", json={})
    assert [(r["state"], r["amount"]) for r in made.json()] == [("succeeded", "20.00")]

    listed = client.get("/api/v1/refunds", params={"order": number}).json()
    assert [r["case_number"] for r in listed] == [case["number"]]
    detail = client.get(f"/api/v1/aftersales/cases/{cid}", params={"lang": "zh-CN"}).json()
    assert detail["state"] == "closed"
    assert detail["events"][0]["text"].startswith("提交申请：退货退款")
    queue = client.get("/api/v1/aftersales/cases", params={"state": "all"}).json()
    assert [c["number"] for c in queue] == [case["number"]]


def test_an_over_refund_is_refused_with_problem_json_naming_the_field(client, db, settings):
    number = delivered(db, settings, [("SKU-1", 1)])

    r = client.post("/api/v1/refunds", json={"order_number": number, "amount": "10.01",
                                             "reason": "goodwill"})

    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "refund.exceeds_refundable"
    assert problem["errors"][0]["field"] == "amount"
    assert client.get("/api/v1/refunds", params={"order": number}).json() == []


def test_a_request_outside_the_policy_is_409_with_the_reason_code(client, db, settings):
    client.put("/api/v1/aftersales/policy", json={"exclusions": [
        {"kind": "sku", "value": "SKU-1", "reason": "fresh"}]})
    number = delivered(db, settings, [("SKU-1", 1)])

    r = client.post("/api/v1/aftersales/cases", json={
        "order_number": number, "type": "return_refund", "reason": "no_reason",
        "lines": [{"sku": "SKU-1", "quantity": 1}]})

    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "excluded.fresh"


def test_bad_input_names_the_field(client, db, settings):
    number = delivered(db, settings, [("SKU-1", 1)])

    r = client.post("/api/v1/aftersales/cases", json={
        "order_number": number, "type": "return_refund", "reason": "because",
        "lines": [{"sku": "SKU-1", "quantity": 0}]})

    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"reason", "lines[0].quantity"} <= fields or len(fields) >= 2


def test_a_token_without_the_scope_is_refused(client, db):
    client.headers["Authorization"] = f"Bearer {make_token(db, ['orders:read'])}"

    assert client.get("/api/v1/aftersales/cases").status_code == 403
    assert client.post("/api/v1/refunds", json={"order_number": "x" * 8}).status_code == 403
