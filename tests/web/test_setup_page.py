"""/setup: administrators add, edit and retire warehouses and carriers in the console."""

from __future__ import annotations

from starlette.testclient import TestClient

from orderflow.auth.models import Role
from orderflow.inventory import warehouses
from orderflow.shipping import service as shipping
from tests.web.helpers import login, make_staff, post


def test_an_admin_sets_up_a_warehouse_and_a_carrier(client: TestClient, db) -> None:
    make_staff(db, "boss", role=Role.ADMIN)
    token = login(client, "boss")

    added = post(client, "/setup/warehouses", token, code="SZ", name="深圳仓",
                 address_text="广东省深圳市南山区高新南七道12号", contact_name="李仓管",
                 contact_phone="13800138000", cutoff="16:00")
    bad = post(client, "/setup/warehouses", token, code="SZ2", name="x", cutoff="9am")
    edited = post(client, "/setup/warehouses/SZ", token, name="深圳一号仓", priority="3",
                  cutoff="18:00")  # no 'active': retired
    carrier = post(client, "/setup/carriers", token, code="KD2", name_zh="快递二号",
                   name_en="Courier Two", adapter="manual", first="9.00", extra="1.00")
    retired = post(client, "/setup/carriers/KD2/retire", token)
    page = client.get("/setup").text

    assert (added.status_code, edited.status_code, carrier.status_code,
            retired.status_code) == (303, 303, 303, 303)
    assert bad.status_code == 422
    assert 'data-field="cutoff"' in bad.text
    [w] = warehouses.list_warehouses(db)
    assert (w.name, w.district, w.address, w.contact_name, w.cutoff, w.priority, w.active) == (
        "深圳一号仓", "南山区", "高新南七道12号", "李仓管", "18:00", 3, False)
    assert [(c.code, c.active) for c in shipping.list_carriers(db)] == [("KD2", False)]
    assert 'data-warehouse="SZ"' in page
    assert 'href="/setup"' in page


def test_the_setup_page_is_for_administrators_only(client: TestClient, db) -> None:
    make_staff(db, "mei", role=Role.SERVICE)
    token = login(client, "mei")

    page = client.get("/setup")
    add = post(client, "/setup/warehouses", token, code="X", name="x")

    assert (page.status_code, add.status_code) == (403, 403)
    assert 'href="/setup"' not in client.get("/").text
    assert warehouses.list_warehouses(db) == []
