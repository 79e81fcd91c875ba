"""One error base with stable dotted codes; the API maps them to RFC 9457 problem+json."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class OrderFlowError(Exception):
    code = "error"
    http_status = 400
    title = "Request failed"

    def __init__(
        self, detail: str, *, fields: list[FieldProblem] | None = None, code: str | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or []
        if code:
            self.code = code


class ValidationFailed(OrderFlowError):
    code = "validation.failed"
    http_status = 422
    title = "The request has invalid fields"

    def __init__(self, fields: list[FieldProblem], detail: str | None = None):
        summary = detail or "; ".join(f"{p.field}: {p.message}" for p in fields[:5])
        super().__init__(summary, fields=fields)


class NotFound(OrderFlowError):
    code = "not_found"
    http_status = 404
    title = "Not found"


class Conflict(OrderFlowError):
    code = "conflict"
    http_status = 409
    title = "Conflict"


class IllegalTransition(Conflict):
    code = "order.illegal_transition"
    title = "This status change is not allowed"


class ConcurrentChange(Conflict):
    code = "order.concurrent_change"
    title = "The order was changed by someone else; reload and try again"


class InsufficientStock(Conflict):
    code = "stock.insufficient"
    title = "Not enough stock"

    def __init__(self, sku: str, requested: int, field: str = "lines"):
        super().__init__(
            f"SKU {sku} is out of stock: {requested} requested, not enough available",
            fields=[FieldProblem(field, "stock.insufficient", f"SKU {sku} is out of stock")],
        )
        self.sku = sku


class InvariantViolated(OrderFlowError):
    code = "order.invariant_violated"
    http_status = 409
    title = "Order line quantities would disagree"


class Unauthorized(OrderFlowError):
    code = "auth.unauthorized"
    http_status = 401
    title = "Authentication required"


class Forbidden(OrderFlowError):
    code = "auth.forbidden"
    http_status = 403
    title = "Not allowed"


class TooManyRequests(OrderFlowError):
    code = "rate_limited"
    http_status = 429
    title = "Too many requests"
