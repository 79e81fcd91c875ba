"""/api/v1: changes before shipping, merge (合单) and split (拆单). Thin routes over
orders.changes and orders.merging; the console calls the same use cases."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.orders import changes, merging
from orderflow.orders.schemas import OrderOut
from orderflow.reports import orders as views
from orderflow.review import service as review

router = APIRouter(prefix="/api/v1", tags=["order changes"])

Reader = Annotated[TokenIdentity, Depends(require("orders:read"))]
Writer = Annotated[TokenIdentity, Depends(require("orders:write"))]


class MergeIn(BaseModel):
    numbers: Annotated[list[Annotated[str, Field(max_length=20)]],
                       Field(min_length=2, max_length=50)]
    reason: Annotated[str, Field(max_length=500)] | None = None


class MergeOut(BaseModel):
    group: str
    numbers: list[str]


class SplitIn(BaseModel):
    kind: Literal["warehouse", "availability"]
    reason: Annotated[str, Field(max_length=500)] | None = None


class SplitOut(BaseModel):
    order: OrderOut
    new_orders: list[str]


class ReasonIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


def _view(db: DbDep, number: str) -> OrderOut:
    with db.read() as s:
        return views.order_view(s, views.get_order(s, number))


@router.post("/orders/{number}/address", response_model=OrderOut)
def change_address(number: str, body: changes.AddressChangeIn, token: Writer,
                   db: DbDep) -> OrderOut:
    """Change the recipient, phone or address before shipping: validated whole, then the
    order is reviewed again. After shipping: 409 `order.already_shipped`."""
    changes.change_address(db, number, body, actor=actor_of(token), reviewer=review.review_order)
    return _view(db, number)


@router.post("/orders/{number}/lines", response_model=OrderOut)
def change_lines(number: str, body: changes.LinesChangeIn, token: Writer, db: DbDep) -> OrderOut:
    """Set the order's lines (the full list): stock re-reserved, totals recomputed, the
    difference recorded as owed (`refund.owed` or `payment.owed` on the timeline)."""
    changes.change_lines(db, number, body, actor=actor_of(token), reviewer=review.review_order)
    return _view(db, number)


@router.get("/merges/suggestions", response_model=list[merging.MergeSuggestion])
def merge_suggestions(_token: Reader, db: DbDep) -> list[merging.MergeSuggestion]:
    """Unallocated orders of one customer to one address, grouped."""
    with db.read() as s:
        return merging.suggestions(s)


@router.post("/merges", response_model=MergeOut, status_code=201)
def merge(body: MergeIn, token: Writer, db: DbDep) -> MergeOut:
    group = merging.merge_orders(db, body.numbers, actor=actor_of(token),
                                 reason=body.reason or "merged by staff")
    with db.read() as s:
        return MergeOut(group=group, numbers=merging.group_of(s, views.get_order(s, group)))


@router.post("/merges/auto", response_model=list[str])
def merge_all(token: Writer, db: DbDep) -> list[str]:
    """The merge rule, now: merge every suggestion; returns the groups formed."""
    return merging.auto_merge(db, actor=actor_of(token))


@router.post("/orders/{number}/unmerge", response_model=list[str])
def unmerge(number: str, body: ReasonIn, token: Writer, db: DbDep) -> list[str]:
    return merging.unmerge_order(db, number, actor=actor_of(token), reason=body.reason)


@router.post("/orders/{number}/split", response_model=SplitOut)
def split(number: str, body: SplitIn, token: Writer, db: DbDep,
          settings: SettingsDep) -> SplitOut:
    """Split by `warehouse` or by `availability` (ship what is in stock, backorder the
    rest on hold); the customer is told (`order.split`)."""
    made = merging.split_order(db, number, body.kind, actor=actor_of(token),
                               zone=settings.timezone, reason=body.reason)
    return SplitOut(order=_view(db, number), new_orders=made)
