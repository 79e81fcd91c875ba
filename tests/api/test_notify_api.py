from __future__ import annotations

from datetime import timedelta

from orderflow import clock
from tests.builders.orders import order_body


def test_webhook_endpoint_secret_is_shown_once_and_rotation_keeps_two(client):
    created = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                                    "events": ["order.shipped"]})

    assert created.status_code == 201
    first = created.json()
    assert first["secret"].startswith("whsec_")
    listed = client.get("/api/v1/webhooks").json()
    assert listed[0]["secret"] is None
    rotated = client.post(f"/api/v1/webhooks/{first['id']}/rotate").json()
    assert rotated["secret"] != first["secret"]


def test_webhook_with_an_unknown_event_is_refused_naming_it(client):
    r = client.post("/api/v1/webhooks",
                    json={"url": "https://example.com/h", "events": ["order.shiped"]})

    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "events"
    assert "order.shiped" in r.json()["errors"][0]["message"]


def test_template_save_refuses_a_misspelt_variable_and_versions_a_good_one(client):
    path = "/api/v1/templates/order.shipped/email/en"
    bad = client.put(path, json={"subject": "Shipped {{ trackng_number }}", "body_text": "x"})

    assert bad.status_code == 422
    assert bad.json()["errors"][0]["code"] == "template.unknown_variable"
    assert "trackng_number" in bad.json()["errors"][0]["message"]
    assert client.get(path).json()["version"] == 0
    good = client.put(path, json={"subject": "On its way: {{ order_number }}",
                                  "body_text": "{{ carrier_name }} {{ tracking_number }}"})
    assert good.status_code == 200
    assert good.json()["version"] == 1


def test_template_preview_renders_on_a_real_order(client):
    number = client.post("/api/v1/orders", json=order_body()).json()["number"]

    r = client.post("/api/v1/templates/order.received/preview", params={"order_number": number},
                    json={"subject": "Order {{ order_number }}", "body_text": "Total {{ total }}"})

    assert r.status_code == 200
    assert r.json() == {"subject": f"Order {number}", "body_text": "Total 10.00", "body_html": None}


def test_switch_for_an_unknown_milestone_is_404(client):
    r = client.put("/api/v1/notification-switches/order.nope/email", json={"enabled": False})

    assert (r.status_code, r.json()["code"]) == (404, "milestone.not_found")


def test_notices_alerts_and_coverage_answer(client):
    client.post("/api/v1/orders", json=order_body())

    assert client.get("/api/v1/notices").json() == []
    assert client.get("/api/v1/alerts").json() == []
    assert client.get("/api/v1/notices/coverage").json()["shipping_share"] == 1.0


def test_replay_of_an_empty_range_replays_nothing(client):
    hook = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}).json()
    now = clock.utcnow()

    r = client.post(f"/api/v1/webhooks/{hook['id']}/replay",
                    json={"since": (now - timedelta(days=1)).isoformat(), "until": now.isoformat()})

    assert r.json() == {"replayed": 0}
