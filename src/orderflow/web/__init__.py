"""The staff console: server-rendered pages over the same use cases as the API.

`install(app)` adds the signed-cookie session, the static files, the console
routes and the handlers that turn "log in first" into a redirect and a refused
request into the 403 page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from orderflow.config import Settings
from orderflow.web import (
    actions,
    aftersales,
    aftersales_customer,
    auth,
    changes,
    channels,
    customer,
    fulfilment,
    fulfilment_floor,
    imports,
    notify_notices,
    notify_settings,
    notify_templates,
    notify_webhooks,
    orders,
    review,
    security,
    setup,
    shipping,
    shipping_print,
    timenodes,
    tracking,
)
from orderflow.web.rendering import render

STATIC = Path(__file__).resolve().parent / "static"


def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, security.LoginRequired)
    return RedirectResponse(security.login_url(exc.next_url), status_code=303)


def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, security.Refused)
    return render(request, "errors/forbidden.html", {"reason": exc.reason}, status_code=403)


def install(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    app.add_middleware(
        SessionMiddleware, secret_key=settings.secret_key, session_cookie=security.SESSION_COOKIE,
        max_age=security.SESSION_MAX_AGE, same_site="lax",
        https_only=settings.base_url.startswith("https://"))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(security.LoginRequired, _login_required)
    app.add_exception_handler(security.Refused, _refused)
    for router in (auth.public, auth.console, imports.router, changes.router, channels.router,
                   orders.router, actions.router):
        app.include_router(router)
    app.include_router(review.router)
    app.include_router(customer.router)
    app.include_router(tracking.router)
    app.include_router(aftersales.router)
    app.include_router(aftersales_customer.router)
    app.include_router(shipping.router)
    app.include_router(shipping_print.router)
    app.include_router(fulfilment.router)
    app.include_router(fulfilment_floor.router)
    app.include_router(setup.router)
    for router in (notify_templates.router, notify_settings.router, notify_notices.router,
                   notify_webhooks.router):
        app.include_router(router)
    app.include_router(timenodes.router)
