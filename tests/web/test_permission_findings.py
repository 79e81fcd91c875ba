"""Issue 18, finding 11: one permission table. The warehouse role reads no customer
messages (mailbox, SMS sink, notices, templates, webhooks) in the console or the API;
an orders:write token cannot change review rules."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from orderflow.auth import permissions
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.auth.permissions import Permission
from orderflow.db import Db
from tests.web.helpers import login, make_staff

NOTIFY_PAGES = ["/notify/mailbox", "/notify/sms", "/notify/notices", "/notify/templates",
                "/notify/webhooks", "/notify/settings"]
NOTIFY_API = ["/api/v1/notices", "/api/v1/webhooks", "/api/v1/alerts"]


def test_finding_11_the_table_gives_the_warehouse_no_notifications_and_settings_to_admins():
    assert not permissions.role_allows(Role.WAREHOUSE, Permission.NOTIFY_READ)
    assert permissions.role_allows(Role.SERVICE, Permission.NOTIFY_READ)
    assert [r for r in Role if permissions.role_allows(r, Permission.SETTINGS_WRITE)] == [
        Role.ADMIN]
    assert set(auth.ALL_SCOPES) == {p.value for p in Permission}


@pytest.mark.parametrize("page", NOTIFY_PAGES)
def test_finding_11_the_warehouse_role_cannot_open_notification_pages(
        client: TestClient, db: Db, page: str) -> None:
    make_staff(db, "wang", role=Role.WAREHOUSE)
    login(client, "wang")

    response = client.get(page)
    home = client.get("/").text

    assert response.status_code == 403
    assert 'href="/notify/notices"' not in home


def test_finding_11_the_order_desk_still_opens_them(client: TestClient, db: Db) -> None:
    make_staff(db, "li", role=Role.SERVICE)
    login(client, "li")

    assert [client.get(p).status_code for p in NOTIFY_PAGES] == [200] * len(NOTIFY_PAGES)


def test_finding_11_a_warehouse_users_token_cannot_read_notifications(
        client: TestClient, db: Db) -> None:
    user = make_staff(db, "wang", role=Role.WAREHOUSE)
    token = auth.create_token(db, "scanner", auth.ALL_SCOPES, user_id=user.id)
    headers = {"Authorization": f"Bearer {token}"}

    answers = [client.get(p, headers=headers) for p in NOTIFY_API]
    waves = client.get("/api/v1/waves", headers=headers)

    assert [r.status_code for r in answers] == [403] * len(NOTIFY_API)
    assert {r.json()["code"] for r in answers} == {"auth.role_forbids"}
    assert waves.status_code == 200


def test_finding_11_an_orders_write_token_cannot_change_review_rules(
        client: TestClient, db: Db) -> None:
    writer = auth.create_token(db, "desk", ["orders:read", "orders:write"])
    admin = auth.create_token(db, "admin", ["orders:read", "settings:write"])

    refused = client.patch("/api/v1/review/settings", json={"cut_off": "15:00"},
                           headers={"Authorization": f"Bearer {writer}"})
    allowed = client.patch("/api/v1/review/settings", json={"cut_off": "15:00"},
                           headers={"Authorization": f"Bearer {admin}"})

    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.missing_scope"
    assert allowed.status_code == 200
    assert allowed.json()["cut_off"] == "15:00"
