"""Helpers for console tests: sign in through the form, read pages."""

from __future__ import annotations

import re

from httpx import Response
from starlette.testclient import TestClient

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.db import Db

HOST = "testserver"
ORIGIN = {"Origin": f"http://{HOST}"}
PASSWORD = "correct horse battery"


def make_staff(db: Db, username: str = "alice", *, role: Role = Role.SERVICE,
               language: str = "en") -> auth.StaffIdentity:
    return auth.create_user(db, username, PASSWORD, role=role, language=language,
                            display_name=username.title() + " Wang")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def login(client: TestClient, username: str = "alice", password: str = PASSWORD,
          next_url: str = "/") -> str:
    """Signs in through the form; returns the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", headers=ORIGIN, data={
        "username": username, "password": password, "csrf_token": token, "next": next_url})
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def post(client: TestClient, path: str, token: str, **data: str) -> Response:
    return client.post(path, headers=ORIGIN, data={"csrf_token": token, **data})


def listed(html: str) -> list[str]:
    """Order numbers in the order table, top to bottom."""
    parts = html.split('data-testid="order-table"', 1)
    return re.findall(r'<a class="mono" href="/orders/(\d+)"', parts[1]) if len(parts) == 2 else []


def timeline(html: str) -> list[str]:
    """Timeline kinds on an order page, newest first."""
    return re.findall(r'<li data-kind="([^"]+)"', html)


def field_errors(html: str) -> list[str]:
    return re.findall(r'<li data-field="([^"]+)">', html)
