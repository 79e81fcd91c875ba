"""The OpenAPI document is the contract the server keeps.

FastAPI documents what a route returns when it succeeds and a generic 422. The server
also answers problem+json (RFC 9457) for every refusal, so this module adds, to every
operation, the refusals it can give, each as `application/problem+json` with the
`Problem` schema:

* 400 when the operation takes a body (a body that is not JSON at all);
* 401 and 403 (every API operation needs proof: a token, or a provider's signature);
* 404 when a path parameter names something, or a write names other records;
* 409 for writes (a state that does not allow the change);
* 422 (invalid fields, each named), replacing FastAPI's `application/json` one.

A route that documents one of these itself keeps its description; only the content
type and schema are made the problem's.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from orderflow.api.problems import PROBLEM

WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = WRITES | {"get", "head", "options"}
DESCRIPTIONS = {
    "400": "The body is not JSON",
    "401": "No valid credentials (`auth.missing_token`, `auth.bad_token`)",
    "403": "The credentials lack the permission this operation needs",
    "404": "Something the request names does not exist",
    "409": "The current state does not allow this change",
    "422": "Invalid fields, each named in `errors[]`",
    "429": "Too many requests; see `Retry-After`",
}


class FieldError(BaseModel):
    field: str = Field(description="The field at fault, e.g. `lines[1].quantity`")
    code: str = Field(description="A stable dotted code, e.g. `money.invalid`")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable `code` and the fields at fault."""

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    code: str = Field(description="A stable dotted code, e.g. `order.illegal_transition`")
    errors: list[FieldError] | None = None


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _codes(path: str, method: str, operation: dict[str, Any]) -> set[str]:
    codes = {"401", "403", "422"}
    if "requestBody" in operation:
        codes.add("400")
    if "{" in path or method in WRITES:
        codes.add("404")
    if method in WRITES:
        codes.add("409")
    return codes


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the refusals to every operation of an OpenAPI document (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation) | {
                    c for c in responses if c[0] in "45"}:
                description = responses.get(code, {}).get("description") or DESCRIPTIONS.get(
                    code, "Refused")
                if code == "422":
                    description = DESCRIPTIONS["422"]
                responses[code] = problem_response(description)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes, openapi_version=app.openapi_version, tags=app.openapi_tags,
                servers=app.servers))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
