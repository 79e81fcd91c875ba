"""A shop set up through the interfaces alone: `orderflow init` on an empty database,
warehouses and carriers through the CLI and the API, then a first order with stock."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from orderflow import cli
from orderflow.app import create_app
from orderflow.auth import service as auth
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.inventory import warehouses
from tests.builders.orders import make_token, order_body
from tests.integration.test_cli import runner  # noqa: F401  (the fixture)


def test_init_takes_an_empty_database_to_a_shop_that_takes_its_first_order(
        runner, db, settings):  # noqa: F811
    result = runner.invoke(cli.app, [
        "init", "--password", "correct horse battery", "--address",
        "上海市浦东新区世纪大道100号", "--contact-name", "王仓管", "--contact-phone",
        "13800138000"])
    again = runner.invoke(cli.app, ["init", "--password", "x"])

    assert result.exit_code == 0, result.output
    assert again.exit_code == 0, again.output
    assert auth.authenticate(db, "admin", "correct horse battery").role.value == "admin"
    [wh] = warehouses.list_warehouses(db)
    assert (wh.code, wh.province, wh.city, wh.district, wh.address, wh.contact_name) == (
        "WH1", "上海市", "上海市", "浦东新区", "世纪大道100号", "王仓管")
    with TestClient(create_app(db, settings)) as api:
        api.headers["Authorization"] = f"Bearer {make_token(db)}"
        assert api.get("/api/v1/shipping/carriers").json()[0]["code"] == "LOCAL"
        sku = api.post("/api/v1/skus", json={"code": "TEA-1", "name": "龙井", "weight_g": 250,
                                             "price": "88.00"})
        assert sku.status_code == 201, sku.text
        stock = api.put("/api/v1/stock/TEA-1", json={"warehouse": "WH1", "on_hand": 10})
        assert stock.status_code == 200, stock.text
        order = api.post("/api/v1/orders", json=order_body([("TEA-1", 2)]))
        assert order.status_code == 201, order.text
        assert [ln["quantities"]["reserved"] for ln in order.json()["lines"]] == [2]


def test_warehouses_are_added_edited_retired_and_listed_from_the_cli(runner, db):  # noqa: F811
    add = runner.invoke(cli.app, ["warehouse", "add", "GZ", "广州仓", "--address",
                                  "广东省广州市白云区机场路1号", "--cutoff", "16:30",
                                  "--latitude", "23.2", "--longitude", "113.3"])
    edit = runner.invoke(cli.app, ["warehouse", "edit", "GZ", "--contact-phone", "020-12345678",
                                   "--priority", "5"])
    bad = runner.invoke(cli.app, ["warehouse", "add", "X1", "仓", "--cutoff", "25:00"])
    with db.transaction() as s:
        catalog.add_sku(s, SkuIn(code="TEA-1", name="龙井", weight_g=250, price="88.00"))
    binned = runner.invoke(cli.app, ["warehouse", "bin", "GZ", "TEA-1", "a-01"])
    retire = runner.invoke(cli.app, ["warehouse", "retire", "GZ"])
    listed = runner.invoke(cli.app, ["warehouse", "list"])

    assert (add.exit_code, edit.exit_code, retire.exit_code) == (0, 0, 0), add.output
    assert binned.exit_code == 0, binned.output
    assert "TEA-1 in GZ: bin A-01" in binned.output
    assert bad.exit_code == 2
    assert "cutoff" in bad.output
    [wh] = warehouses.list_warehouses(db)
    assert (wh.district, wh.cutoff, wh.contact_phone, wh.priority, wh.active) == (
        "白云区", "16:30", "020-12345678", 5, False)
    assert "retired" in listed.output


@pytest.fixture
def api(db, settings):
    with TestClient(create_app(db, settings)) as c:
        c.headers["Authorization"] = f"Bearer {make_token(db)}"
        yield c


def test_the_warehouse_api_creates_edits_retires_and_sets_bins(api, db):
    created = api.post("/api/v1/warehouses", json={
        "code": "SH", "name": "上海仓", "province": "上海市", "city": "上海市",
        "district": "浦东新区", "address": "世纪大道100号", "contact_name": "王仓管",
        "contact_phone": "13800138000", "latitude": 31.2, "longitude": 121.5,
        "cutoff": "17:00"})
    taken = api.post("/api/v1/warehouses", json={"code": "SH", "name": "again"})
    half = api.patch("/api/v1/warehouses/SH", json={"latitude": None, "longitude": 121.0})
    edited = api.patch("/api/v1/warehouses/SH", json={"cutoff": "18:15", "priority": 2})
    api.post("/api/v1/skus", json={"code": "TEA-1", "name": "龙井", "weight_g": 250,
                                   "price": "88.00"})
    api.put("/api/v1/stock/TEA-1", json={"warehouse": "SH", "on_hand": 5})
    binned = api.put("/api/v1/warehouses/SH/bins/TEA-1", json={"code": "a-01-02"})
    retired = api.post("/api/v1/warehouses/SH/retire")
    order = api.post("/api/v1/orders", json=order_body([("TEA-1", 1)]))
    missing = api.get("/api/v1/warehouses/NOPE")

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/warehouses/SH"
    assert (taken.status_code, taken.json()["code"]) == (409, "warehouse.exists")
    assert (half.status_code, half.json()["errors"][0]["field"]) == (422, "latitude")
    assert (edited.json()["cutoff"], edited.json()["priority"]) == ("18:15", 2)
    assert binned.status_code == 204
    assert retired.json()["active"] is False
    assert (order.status_code, order.json()["code"]) == (409, "stock.insufficient")
    assert (missing.status_code, missing.json()["code"]) == (404, "warehouse.not_found")


def test_a_carrier_is_added_and_quotes_then_retired(api):
    added = api.post("/api/v1/shipping/carriers", json={
        "code": "KD1", "name_zh": "快递一号", "name_en": "Courier One",
        "services": [{"first": "8.00", "extra": "1.50", "transit_days": 3}]})
    again = api.post("/api/v1/shipping/carriers", json={
        "code": "KD1", "name_zh": "x", "name_en": "x"})
    quote = api.get("/api/v1/shipping/quote", params={"destination": "浙江省",
                                                      "weight_g": 1500})
    retired = api.post("/api/v1/shipping/carriers/KD1/retire")

    assert added.status_code == 201, added.text
    assert [s["level"] for s in added.json()["services"]] == ["standard"]
    assert again.status_code == 409
    assert quote.status_code == 200, quote.text
    assert [(q["carrier_code"], q["price"]) for q in quote.json()] == [("KD1", "9.50")]
    assert retired.json()["active"] is False
