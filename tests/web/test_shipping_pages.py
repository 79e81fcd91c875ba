"""Console: carriers and rates, the carrier panel on the order page, batch printing."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.shipping import waybills
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.orders import Catalog, make_order
from tests.unit.documents.conftest import decode, page_texts, render_page
from tests.web.helpers import field_errors, login, make_staff, post, timeline


def _carriers(db: Db) -> None:
    with db.transaction() as s:
        install_demo_carriers(s)


def test_carriers_page_says_demo_rates_and_admin_edits_a_rate(
    client: TestClient, db: Db, catalog: Catalog
) -> None:
    _carriers(db)
    make_staff(db, "root", role=Role.ADMIN)
    token = login(client, "root")
    page = client.get("/shipping/carriers")
    rate_id = page.text.split('action="/shipping/rates/', 1)[1].split('"', 1)[0]

    bad = post(client, f"/shipping/rates/{rate_id}", token, first="1.234", extra="2",
               transit_days="2")
    good = post(client, f"/shipping/rates/{rate_id}", token, first="11.00", extra="2",
                transit_days="2")

    assert page.status_code == 200
    assert 'data-testid="demo-rates"' in page.text and "SF Express" in page.text
    assert bad.status_code == 422 and field_errors(bad.text) == ["first"]
    assert (good.status_code, good.headers["location"]) == (
        303, f"/shipping/carriers#rate-{rate_id}")
    assert 'value="11.00"' in client.get("/shipping/carriers").text


def test_a_service_desk_user_sees_but_cannot_edit_carrier_tables(
    client: TestClient, db: Db, catalog: Catalog, token: str
) -> None:
    _carriers(db)

    page = client.get("/shipping/carriers")
    refused = post(client, "/shipping/rates/1", token, first="1", extra="1", transit_days="1")

    assert page.status_code == 200 and 'action="/shipping/rates/' not in page.text
    assert refused.status_code == 403


def test_order_page_shows_why_then_designate_issue_void_and_print(
    client: TestClient, db: Db, settings: Settings, catalog: Catalog, token: str
) -> None:
    _carriers(db)
    number = make_order(db, settings, [("SKU-1", 1)], path=["approved"])

    designated = post(client, f"/orders/{number}/shipping/preferences", token,
                      designated_carrier="SF", designated_by="customer")
    issued = post(client, f"/orders/{number}/waybills/issue", token, parcel_count="1")
    first = waybills.list_waybills(db, number)[0]
    voided = post(client, f"/orders/{number}/waybills/{first.id}/void", token,
                  reason="torn label", reissue="1")
    printed = post(client, f"/orders/{number}/labels", token, size="76x130")
    page = client.get(f"/orders/{number}")

    assert [r.status_code for r in (designated, issued, voided)] == [303, 303, 303]
    assert "SF Express (standard) designated by the customer" in page.text
    live = waybills.list_waybills(db, number)[1]
    assert printed.headers["content-type"] == "application/pdf"
    assert decode(render_page(printed.content, dpi=200))["CODE128"] == [live.tracking_number]
    assert timeline(page.text)[:4] == ["waybill.printed", "waybill.issued", "waybill.voided",
                                       "waybill.issued"]
    assert 'data-state="voided"' in page.text and "torn label" in page.text


def test_batch_print_runs_with_progress_and_hands_back_one_pdf(
    client: TestClient, db: Db, settings: Settings, catalog: Catalog, token: str
) -> None:
    _carriers(db)
    numbers = [make_order(db, settings, [("SKU-1", 1)], path=["approved"]) for _ in range(3)]

    started = post(client, "/shipping/print", token, orders="\n".join(reversed(numbers)),
                   privacy="1")
    location = started.headers["location"]
    for _ in range(100):
        status = client.get(f"{location}/status").json()
        if status["state"] != "running":
            break
        time.sleep(0.1)
    pdf = client.get(f"{location}/file")
    page = client.get(location)

    assert started.status_code == 303 and status["state"] == "done"
    assert (status["done"], status["total"]) == (3, 3)
    assert pdf.headers["content-type"] == "application/pdf"
    texts = page_texts(pdf.content)
    assert [n for t in texts for n in numbers if n in t] == list(reversed(numbers))
    assert all("张*" in t for t in texts)
    assert 'data-state="done"' in page.text


def test_batch_print_without_orders_names_the_field(
    client: TestClient, db: Db, catalog: Catalog, token: str
) -> None:
    response = post(client, "/shipping/print", token, orders=" ")

    assert response.status_code == 422
    assert field_errors(response.text) == ["orders"]


def test_choose_button_stores_a_choice_that_the_page_explains(
    client: TestClient, db: Db, settings: Settings, catalog: Catalog, token: str
) -> None:
    _carriers(db)
    number = make_order(db, settings, [("SKU-1", 1)], path=["approved"])
    before = client.get(f"/orders/{number}")

    chosen = post(client, f"/orders/{number}/shipping/choose", token)
    after = client.get(f"/orders/{number}")

    assert 'action="/orders/' in before.text and "No carrier chosen yet." in before.text
    assert (chosen.status_code, chosen.headers["location"]) == (
        303, f"/orders/{number}#shipping")
    assert "Cheapest service to 浙江省: YTO Express (standard), 4.50 CNY" in after.text
