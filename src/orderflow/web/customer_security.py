"""Proof and protection for the customer pages, which have no staff session.

* Proof of an order: the signed link every notice carries (`notify.context.order_link`),
  or the read-only one the order number plus phone tail earns; both expire
  (`customers.links`), checked for THAT number.
* Forms: a signed double-submit token. The browser gets a random nonce in an
  HttpOnly, SameSite=Lax cookie; each form carries the nonce signed with a timestamp
  (itsdangerous, its own salt). A POST must come from this origin and carry a
  fresh signature whose nonce equals the cookie's, compared in constant time.
* Language: ?lang= (remembered in a cookie), then the cookie, then Accept-Language.
* Headers: no caching, no framing, no referrer to other sites (the link's token sits
  in the URL), and a CSP that allows only our stylesheet and nonce'd inline scripts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from orderflow.config import Settings
from orderflow.customers import links
from orderflow.customers.links import Scope
from orderflow.web import i18n, security

LANG_COOKIE = "orderflow_lang"
FORM_COOKIE = "orderflow_form"
FORM_FIELD = "form_token"
FORM_MAX_AGE = 4 * 3600
FORM_SALT = "customer-form"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# --- the signed order link ----------------------------------------------------------


def link_token(settings: Settings, number: str, scope: Scope = Scope.FULL) -> str:
    return links.sign(settings, number, scope)


def link_proof(settings: Settings, number: str, token: str | None) -> links.Proof:
    """What the token proves for exactly this order number (see customers.links)."""
    return links.check(settings, number, token)


def link_proves(settings: Settings, number: str, token: str | None) -> bool:
    """A valid, unexpired signature of either kind over exactly this order number."""
    proof = link_proof(settings, number, token)
    return proof.scope is not None and not proof.expired


def tracking_path(settings: Settings, number: str, page: str = "",
                  scope: Scope = Scope.FULL) -> str:
    return f"/track/{number}{page}?t={link_token(settings, number, scope)}"


# --- forms --------------------------------------------------------------------------


def form_nonce(request: Request) -> tuple[str, bool]:
    """The browser's nonce (from its cookie) and whether it is new (must be set)."""
    nonce = request.cookies.get(FORM_COOKIE)
    if nonce and 20 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum():
        return nonce, False
    return secrets.token_urlsafe(24), True


def form_token(settings: Settings, nonce: str) -> str:
    return str(URLSafeTimedSerializer(settings.secret_key, salt=FORM_SALT).dumps(nonce))


def form_ok(request: Request, submitted: str | None) -> bool:
    """Same origin, and a fresh signed token whose nonce is the cookie's."""
    if not security.same_origin(request):
        return False
    cookie = request.cookies.get(FORM_COOKIE)
    if not cookie or not submitted or len(submitted) > 300:
        return False
    serializer = URLSafeTimedSerializer(settings_of(request).secret_key, salt=FORM_SALT)
    try:
        nonce = serializer.loads(submitted, max_age=FORM_MAX_AGE)
    except (SignatureExpired, BadSignature):
        return False
    return isinstance(nonce, str) and hmac.compare_digest(nonce.encode(), cookie.encode())


def set_form_cookie(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(FORM_COOKIE, nonce, max_age=30 * 24 * 3600, path="/track",
                        httponly=True, samesite="lax", secure=_https(request))


# --- language -----------------------------------------------------------------------


def language_of(request: Request) -> tuple[str, bool]:
    """(language, chosen now by ?lang= so it must be remembered)."""
    asked = i18n.supported(request.query_params.get("lang"))
    if asked:
        return asked, True
    remembered = i18n.supported(request.cookies.get(LANG_COOKIE))
    if remembered:
        return remembered, False
    return i18n.negotiate(request.headers.get("accept-language")), False


def remember_language(response: Response, request: Request, language: str) -> None:
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 24 * 3600, path="/",
                        samesite="lax", secure=_https(request))


def language_links(request: Request) -> dict[str, str]:
    """This page's URL (GET-able: every customer POST has a GET twin) in each language."""
    links = {}
    for code in i18n.LANGUAGES:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        params.append(("lang", code))
        query = "&".join(f"{k}={_quote(v)}" for k, v in params)
        links[code] = f"{request.url.path}?{query}"
    return links


def _quote(value: str) -> str:
    return quote(value, safe="")


# --- client identity and headers -------------------------------------------------------


def client_key(settings: Settings, kind: str, value: str) -> str:
    """A keyed hash, so the rate-limit table holds no addresses or order numbers."""
    digest = hmac.new(settings.secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{digest.hexdigest()[:40]}"


def client_address(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers so it is the
    client's, not the proxy's; X-Forwarded-For is never read here)."""
    return request.client.host if request.client else "unknown"


def client_network(address: str) -> str:
    """The client's network: a /24 for IPv4, a /64 for IPv6 (many addresses, one owner)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def harden(response: Response, *, script_nonce: str | None = None) -> None:
    scripts = f"'nonce-{script_nonce}'" if script_nonce else "'none'"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        f"script-src {scripts}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"


def _https(request: Request) -> bool:
    return settings_of(request).base_url.startswith("https://")
