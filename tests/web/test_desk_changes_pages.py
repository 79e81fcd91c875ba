"""Console: change forms on the order page, the merge screen, the phone/e-mail order
form, channel shops and the channel inbox (SQLite and PostgreSQL)."""

from __future__ import annotations

from starlette.testclient import TestClient

from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import queries
from tests.builders.orders import Catalog, make_order
from tests.channels.helpers import dumps, make_channel_catalog, woo_headers, woo_order
from tests.web.helpers import field_errors, login, make_staff, post, timeline


def _order(db: Db, number: str) -> tuple[str, str, int]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return order.status.value, order.address_detail, order.total_minor


def test_the_address_form_names_bad_fields_then_changes_the_address(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"])

    page = client.get(f"/orders/{number}").text
    bad = post(client, f"/orders/{number}/address", token, country="US", phone="123",
               reason="moved")
    good = post(client, f"/orders/{number}/address", token, detail="文三路 8 号",
                reason="customer called")

    assert 'data-testid="address-form"' in page and 'data-testid="split-form"' in page
    assert bad.status_code == 422
    assert field_errors(bad.text) == ["shipping_address.postal_code", "phone"]
    assert good.status_code == 303
    assert _order(db, number)[1] == "文三路 8 号"
    assert "order.address_changed" in timeline(client.get(f"/orders/{number}").text)


def test_the_lines_form_changes_quantities_and_names_an_unknown_sku(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, [("SKU-1", 1)], path=["paid"])

    bad = post(client, f"/orders/{number}/lines", token, sku_0="SKU-1", qty_0="1",
               sku_1="NOPE", qty_1="2", reason="more")
    good = post(client, f"/orders/{number}/lines", token, sku_0="SKU-1", qty_0="3",
                reason="customer wants three")

    assert bad.status_code == 422 and field_errors(bad.text) == ["lines[1].sku"]
    assert good.status_code == 303
    assert _order(db, number)[2] == 3000


def test_a_shipped_order_shows_why_it_cannot_change(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid", "approved", "allocated", "picking",
                                            "packed", "shipped"])

    page = client.get(f"/orders/{number}").text
    refused = post(client, f"/orders/{number}/address", token, detail="x", reason="late")

    assert 'data-testid="changes-refused"' in page and "after-sales" in page
    assert refused.status_code == 409 and "after-sales" in refused.text


def test_the_merge_screen_lists_and_merges_a_group(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    a = make_order(db, settings, [("SKU-1", 1)], path=["paid"])
    b = make_order(db, settings, [("SKU-2", 1)], path=["paid"])

    listed = client.get("/orders/merges").text
    merged = client.post("/orders/merges", headers={"Origin": "http://testserver"},
                         data={"csrf_token": token, "number": [a, b]})

    assert a in listed and b in listed and 'data-testid="merge-group"' in listed
    assert (merged.status_code, merged.headers["location"]) == (303, f"/orders/{a}")
    assert 'data-testid="no-merges"' in client.get("/orders/merges").text
    group_page = client.get(f"/orders/{a}").text
    assert f'href="/orders/{b}"' in group_page.split('data-testid="relations"')[1]
    unmerged = post(client, f"/orders/{b}/unmerge", token)
    assert unmerged.status_code == 303
    assert 'data-testid="relations"' not in client.get(f"/orders/{a}").text


def test_an_order_taken_by_phone_is_validated_like_the_api_and_placed(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    bad = post(client, "/orders/new", token, channel="phone", name="王五", phone="12",
               country="CN", province="浙江省", city="杭州市", district="", detail="文一路 1 号",
               sku_0="SKU-1", qty_0="x")
    good = post(client, "/orders/new", token, channel="phone", name="王五", phone="13800138001",
                country="CN", province="浙江省", city="杭州市", district="西湖区",
                detail="文一路 1 号", sku_0="SKU-1", qty_0="2")

    assert bad.status_code == 422
    assert set(field_errors(bad.text)) >= {"lines[0].quantity"}
    assert good.status_code == 303
    number = good.headers["location"].rsplit("/", 1)[1]
    with db.read() as s:
        order = queries.get_order(s, number)
        assert (order.channel, order.total_minor) == ("phone", 2000)


def test_an_admin_adds_a_shop_and_the_inbox_shows_its_deliveries(
        client: TestClient, db: Db, settings: Settings) -> None:
    make_staff(db, "root", role=Role.ADMIN)
    token = login(client, "root")
    make_channel_catalog(db)

    short = post(client, "/channels/shops", token, code="Bad Code", platform="woocommerce",
                 name="", secret="short")
    added = post(client, "/channels/shops", token, code="woo-shop", platform="woocommerce",
                 name="Woo", secret="woo-webhook-secret-abcdef", language="en")
    body = dumps(woo_order())
    hook = client.post("/api/hooks/woo-shop", content=body, headers=woo_headers(body))
    inbox = client.get("/channels/inbox").text
    detail = client.get(f"/channels/delivery?id={hook.json()['delivery_id']}").text

    assert short.status_code == 422
    assert set(field_errors(short.text)) == {"code", "name", "secret"}
    assert added.status_code == 303
    assert hook.json()["state"] == "processed"
    assert 'data-state="processed"' in inbox
    assert "Woo Single #1" in detail  # the raw body, as received


def test_a_service_user_may_not_manage_shops(client: TestClient, token: str) -> None:
    assert client.get("/channels").status_code == 403
