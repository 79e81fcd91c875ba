"""/api/v1 shipping: carriers, choice, waybills, labels — HTTP contract and scopes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.orders import make_order, make_token
from tests.unit.documents.conftest import decode, page_texts, render_page


def _setup(db: Db, settings: Settings) -> str:
    with db.transaction() as s:
        install_demo_carriers(s)
    return make_order(db, settings, [("SKU-1", 2)], path=["approved"])


def test_choose_issue_print_and_void_over_the_api(client: TestClient, db: Db,
                                                   settings: Settings) -> None:
    number = _setup(db, settings)

    chosen = client.put(f"/api/v1/orders/{number}/shipping-preferences",
                        json={"designated_carrier": "JD", "designated_by": "customer"})
    issued = client.post(f"/api/v1/orders/{number}/waybills", json={"parcel_count": 1})
    labels = client.post("/api/v1/shipping/labels", json={"orders": [number], "privacy": True})
    voided = client.post(f"/api/v1/waybills/{issued.json()[0]['id']}/void",
                         json={"reason": "wrong parcel", "reissue": True})
    prints = client.get(f"/api/v1/orders/{number}/label-prints")

    assert chosen.status_code == 200
    assert (chosen.json()["carrier_code"], chosen.json()["reason_code"]) == ("JD", "designated")
    assert client.get(f"/api/v1/orders/{number}/carrier").json() == chosen.json()
    assert issued.status_code == 201
    tracking = issued.json()[0]["tracking_number"]
    assert tracking.startswith("JDX")
    assert labels.status_code == 200 and labels.headers["content-type"] == "application/pdf"
    assert labels.headers["x-labels"] == "1" and labels.headers["x-skipped"] == ""
    assert "张*" in page_texts(labels.content)[0]
    assert decode(render_page(labels.content, dpi=200))["CODE128"] == [tracking]
    assert [w["state"] for w in voided.json()] == ["voided", "issued"]
    assert [p["reprint"] for p in prints.json()] == [False]


def test_rates_and_quotes(client: TestClient, db: Db, settings: Settings) -> None:
    _setup(db, settings)
    carriers = client.get("/api/v1/shipping/carriers").json()
    zto = next(c for c in carriers if c["code"] == "ZTO")
    zone2 = next(z for z in zto["services"][0]["zones"] if z["zone"] == 2)

    changed = client.put(f"/api/v1/shipping/rates/{zone2['id']}",
                         json={"first": "5.50", "extra": "1.20", "transit_days": 2})
    bad = client.put(f"/api/v1/shipping/rates/{zone2['id']}",
                     json={"first": "5.555", "extra": "-1", "transit_days": 2})
    quotes = client.get("/api/v1/shipping/quote",
                        params={"destination": "广东省", "weight_g": 2500}).json()

    assert [c["code"] for c in carriers] == ["SF", "ZTO", "YTO", "JD", "EMS", "DHL"]
    assert all(c["demo_rates"] for c in carriers)
    assert "广东省" in zone2["destinations"]
    assert changed.json()["first_minor"] == 550
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["first", "extra"]
    # 2,500 g at ZTO zone 2: 5.50 + 2 started kilos x 1.20
    assert quotes[0]["carrier_code"] == "ZTO" and quotes[0]["price"] == "7.90"
    assert [q["price_minor"] for q in quotes] == sorted(q["price_minor"] for q in quotes)


def test_shipping_routes_need_their_scopes(client: TestClient, db: Db,
                                           settings: Settings) -> None:
    number = _setup(db, settings)
    client.headers["Authorization"] = f"Bearer {make_token(db, ['orders:read'])}"

    read = client.get("/api/v1/shipping/carriers")
    write = client.post(f"/api/v1/orders/{number}/waybills", json={})

    assert (read.status_code, read.json()["code"]) == (403, "auth.missing_scope")
    assert (write.status_code, write.json()["code"]) == (403, "auth.missing_scope")


def test_a_carrier_switched_to_manual_takes_typed_numbers_only(
    client: TestClient, db: Db, settings: Settings
) -> None:
    number = _setup(db, settings)
    client.put(f"/api/v1/orders/{number}/shipping-preferences",
               json={"designated_carrier": "EMS"})

    no_url = client.put("/api/v1/shipping/carriers/EMS", json={"adapter": "http"})
    manual = client.put("/api/v1/shipping/carriers/EMS", json={"adapter": "manual",
                                                                "cod_supported": True})
    refused = client.post(f"/api/v1/orders/{number}/waybills", json={})
    typed = client.post(f"/api/v1/orders/{number}/waybills/manual",
                        json={"tracking_number": "EA012345675CN"})
    bad_check = client.post(f"/api/v1/orders/{number}/waybills/manual",
                            json={"tracking_number": "EA012345676CN", "parcel_no": 2,
                                  "parcel_count": 2})

    assert no_url.status_code == 422 and no_url.json()["errors"][0]["field"] == "endpoint_url"
    assert manual.json()["adapter"] == "manual"
    assert (refused.status_code, refused.json()["code"]) == (409, "waybill.manual_entry")
    assert typed.status_code == 201 and typed.json()["warnings"] == []
    assert bad_check.status_code == 422
    assert bad_check.json()["errors"][0]["code"] == "tracking.checksum"
