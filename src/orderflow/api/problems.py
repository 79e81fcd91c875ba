"""RFC 9457 problem+json for every error the API gives."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from orderflow.errors import FieldProblem, OrderFlowError

PROBLEM = "application/problem+json"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    fields: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://orderflow.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if fields:
        body["errors"] = [f.as_dict() for f in fields]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'lines', 0, 'quantity') -> 'lines[0].quantity'."""
    out = ""
    for part in loc:
        if part in ("body", "query", "path", "header"):
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "str", "int")) or "." in str(part):
            out += f".{part}" if out else str(part)
    return out or "body"


def _validation_fields(exc: RequestValidationError) -> list[FieldProblem]:
    seen: dict[str, FieldProblem] = {}
    for err in exc.errors():
        path = field_path(err.get("loc", ()))
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        seen.setdefault(path, FieldProblem(path, f"invalid.{err.get('type', 'value')}", message))
    return list(seen.values())


def error_response(exc: OrderFlowError) -> JSONResponse:
    """The problem+json answer of a domain error (also what an idempotent replay keeps)."""
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return problem(exc.http_status, exc.code, exc.title, exc.detail, exc.fields, headers)


# What a database says when it cannot write for lack of room: SQLite (SQLITE_FULL, also
# past PRAGMA max_page_count), PostgreSQL ("could not extend file", ENOSPC).
_FULL = ("database or disk is full", "no space left on device", "could not extend file",
         "disk full")


def storage_problem(exc: DBAPIError) -> tuple[str, str, str] | None:
    """(code, title, detail) for a database that cannot take writes right now; None for
    errors that are not about the database's availability."""
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if any(marker in text for marker in _FULL):
        return ("storage.full", "Storage is full",
                "the database cannot write: its disk is full. Nothing was saved; "
                "retry once space is freed")
    if isinstance(exc, OperationalError) or exc.connection_invalidated:
        return ("database.unavailable", "Database unavailable",
                "the database did not answer. Nothing was saved; retry shortly")
    return None


def _leaf_routes(routes: list[Any]) -> list[Any]:
    """Every route with methods, through included routers (FastAPI nests them)."""
    leaves = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            leaves.extend(_leaf_routes(list(inner.routes)))
        elif getattr(route, "methods", None) and getattr(route, "path_regex", None):
            leaves.append(route)
    return leaves


def allowed_methods(request: Request) -> str:
    """Every method some route answers on this path (Starlette names only the first
    route's when GET and POST of one path are two routes)."""
    path = request.scope.get("path", "")
    matching = [r for r in _leaf_routes(list(request.app.router.routes))
                if r.path_regex.match(path)]
    if not matching:
        return ""
    # The resource this path names: `/stock/alerts` is the alerts, not `/stock/{sku}`.
    fewest = min(len(r.param_convertors) for r in matching)
    methods = {m for r in matching if len(r.param_convertors) == fewest for m in r.methods}
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    async def _storage(request: Request, exc: DBAPIError) -> Response:
        found = storage_problem(exc)
        if found is None:
            raise exc
        code, title, detail = found
        headers = {"Retry-After": "60" if code == "storage.full" else "5"}
        if not request.url.path.startswith("/api/"):
            return Response(f"{title}: {detail}", status_code=503, headers=headers,
                            media_type="text/plain; charset=utf-8")
        return problem(503, code, title, detail, headers=headers)

    @app.exception_handler(OrderFlowError)
    async def _domain(_request: Request, exc: OrderFlowError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _validation_fields(exc)
        detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
        return problem(422, "validation.failed", "The request has invalid fields", detail, fields)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "body.unreadable", 404: "not_found",
                405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail),
                       headers=headers or None)

    # Safety nets: a constraint the database keeps, or a number it cannot store, is the
    # request's fault, never a 500. The use cases refuse these first with a named field;
    # these only catch what slipped past them.
    @app.exception_handler(IntegrityError)
    async def _constraint(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return problem(409, "conflict.constraint", "Conflict",
                       "the change would break a rule the database keeps; reload and retry")

    @app.exception_handler(DataError)
    async def _data(_request: Request, _exc: DataError) -> JSONResponse:
        return problem(422, "validation.out_of_range", "The request has invalid fields",
                       "a value is out of the range the database can store")

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        # Starlette still logs the exception; the client gets a problem, not a stack.
        return problem(500, "internal_error", "Internal Server Error",
                       "the server failed; the error is logged")

    @app.exception_handler(OverflowError)
    async def _overflow(_request: Request, _exc: OverflowError) -> JSONResponse:
        return problem(422, "validation.out_of_range", "The request has invalid fields",
                       "a number is too large")
