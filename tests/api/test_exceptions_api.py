"""/api/v1/exceptions and /api/v1/carriers/performance on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderflow import clock
from orderflow.logistics import service as logistics
from tests.builders.orders import make_order, make_token
from tests.integration.logistics.helpers import carrier_says
from tests.web.helpers import make_staff

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


def test_the_queue_lists_open_cases_and_a_case_is_worked_to_closed(client, db, settings):
    number = make_order(db, settings, path=SHIPPED)
    make_staff(db, "lily")
    opened = client.post("/api/v1/exceptions", json={
        "order_number": number, "kind": "damaged", "detail": "客户来电：外箱破损"})
    case_id = opened.json()["id"]

    queue = client.get("/api/v1/exceptions").json()
    assigned = client.post(f"/api/v1/exceptions/{case_id}/assign", json={"owner": "lily"})
    refunded = client.post(f"/api/v1/exceptions/{case_id}/actions",
                           json={"action": "refund", "amount": "3.50", "note": "补偿"})
    resolved = client.post(f"/api/v1/exceptions/{case_id}/resolve",
                           json={"outcome": "delivered", "resolution": "客户接受补偿"})
    closed = client.post(f"/api/v1/exceptions/{case_id}/close", json={})

    assert opened.status_code == 201
    assert [(c["id"], c["kind"], c["state"], c["order_status"]) for c in queue] == [
        (case_id, "damaged", "open", "exception")]
    assert assigned.json()["owner"] == "lily"
    assert refunded.json()["refund"] == "3.50"
    assert (resolved.json()["state"], resolved.json()["order_status"]) == ("resolved",
                                                                        "delivered")
    body = closed.json()
    assert body["state"] == "closed"
    assert [h["kind"] for h in body["history"]] == [
        "exception.opened", "status.changed", "exception.assigned", "refund.owed",
        "exception.refund", "exception.resolved", "exception.closed"]
    assert client.get("/api/v1/exceptions").json() == []
    assert [c["id"] for c in client.get("/api/v1/exceptions?state=closed").json()] == [case_id]


def test_bad_input_is_a_problem_naming_the_field(client, db, settings):
    number = make_order(db, settings, path=SHIPPED)
    case_id = client.post("/api/v1/exceptions",
                          json={"order_number": number, "kind": "lost"}).json()["id"]

    bad_kind = client.post("/api/v1/exceptions", json={"order_number": number, "kind": "eaten"})
    bad_filter = client.get("/api/v1/exceptions?state=forgotten&kind=eaten")
    too_much = client.post(f"/api/v1/exceptions/{case_id}/actions",
                           json={"action": "refund", "amount": "99999.00"})
    no_note = client.post(f"/api/v1/exceptions/{case_id}/actions",
                          json={"action": "contact_carrier"})
    missing = client.get("/api/v1/exceptions/999999")

    assert bad_kind.status_code == 422
    assert [e["field"] for e in bad_kind.json()["errors"]] == ["kind"]
    assert [e["field"] for e in bad_filter.json()["errors"]] == ["state", "kind"]
    assert (too_much.status_code, too_much.json()["errors"][0]["code"]) == (422,
                                                                            "amount.too_much")
    assert [e["field"] for e in no_note.json()["errors"]] == ["note"]
    assert (missing.status_code, missing.json()["code"]) == (404, "exception.not_found")


def test_filters_by_owner_kind_carrier_and_overdue(client, db, settings):
    first = make_order(db, settings, path=SHIPPED)
    second = make_order(db, settings, path=SHIPPED)
    make_staff(db, "lily")
    lost = client.post("/api/v1/exceptions", json={"order_number": first, "kind": "lost"})
    logistics.watch_silent_parcels(db, settings, now=clock.utcnow() + timedelta(hours=49))
    client.post(f"/api/v1/exceptions/{lost.json()['id']}/assign", json={"owner": "lily"})

    def ids(query: str) -> list[str]:
        return [c["order_number"] for c in client.get("/api/v1/exceptions" + query).json()]

    assert ids("?owner=lily") == [first]
    assert ids("?owner=none") == [second]
    assert ids("?kind=stalled") == [second]
    assert ids("?carrier=sim&kind=lost") == [first]
    assert ids(f"?q={second}") == [second]
    assert ids("?overdue=true") == []


def test_carrier_performance_per_carrier_and_service(client, db, settings):
    number = make_order(db, settings, path=SHIPPED)
    make_order(db, settings, path=SHIPPED)
    carrier_says(db, number, "in_transit", hours_ago=0.5)
    carrier_says(db, number, "delivered")
    client.post("/api/v1/exceptions", json={"order_number": number, "kind": "damaged"})

    (row,) = client.get("/api/v1/carriers/performance?days=7").json()

    assert (row["carrier"], row["service"], row["shipments"], row["delivered"]) == (
        "sim", "standard", 2, 1)
    assert row["on_time_rate"] == 1.0
    assert row["exception_rate"] == 0.5
    assert row["median_transit_hours"] is not None and row["median_transit_hours"] < 1


def test_the_exceptions_api_needs_its_scopes(db, settings):
    from fastapi.testclient import TestClient

    from orderflow.app import create_app

    client = TestClient(create_app(db, settings))
    token = make_token(db, ["orders:read", "exceptions:read"])
    headers = {"Authorization": f"Bearer {token}"}

    read = client.get("/api/v1/exceptions", headers=headers)
    write = client.post("/api/v1/exceptions/1/close", json={}, headers=headers)

    assert read.status_code == 200
    assert (write.status_code, "exceptions:write" in write.json()["detail"]) == (403, True)


def test_the_order_tracking_lists_each_parcel_with_its_events_and_cases(client, db, settings):
    number = make_order(db, settings, path=SHIPPED)
    carrier_says(db, number, "in_transit", hours_ago=2, description="【杭州】已发出")
    carrier_says(db, number, "delivery_attempted", hours_ago=1, description="无人签收")
    logistics.scan_carrier_events(db, settings)

    body = client.get(f"/api/v1/orders/{number}/tracking").json()
    missing = client.get("/api/v1/orders/999999999999/tracking")

    (parcel,) = body["parcels"]
    assert (parcel["tracking_number"], parcel["status"]) == (f"SIM{number}", "delivery_attempted")
    assert [(e["status"], e["description"]) for e in parcel["events"]] == [
        ("delivery_attempted", "无人签收"), ("in_transit", "【杭州】已发出")]
    assert [(c["kind"], c["state"]) for c in body["exceptions"]] == [("delivery_failed", "open")]
    assert (missing.status_code, missing.json()["code"]) == (404, "order.not_found")
