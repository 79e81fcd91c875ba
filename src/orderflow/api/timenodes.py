"""/api/v1/orders/{number}/delay-notice and /shipment-correction: the staff side of
the customer's time nodes (a held delay notice; a corrected carrier or number)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import AwareDatetime, BaseModel, Field

from orderflow.api.deps import DbDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.errors import NotFound
from orderflow.fulfilment import corrections
from orderflow.notify import delays
from orderflow.orders import queries
from orderflow.orders.schemas import OrderOut
from orderflow.reports import orders as views

router = APIRouter(prefix="/api/v1/orders", tags=["orders"])
Reader = Annotated[TokenIdentity, Depends(require("orders:read"))]
Writer = Annotated[TokenIdentity, Depends(require("orders:write"))]


class DelayOut(BaseModel):
    order_number: str
    round: int
    reason: str  # a reason code (late.*) or staff's own words
    reason_text: dict[str, str]  # as each language reads it
    new_estimate: datetime
    sends_at: datetime


class DelayIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=delays.MAX_REASON)] | None = None
    new_estimate: AwareDatetime | None = None


class CorrectionIn(BaseModel):
    carrier: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    source: Literal["staff", "waybill"] = "staff"


def _out(held: delays.HeldDelay) -> DelayOut:
    return DelayOut(order_number=held.order_number, round=held.round, reason=held.reason,
                    reason_text={lang: held.reason_text(lang) for lang in ("zh-CN", "en")},
                    new_estimate=held.new_estimate, sends_at=held.sends_at)


@router.get("/{number}/delay-notice", response_model=DelayOut)
def get_delay_notice(number: str, _t: Reader, db: DbDep) -> DelayOut:
    """The delay notice held for staff to edit, if any (404 otherwise)."""
    with db.read() as s:
        order = queries.get_order(s, number)
        held = delays.find_held(s, order.id, order.number)
    if held is None:
        raise NotFound(f"order {number} has no delay notice waiting", code="delay.not_held")
    return _out(held)


@router.patch("/{number}/delay-notice", response_model=DelayOut)
def edit_delay_notice(number: str, body: DelayIn, token: Writer, db: DbDep) -> DelayOut:
    """Change the reason or the new estimate before the held delay notice goes out."""
    return _out(delays.edit_delay(db, number, reason=body.reason,
                                  new_estimate=body.new_estimate, actor=actor_of(token)))


@router.post("/{number}/shipment-correction", response_model=OrderOut)
def correct_shipment(number: str, body: CorrectionIn, token: Writer, db: DbDep) -> OrderOut:
    """Correct the carrier or tracking number of the latest parcel; the customer gets one
    corrected shipping notice when the shipping notice was already owed."""
    corrections.correct_tracking(db, number, carrier=body.carrier,
                                 tracking_number=body.tracking_number, actor=actor_of(token),
                                 source=body.source)
    with db.read() as s:
        return views.order_view(s, views.get_order(s, number))
