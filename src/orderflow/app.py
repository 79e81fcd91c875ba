"""The web application: API, console and customer pages in one ASGI app."""

from __future__ import annotations

from fastapi import FastAPI

from orderflow import __version__, web
from orderflow.api import aftersales as aftersales_api
from orderflow.api import carrier_hooks, contract, limits, problems
from orderflow.api import catalog as catalog_api
from orderflow.api import changes as changes_api
from orderflow.api import channels as channels_api
from orderflow.api import exceptions as exceptions_api
from orderflow.api import fulfilment as fulfilment_api
from orderflow.api import notify as notify_api
from orderflow.api import orders as orders_api
from orderflow.api import review as review_api
from orderflow.api import shipping as shipping_api
from orderflow.api import timenodes as timenodes_api
from orderflow.api import warehouses as warehouses_api
from orderflow.config import Settings, get_settings
from orderflow.db import Db, get_db
from orderflow.web import headers


def create_app(db: Db | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="OrderFlow API",
        version=__version__,
        description=(
            "Orders, payments, stock and customer notifications. Authenticate with "
            "`Authorization: Bearer <token>` (create one with `orderflow token create`). "
            "Errors are RFC 9457 problem+json with a stable `code` and the failing "
            "`errors[].field`."
        ),
        openapi_url="/api/openapi.json",
        docs_url=None,  # served from the package's files by web.headers (no CDN)
        redoc_url=None,
    )
    app.state.db = db or get_db()
    app.state.settings = settings
    problems.install(app)
    contract.install(app)
    app.include_router(orders_api.router)
    app.include_router(catalog_api.router)
    app.include_router(warehouses_api.router)
    app.include_router(notify_api.router)
    app.include_router(review_api.router)
    app.include_router(channels_api.hooks)
    app.include_router(channels_api.router)
    app.include_router(changes_api.router)
    app.include_router(exceptions_api.router)
    app.include_router(carrier_hooks.router)
    app.include_router(shipping_api.router)
    app.include_router(fulfilment_api.router)
    app.include_router(timenodes_api.router)
    app.include_router(aftersales_api.router)
    web.install(app)
    limits.install(app, settings)  # outside sessions and parsing: bounds come first
    headers.install(app)  # outermost: refusals get the security headers too

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """On the event loop, not the thread pool: liveness never queues behind database
        work (bench/attack.py measures it under attack)."""
        return {"status": "ok", "version": __version__}

    return app
