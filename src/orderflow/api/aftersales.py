"""/api/v1/aftersales/cases… and /api/v1/refunds…: after-sales cases and money back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from orderflow.aftersales import policy, queries, receiving, service
from orderflow.aftersales.models import CaseState, CaseType, Reason, RefundState
from orderflow.aftersales.queries import CaseFilter
from orderflow.aftersales.refunds import service as refunds
from orderflow.aftersales.schemas import (
    ApproveIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    ManualConfirmIn,
    PolicyIn,
    PolicyOut,
    ReceiveIn,
    RefundCaseIn,
    RefundIn,
    RefundOut,
    RefuseIn,
    ReturnShippedIn,
)
from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.logistics.schemas import AssignIn

router = APIRouter(prefix="/api/v1", tags=["aftersales"])
Reader = Annotated[TokenIdentity, Depends(require("aftersales:read"))]
Writer = Annotated[TokenIdentity, Depends(require("aftersales:write"))]
RefundReader = Annotated[TokenIdentity, Depends(require("refunds:read"))]
RefundWriter = Annotated[TokenIdentity, Depends(require("refunds:write"))]
Text = Annotated[str, Query(max_length=64)]
Lang = Annotated[str, Query(pattern="^(en|zh-CN)$")]


def _detail(db: DbDep, case_id: int, lang: str = "en") -> CaseDetailOut:
    with db.read() as s:
        return queries.get_case(s, case_id, lang)


@router.get("/aftersales/cases", response_model=list[CaseOut])
def list_cases(_t: Reader, db: DbDep, state: Text = "open", type: CaseType | None = None,
               reason: Reason | None = None, owner: Text = "", overdue: bool = False,
               q: Text = "", lang: Lang = "en",
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CaseOut]:
    """The queue, by due time. `state=open` (default), `all`, or one state."""
    allowed = ("open", "all", *(c.value for c in CaseState))
    if state not in allowed:
        raise ValidationFailed([FieldProblem(
            "state", "invalid.enum", f"one of {', '.join(allowed)}")])
    with db.read() as s:
        return queries.list_cases(
            s, CaseFilter(state, type.value if type else "", reason.value if reason else "",
                          owner, overdue, q), limit=limit, language=lang)


@router.post("/aftersales/cases", status_code=201, response_model=CaseDetailOut)
def open_case(body: CaseIn, token: Writer, db: DbDep, settings: SettingsDep) -> CaseDetailOut:
    """Open a case on a shipped or delivered order, per line and quantity. A request the
    policy refuses (window passed, excluded goods) is answered 409 with the reason code
    in `errors[].code`; `override_policy` opens it anyway."""
    case_id = service.open_case(db, body, actor=actor_of(token), settings=settings)
    return _detail(db, case_id)


@router.get("/aftersales/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: int, _t: Reader, db: DbDep, lang: Lang = "en") -> CaseDetailOut:
    return _detail(db, case_id, lang)


@router.post("/aftersales/cases/{case_id}/approve", response_model=CaseDetailOut)
def approve_case(case_id: int, _body: ApproveIn, token: Writer, db: DbDep,
                 settings: SettingsDep) -> CaseDetailOut:
    service.approve_case(db, case_id, actor=actor_of(token), settings=settings)
    return _detail(db, case_id)


@router.post("/aftersales/cases/{case_id}/refuse", response_model=CaseDetailOut)
def refuse_case(case_id: int, body: RefuseIn, token: Writer, db: DbDep) -> CaseDetailOut:
    service.refuse_case(db, case_id, body.code, actor=actor_of(token), note=body.note)
    return _detail(db, case_id)


@router.post("/aftersales/cases/{case_id}/withdraw", response_model=CaseDetailOut)
def withdraw_case(case_id: int, token: Writer, db: DbDep) -> CaseDetailOut:
    service.withdraw_case(db, case_id, actor=actor_of(token))
    return _detail(db, case_id)


@router.post("/aftersales/cases/{case_id}/return-shipment", response_model=CaseDetailOut)
def return_shipped(case_id: int, body: ReturnShippedIn, token: Writer,
                   db: DbDep) -> CaseDetailOut:
    """The customer's return waybill (checked against the carrier's format)."""
    service.return_shipped(db, case_id, body.carrier, body.tracking_number,
                           actor=actor_of(token))
    return _detail(db, case_id)


@router.post("/aftersales/cases/{case_id}/assign", response_model=CaseDetailOut)
def assign_case(case_id: int, body: AssignIn, token: Writer, db: DbDep) -> CaseDetailOut:
    service.assign_case(db, case_id, body.owner, actor=actor_of(token))
    return _detail(db, case_id)


@router.post("/aftersales/cases/{case_id}/refund", response_model=list[RefundOut])
def refund_case(case_id: int, _body: RefundCaseIn, token: RefundWriter,
                db: DbDep) -> list[RefundOut]:
    """Refund the case (what it owes). Pressed twice, or by two people: one refund."""
    return service.refund_case(db, case_id, actor=actor_of(token))


@router.post("/aftersales/cases/{case_id}/repair-shipment", response_model=CaseDetailOut)
def ship_repair(case_id: int, body: ReturnShippedIn, token: Writer,
                db: DbDep) -> CaseDetailOut:
    service.ship_repair(db, case_id, body.carrier, body.tracking_number,
                        actor=actor_of(token))
    return _detail(db, case_id)


@router.post("/aftersales/receiving", response_model=CaseDetailOut)
def receive(body: ReceiveIn, token: Writer, db: DbDep, settings: SettingsDep) -> CaseDetailOut:
    """The receiving station: a scanned return waybill, case or order number (a refused
    parcel's outbound tracking number too) and what came back per line."""
    case_id = receiving.receive(db, body, actor=actor_of(token), settings=settings)
    return _detail(db, case_id)


@router.get("/aftersales/policy", response_model=PolicyOut)
def get_policy(_t: Reader, db: DbDep) -> PolicyOut:
    return policy.get_policy(db)


@router.put("/aftersales/policy", response_model=PolicyOut)
def set_policy(body: PolicyIn, token: Writer, db: DbDep) -> PolicyOut:
    return policy.set_policy(db, body, actor=actor_of(token))


@router.get("/refunds", response_model=list[RefundOut])
def list_refunds(_t: RefundReader, db: DbDep, order: Text = "",
                 state: RefundState | None = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[RefundOut]:
    return refunds.list_refunds(db, order_number=order or None,
                                state=state.value if state else None, limit=limit)


@router.post("/refunds", status_code=201, response_model=list[RefundOut])
def create_refund(body: RefundIn, token: RefundWriter, db: DbDep) -> list[RefundOut]:
    """Refund an order: what it owes (no amount), or an amount. Never more than paid less
    refunded: 409 `refund.exceeds_refundable`, naming the field and the most allowed."""
    return refunds.refund_order(db, body, actor=actor_of(token))


@router.get("/refunds/{refund_id}", response_model=RefundOut)
def get_refund(refund_id: int, _t: RefundReader, db: DbDep) -> RefundOut:
    return refunds.get_refund(db, refund_id)


@router.post("/refunds/{refund_id}/retry", response_model=RefundOut)
def retry_refund(refund_id: int, _t: RefundWriter, db: DbDep) -> RefundOut:
    """Ask the provider again (it is first asked whether it already made this refund)."""
    return refunds.execute(db, refund_id, force=True)


@router.post("/refunds/{refund_id}/confirm", response_model=RefundOut)
def confirm_refund(refund_id: int, body: ManualConfirmIn, token: RefundWriter,
                   db: DbDep) -> RefundOut:
    """A manual refund made in the payment back office, with its reference there."""
    return refunds.confirm_manual(db, refund_id, body.reference, actor=actor_of(token))
