"""/api/v1/exceptions and /api/v1/carriers/performance: the logistics exception desk."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from orderflow import clock, money
from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.ids import DbId
from orderflow.logistics import queries
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind
from orderflow.logistics.queries import CaseRow
from orderflow.logistics.schemas import (
    ActionIn,
    AssignIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CloseIn,
    HistoryOut,
    OrderTrackingOut,
    ParcelOut,
    PerformanceOut,
    ResolveIn,
    ScanOut,
)
from orderflow.orders import queries as order_queries
from orderflow.tracking import config as tracking_config

router = APIRouter(prefix="/api/v1", tags=["exceptions"])
Reader = Annotated[TokenIdentity, Depends(require("exceptions:read"))]
OrderReader = Annotated[TokenIdentity, Depends(require("orders:read"))]
Writer = Annotated[TokenIdentity, Depends(require("exceptions:write"))]
Text = Annotated[str, Query(max_length=100)]


def case_out(row: CaseRow) -> CaseOut:
    return CaseOut(**{k: v for k, v in row.__dict__.items()
                      if k in CaseOut.model_fields},
                   refund=money.to_str(row.refund_minor, row.currency))


def _detail(db: DbDep, case_id: DbId) -> CaseDetailOut:
    with db.read() as s:
        found = queries.get_case(s, case_id)
    return CaseDetailOut(**case_out(found.case).model_dump(), history=[
        HistoryOut(at=h.at, kind=h.kind, actor=h.actor, reason=h.reason, data=h.data)
        for h in found.history])


@router.get("/exceptions", response_model=list[CaseOut])
def list_exceptions(_t: Reader, db: DbDep,
                    state: Literal["open", "resolved", "closed", "all"] = "open",
                    kind: CaseKind | None = None,
                    carrier: Text = "", owner: Text = "", overdue: bool = False,
                    q: Text = "", limit: Annotated[int, Query(ge=1, le=500)] = 100,
                    ) -> list[CaseOut]:
    """The queue: open cases by due time. `owner=none` lists the unassigned ones."""
    f = queries.case_filter(state, kind.value if kind else "", carrier, owner, overdue, q)
    with db.read() as s:
        return [case_out(r) for r in queries.list_cases(s, f, limit=limit)]


@router.post("/exceptions", status_code=201, response_model=CaseDetailOut)
def open_exception(body: CaseIn, token: Writer, db: DbDep,
                   settings: SettingsDep) -> CaseDetailOut:
    """Open a case by hand; the same open case is returned if the parcel already has one."""
    case_id = logistics.open_case(db, body.order_number, body.kind, actor=actor_of(token),
                                  settings=settings, detail=body.detail,
                                  tracking_number=body.tracking_number)
    return _detail(db, case_id)


@router.get("/exceptions/{case_id}", response_model=CaseDetailOut)
def get_exception(case_id: DbId, _t: Reader, db: DbDep) -> CaseDetailOut:
    return _detail(db, case_id)


@router.post("/exceptions/{case_id}/assign", response_model=CaseDetailOut)
def assign_exception(case_id: DbId, body: AssignIn, token: Writer, db: DbDep) -> CaseDetailOut:
    logistics.assign_case(db, case_id, body.owner, actor=actor_of(token))
    return _detail(db, case_id)


@router.post("/exceptions/{case_id}/actions", response_model=CaseDetailOut)
def act_on_exception(case_id: DbId, body: ActionIn, token: Writer, db: DbDep) -> CaseDetailOut:
    """contact_carrier and note need a `note`; refund an `amount`; reship with `carrier`
    and `tracking_number` ships the replacement (without them: a request to the warehouse)."""
    logistics.act_on_case(db, case_id, body.action, actor=actor_of(token), note=body.note,
                          amount=body.amount, carrier=body.carrier,
                          tracking_number=body.tracking_number, service=body.service)
    return _detail(db, case_id)


@router.post("/exceptions/{case_id}/resolve", response_model=CaseDetailOut)
def resolve_exception(case_id: DbId, body: ResolveIn, token: Writer,
                      db: DbDep) -> CaseDetailOut:
    logistics.resolve_case(db, case_id, body.outcome, actor=actor_of(token),
                           resolution=body.resolution)
    return _detail(db, case_id)


@router.post("/exceptions/{case_id}/close", response_model=CaseDetailOut)
def close_exception(case_id: DbId, body: CloseIn, token: Writer, db: DbDep) -> CaseDetailOut:
    logistics.close_case(db, case_id, actor=actor_of(token), note=body.note)
    return _detail(db, case_id)


@router.get("/carriers/performance", response_model=list[PerformanceOut])
def carrier_performance(_t: Reader, db: DbDep, settings: SettingsDep,
                        days: Annotated[int, Query(ge=1, le=365)] = 30,
                        ) -> list[PerformanceOut]:
    """Per carrier and service over parcels shipped in the last `days`: median transit
    hours, on-time rate (delivered by the promised day), exception rate, pickup rate."""
    now = clock.utcnow()
    with db.read() as s:
        rows = queries.performance(s, since=now - timedelta(days=days), until=now,
                                   zone=settings.zone,
                                   pickup_hours=tracking_config.load().pickup_on_time_hours)
    return [PerformanceOut(**r.__dict__) for r in rows]


@router.get("/orders/{number}/tracking", response_model=OrderTrackingOut, tags=["orders"])
def order_tracking(number: str, _t: OrderReader, db: DbDep) -> OrderTrackingOut:
    """Each parcel of the order with its carrier events (newest first), and its
    exception cases: the console's tracking panel on the order page."""
    with db.read() as s:
        order = order_queries.get_order(s, number)
        parcels = queries.parcel_events(s, order.id)
        cases = queries.cases_of_order(s, order.id)
    return OrderTrackingOut(order_number=order.number, parcels=[ParcelOut(
        carrier=p.carrier, service=p.service, tracking_number=p.tracking_number,
        shipped_at=p.shipped_at, eta=p.eta, status=p.status, picked_up_at=p.picked_up_at,
        delivered_at=p.delivered_at, events=[ScanOut(
            occurred_at=e.occurred_at, status=e.status.value, description=e.description,
            location=e.location, raw_code=e.raw_code, source=e.source) for e in p.events])
        for p in parcels], exceptions=[case_out(c) for c in cases])
