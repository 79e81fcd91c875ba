"""Every API route refuses a request without a token, and one without the scope.
Routes are read from the app's route table, so a new route is covered automatically."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from orderflow.app import create_app
from tests.builders.orders import make_token
from tests.support.routes import route_table


def api_routes(app):
    return [(m, p) for m, p in route_table(app) if p.startswith("/api/v1")]


def test_the_route_table_has_api_routes(db, settings):
    assert len(list(api_routes(create_app(db, settings)))) >= 10


def test_every_api_route_needs_a_token(db, settings):
    client = TestClient(create_app(db, settings))

    for method, path in api_routes(client.app):
        r = client.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.json()["code"] == "auth.missing_token"


def test_a_wrong_token_is_refused(db, settings):
    client = TestClient(create_app(db, settings))

    r = client.get("/api/v1/orders", headers={"Authorization": "Bearer oft_00000000_nope"})

    assert (r.status_code, r.json()["code"]) == (401, "auth.bad_token")
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/orders", "orders:read"),
        ("POST", "/api/v1/orders", "orders:write"),
        ("POST", "/api/v1/orders/X/payments", "payments:write"),
        ("PUT", "/api/v1/stock/X", "stock:write"),
    ],
)
def test_a_token_without_the_scope_is_forbidden(db, settings, method, path, scope):
    client = TestClient(create_app(db, settings))
    others = [s for s in ("orders:read", "catalog:read") if s != scope]
    token = make_token(db, others)

    r = client.request(method, path, json={}, headers={"Authorization": f"Bearer {token}"})

    assert (r.status_code, r.json()["code"]) == (403, "auth.missing_scope")
    assert scope in r.json()["detail"]


def test_openapi_and_docs_are_served(db, settings):
    client = TestClient(create_app(db, settings))

    spec = client.get("/api/openapi.json").json()

    assert "/api/v1/orders" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
