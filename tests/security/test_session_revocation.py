"""Finding 5: server-side sessions. Logging out and changing the password end the
session on the server, so a copied cookie is refused afterwards."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from orderflow import clock
from orderflow.auth import service as auth
from orderflow.auth.service import StaffIdentity
from tests.web.helpers import HOST, PASSWORD, login, post


def _copy_of(client: TestClient) -> dict[str, str]:
    return {"orderflow_session": client.cookies["orderflow_session"]}


def _opens(client: TestClient, cookies: dict[str, str]) -> bool:
    with TestClient(client.app, base_url=f"http://{HOST}", follow_redirects=False,
                    cookies=cookies) as other:
        return other.get("/orders").status_code == 200


def test_logging_out_revokes_the_session_and_a_copied_cookie(
        client: TestClient, staff: StaffIdentity) -> None:
    token = login(client)
    stolen = _copy_of(client)
    assert _opens(client, stolen)

    post(client, "/logout", token)

    assert not _opens(client, stolen)
    assert client.get("/orders").status_code == 303


def test_a_password_change_revokes_every_session_of_the_user(
        client: TestClient, staff: StaffIdentity, db) -> None:  # type: ignore[no-untyped-def]
    login(client)
    stolen = _copy_of(client)

    auth.set_password(db, staff.username, "a brand new password")

    assert not _opens(client, stolen)
    assert client.get("/orders").status_code == 303
    assert auth.authenticate(db, staff.username, "a brand new password").id == staff.id
    assert PASSWORD != "a brand new password"


def test_a_session_expires_on_the_server_after_12_hours(
        client: TestClient, staff: StaffIdentity) -> None:
    login(client)
    stolen = _copy_of(client)

    clock.advance(timedelta(hours=12, minutes=1))

    assert not _opens(client, stolen)
