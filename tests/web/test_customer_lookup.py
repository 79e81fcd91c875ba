"""The public order look-up: number + phone tail, rate-limited in the database per
client and per order number, CSRF (signed double-submit) and same-origin checked,
and no way to tell a wrong number from a wrong phone."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from orderflow.config import Settings
from orderflow.customers.links import Scope
from orderflow.customers.lookups import LookupLimit
from orderflow.db import Db
from orderflow.web import customer, customer_security
from tests.builders.orders import Catalog, make_order
from tests.web.helpers import HOST, ORIGIN

FORM = re.compile(r'name="form_token" value="([^"]+)"')


def form_token(client: TestClient) -> str:
    found = FORM.search(client.get("/track").text)
    assert found, "look-up page has no form token"
    return found.group(1)


def look_up(client: TestClient, number: str, tail: str, token: str | None = None,
            headers: dict[str, str] | None = None) -> object:
    token = form_token(client) if token is None else token
    return client.post("/track", headers=ORIGIN if headers is None else headers,
                       data={"number": number, "phone_tail": tail, "form_token": token})


def visitor(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url=f"http://{HOST}", follow_redirects=False,
                      client=(address, 50000))


@pytest.fixture
def number(db: Db, settings: Settings, catalog: Catalog) -> str:
    return make_order(db, settings, path=["paid"])


def test_the_look_up_form_needs_no_login_and_sets_its_cookie(client: TestClient) -> None:
    response = client.get("/track")

    assert response.status_code == 200
    assert 'name="number"' in response.text and 'name="phone_tail"' in response.text
    assert customer_security.FORM_COOKIE in response.cookies
    assert "orderflow_session" not in response.cookies
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_number_and_phone_tail_redirect_to_a_read_only_signed_link(
        client: TestClient, number: str, settings: Settings) -> None:
    response = look_up(client, number, "8000")

    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    path, token = location.split("?t=")
    assert path == f"/track/{number}"
    assert customer_security.link_proof(settings, number, token).scope is Scope.VIEW
    page = client.get(location)
    assert page.status_code == 200
    assert f'data-testid="order-number">{number}<' in page.text
    assert "/inbox" not in page.text and "/preferences" not in page.text


def test_spaces_and_full_width_digits_are_accepted(client: TestClient, number: str) -> None:
    spaced = " ".join([number[:6], number[6:]])
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in "8000")

    assert look_up(client, spaced, wide).status_code == 303  # type: ignore[attr-defined]


def test_a_wrong_number_and_a_wrong_phone_get_byte_identical_answers(
        client: TestClient, number: str, db: Db, catalog: Catalog, settings: Settings) -> None:
    token = form_token(client)
    unknown = str(int(number) + 7)

    wrong_phone = look_up(client, number, "1234", token)
    wrong_number = look_up(client, unknown, "8000", token)
    neither = look_up(client, "999999999999", "0000", token)

    answers = [(r.status_code, r.content) for r in (wrong_phone, wrong_number, neither)]  # type: ignore[attr-defined]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 404
    assert number not in wrong_phone.text  # type: ignore[attr-defined]
    assert "未找到与该订单号和手机号匹配的订单" in wrong_phone.text  # type: ignore[attr-defined]
    headers = [dict(r.headers) for r in (wrong_phone, wrong_number)]  # type: ignore[attr-defined]
    assert headers[0] == headers[1]
    with db.read() as s:  # the same database work: both tries were counted
        assert s.scalar(select(func.count()).select_from(LookupLimit)) == 5  # client, net, 3 orders


def test_invalid_input_names_the_field_and_costs_no_try(client: TestClient, db: Db) -> None:
    response = look_up(client, "12", "80a0")

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert re.findall(r'<li data-field="([^"]+)">', response.text) == ["number", "phone_tail"]  # type: ignore[attr-defined]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LookupLimit)) == 0


def test_too_many_tries_from_one_client_get_429_with_a_time(
        app: FastAPI, db: Db, settings: Settings, catalog: Catalog) -> None:
    numbers = [make_order(db, settings) for _ in range(2)]
    client = visitor(app, "203.0.113.7")
    token = form_token(client)
    tries = [look_up(client, f"26000000{i:04d}", "0000", token).status_code  # type: ignore[attr-defined]
             for i in range(customer.TRIES_PER_CLIENT)]

    blocked = look_up(client, numbers[0], "8000", token)
    other_client = visitor(app, "198.51.100.9")

    assert tries == [404] * customer.TRIES_PER_CLIENT
    assert blocked.status_code == 429  # type: ignore[attr-defined]
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60  # type: ignore[attr-defined]
    assert 'data-testid="retry-at"' in blocked.text  # type: ignore[attr-defined]
    assert re.search(r"\d\d:\d\d", blocked.text)  # type: ignore[attr-defined]
    assert look_up(other_client, numbers[1], "8000").status_code == 303  # type: ignore[attr-defined]


def test_too_many_tries_on_one_order_number_get_429_from_any_client(
        app: FastAPI, number: str, db: Db, settings: Settings) -> None:
    other = make_order(db, settings)
    statuses = []
    for i in range(customer.TRIES_PER_ORDER):
        guesser = visitor(app, f"192.0.2.{i + 1}")
        statuses.append(look_up(guesser, number, f"{i:04d}").status_code)  # type: ignore[attr-defined]
    owner = visitor(app, "198.51.100.20")

    assert statuses == [404] * customer.TRIES_PER_ORDER
    assert look_up(owner, number, "8000").status_code == 429  # type: ignore[attr-defined]
    assert look_up(owner, other, "8000").status_code == 303  # type: ignore[attr-defined]


def test_the_limit_is_shared_by_every_web_process(
        db: Db, settings: Settings, number: str) -> None:
    from orderflow.app import create_app

    apps = [create_app(db, settings) for _ in range(2)]  # two processes, one database
    statuses = []
    for i in range(customer.TRIES_PER_ORDER + 1):
        client = visitor(apps[i % 2], f"192.0.2.{i + 1}")
        statuses.append(look_up(client, number, "1111").status_code)  # type: ignore[attr-defined]

    assert statuses == [404] * customer.TRIES_PER_ORDER + [429]


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Referer": "http://evil.example/track"},
    {},
], ids=["foreign-origin", "null-origin", "foreign-referer", "no-origin-no-referer"])
def test_a_look_up_from_another_origin_is_refused(
        client: TestClient, number: str, headers: dict[str, str], db: Db) -> None:
    response = look_up(client, number, "8000", form_token(client), headers=headers)

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "location" not in response.headers  # type: ignore[attr-defined]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(LookupLimit)) == 0


def test_a_look_up_without_or_with_a_forged_form_token_is_refused(
        client: TestClient, number: str, app: FastAPI, settings: Settings) -> None:
    token = form_token(client)
    forged = customer_security.form_token(settings, "someone-elses-nonce-000000")
    stranger = visitor(app, "203.0.113.50")  # a valid token, but not this browser's cookie

    assert look_up(client, number, "8000", "").status_code == 403  # type: ignore[attr-defined]
    assert look_up(client, number, "8000", token[:-2] + "xx").status_code == 403  # type: ignore[attr-defined]
    assert look_up(client, number, "8000", forged).status_code == 403  # type: ignore[attr-defined]
    assert look_up(stranger, number, "8000", token).status_code == 403  # type: ignore[attr-defined]
    assert look_up(client, number, "8000", token).status_code == 303  # type: ignore[attr-defined]


def test_a_same_origin_referer_is_enough_without_origin(client: TestClient, number: str) -> None:
    response = look_up(client, number, "8000", form_token(client),
                       headers={"Referer": f"http://{HOST}/track"})

    assert response.status_code == 303  # type: ignore[attr-defined]


def test_an_order_without_a_phone_cannot_be_looked_up(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, customer={"name": "Li", "email": "li@example.com"})

    assert look_up(client, number, "0000").status_code == 404  # type: ignore[attr-defined]


def test_a_masked_phone_still_matches_its_visible_tail(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, customer={"name": "王**", "phone": "131****1907"})

    assert look_up(client, number, "1907").status_code == 303  # type: ignore[attr-defined]
