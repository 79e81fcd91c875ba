"""/api/v1 warehouse routes: scopes, problem+json naming the field, and a whole order
walked from allocation through a wave, a pack and the hand-over."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from orderflow.app import create_app
from orderflow.payments import service as payments
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.fulfilment import barcode, status
from tests.builders.orders import STAFF, make_catalog, make_order, make_token

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


@pytest.fixture
def client(db, settings):
    """The app as served: the carriers' own desk (`ShippingDesk`) over the demo carriers."""
    make_catalog(db)
    with db.transaction() as s:
        install_demo_carriers(s)
    app = create_app(db, settings)
    with TestClient(app) as c:
        c.headers["Authorization"] = f"Bearer {make_token(db)}"
        yield c


def test_an_order_goes_from_allocation_to_shipped_through_the_api(client, db, settings):
    number = make_order(db, settings, lines=[("SKU-1", 2), ("SKU-2", 1)], path=["approved"])
    client.put("/api/v1/stock/SKU-1/bins/SH", json={"bin": "a-01-1"})

    allocated = client.post(f"/api/v1/orders/{number}/allocate")
    planned = client.post("/api/v1/waves", json={"warehouse": "SH"})
    wave_id = planned.json()[0]["id"]
    wave = client.get(f"/api/v1/waves/{wave_id}")
    released = client.post(f"/api/v1/waves/{wave_id}/release")
    packed = client.post("/api/v1/packs", json={
        "order_number": number, "warehouse": "SH", "weight_g": 700,
        "scans": [barcode(db, "SKU-1"), "SKU-2", barcode(db, "SKU-1")]})
    shipped = client.post("/api/v1/handover", json={
        "order_number": number, "warehouse": "SH", "tracking_numbers": ["SIM123456789"]})

    assert allocated.json() == {"order_number": number, "allocation": "single",
                                "warehouses": ["SH"]}
    assert planned.status_code == 201
    # the real desk chose the cheapest demo carrier to 浙江省 (the simulated one says SIM)
    assert planned.json()[0]["carrier"] == "YTO"
    assert wave.json()["orders"] == [number]
    assert [(r["sku"], r["quantity"], r["bins"]) for r in wave.json()["rows"]] == [
        ("SKU-1", 2, ["A-01-1"]), ("SKU-2", 1, [])]
    assert released.json()["state"] == "released"
    assert (packed.status_code, packed.json()["state"]) == (201, "closed")
    assert shipped.json()["order_shipped"] is True
    assert status(db, number) == "shipped"
    assert client.get("/api/v1/waves").json()[0]["state"] == "shipped"


def test_a_mis_scanned_pack_is_refused_whole_naming_each_bad_scan(client, db, settings):
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=["approved", "allocated"])
    wave_id = client.post("/api/v1/waves", json={}).json()[0]["id"]
    client.post(f"/api/v1/waves/{wave_id}/release")

    r = client.post("/api/v1/packs", json={
        "order_number": number, "warehouse": "SH", "weight_g": 700,
        "scans": [barcode(db, "SKU-1"), barcode(db, "SKU-3"), barcode(db, "SKU-1")]})

    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("scans[1]", "pack.wrong_item"), ("scans[2]", "pack.too_many")]
    assert status(db, number) == "picking"


def test_the_pick_list_pdf_is_a_pdf_with_the_wave_code(client, db, settings):
    make_order(db, settings, lines=[("SKU-1", 1)], path=["approved", "allocated"])
    wave = client.post("/api/v1/waves", json={}).json()[0]

    r = client.get(f"/api/v1/waves/{wave['id']}/pick-list.pdf?language=en")

    assert r.headers["content-type"] == "application/pdf"
    assert wave["code"] in PdfReader(BytesIO(r.content)).pages[0].extract_text()


def test_stock_alerts_thresholds_and_damaged_stock(client, db):
    threshold = client.put("/api/v1/stock/alerts/thresholds",
                           json={"sku": "SKU-1", "low_at": 98})

    damaged = client.post("/api/v1/stock/SKU-1/damaged", json={"warehouse": "SH",
                                                              "quantity": 3})
    too_many = client.post("/api/v1/stock/SKU-1/damaged", json={"warehouse": "SH",
                                                               "quantity": 1000})

    assert (threshold.status_code, damaged.status_code) == (204, 204)
    assert client.get("/api/v1/stock/alerts").json() == [
        {"sku": "SKU-1", "name": "商品 SKU-1", "warehouse": "SH", "available": 97,
         "low_at": 98, "damaged": 3, "level": "low"}]
    assert (too_many.status_code, too_many.json()["errors"][0]["field"]) == (409, "quantity")


def test_bad_bodies_name_the_field(client):
    r = client.post("/api/v1/handover", json={"order_number": "1", "warehouse": "SH",
                                               "tracking_numbers": ["有中文"]})

    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "tracking_numbers[0]"


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/waves"), ("post", "/api/v1/waves"), ("post", "/api/v1/packs"),
    ("post", "/api/v1/handover"), ("post", "/api/v1/waves/1/release"),
    ("post", "/api/v1/orders/1/allocate"),
])
def test_warehouse_routes_need_the_fulfilment_scope(client, db, method, path):
    client.headers["Authorization"] = f"Bearer {make_token(db, ['orders:read'])}"

    r = getattr(client, method)(path, **({"json": {}} if method == "post" else {}))

    assert (r.status_code, r.json()["code"]) == (403, "auth.missing_scope")


def test_a_packed_parcel_is_re_opened_with_a_reason(client, db, settings):
    number = make_order(db, settings, lines=[("SKU-1", 1)], path=["approved", "allocated"])
    wave_id = client.post("/api/v1/waves", json={}).json()[0]["id"]
    client.post(f"/api/v1/waves/{wave_id}/release")
    packed = client.post("/api/v1/packs", json={"order_number": number, "warehouse": "SH",
                                                 "weight_g": 300, "scans": ["SKU-1"]}).json()

    no_reason = client.post(f"/api/v1/packs/{packed['id']}/reopen", json={"reason": ""})
    reopened = client.post(f"/api/v1/packs/{packed['id']}/reopen", json={"reason": "box torn"})

    assert (no_reason.status_code, no_reason.json()["errors"][0]["field"]) == (422, "reason")
    assert (reopened.status_code, reopened.json()["state"]) == (200, "open")
    assert status(db, number) == "picking"


def test_allocating_an_order_that_is_not_approved_is_refused_with_its_code(client, db,
                                                                          settings):
    unpaid = make_order(db, settings, lines=[("SKU-1", 1)])

    r = client.post(f"/api/v1/orders/{unpaid}/allocate")

    assert (r.status_code, r.json()["code"]) == (409, "order.illegal_transition")
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == f"order {unpaid} cannot go from pending_payment to allocated"
    assert status(db, unpaid) == "pending_payment"


def test_allocating_an_order_no_warehouse_can_ship_is_refused_naming_the_sku(db, settings):
    at_payment = replace(settings, reserve_at="payment")
    make_catalog(db, {"SKU-1": 1})
    cod = make_order(db, at_payment, cod=True)
    payments.confirm_cod(db, cod, actor=STAFF)  # approved, nothing reserved yet
    make_order(db, at_payment, path=["paid"])  # takes the only unit
    with TestClient(create_app(db, at_payment)) as c:
        c.headers["Authorization"] = f"Bearer {make_token(db)}"
        r = c.post(f"/api/v1/orders/{cod}/allocate")

    assert (r.status_code, r.json()["code"]) == (409, "stock.insufficient")
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("lines[0].quantity", "stock.insufficient")]
    assert "SKU-1" in r.json()["detail"]
    assert status(db, cod) == "approved"
