"""The after-sales screens of the console: the queue (state, type, reason, overdue, owner),
one case with its timeline, photos and the actions its state and the user's role allow,
the receiving station, and the policy. Service staff work cases, the warehouse receives,
an admin sets the policy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from orderflow.aftersales import messages, policy, queries, receiving, rules, service
from orderflow.aftersales.models import CaseState, CaseType, Reason
from orderflow.aftersales.queries import CaseFilter
from orderflow.aftersales.refunds import service as refunds
from orderflow.aftersales.schemas import (
    CaseIn,
    CaseLineIn,
    PolicyIn,
    ReceiveIn,
    ReceiveLineIn,
    RefundIn,
)
from orderflow.auth.models import Role
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)
Text = Annotated[str, Query(max_length=100)]
Note = Annotated[str, Form(max_length=1000)]
Short = Annotated[str, Form(max_length=64)]
RECEIVERS = frozenset({Role.ADMIN, Role.WAREHOUSE})


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def _lang(request: Request) -> str:
    return security.language_of(request)


def _names(language: str) -> dict[str, Any]:
    """Labels of after-sales values, and the system's texts, in the reader's language."""
    return {"type_name": lambda c: messages.name(messages.TYPE_NAMES, c, language),
            "reason_name": lambda c: messages.name(messages.REASON_NAMES, c, language),
            "state_name": lambda c: messages.name(messages.STATE_NAMES, c, language),
            "say": lambda code, params=None: messages.render(code, dict(params or {}),
                                                             language),
            "types": [t.value for t in CaseType], "reasons": [r.value for r in Reason
                                                              if r is not Reason.REFUSED_DELIVERY],
            "states": [s.value for s in CaseState]}


def require_receiver(user: security.Staff) -> StaffIdentity:
    if user.role not in RECEIVERS:
        raise security.Refused("role may not receive returns")
    return user


def require_admin(user: security.Staff) -> StaffIdentity:
    if user.role is not Role.ADMIN:
        raise security.Refused("only an admin sets the after-sales policy")
    return user


Receiver = Annotated[StaffIdentity, Depends(require_receiver)]
Admin = Annotated[StaffIdentity, Depends(require_admin)]


# --- the queue ---------------------------------------------------------------------------


@router.get("/aftersales", response_class=HTMLResponse)
def queue(request: Request, state: Text = "open", type: Text = "", reason: Text = "",
          owner: Text = "", overdue: Text = "", q: Text = "") -> Response:
    user: StaffIdentity = request.state.user
    language = _lang(request)
    f = CaseFilter(state.strip() or "open", type.strip(), reason.strip(),
                   user.username if owner.strip() == "me" else owner.strip(),
                   overdue in ("1", "on", "true"), q.strip())
    with _db(request).read() as s:
        cases = queries.list_cases(s, f, limit=200, language=language)
    return render(request, "aftersales/queue.html",
                  {"cases": cases, "args": f, **_names(language)})


# --- one case ----------------------------------------------------------------------------


def case_page(request: Request, case_id: int, *, error: OrderFlowError | None = None,
              failed: str | None = None, status_code: int = 200) -> Response:
    user: StaffIdentity = request.state.user
    language = _lang(request)
    with _db(request).read() as s:
        try:
            case = queries.get_case(s, case_id, language)
        except NotFound:
            return render(request, "aftersales/not_found.html", {"case_id": case_id},
                          status_code=404)
    return render(request, "aftersales/case.html", {
        "case": case, "error": error, "failed": failed,
        "can_decide": user.role in security.ORDER_DESK,
        "can_receive": user.role in RECEIVERS,
        "refusals": rules.STAFF_REFUSALS, **_names(language)}, status_code=status_code)


@router.get("/aftersales/{case_id}", response_class=HTMLResponse)
def case_detail(request: Request, case_id: int) -> Response:
    return case_page(request, case_id)


def _act(request: Request, case_id: int, action: str, use_case: Callable[[], object],
         done: str) -> Response:
    try:
        use_case()
    except OrderFlowError as exc:
        return case_page(request, case_id, error=exc, failed=action,
                         status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/aftersales/{case_id}", status_code=303)


@router.post("/aftersales/{case_id}/approve")
def approve(request: Request, case_id: int, user: security.OrderDesk) -> Response:
    return _act(request, case_id, "approve", lambda: service.approve_case(
        _db(request), case_id, actor=security.actor_of(user),
        settings=request.app.state.settings), N_("Case approved."))


@router.post("/aftersales/{case_id}/refuse")
def refuse(request: Request, case_id: int, user: security.OrderDesk, code: Short = "",
           note: Note = "") -> Response:
    return _act(request, case_id, "refuse", lambda: service.refuse_case(
        _db(request), case_id, code, actor=security.actor_of(user),
        note=note.strip() or None), N_("Case refused; the customer is told why."))


@router.post("/aftersales/{case_id}/take")
def take(request: Request, case_id: int, user: security.OrderDesk) -> Response:
    return _act(request, case_id, "assign", lambda: service.assign_case(
        _db(request), case_id, user.username, actor=security.actor_of(user)),
        N_("The case is yours."))


@router.post("/aftersales/{case_id}/refund")
def refund(request: Request, case_id: int, user: security.OrderDesk) -> Response:
    def run() -> None:
        made = service.refund_case(_db(request), case_id, actor=security.actor_of(user))
        if any(r.state == "failed" for r in made):
            raise ValidationFailed([FieldProblem("refund", "refund.failed",
                                                 made[0].last_error or "failed")])
    return _act(request, case_id, "refund", run, N_("Refund made."))


@router.post("/aftersales/{case_id}/return-shipment")
def return_shipment(request: Request, case_id: int, user: security.OrderDesk,
                    carrier: Short = "", tracking_number: Short = "") -> Response:
    return _act(request, case_id, "return", lambda: service.return_shipped(
        _db(request), case_id, carrier, tracking_number, actor=security.actor_of(user)),
        N_("Return waybill saved."))


@router.post("/aftersales/{case_id}/repair-shipment")
def repair_shipment(request: Request, case_id: int, user: security.OrderDesk,
                    carrier: Short = "", tracking_number: Short = "") -> Response:
    return _act(request, case_id, "repair", lambda: service.ship_repair(
        _db(request), case_id, carrier, tracking_number, actor=security.actor_of(user)),
        N_("Repaired item sent back."))


@router.post("/aftersales/refunds/{refund_id}/confirm")
def confirm_refund(request: Request, refund_id: int, user: security.OrderDesk,
                   reference: Short = "", case_id: Annotated[int, Form()] = 0) -> Response:
    return _act(request, case_id, "confirm", lambda: refunds.confirm_manual(
        _db(request), refund_id, reference, actor=security.actor_of(user)),
        N_("Refund recorded."))


@router.get("/aftersales/{case_id}/photos/{name}")
def photo(request: Request, case_id: int, name: str) -> Response:
    """A customer's photo, for staff only; names are the case's own (no paths)."""
    with _db(request).read() as s:
        case = queries.get_case(s, case_id)
    names = {str(p.get("name")) for p in case.photos}
    if name not in names:
        raise NotFound("no such photo")
    path = photo_dir(request.app.state.settings.var_dir) / name
    return FileResponse(path)


def photo_dir(var_dir: Path | str) -> Path:
    return Path(var_dir) / "aftersales" / "photos"


# --- from the order page -----------------------------------------------------------------


@router.post("/orders/{number}/aftersales")
def open_from_order(request: Request, number: str, user: security.OrderDesk,
                    type: Short = "", reason: Short = "", sku: Short = "",
                    quantity: Annotated[int, Form(ge=1, le=10_000)] = 1,
                    exchange_sku: Short = "", note: Note = "") -> Response:
    try:
        body = CaseIn(order_number=number, type=CaseType(type), reason=Reason(reason),
                      lines=[CaseLineIn(sku=sku, quantity=quantity,
                                        exchange_sku=exchange_sku.strip() or None)],
                      note=note.strip() or None)
        case_id = service.open_case(_db(request), body, actor=security.actor_of(user),
                                    settings=request.app.state.settings)
    except ValueError:
        flash(request, N_("Choose a type, a reason and a line."))
        return RedirectResponse(f"/orders/{number}", status_code=303)
    except OrderFlowError as exc:
        request.session["flash"] = exc.detail[:200]
        return RedirectResponse(f"/orders/{number}", status_code=303)
    flash(request, N_("After-sales case opened."))
    return RedirectResponse(f"/aftersales/{case_id}", status_code=303)


@router.post("/orders/{number}/refund-owed")
def refund_owed(request: Request, number: str, user: security.OrderDesk) -> Response:
    try:
        refunds.refund_order(_db(request), RefundIn(order_number=number),
                             actor=security.actor_of(user))
        flash(request, N_("Refund made."))
    except OrderFlowError as exc:
        request.session["flash"] = exc.detail[:200]
    return RedirectResponse(f"/orders/{number}", status_code=303)


# --- the receiving station -----------------------------------------------------------------


@router.get("/aftersales-receiving", response_class=HTMLResponse)
def station(request: Request, user: Receiver, scan: Text = "") -> Response:
    language = _lang(request)
    case = None
    error: OrderFlowError | None = None
    if scan.strip():
        with _db(request).read() as s:
            found = receiving._find_case(s, scan.strip())
            if found is not None:
                case = queries.get_case(s, found.id, language)
            elif receiving._find_order(s, scan.strip()) is None:
                error = NotFound(f"nothing is expected back for {scan.strip()!r}",
                                 code="receiving.not_expected")
    return render(request, "aftersales/receiving.html",
                  {"scan": scan.strip(), "case": case, "error": error, **_names(language)},
                  status_code=404 if error else 200)


@router.post("/aftersales-receiving", response_class=HTMLResponse)
async def receive(request: Request, user: Receiver) -> Response:
    form = await request.form(max_fields=400, max_files=0)
    scan = str(form.get("scan") or "")[:64]
    lines: list[ReceiveLineIn] = []
    try:
        for sku in form.getlist("sku")[:100]:
            code = str(sku)[:64]
            lines.append(ReceiveLineIn(
                sku=code, sellable=int(str(form.get(f"sellable:{code}") or 0)),
                damaged=int(str(form.get(f"damaged:{code}") or 0)),
                rejected=int(str(form.get(f"rejected:{code}") or 0)),
                reject_reason=str(form.get(f"reason:{code}") or "")[:200] or None))
        case_id = receiving.receive(_db(request), ReceiveIn(scan=scan, lines=lines),
                                    actor=security.actor_of(user),
                                    settings=request.app.state.settings)
    except (ValueError, OrderFlowError) as exc:
        error = exc if isinstance(exc, OrderFlowError) else ValidationFailed(
            [FieldProblem("lines", "number", "counts are whole numbers")])
        return render(request, "aftersales/receiving.html",
                      {"scan": scan, "case": None, "error": error, **_names(_lang(request))},
                      status_code=error.http_status)
    flash(request, N_("Return received."))
    return RedirectResponse(f"/aftersales/{case_id}", status_code=303)


# --- the policy ---------------------------------------------------------------------------


@router.get("/aftersales-policy", response_class=HTMLResponse)
def policy_page(request: Request, user: Admin) -> Response:
    current = policy.get_policy(_db(request))
    return render(request, "aftersales/policy.html",
                  {"policy": current, "error": None, **_names(_lang(request))})


@router.post("/aftersales-policy", response_class=HTMLResponse)
async def save_policy(request: Request, user: Admin) -> Response:
    form = await request.form(max_fields=200, max_files=0)
    try:
        exclusions = []
        for line in str(form.get("exclusions") or "")[:5000].splitlines():
            kind, _, rest = line.strip().partition(":")
            value, _, why = rest.partition("|")
            if kind.strip():
                exclusions.append({"kind": kind.strip(), "value": value.strip(),
                                   "reason": why.strip() or "other"})
        body = PolicyIn.model_validate({
            "no_reason_days": int(str(form.get("no_reason_days") or 7)),
            "quality_days": int(str(form.get("quality_days") or 15)),
            "refund_days": int(str(form.get("refund_days") or 7)),
            "exclusions": exclusions,
            "freight": {r: str(form.get(f"freight:{r}")) for r in [x.value for x in Reason]
                        if form.get(f"freight:{r}") in ("customer", "merchant")},
            "auto_refund_only_under": str(form.get("auto_refund_only_under") or "") or None,
            "auto_approve_vip": form.get("auto_approve_vip") == "1",
            "return_address": str(form.get("return_address") or "")[:300]})
        policy.set_policy(_db(request), body, actor=security.actor_of(user))
    except (ValueError, OrderFlowError) as exc:
        error = exc if isinstance(exc, OrderFlowError) else ValidationFailed(
            [FieldProblem("policy", "invalid", str(exc)[:300])])
        return render(request, "aftersales/policy.html",
                      {"policy": policy.get_policy(_db(request)), "error": error,
                       **_names(_lang(request))}, status_code=422)
    flash(request, N_("Policy saved."))
    return RedirectResponse("/aftersales-policy", status_code=303)
