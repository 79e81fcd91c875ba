"""/login, /logout and /language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow.auth import service as auth
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import TooManyRequests, Unauthorized
from orderflow.web import i18n, security
from orderflow.web.i18n import N_
from orderflow.web.rendering import render

# /login and /language work without a login; every POST still needs CSRF + same origin.
public = APIRouter(dependencies=[Depends(security.csrf_guard)], include_in_schema=False)
console = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                    include_in_schema=False)

BAD_CREDENTIALS = N_("Wrong username or password.")
THROTTLED = N_("Too many failed sign-in attempts. Wait a moment and try again.")


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@public.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if security.current_user(request) is not None:
        return RedirectResponse(security.safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": security.safe_next(next)})


@public.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form(max_length=64)] = "",
          password: Annotated[str, Form(max_length=1024)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    settings = _settings(request)
    address = request.client.host if request.client else None  # never X-Forwarded-For
    try:
        user = auth.authenticate(_db(request), username.strip(), password, address=address,
                                 max_failures_per_hour=settings.max_failed_logins_per_hour)
    except (Unauthorized, TooManyRequests) as exc:
        message = THROTTLED if isinstance(exc, TooManyRequests) else BAD_CREDENTIALS
        context = {"next": security.safe_next(next), "error": message, "username": username}
        page = render(request, "auth/login.html", context, status_code=exc.http_status)
        if isinstance(exc, auth.LoginThrottled):
            page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    security.start_session(request, user)
    return RedirectResponse(security.safe_next(next), status_code=303)


@console.post("/logout")
def logout(request: Request) -> Response:
    security.end_session(request)
    return RedirectResponse("/login", status_code=303)


@public.post("/language")
def switch_language(request: Request, language: Annotated[str, Form(max_length=8)] = "",
                    next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    chosen = i18n.supported(language)
    if chosen is not None:
        request.session["lang"] = chosen
        user = security.current_user(request)
        if user is not None:
            auth.set_language(_db(request), user.id, chosen)
    return RedirectResponse(security.safe_next(next), status_code=303)
