"""Signing in and out of the console."""

from __future__ import annotations

from httpx import Response
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.app import create_app
from orderflow.auth.models import LoginAttempt, Role, StaffUser
from orderflow.auth.service import StaffIdentity
from orderflow.config import Settings
from orderflow.db import Db
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.web.helpers import HOST, ORIGIN, PASSWORD, csrf_of, login, make_staff


def _submit(client: TestClient, username: str, password: str,
            next_url: str = "/orders") -> Response:
    token = csrf_of(client.get("/login").text)
    return client.post("/login", headers=ORIGIN, data={
        "username": username, "password": password, "csrf_token": token, "next": next_url})


def test_signing_in_opens_the_page_asked_for_and_shows_name_and_role(
        client: TestClient, staff: StaffIdentity) -> None:
    response = _submit(client, "alice", PASSWORD, next_url="/orders?status=paid")

    assert (response.status_code, response.headers["location"]) == (303, "/orders?status=paid")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("orderflow_session=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    page = client.get("/orders?status=paid").text
    assert '<strong>Alice Wang</strong> <span class="role">Customer service</span>' in page


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(
        client: TestClient, staff: StaffIdentity) -> None:
    wrong_password = _submit(client, "alice", "not the password")
    unknown_user = _submit(client, "nobody", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert '<p class="alert" role="alert">用户名或密码错误。</p>' in wrong_password.text
    assert '<p class="alert" role="alert">用户名或密码错误。</p>' in unknown_user.text
    assert client.get("/orders").headers["location"] == "/login?next=/orders"


def test_too_many_failures_slow_this_address_down_with_a_message(
        db: Db, settings: Settings) -> None:
    make_staff(db)
    app = create_app(db, settings)
    with TestClient(app, base_url=f"http://{HOST}", follow_redirects=False,
                    headers={"Accept-Language": "en-GB,en;q=0.9"}) as client:
        statuses = [_submit(client, "alice", "wrong").status_code for _ in range(2)]
        with db.transaction() as s:  # six more just now: the next try waits 2**3 s
            s.add_all(LoginAttempt(username="alice", at=clock.utcnow(), success=False,
                                   address="testclient") for _ in range(6))

        slowed = _submit(client, "alice", PASSWORD)

    assert statuses == [401] * 2
    assert slowed.status_code == 429
    assert 0 < int(slowed.headers["retry-after"]) <= 8
    assert "Too many failed sign-in attempts. Wait a moment and try again." in slowed.text


def test_the_next_page_must_be_on_this_site(client: TestClient, staff: StaffIdentity) -> None:
    targets = ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/orders")
    locations = []
    for target in targets:
        client.cookies.clear()
        locations.append(_submit(client, "alice", PASSWORD, next_url=target).headers["location"])

    assert locations == ["/", "/", "/", "/orders"]


def test_the_login_form_itself_needs_its_csrf_token(client: TestClient,
                                                    staff: StaffIdentity) -> None:
    client.get("/login")

    response = client.post("/login", headers=ORIGIN,
                           data={"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert client.get("/").headers["location"] == "/login?next=/"


def test_signing_out_ends_the_session(client: TestClient, staff: StaffIdentity) -> None:
    token = login(client)

    response = client.post("/logout", headers=ORIGIN, data={"csrf_token": token})

    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert client.get("/orders").headers["location"] == "/login?next=/orders"
    assert client.post("/orders/1/approve", headers=ORIGIN,
                       data={"csrf_token": token}).status_code == 403


def test_a_deactivated_user_is_signed_out(client: TestClient, db: Db) -> None:
    user = make_staff(db, "bob", role=Role.WAREHOUSE)
    login(client, "bob")

    with db.transaction() as s:
        s.get_one(StaffUser, user.id).active = False

    assert client.get("/").headers["location"] == "/login?next=/"


def test_a_signed_in_user_skips_the_login_form(client: TestClient, token: str) -> None:
    response = client.get("/login?next=/orders")

    assert (response.status_code, response.headers["location"]) == (303, "/orders")


def test_warehouse_staff_see_no_order_actions_and_cannot_post_them(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    make_staff(db, "wendy", role=Role.WAREHOUSE)
    wendy = login(client, "wendy")

    page = client.get(f"/orders/{number}").text
    refused = client.post(f"/orders/{number}/approve", headers=ORIGIN, data={"csrf_token": wendy})

    assert '<span class="role">Warehouse</span>' in page
    assert 'data-testid="actions"' not in page
    assert refused.status_code == 403
    assert client.get(f"/orders/{number}").text.count('data-kind="status.changed"') == 2
