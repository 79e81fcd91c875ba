from __future__ import annotations

from orderflow.intake import idempotency
from orderflow.orders.schemas import OrderIn
from tests.builders.orders import order_body, pay_body


def test_post_creates_order_with_number_and_problem_free_view(client):
    r = client.post("/api/v1/orders", json=order_body([("SKU-1", 2), ("SKU-2", 1)], total="30.00"))

    assert r.status_code == 201
    view = r.json()
    assert view["status"] == "pending_payment"
    assert view["total"] == "30.00"
    assert [ln["quantities"]["reserved"] for ln in view["lines"]] == [2, 1]
    assert r.headers["location"] == f"/api/v1/orders/{view['number']}"
    assert len(view["number"]) == 12


def test_same_idempotency_key_replays_the_first_response_and_creates_nothing_new(client):
    headers = {"Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/orders", json=order_body(), headers=headers)

    again = client.post("/api/v1/orders", json=order_body(), headers=headers)

    assert again.status_code == first.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert len(client.get("/api/v1/orders").json()["items"]) == 1


def test_same_idempotency_key_with_a_different_body_is_422(client):
    client.post("/api/v1/orders", json=order_body(), headers={"Idempotency-Key": "k"})

    r = client.post(
        "/api/v1/orders", json=order_body([("SKU-2", 5)]), headers={"Idempotency-Key": "k"}
    )

    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "idempotency.key_reused"


def test_retry_while_the_first_request_is_in_flight_is_409(client, db):
    body = order_body()
    canonical = OrderIn.model_validate(body).model_dump_json().encode()
    # the first request with this key has claimed it and not finished yet
    idempotency.begin(
        db, "token:1", "slow-key", idempotency.fingerprint("POST", "/api/v1/orders", canonical)
    )

    r = client.post("/api/v1/orders", json=body, headers={"Idempotency-Key": "slow-key"})

    assert r.status_code == 409
    assert r.json()["code"] == "idempotency.in_flight"


def test_same_channel_and_external_id_with_the_same_body_returns_the_first_order(client):
    body = order_body(channel="shopify", external_id="450789469")
    first = client.post("/api/v1/orders", json=body)

    second = client.post("/api/v1/orders", json=body)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json()["number"] == first.json()["number"]


def test_bad_order_is_refused_whole_with_every_field_named(client):
    body = order_body([("NOPE", 1), ("SKU-1", 2)], total="99.99", currency="XYZ")
    body["lines"][1]["quantity"] = 1.5
    body["customer"]["email"] = "not-an-email"

    r = client.post("/api/v1/orders", json=body)

    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "lines[1].quantity",
            "code": "invalid.int_type",
            "message": "Input should be a valid integer",
        }
    ]
    body["lines"][1]["quantity"] = 2
    r = client.post("/api/v1/orders", json=dict(body, currency="CNY"))
    fields = [e["field"] for e in r.json()["errors"]]
    assert fields == ["lines[0].sku", "total", "customer.email"]
    assert client.get("/api/v1/orders").json()["items"] == []


def test_float_money_is_refused_with_a_clear_reason(client):
    r = client.post("/api/v1/orders", json=order_body(total=10.0))

    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "total"
    assert "exact" in r.json()["errors"][0]["message"]


def test_payment_moves_order_through_review_and_a_second_success_is_owed_back(client):
    number = client.post("/api/v1/orders", json=order_body([("SKU-1", 1)])).json()["number"]

    first = client.post(f"/api/v1/orders/{number}/payments", json=pay_body("10.00", "T1"))
    second = client.post(
        f"/api/v1/orders/{number}/payments", json=pay_body("10.00", "T2", "wechat_pay")
    )
    repeat = client.post(f"/api/v1/orders/{number}/payments", json=pay_body("10.00", "T1"))

    assert (first.status_code, first.json()["owed_back"]) == (201, False)
    assert (second.status_code, second.json()["owed_back"]) == (201, True)
    assert repeat.json()["id"] == first.json()["id"]
    order = client.get(f"/api/v1/orders/{number}").json()
    assert order["status"] == "approved"  # it passed review, so it was approved at once
    assert (order["paid"], order["refund_due"]) == ("10.00", "10.00")
    assert len(order["payments"]) == 2


def test_failed_payment_leaves_the_order_payable(client):
    number = client.post("/api/v1/orders", json=order_body()).json()["number"]

    r = client.post(
        f"/api/v1/orders/{number}/payments",
        json=dict(pay_body("10.00", "F1"), state="failed", failure_reason="card declined"),
    )

    assert r.status_code == 201
    order = client.get(f"/api/v1/orders/{number}").json()
    assert order["status"] == "pending_payment"
    assert [t["kind"] for t in order["timeline"]][-1] == "payment.failed"


def test_illegal_transition_is_a_409_problem(client):
    number = client.post("/api/v1/orders", json=order_body()).json()["number"]

    r = client.post(f"/api/v1/orders/{number}/approve")

    assert r.status_code == 409
    assert r.json()["code"] == "order.illegal_transition"
    assert "pending_payment to approved" in r.json()["detail"]


def test_keyset_pagination_walks_every_order_once(client):
    numbers = {client.post("/api/v1/orders", json=order_body()).json()["number"] for _ in range(7)}

    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/orders", params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [o["number"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert len(seen) == 7
    assert set(seen) == numbers
    assert seen == sorted(seen, reverse=True)


def test_search_by_phone_tail_name_and_order_number(client):
    a = client.post("/api/v1/orders", json=order_body()).json()["number"]
    body = order_body()
    body["customer"] = {
        "name": "Emma Wilson",
        "phone": "+447911123456",
        "email": "emma@example.co.uk",
        "language": "en",
    }
    body["shipping_address"] = {
        "country": "GB",
        "city": "London",
        "detail": "10 Downing St",
        "postal_code": "SW1A 2AA",
    }
    b = client.post("/api/v1/orders", json=body).json()["number"]

    def find(q):
        return [o["number"] for o in client.get("/api/v1/orders", params={"q": q}).json()["items"]]

    assert find("emma") == [b]
    assert find("8000") == [a]
    assert find(a) == [a]


def test_unknown_order_is_a_404_problem(client):
    r = client.get("/api/v1/orders/999")

    assert r.status_code == 404
    assert r.json()["code"] == "order.not_found"
