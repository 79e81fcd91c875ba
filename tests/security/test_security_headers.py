"""Finding 15: console pages send a Content-Security-Policy, X-Frame-Options DENY
(frame-ancestors 'none'), nosniff, a Referrer-Policy and Cache-Control no-store; the API
docs load Swagger UI from the package, not a CDN."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from orderflow.auth.service import StaffIdentity
from orderflow.web import headers
from tests.web.helpers import login

TEMPLATES = Path(headers.__file__).resolve().parent / "templates"


def test_a_signed_in_console_page_sends_every_security_header(
        client: TestClient, staff: StaffIdentity) -> None:
    login(client)

    page = client.get("/orders")

    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1][:30]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"


def test_the_login_page_and_api_answers_are_not_cached_but_static_files_may_be(
        client: TestClient) -> None:
    assert client.get("/login").headers["cache-control"] == "no-store"
    assert client.get("/api/v1/orders").headers["cache-control"] == "no-store"
    static = client.get("/static/console.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")
    assert static.headers["x-content-type-options"] == "nosniff"


def test_the_api_docs_load_swagger_ui_from_the_package(client: TestClient) -> None:
    page = client.get("/api/docs")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)

    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    assert all(a.startswith("/") for a in assets)
    assert "<script>" not in page.text  # no inline script: the CSP forbids one
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "SwaggerUIBundle" in client.get("/api/docs/static/swagger-ui-bundle.js").text


def test_no_console_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text()
        if re.search(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", html) or re.search(
                r"\son[a-z]+=\"", html):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []
