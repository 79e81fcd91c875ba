"""The circuits and the outage fallback setting over the API."""

from __future__ import annotations

from orderflow import circuits


def test_open_circuits_are_listed_with_what_they_hold(client, db):
    with db.transaction() as s:
        circuits.record_failure(s, "notify:email", "smtp.unavailable: refused")
        circuits.record_failure(s, "waybill:ZTO", "timeout")

    body = client.get("/api/v1/circuits").json()

    assert [(c["key"], c["provider"], c["state"], c["held"]) for c in body] == [
        ("notify:email", "email provider", "open", 0),
        ("waybill:ZTO", "carrier ZTO waybill API", "open", 0)]
    assert body[0]["last_error"] == "smtp.unavailable: refused"


def test_the_outage_fallback_is_off_until_set_and_a_bad_one_is_refused_whole(client):
    assert client.get("/api/v1/notify/outage-fallback").json() == {}

    bad = client.put("/api/v1/notify/outage-fallback",
                     json={"order.shipped": {"after_minutes": 30, "channels": ["pigeon"]}})
    good = client.put("/api/v1/notify/outage-fallback",
                      json={"order.shipped": {"after_minutes": 30, "channels": ["sms"]}})

    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad.json()["errors"]] == [
        "outage_fallback.order.shipped.channels"]
    assert good.status_code == 200
    assert client.get("/api/v1/notify/outage-fallback").json() == {
        "order.shipped": {"after_minutes": 30, "channels": ["sms"]}}
