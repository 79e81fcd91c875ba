"""Console sessions, CSRF and same-origin checks.

The session is Starlette's signed cookie (itsdangerous, settings.secret_key,
HttpOnly, SameSite=Lax, Secure when the base URL is https). It holds the id of a
server-side session (staff_sessions: logout and password change revoke it), the
language and a per-session CSRF token. Every POST must carry that token in the
form field `csrf_token` (or the `X-CSRF-Token` header) AND come from this origin
(`Origin`, or `Referer` when Origin is absent; neither -> refused).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from orderflow.auth import permissions
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.auth.permissions import Permission
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.orders.lifecycle import Actor
from orderflow.web import i18n

SESSION_COOKIE = "orderflow_session"
SESSION_MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
ORDER_DESK = frozenset({Role.ADMIN, Role.SERVICE})


class LoginRequired(Exception):
    """A control-flow signal, answered with a redirect to the login form."""

    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url


class Refused(Exception):
    """Answered with the 403 page."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def same_origin(request: Request) -> bool:
    """Origin (or, without it, Referer) must name this host; neither present is refused."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return False
    host = request.headers.get("host", "")
    return bool(host) and hmac.compare_digest(urlsplit(source).netloc.lower(), host.lower())


async def _submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def csrf_guard(request: Request) -> None:
    """A router dependency: every state-changing request is same-origin and carries the token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if not same_origin(request):
        raise Refused("cross-origin request")
    expected = request.session.get("csrf")
    submitted = await _submitted_token(request)
    if not isinstance(expected, str) or not submitted or not hmac.compare_digest(
            submitted.encode(), expected.encode()):
        raise Refused("missing or wrong CSRF token")


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def current_user(request: Request) -> StaffIdentity | None:
    """The user of the session the cookie names, if that session is still open on the
    server: a logged-out, revoked (password change) or expired session is refused."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        return None
    user = auth.session_user(_db(request), sid)
    if user is None:  # logged out, revoked, expired or deactivated since login
        request.session.pop("sid", None)
        request.session.pop("uid", None)
    return user


def require_staff(request: Request) -> StaffIdentity:
    user = current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    request.state.user = user
    return user


Staff = Annotated[StaffIdentity, Depends(require_staff)]


def require_order_desk(user: Staff) -> StaffIdentity:
    if user.role not in ORDER_DESK:
        raise Refused("role may not change orders")
    return user


OrderDesk = Annotated[StaffIdentity, Depends(require_order_desk)]


def require_permission(permission: Permission) -> Callable[..., StaffIdentity]:
    """A console dependency from the one permission table (orderflow.auth.permissions)."""
    def dependency(user: Staff) -> StaffIdentity:
        if not permissions.role_allows(user.role, permission):
            raise Refused(f"role {user.role.value} may not use {permission.value}")
        return user

    return dependency


def login_url(next_url: str) -> str:
    return f"/login?next={quote(next_url, safe='/')}"


def safe_next(next_url: str | None) -> str:
    """Only a local path: no scheme, no host, no '//' or backslash tricks."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") \
            or "\\" in next_url or urlsplit(next_url).netloc:
        return "/"
    return next_url


def start_session(request: Request, user: StaffIdentity) -> None:
    """A fresh session (and CSRF token) on every login, recorded on the server."""
    request.session.clear()
    request.session["sid"] = auth.open_session(_db(request), user.id)
    request.session["uid"] = user.id
    request.session["lang"] = i18n.supported(user.language) or i18n.DEFAULT_LANGUAGE
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    """Log out: the server-side session is revoked, so a copy of the cookie is dead too."""
    sid = request.session.get("sid")
    if isinstance(sid, str):
        auth.revoke_session(_db(request), sid)
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def language_of(request: Request) -> str:
    chosen = i18n.supported(request.session.get("lang"))
    return chosen or i18n.negotiate(request.headers.get("accept-language"))


def actor_of(user: StaffIdentity) -> Actor:
    return Actor("staff", user.username)
