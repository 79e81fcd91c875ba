"""The customer's order pages behind the signed link: tracking, inbox, preferences.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.fulfilment import service as fulfilment
from orderflow.notify import fanout
from orderflow.notify.context import order_link
from orderflow.notify.models import InboxMessage
from orderflow.orders import service as orders
from orderflow.orders.models import Order, TimelineEvent
from orderflow.orders.status import Status
from orderflow.web import customer_security, customer_views
from tests.builders.orders import STAFF, Catalog, make_order
from tests.web.helpers import HOST, ORIGIN

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
EN = {"name": "Emma Wilson", "phone": "13800138000", "email": "emma@example.com",
      "language": "en"}


def link(settings: Settings, number: str, page: str = "") -> str:
    return customer_security.tracking_path(settings, number, page)


def steps(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<li class="c-step (\w+)[^"]*" data-step="(\w+)"', html)


def kinds(html: str) -> list[str]:
    return re.findall(r'<li data-kind="([^"]+)"', html)


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.fixture
def shipped(db: Db, settings: Settings, catalog: Catalog) -> str:
    return make_order(db, settings, path=SHIPPED)


# --- proof ------------------------------------------------------------------------------------


def test_the_link_every_notice_carries_opens_the_order(
        client: TestClient, shipped: str, settings: Settings) -> None:
    path = order_link(settings, shipped).removeprefix(settings.base_url)

    response = client.get(path + "&lang=en")

    assert response.status_code == 200
    assert f'data-testid="order-number">{shipped}<' in response.text
    assert steps(response.text) == [("done", "placed"), ("done", "paid"), ("done", "packed"),
                                    ("current", "shipped"), ("todo", "out_for_delivery"),
                                    ("todo", "delivered")]
    assert f'data-testid="tracking-number">SIM{shipped}<' in response.text
    assert 'data-testid="copy"' in response.text
    assert "Simulated carrier" in response.text
    assert 'data-testid="eta"' in response.text
    assert "Item SKU-1" in response.text and "¥10.00" in response.text


@pytest.mark.parametrize("page", ["", "/inbox", "/preferences"])
def test_a_tampered_missing_or_other_orders_token_shows_nothing(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog, shipped: str,
        page: str) -> None:
    other = make_order(db, settings)
    good = customer_security.link_token(settings, shipped)
    tokens = {"other": customer_security.link_token(settings, other),
              "tampered": good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
              "foreign-key": customer_security.link_token(
                  Settings(database_url="", secret_key="another-secret"), shipped),
              "empty": ""}

    answers = {name: client.get(f"/track/{shipped}{page}?t={token}")
               for name, token in tokens.items()}
    answers["missing"] = client.get(f"/track/{shipped}{page}")

    for name, response in answers.items():
        assert response.status_code == 404, name
        assert shipped not in response.text, name
        assert "SIM" not in response.text and "Emma" not in response.text, name
        assert 'name="phone_tail"' in response.text, name  # the look-up form instead
    bodies = {re.sub(r'name="form_token" value="[^"]+"', "", r.text) for r in answers.values()}
    assert len(bodies) == 1  # the same page whatever was wrong (the form token aside)


# --- what a customer sees, and what not ---------------------------------------------------------


def test_the_recipient_is_masked_and_nothing_internal_shows(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=SHIPPED, customer=EN,
                        buyer_remark="leave at the door", seller_remark="VIP, check twice")
    fulfilment.record_carrier_status(db, number, Status.EXCEPTION, actor=STAFF,
                                     reason="hub 7 scanner lost the parcel")

    html = client.get(link(settings, number) + "&lang=en").text

    assert '<span>E*</span>' in html and "138****8000" in html
    assert "浙江省 杭州市 西湖区" in html
    for secret in ("Emma", "Wilson", "13800138000", "+8613800138000", "emma@example.com",
                   "文三路", "VIP", "check twice", "hub 7", "tester", "PAY-", "staff:"):
        assert secret not in html, secret
    assert 'data-status="exception"' in html
    assert "There is a problem with the delivery" in html
    assert ("current", "shipped") in steps(html)
    assert 'class="c-step current problem"' in html
    assert kinds(html)[0] == "exception"


def test_a_masked_buyer_is_shown_as_given_and_absent_data_as_nothing(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"],
                        customer={"name": "王**", "phone": "131****1907"})

    html = client.get(link(settings, number)).text

    assert "<span>王**</span>" in html and "131****1907" in html
    with db.transaction() as s:
        order = s.scalars(select(Order).where(Order.number == number)).one()
        order.recipient_name = None
        order.recipient_phone = None
    bare = client.get(link(settings, number)).text
    assert 'data-testid="recipient"' in bare  # the region is still there
    assert "王" not in bare and "1907" not in bare and "None" not in bare


def test_the_timeline_tells_the_customer_milestones_newest_first(
        client: TestClient, shipped: str, settings: Settings) -> None:
    html = client.get(link(settings, shipped) + "&lang=en").text

    assert kinds(html) == ["shipped", "packed", "paid", "order.placed"]
    assert "Simulated carrier · <span class=\"c-mono\">SIM" in html


def test_a_cancelled_order_says_so_clearly(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"])
    orders.cancel_order(db, number, actor=STAFF, reason="suspected fraud ring #12")

    html = client.get(link(settings, number) + "&lang=en").text

    assert 'data-status="cancelled"' in html
    assert "This order was cancelled" in html and 'class="c-banner c-banner-cancelled"' in html
    assert "fraud" not in html
    assert kinds(html)[0] == "cancelled"
    assert not any(state == "current" for state, _ in steps(html))


def test_delivered_orders_complete_the_step_bar(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=[*SHIPPED, "delivered"])

    html = client.get(link(settings, number) + "&lang=en").text

    assert [state for state, _ in steps(html)] == ["done"] * 6
    assert 'data-testid="eta"' not in html


@pytest.mark.parametrize("phone", ["+8613800138000", "13800138000", "+8617012345678;ext=1234"])
def test_phone_masking(phone: str) -> None:
    masked = customer_views.mask_recipient_phone(phone)

    assert re.fullmatch(r"1\d\d\*\*\*\*\d{4}", masked)
    assert "1234" not in masked or phone.startswith("+86138")


def test_names_are_masked_to_their_first_character() -> None:
    assert [customer_views.mask_name(n) for n in ("张三", "Emma Wilson", "王**", None, "")] == [
        "张*", "E*", "王**", "", ""]


# --- languages -------------------------------------------------------------------------------


def test_chinese_and_english_render_and_the_choice_is_remembered(
        client: TestClient, shipped: str, settings: Settings) -> None:
    chinese = client.get(link(settings, shipped), headers={"Accept-Language": "zh-CN"})
    english = client.get(link(settings, shipped) + "&lang=en")
    remembered = client.get(link(settings, shipped), headers={"Accept-Language": "zh-CN"})

    assert '<html lang="zh-CN">' in chinese.text and "已发货" in chinese.text
    assert "模拟快递" in chinese.text and "复制" in chinese.text
    assert '<html lang="en">' in english.text and "On its way" in english.text
    assert english.cookies.get(customer_security.LANG_COOKIE) == "en"
    assert '<html lang="en">' in remembered.text


def test_every_page_has_a_language_switch_that_keeps_the_proof(
        client: TestClient, shipped: str, settings: Settings) -> None:
    token = customer_security.link_token(settings, shipped)
    for path in ("/track", link(settings, shipped), link(settings, shipped, "/inbox"),
                 link(settings, shipped, "/preferences")):
        html = client.get(path).text
        switch = re.findall(r'<a href="([^"]+)" lang="[^"]+" hreflang="(\w+(?:-\w+)?)"', html)
        assert [code for _, code in switch] == ["zh-CN", "en"], path
        if path != "/track":
            assert all(f"t={token}" in href for href, _ in switch), path
        assert client.get(switch[1][0].replace("&amp;", "&")).text.startswith(
            '<!doctype html>\n<html lang="en">'), path


def test_accept_language_picks_english_without_a_choice(client: TestClient) -> None:
    html = client.get("/track", headers={"Accept-Language": "en-GB,en;q=0.9"}).text

    assert '<html lang="en">' in html and "Track your order" in html


# --- inbox -------------------------------------------------------------------------------------


def test_the_inbox_lists_what_the_fan_out_wrote_newest_first_and_marks_it_read(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=SHIPPED, customer=EN)
    while fanout.fan_out(db, settings):
        pass
    with db.read() as s:
        written = list(s.scalars(select(InboxMessage).order_by(InboxMessage.id)))
    assert len(written) == 3

    tracking = client.get(link(settings, number) + "&lang=en").text
    html = client.get(link(settings, number, "/inbox") + "&lang=en").text

    assert 'data-testid="unread">3<' in tracking
    subjects = re.findall(r'<div class="c-message-head">\s*<strong>([^<]+)</strong>', html)
    assert subjects == [m.subject for m in reversed(written)]
    assert html.count('class="c-message unread"') == 3
    with db.read() as s:
        assert all(m.read_at is not None for m in s.scalars(select(InboxMessage)))
    again = client.get(link(settings, number, "/inbox")).text
    assert 'class="c-message unread"' not in again


def test_an_empty_inbox_says_so(client: TestClient, shipped: str, settings: Settings) -> None:
    html = client.get(link(settings, shipped, "/inbox") + "&lang=en").text

    assert 'data-testid="no-messages"' in html


# --- preferences -----------------------------------------------------------------------------


def _save(client: TestClient, settings: Settings, number: str, *,
          headers: dict[str, str] | None = None, token: str | None = None,
          **data: str) -> object:
    path = link(settings, number, "/preferences")
    token = form_token(client.get(path).text) if token is None else token
    return client.post(path, headers=ORIGIN if headers is None else headers,
                       data={"form_token": token, **data})


def test_preferences_save_to_the_customer_and_the_timeline(
        client: TestClient, shipped: str, settings: Settings, db: Db) -> None:
    page = client.get(link(settings, shipped, "/preferences") + "&lang=en").text
    assert '<option value="sms" selected>' in page  # zh-CN buyer: sms, email, inbox
    assert "Order and delivery notices still arrive." in page

    response = _save(client, settings, shipped, first_channel="email",
                     second_channel="inbox", language="en", opt_out_marketing="1")

    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == link(  # type: ignore[attr-defined]
        settings, shipped, "/preferences") + "&saved=1"
    with db.read() as s:
        order = s.scalars(select(Order).where(Order.number == shipped)).one()
        row = s.get(Customer, order.customer_id)
        events = list(s.scalars(select(TimelineEvent).where(
            TimelineEvent.order_id == order.id,
            TimelineEvent.kind == "customer.preferences_changed")))
    assert row is not None
    assert (row.channel_prefs, row.language, row.opt_out_marketing) == (
        ["email", "inbox", "sms"], "en", True)
    assert len(events) == 1
    assert events[0].actor == "customer:tracking page"
    assert events[0].data["changes"]["language"] == ["zh-CN", "en"]
    shown = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert 'data-testid="saved"' in shown
    assert '<option value="email" selected>' in shown
    assert 'name="opt_out_marketing" value="1" checked' in shown
    tracking = client.get(link(settings, shipped)).text
    assert kinds(tracking)[0] == "customer.preferences_changed"


def test_saving_unchanged_preferences_records_nothing(
        client: TestClient, shipped: str, settings: Settings, db: Db) -> None:
    response = _save(client, settings, shipped, first_channel="sms", second_channel="email",
                     language="zh-CN")

    assert response.status_code == 303  # type: ignore[attr-defined]
    with db.read() as s:
        assert s.scalars(select(TimelineEvent).where(
            TimelineEvent.kind == "customer.preferences_changed")).first() is None


def test_invalid_preferences_name_the_fields_and_change_nothing(
        client: TestClient, shipped: str, settings: Settings, db: Db) -> None:
    response = _save(client, settings, shipped, first_channel="email", second_channel="email",
                     language="fr")

    assert response.status_code == 422  # type: ignore[attr-defined]
    fields = re.findall(r'<li data-field="([^"]+)">', response.text)  # type: ignore[attr-defined]
    assert fields == ["second_channel", "language"]
    with db.read() as s:
        rows = list(s.scalars(select(Customer)))
    assert [(c.channel_prefs, c.language) for c in rows] == [(["sms", "email", "inbox"], "zh-CN")]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"}, {"Origin": "null"},
    {"Referer": "http://evil.example/x"}, {}],
    ids=["foreign-origin", "null-origin", "foreign-referer", "no-origin-no-referer"])
def test_preferences_from_another_origin_are_refused(
        client: TestClient, shipped: str, settings: Settings, db: Db,
        headers: dict[str, str]) -> None:
    response = _save(client, settings, shipped, headers=headers, first_channel="email",
                     second_channel="inbox", language="en")

    assert response.status_code == 403  # type: ignore[attr-defined]
    with db.read() as s:
        assert [c.language for c in s.scalars(select(Customer))] == ["zh-CN"]


def test_preferences_without_the_form_token_or_with_a_bad_link_are_refused(
        client: TestClient, shipped: str, settings: Settings, db: Db) -> None:
    token = form_token(client.get(link(settings, shipped, "/preferences")).text)
    bare = client.post(link(settings, shipped, "/preferences"), headers=ORIGIN,
                       data={"first_channel": "email", "second_channel": "inbox",
                             "language": "en"})
    bad_link = client.post(f"/track/{shipped}/preferences?t=forged", headers=ORIGIN,
                           data={"form_token": token, "first_channel": "email",
                                 "second_channel": "inbox", "language": "en"})
    other_browser = TestClient(client.app, base_url=f"http://{HOST}", follow_redirects=False)
    stolen = _save(other_browser, settings, shipped, token=token, first_channel="email",
                   second_channel="inbox", language="en")

    assert (bare.status_code, bad_link.status_code) == (403, 404)
    assert stolen.status_code == 403  # type: ignore[attr-defined]
    with db.read() as s:
        assert [c.language for c in s.scalars(select(Customer))] == ["zh-CN"]
