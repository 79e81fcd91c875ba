"""Every console route, read from the app's route table, needs a login, and every POST
needs the CSRF token and a same-origin request. New routes are covered automatically."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.testclient import TestClient

from orderflow.api import carrier_hooks
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.reports import orders as views
from orderflow.tracking.config import TrackingSettings
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.web.helpers import ORIGIN

# Pages that are not the console: the API, the login form, static files, health, and the
# customer pages (their own proof and CSRF: tests/web/test_customer_*.py). Under /api/,
# /api/v1 needs a token (tests/api/test_api_auth.py) and /api/carrier-hooks a provider
# signature instead (carrier_hooks.SIGNED_BY; checked below).
PUBLIC_PREFIXES = ("/api/", "/static", "/track", "/s/")
SIGNED_PREFIX = "/api/carrier-hooks"
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/docs/oauth2-redirect"})
KNOWN_CONSOLE = {
    ("GET", "/"), ("GET", "/console"), ("GET", "/orders"), ("GET", "/orders/{number}"),
    ("GET", "/orders/import"), ("POST", "/orders/import"), ("POST", "/logout"),
    ("POST", "/language"), ("POST", "/orders/{number}/approve"), ("POST", "/orders/{number}/hold"),
    ("POST", "/orders/{number}/release"), ("POST", "/orders/{number}/cancel"),
    ("POST", "/orders/{number}/payments"),
    # the review queue (审单)
    ("GET", "/review"), ("GET", "/review/{number}"), ("POST", "/review/queue/approve"),
    ("POST", "/review/{number}/approve"), ("POST", "/review/{number}/hold"),
    ("POST", "/review/{number}/cancel"), ("POST", "/review/{number}/rerun"),
    ("POST", "/review/{number}/edit"), ("GET", "/review-settings"), ("POST", "/review-settings"),
    ("GET", "/fulfilment/waves"), ("GET", "/fulfilment/waves/{wave_id}"),
    ("POST", "/fulfilment/waves"), ("POST", "/fulfilment/waves/{wave_id}/release"),
    ("GET", "/fulfilment/pack"), ("POST", "/fulfilment/pack/scan"),
    ("POST", "/fulfilment/pack/{pack_id}/close"), ("GET", "/fulfilment/handover"),
    ("POST", "/fulfilment/handover/scan"), ("GET", "/fulfilment/stock"),
}


def console_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route that is not public, included routers flattened."""
    found = set()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            continue
        found |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return found


def concrete(path: str, number: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: number if m.group(1) == "number" else "1", path)


@pytest.fixture
def number(db: Db, settings: Settings, catalog: Catalog) -> str:
    return make_order(db, settings, path=["paid"], **NEEDS_REVIEW)


def test_the_route_table_holds_every_known_console_route(app: FastAPI) -> None:
    assert console_routes(app) >= KNOWN_CONSOLE


def test_every_console_get_redirects_to_login_without_a_session(
        app: FastAPI, client: TestClient, number: str) -> None:
    gets = sorted(path for method, path in console_routes(app) if method == "GET")

    answers = {path: client.get(concrete(path, number)) for path in gets}

    for path, response in answers.items():
        expected = "/login?next=" + concrete(path, number)
        assert (response.status_code, response.headers["location"]) == (303, expected), path


def test_every_post_only_console_route_refuses_get(app: FastAPI, client: TestClient,
                                                   number: str) -> None:
    routes = console_routes(app)
    post_only = sorted(p for m, p in routes if m == "POST" and ("GET", p) not in routes)

    statuses = {p: client.get(concrete(p, number)).status_code for p in post_only}

    assert statuses == dict.fromkeys(post_only, 405)


def _posts(app: FastAPI, number: str) -> list[str]:
    return sorted(concrete(p, number) for m, p in console_routes(app) if m == "POST")


def test_every_console_post_without_a_csrf_token_is_refused(
        app: FastAPI, client: TestClient, token: str, number: str, db: Db) -> None:
    statuses = {path: client.post(path, headers=ORIGIN, data={"reason": "x"}).status_code
                for path in _posts(app, number)}

    assert statuses == dict.fromkeys(_posts(app, number), 403)
    assert _status_and_events(db, number) == ("awaiting_review", 6)


def test_every_console_post_with_a_wrong_csrf_token_is_refused(
        app: FastAPI, client: TestClient, token: str, number: str, db: Db) -> None:
    statuses = {path: client.post(path, headers=ORIGIN,
                                  data={"csrf_token": token[:-2] + "xx"}).status_code
                for path in _posts(app, number)}

    assert statuses == dict.fromkeys(_posts(app, number), 403)
    assert _status_and_events(db, number) == ("awaiting_review", 6)


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Referer": "http://evil.example/orders"},
    {},
], ids=["foreign-origin", "null-origin", "foreign-referer", "no-origin-no-referer"])
def test_every_console_post_from_another_origin_is_refused(
        app: FastAPI, client: TestClient, token: str, number: str, db: Db,
        headers: dict[str, str]) -> None:
    responses = {path: client.post(path, headers=headers, data={"csrf_token": token})
                 for path in _posts(app, number)}

    assert {p: r.status_code for p, r in responses.items()} == dict.fromkeys(responses, 403)
    assert all("Request refused" in r.text for r in responses.values())
    assert _status_and_events(db, number) == ("awaiting_review", 6)


def test_a_same_origin_referer_is_enough_without_origin(client: TestClient, token: str,
                                                        number: str, db: Db) -> None:
    response = client.post(f"/orders/{number}/approve", data={"csrf_token": token},
                           headers={"Referer": f"http://testserver/orders/{number}"})

    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{number}")
    assert _status_and_events(db, number) == ("approved", 7)


def test_a_post_without_a_session_is_refused_before_anything_else(
        client: TestClient, number: str, db: Db) -> None:
    response = client.post(f"/orders/{number}/cancel", headers=ORIGIN,
                           data={"csrf_token": "guess", "reason": "x"})

    assert response.status_code == 403
    assert _status_and_events(db, number) == ("awaiting_review", 6)


def _status_and_events(db: Db, number: str) -> tuple[str, int]:
    with db.read() as s:
        view = views.order_view(s, views.get_order(s, number))
    return view.status, len(view.timeline)


def test_carrier_hooks_are_public_only_behind_a_provider_signature(
        app: FastAPI, client: TestClient, db: Db) -> None:
    hooks = {path for route in iter_route_contexts(app.routes)
             if (path := route.path or "").startswith(SIGNED_PREFIX)}
    # Every provider configured (a provider without its secret is disabled: 404).
    app.state.tracking = TrackingSettings(simulated_secret="s", kuaidi100_salt="s",
                                          aftership_webhook_secret="s")
    unsigned = {path: client.post(path, content=b"param=%7B%7D&sign=guess",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
                for path in sorted(hooks)}

    assert hooks == set(carrier_hooks.SIGNED_BY)
    assert {p: r.status_code for p, r in unsigned.items()} == dict.fromkeys(hooks, 401)
    assert all(r.json()["code"] == "carrier_hook.bad_signature" for r in unsigned.values())
