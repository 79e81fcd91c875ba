"""/api/v1/review: the review queue, decisions, settings and 'why is it stuck?'.

Thin routes over `orderflow.review.service`, the same use cases the console calls."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request

from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.reports import orders as views
from orderflow.reports.stuck import why_stuck
from orderflow.review import queries
from orderflow.review import service as review
from orderflow.review.classify import CustomerType, PaymentStatus, Urgency
from orderflow.review.schemas import (
    BlockerOut,
    BulkApproveIn,
    BulkApproveOut,
    EditIn,
    OptionalReasonIn,
    QueuePage,
    ReasonIn,
    ReviewOut,
)
from orderflow.review.stuck import Blocker

router = APIRouter(prefix="/api/v1/review", tags=["review"])

Reader = Annotated[TokenIdentity, Depends(require("orders:read"))]
Writer = Annotated[TokenIdentity, Depends(require("orders:write"))]
# The merchant's review rules are settings, not orders: an orders:write token may not.
Settler = Annotated[TokenIdentity, Depends(require("settings:write"))]
Filter = Annotated[str | None, Query(max_length=80)]


def _review(db: DbDep, number: str) -> ReviewOut:
    with db.read() as s:
        return queries.review_of(s, views.get_order(s, number))


@router.get("/queue", response_model=QueuePage)
def review_queue(_token: Reader, db: DbDep, urgency: Urgency | None = None,
                 customer_type: CustomerType | None = None, category: Filter = None,
                 payment_status: PaymentStatus | None = None,
                 outcome: Literal["pass", "warn", "block"] | None = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> QueuePage:
    """Orders waiting for review with every reason; expedited first, then by ship-by time."""
    f = queries.ClassFilter(urgency, customer_type, category, payment_status, outcome).check()
    with db.read() as s:
        return queries.queue(s, f, limit=limit)


@router.get("/orders/{number}", response_model=ReviewOut)
def get_review(number: str, _token: Reader, db: DbDep) -> ReviewOut:
    return _review(db, number)


@router.get("/orders/{number}/blockers", response_model=list[BlockerOut])
def blockers(number: str, request: Request, _token: Reader, db: DbDep) -> list[BlockerOut]:
    """Why is this order stuck? Every blocker now, with the next action."""
    zone = request.app.state.settings.zone
    with db.read() as s:
        found = why_stuck(s, views.get_order(s, number), zone, "en")
    return [_blocker(b) for b in found]


def _blocker(b: Blocker) -> BlockerOut:
    en, zh = b.text("en"), b.text("zh-CN")
    return BlockerOut(code=b.code, action=b.action, params=b.params, text_en=en[0],
                      text_zh=zh[0], action_en=en[1], action_zh=zh[1])


@router.post("/orders/{number}/rerun", response_model=ReviewOut)
def rerun(number: str, token: Writer, db: DbDep, settings: SettingsDep) -> ReviewOut:
    review.run_review(db, number, actor=actor_of(token), settings=settings)
    return _review(db, number)


@router.post("/orders/{number}/approve", response_model=ReviewOut)
def approve(number: str, token: Writer, db: DbDep,
            body: OptionalReasonIn | None = None) -> ReviewOut:
    review.approve(db, number, actor=actor_of(token), reason=body.reason if body else None)
    return _review(db, number)


@router.post("/orders/{number}/hold", response_model=ReviewOut)
def hold(number: str, body: ReasonIn, token: Writer, db: DbDep) -> ReviewOut:
    review.hold(db, number, actor=actor_of(token), reason=body.reason)
    return _review(db, number)


@router.post("/orders/{number}/cancel", response_model=ReviewOut)
def cancel(number: str, body: ReasonIn, token: Writer, db: DbDep) -> ReviewOut:
    review.cancel(db, number, actor=actor_of(token), reason=body.reason)
    return _review(db, number)


@router.post("/orders/{number}/edit", response_model=ReviewOut)
def edit(number: str, body: EditIn, token: Writer, db: DbDep,
         settings: SettingsDep) -> ReviewOut:
    """Correct recipient, phone, address, seller remark or shipping service; reviewed again."""
    review.edit(db, number, body.model_dump(exclude_unset=True), actor=actor_of(token),
                settings=settings)
    return _review(db, number)


@router.post("/bulk-approve", response_model=BulkApproveOut)
def bulk_approve(body: BulkApproveIn, token: Writer, db: DbDep) -> BulkApproveOut:
    """Approve many; blocked ones only with include_blocked. Each is reported."""
    result = review.bulk_approve(db, body.numbers, actor=actor_of(token),
                                 include_blocked=body.include_blocked)
    return BulkApproveOut(approved=result.approved, skipped=result.skipped)


@router.get("/settings")
def get_settings(_token: Reader, db: DbDep) -> dict[str, Any]:
    return review.get_config(db).model_dump(mode="json")


@router.patch("/settings")
def change_settings(token: Settler, db: DbDep,
                    body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """Change some settings; unknown or invalid fields are refused, each named."""
    return review.update_config(db, body, actor=actor_of(token)).model_dump(mode="json")
