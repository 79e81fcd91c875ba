"""Security headers on every response, and the API docs served from the package.

- Every response: `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`,
  `Referrer-Policy: same-origin`.
- HTML without its own policy (the console; customer pages set a stricter one with a
  nonce): a Content-Security-Policy allowing scripts only from this origin (no inline
  script: the console's behaviour lives in /static/console.js) and
  `frame-ancestors 'none'`.
- Anything but static files: `Cache-Control: no-store` unless the route chose otherwise,
  so a signed-in page, a customer page or an API answer is never kept by a browser or a
  shared cache.
- `/api/docs`: Swagger UI from the fastapi-offline package's files (no CDN), started by
  /static/swagger-init.js, which reads the OpenAPI URL from the page.
"""

from __future__ import annotations

from importlib.resources import files as package_files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONSOLE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_STATIC = "/api/docs/static"
CACHEABLE = ("/static/", DOCS_STATIC + "/")
SWAGGER_DIR = Path(str(package_files("fastapi_offline") / "static"))

ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
          (b"referrer-policy", b"same-origin"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(CACHEABLE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS:
                    if name.decode() not in headers:
                        headers.append(name.decode(), value.decode())
                if (headers.get("content-type", "").startswith("text/html")
                        and "content-security-policy" not in headers):
                    headers.append("Content-Security-Policy", CONSOLE_CSP)
                if not cacheable and "cache-control" not in headers:
                    headers.append("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · API docs</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" href="{static}/favicon.png"></head>
<body><div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>
"""


def install(app: FastAPI) -> None:
    """Added last, so outermost (every answer, a limit's refusal too, gets the headers).
    The app must be created with `docs_url=None`."""
    app.add_middleware(SecurityHeaders)
    openapi = app.openapi_url or "/api/openapi.json"

    app.mount(DOCS_STATIC, StaticFiles(directory=SWAGGER_DIR), name="api-docs-static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE.format(title=app.title, static=DOCS_STATIC,
                                             openapi=openapi))
