"""The after-sales console and the customer's returns page, on both databases."""

from __future__ import annotations

import re

import pytest

from orderflow.aftersales import policy
from orderflow.aftersales.refunds import providers
from orderflow.aftersales.schemas import PolicyIn
from orderflow.auth.models import Role
from orderflow.web import customer_security
from tests.integration.aftersales.helpers import STAFF, case_of, delivered, open_case
from tests.web.helpers import ORIGIN, csrf_of, login, make_staff, post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _simulated(monkeypatch):
    monkeypatch.setenv("ORDERFLOW_REFUND_PROVIDER", "simulated")
    yield
    for name in providers.KNOWN:
        providers.use(name, None)


@pytest.fixture
def order(db, settings, catalog):
    return delivered(db, settings, [("SKU-1", 2)])


def test_service_approves_warehouse_receives_service_refunds(client, db, order):
    make_staff(db, "wang", role=Role.WAREHOUSE)
    case_id = open_case(db, order, "return_refund", "quality_damaged", [("SKU-1", 2)])
    make_staff(db)
    token = login(client)

    page = client.get(f"/aftersales/{case_id}").text
    assert 'data-testid="approve"' in page
    assert 'data-testid="receive"' not in page  # the order desk does not receive
    assert post(client, f"/aftersales/{case_id}/approve", token).status_code == 303
    client.post("/logout", headers=ORIGIN, data={"csrf_token": token})

    token = login(client, "wang")
    station = client.get("/aftersales-receiving", params={"scan": order})
    assert 'data-testid="receive-form"' in station.text
    done = client.post("/aftersales-receiving", headers=ORIGIN, data={
        "csrf_token": token, "scan": order, "sku": "SKU-1", "sellable:SKU-1": "1",
        "damaged:SKU-1": "1", "rejected:SKU-1": "0"})
    assert done.status_code == 303, done.text
    assert 'data-testid="approve"' not in client.get(f"/aftersales/{case_id}").text
    assert post(client, f"/aftersales/{case_id}/refund", token).status_code == 403
    client.post("/logout", headers=ORIGIN, data={"csrf_token": token})

    token = login(client)
    assert post(client, f"/aftersales/{case_id}/refund", token).status_code == 303
    assert case_of(db, case_id).state == "closed"
    order_page = client.get(f"/orders/{order}").text
    assert 'data-testid="order-refunds"' in order_page
    assert 'data-state="succeeded"' in order_page
    assert re.findall(r'data-testid="order-standing">([^<]+)<', order_page) == [
        "Returned", "Refunded"]


def test_the_queue_filters_and_speaks_chinese(client, db, order):
    open_case(db, order, "exchange", "wrong_size", [("SKU-1", 1)], exchange_sku="SKU-2")
    make_staff(db, "li", language="zh-CN")
    login(client, "li")

    page = client.get("/aftersales", params={"type": "exchange"}).text

    assert "换货" in page and "尺码不合适" in page and "待审核" in page
    assert f"{order}-R1" in page
    assert f"{order}-R1" not in client.get("/aftersales", params={"type": "repair"}).text


def test_only_an_admin_sets_the_policy(client, db):
    make_staff(db)
    token = login(client)

    assert client.get("/aftersales-policy").status_code == 403
    assert post(client, "/aftersales-policy", token, no_reason_days="9").status_code == 403


def test_an_admin_saves_the_policy_with_exclusions(client, db):
    make_staff(db, "boss", role=Role.ADMIN)
    token = login(client, "boss")

    saved = post(client, "/aftersales-policy", token, no_reason_days="7", quality_days="30",
                 refund_days="7", exclusions="category:生鲜|fresh\nsku:GIFT-1|custom",
                 auto_refund_only_under="20.00", return_address="上海市 退货仓")

    assert saved.status_code == 303, saved.text
    now = policy.get_policy(db)
    assert (now.quality_days, now.auto_refund_only_under) == (30, "20.00")
    assert [e.reason for e in now.exclusions] == ["fresh", "custom"]


def _customer_link(settings, number, page=""):
    return customer_security.tracking_path(settings, number, page)


def _form_token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(("lang", "says"), [("zh-CN", "我们已收到您的申请"),
                                             ("en", "We received your request")])
def test_a_customer_asks_for_a_return_with_a_photo(client, db, settings, order, lang, says):
    url = _customer_link(settings, order, "/returns") + f"&lang={lang}"
    page = client.get(url)
    assert page.status_code == 200

    sent = client.post(url, headers=ORIGIN, data={"form_token": _form_token(page.text),
                                                  "qty:SKU-1": "1",
                                  "type": "return_refund", "reason": "quality_damaged",
                                  "note": "屏幕有裂痕"},
                       files={"photos": ("crack.png", PNG, "image/png")})

    assert sent.status_code == 303, sent.text
    shown = client.get(sent.headers["location"]).text
    assert says in shown
    assert f"{order}-R1" in shown
    with db.read() as s:
        from orderflow.aftersales import queries

        photos = queries.get_case(s, queries.find_case_id(s, f"{order}-R1")).photos
    assert [p["size"] for p in photos] == [len(PNG)]


def test_a_photo_that_is_not_an_image_is_refused(client, db, settings, order):
    url = _customer_link(settings, order, "/returns")
    page = client.get(url)

    sent = client.post(url, headers=ORIGIN, data={"form_token": _form_token(page.text),
                                                  "qty:SKU-1": "1",
                                  "type": "return_refund", "reason": "quality_damaged"},
                       files={"photos": ("evil.png", b"<script>alert(1)</script>", "image/png")})

    assert sent.status_code == 422
    assert "JPEG" in sent.text or "JPEG" in sent.text.upper()


def test_a_customer_request_after_the_window_is_told_why_in_their_language(
        client, db, settings, order):
    policy.set_policy(db, PolicyIn.model_validate({"exclusions": [
        {"kind": "sku", "value": "SKU-1", "reason": "hygiene"}]}), actor=STAFF)
    url = _customer_link(settings, order, "/returns") + "&lang=zh-CN"
    page = client.get(url)

    sent = client.post(url, headers=ORIGIN, data={"form_token": _form_token(page.text),
                                                  "qty:SKU-1": "1",
                                  "type": "return_refund", "reason": "no_reason"})

    assert sent.status_code == 409
    assert "贴身卫生用品" in sent.text


def test_without_the_signed_link_nothing_shows(client, order):
    assert "SKU-1" not in client.get(f"/track/{order}/returns?t=forged").text


def test_csrf_is_required_on_console_actions(client, db, order):
    case_id = open_case(db, order, "return_refund", "quality_damaged")
    make_staff(db)
    login(client)

    r = client.post(f"/aftersales/{case_id}/approve", headers=ORIGIN, data={})

    assert r.status_code == 403
    assert csrf_of(client.get("/aftersales").text)
