"""RFC 9457 problem+json for every error the API gives."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
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
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))
