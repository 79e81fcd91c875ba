"""Bounded requests: every URL, header block and body has a ceiling, enforced in an ASGI
middleware before any route parses anything.

- URL (path + query) over `max_url_bytes` -> 414; headers over `max_header_bytes` in
  total (or more than MAX_HEADERS of them) -> 431.
- Bodies, per route class: carrier pushes (`/api/carrier-hooks/…`) `max_push_bytes`;
  shop webhooks (`/api/hooks/…`) 2 MiB; file uploads (`/orders/import`)
  `max_upload_bytes`; everything else `max_body_bytes`. A Content-Length over the
  limit is refused at once; a body without one (chunked) is counted while it streams in
  and refused as soon as it passes the limit, so a 20 MB body never sits in memory.
Every refusal is RFC 9457 problem+json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from orderflow.config import Settings

MAX_HEADERS = 100
PUSH_PREFIXES = ("/api/carrier-hooks/",)
SHOP_HOOK_PREFIX = "/api/hooks/"
SHOP_HOOK_BYTES = 2 * 1024 * 1024  # Shopify caps an order near 1 MB (api/channels.MAX_BODY)
UPLOAD_PREFIXES = ("/orders/import",)


@dataclass(frozen=True)
class Limits:
    url: int = 8 * 1024
    headers: int = 16 * 1024
    body: int = 1024 * 1024
    upload: int = 20 * 1024 * 1024 + 64 * 1024  # the importer's 20 MB file + form overhead
    push: int = 256 * 1024

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(url=settings.max_url_bytes, headers=settings.max_header_bytes,
                   body=settings.max_body_bytes, upload=settings.max_upload_bytes,
                   push=settings.max_push_bytes)

    def body_limit(self, path: str) -> int:
        if path.startswith(PUSH_PREFIXES):
            return self.push
        if path.startswith(SHOP_HOOK_PREFIX):
            return max(self.body, SHOP_HOOK_BYTES)
        if path.startswith(UPLOAD_PREFIXES):
            return self.upload
        return self.body


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(413, f"the request body is over {limit} bytes")
        self.limit = limit


def _problem(status: int, code: str, title: str, detail: str) -> tuple[Message, Message]:
    body = json.dumps({"type": f"https://orderflow.dev/problems/{code}", "title": title,
                       "status": status, "detail": detail, "code": code}).encode()
    start: Message = {"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()), (b"connection", b"close")]}
    return start, {"type": "http.response.body", "body": body}


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: Limits):
        self.app = app
        self.limits = limits

    async def _refuse(self, send: Send, status: int, code: str, title: str,
                      detail: str) -> None:
        start, body = _problem(status, code, title, detail)
        await send(start)
        await send(body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        url_size = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b""))
        if url_size > limits.url:
            await self._refuse(send, 414, "request.uri_too_long", "URI too long",
                               f"the URL is over {limits.url} bytes")
            return
        headers = scope.get("headers", [])
        if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > limits.headers:
            await self._refuse(send, 431, "request.headers_too_large",
                               "Request header fields too large",
                               f"over {limits.headers} bytes or {MAX_HEADERS} header fields")
            return
        limit = limits.body_limit(scope["path"])
        declared = next((v for k, v in headers if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, 413, "request.body_too_large", "Request body too large",
                               f"the request body is over {limit} bytes")
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(send, 413, "request.body_too_large", "Request body too large",
                               f"the request body is over {limit} bytes")


async def _too_large(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    _start, body = _problem(413, "request.body_too_large", "Request body too large",
                           f"the request body is over {exc.limit} bytes")
    return JSONResponse(json.loads(body["body"]), status_code=413,
                        media_type="application/problem+json", headers={"connection": "close"})


def install(app: FastAPI, settings: Settings) -> None:
    """Runs outside the session and every other middleware but the security headers."""
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_middleware(LimitsMiddleware, limits=Limits.of(settings))
