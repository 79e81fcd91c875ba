"""/api/v1/orders: thin routes over the order use cases."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from orderflow.api import problems
from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.errors import OrderFlowError
from orderflow.ids import DbId
from orderflow.intake import idempotency
from orderflow.intake import service as intake
from orderflow.orders import identity
from orderflow.orders import service as orders
from orderflow.orders.schemas import OrderIn, OrderOut, OrderPage, PaymentIn, PaymentOut
from orderflow.orders.status import Status
from orderflow.payments import service as payments
from orderflow.reports import orders as views
from orderflow.review.classify import CustomerType, PaymentStatus, Urgency
from orderflow.review.queries import ClassFilter
from orderflow.vocab import Instant

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])

Reader = Annotated[TokenIdentity, Depends(require("orders:read"))]
Writer = Annotated[TokenIdentity, Depends(require("orders:write"))]
Payer = Annotated[TokenIdentity, Depends(require("payments:write"))]
ClassQuery = Annotated[str | None, Query(max_length=80)]


class ReasonIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class OptionalReasonIn(BaseModel):
    reason: Annotated[str, Field(max_length=500)] | None = None


def _view(db: DbDep, number: str) -> OrderOut:
    with db.read() as s:
        return views.order_view(s, views.get_order(s, number))


@router.post("", status_code=201, response_model=OrderOut,
             responses={200: {"description": "The same order again (idempotent replay)"},
                        409: {"description": "Out of stock, or the same Idempotency-Key in flight"},
                        422: {"description": "Invalid fields, or a reused Idempotency-Key"}})
def create_order(
    body: OrderIn, request: Request, token: Writer, db: DbDep, settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> Response:
    """Place an order. Idempotent on `Idempotency-Key` and on channel + external_id."""
    if idempotency_key is None:
        return _place(body, token, db, settings)
    scope = f"token:{token.id}"
    raw = body.model_dump_json().encode()
    replay = idempotency.begin(db, scope, idempotency_key,
                               idempotency.fingerprint("POST", request.url.path, raw))
    if replay is not None:
        return _replayed(replay)
    try:
        response = _place(body, token, db, settings)
    except OrderFlowError as exc:
        response = problems.error_response(exc)
    except BaseException:
        idempotency.finish(db, scope, idempotency_key, 500, {})
        raise
    idempotency.finish(db, scope, idempotency_key, response.status_code, _json_body(response),
                       text=bytes(response.body).decode(), media_type=response.media_type,
                       headers=dict(response.headers))
    return response


def _replayed(replay: idempotency.Replay) -> Response:
    """The first answer again, byte for byte (status, media type, Location, body)."""
    headers = {**(replay.headers or {}), "Idempotent-Replayed": "true"}
    if replay.text is None:  # kept before answers were stored whole
        return JSONResponse(replay.body, status_code=replay.status, headers=headers)
    return Response(replay.text.encode(), status_code=replay.status, headers=headers,
                    media_type=replay.media_type)


def _json_body(response: Response) -> dict[str, object]:
    return dict(json.loads(bytes(response.body)))


def _place(body: OrderIn, token: TokenIdentity, db: DbDep, settings: SettingsDep) -> Response:
    placed = intake.place_order(db, body, actor=actor_of(token), settings=settings)
    if placed.written is not None and body.payment is None:
        view = views.placed_view(placed.written)  # what was just written: no read back
    else:
        view = _view(db, placed.number)
    headers = {"Location": f"/api/v1/orders/{placed.number}"}
    if not placed.created:
        headers["Idempotent-Replayed"] = "true"
    return Response(view.model_dump_json(), status_code=201 if placed.created else 200,
                    headers=headers, media_type="application/json")


@router.get("", response_model=OrderPage)
def list_orders(
    _token: Reader, db: DbDep,
    status: Status | None = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    placed_from: Instant | None = None,
    placed_to: Instant | None = None,
    q: Annotated[str | None, Query(
        max_length=100, description="Order number, name, phone, email or tracking number",
    )] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    urgency: Urgency | None = None,
    customer_type: CustomerType | None = None,
    category: ClassQuery = None,
    payment_status: PaymentStatus | None = None,
) -> OrderPage:
    """Newest first, keyset-paginated: pass `next_cursor` back as `cursor`. The review
    classification filters match orders that have been reviewed."""
    f = views.OrderFilter(status=status, channel=channel, placed_from=placed_from,
                          placed_to=placed_to, text=q,
                          classes=ClassFilter(urgency, customer_type, category, payment_status))
    with db.read() as s:
        return views.list_orders(s, f, cursor=cursor, limit=limit)


@router.get("/{number}", response_model=OrderOut)
def get_order(number: str, _token: Reader, db: DbDep) -> OrderOut:
    return _view(db, number)


@router.post("/{number}/payments", status_code=201, response_model=PaymentOut)
def add_payment(number: str, body: PaymentIn, token: Payer, db: DbDep,
                settings: SettingsDep) -> PaymentOut:
    """Record a payment notice. The same (method, external_ref) twice is one payment."""
    payments.record_payment(db, number, body, actor=actor_of(token), settings=settings)
    payment = _view(db, number).payments
    match = [p for p in payment if body.external_ref and p.external_ref == body.external_ref]
    return match[0] if match else payment[-1]


@router.post("/{number}/approve", response_model=OrderOut)
def approve(number: str, token: Writer, db: DbDep,
            body: OptionalReasonIn | None = None) -> OrderOut:
    orders.approve_order(db, number, actor=actor_of(token), reason=body.reason if body else None)
    return _view(db, number)


@router.post("/{number}/hold", response_model=OrderOut)
def hold(number: str, body: ReasonIn, token: Writer, db: DbDep) -> OrderOut:
    orders.hold_order(db, number, actor=actor_of(token), reason=body.reason)
    return _view(db, number)


@router.post("/{number}/release", response_model=OrderOut)
def release(number: str, token: Writer, db: DbDep,
            body: OptionalReasonIn | None = None) -> OrderOut:
    orders.release_hold(db, number, actor=actor_of(token), reason=body.reason if body else None)
    return _view(db, number)


@router.post("/{number}/cancel", response_model=OrderOut)
def cancel(number: str, body: ReasonIn, token: Writer, db: DbDep) -> OrderOut:
    orders.cancel_order(db, number, actor=actor_of(token), reason=body.reason)
    return _view(db, number)


class CustomerLinkIn(BaseModel):
    customer_id: DbId
    reason: Annotated[str, Field(min_length=1, max_length=500,
                                 description="How staff verified it is the same person")]


@router.post("/{number}/customer", response_model=OrderOut)
def link_customer(number: str, body: CustomerLinkIn, token: Writer, db: DbDep) -> OrderOut:
    """Link the order to an existing customer record (staff verified it is the same
    person). Intake never does this on a phone alone; the order's link then shows that
    customer's messages."""
    identity.link_customer(db, number, body.customer_id, actor=actor_of(token),
                           reason=body.reason)
    return _view(db, number)
