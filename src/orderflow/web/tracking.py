"""The logistics screens of the console: the exceptions queue (owners, due times,
filters), one case with its actions, a case opened from the order page, and carrier
performance. Reads for every staff role; actions for the order desk (admin, service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from orderflow import clock
from orderflow.auth.service import StaffIdentity
from orderflow.db import Db
from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.ids import DbId
from orderflow.logistics import queries, rules
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind, CaseState
from orderflow.tracking import config as tracking_config
from orderflow.web import security, tracking_labels
from orderflow.web.i18n import N_
from orderflow.web.orders import detail_page
from orderflow.web.rendering import flash, render

tracking_labels.register()

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Text = Annotated[str, Query(max_length=100)]
Note = Annotated[str, Form(max_length=500)]
Short = Annotated[str, Form(max_length=64)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueArgs:
    state: str = "open"
    kind: str = ""
    carrier: str = ""
    owner: str = ""
    overdue: bool = False
    q: str = ""

    def query(self) -> str:
        params = {"state": self.state, "kind": self.kind, "carrier": self.carrier,
                  "owner": self.owner, "overdue": "1" if self.overdue else "", "q": self.q}
        return urlencode({k: v for k, v in params.items() if v})


@router.get("/exceptions", response_class=HTMLResponse)
def queue(request: Request, state: Text = "open", kind: Text = "", carrier: Text = "",
          owner: Text = "", overdue: Text = "", q: Text = "") -> Response:
    user: StaffIdentity = request.state.user
    args = QueueArgs(state.strip(), kind.strip(), carrier.strip(),
                     user.username if owner.strip() == "me" else owner.strip(),
                     overdue in ("1", "on", "true"), q.strip())
    context: dict[str, Any] = {"args": args, "cases": None, "error": None,
                               "kinds": list(CaseKind), "states": list(CaseState)}
    with _db(request).read() as s:
        context["owners"] = queries.owners(s)
        context["carriers"] = queries.carriers(s)
        context["counts"] = queries.counts(s)
        try:
            f = queries.case_filter(args.state, args.kind, args.carrier, args.owner,
                                    args.overdue, args.q)
            context["cases"] = queries.list_cases(s, f, limit=200)
        except ValidationFailed as exc:
            context["error"] = exc
    return render(request, "tracking/exceptions.html", context,
                  status_code=422 if context["error"] else 200)


# --- one case ----------------------------------------------------------------------------------


def case_page(request: Request, case_id: DbId, *, error: OrderFlowError | None = None,
              failed: str | None = None, form: dict[str, str] | None = None,
              status_code: int = 200) -> Response:
    user: StaffIdentity = request.state.user
    with _db(request).read() as s:
        try:
            found = queries.get_case(s, case_id)
        except NotFound:
            return render(request, "tracking/not_found.html", {"case_id": case_id},
                          status_code=404)
        owners = queries.owners(s)
    context = {
        "case": found.case, "history": found.history, "owners": owners,
        "can_act": user.role in security.ORDER_DESK, "error": error, "failed": failed,
        "form": form or {}, "outcomes": rules.OUTCOMES,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }
    return render(request, "tracking/case.html", context, status_code=status_code)


@router.get("/exceptions/{case_id}", response_class=HTMLResponse)
def case_detail(request: Request, case_id: DbId) -> Response:
    return case_page(request, case_id)


def _act(request: Request, case_id: DbId, action: str, use_case: Callable[[], object],
         done: str, form: dict[str, str]) -> Response:
    try:
        use_case()
    except OrderFlowError as exc:
        return case_page(request, case_id, error=exc, failed=action, form=form,
                         status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/exceptions/{case_id}", status_code=303)


@router.post("/exceptions/{case_id}/assign")
def assign(request: Request, case_id: DbId, user: security.OrderDesk,
           owner: Short = "") -> Response:
    return _act(request, case_id, "assign", lambda: logistics.assign_case(
        _db(request), case_id, owner.strip() or None, actor=security.actor_of(user)),
        N_("Owner saved."), {"owner": owner})


@router.post("/exceptions/{case_id}/take")
def take(request: Request, case_id: DbId, user: security.OrderDesk) -> Response:
    """Assign to me: one click from the queue."""
    try:
        logistics.assign_case(_db(request), case_id, user.username,
                              actor=security.actor_of(user))
    except OrderFlowError as exc:
        return case_page(request, case_id, error=exc, failed="assign",
                         status_code=exc.http_status)
    flash(request, N_("The case is yours."))
    return RedirectResponse(f"/exceptions/{case_id}", status_code=303)


@router.post("/exceptions/{case_id}/actions")
def act(request: Request, case_id: DbId, user: security.OrderDesk, action: Short = "",
        note: Note = "", amount: Short = "", carrier: Short = "",
        tracking_number: Short = "") -> Response:
    form = {"action": action, "note": note, "amount": amount, "carrier": carrier,
            "tracking_number": tracking_number}
    return _act(request, case_id, action, lambda: logistics.act_on_case(
        _db(request), case_id, action, actor=security.actor_of(user), note=note.strip() or None,
        amount=amount.strip(), carrier=carrier.strip() or None,
        tracking_number=tracking_number.strip() or None), N_("Action recorded."), form)


@router.post("/exceptions/{case_id}/resolve")
def resolve(request: Request, case_id: DbId, user: security.OrderDesk, outcome: Short = "",
            resolution: Note = "") -> Response:
    return _act(request, case_id, "resolve", lambda: logistics.resolve_case(
        _db(request), case_id, outcome, actor=security.actor_of(user), resolution=resolution),
        N_("Case resolved."), {"outcome": outcome, "resolution": resolution})


@router.post("/exceptions/{case_id}/close")
def close(request: Request, case_id: DbId, user: security.OrderDesk, note: Note = "") -> Response:
    return _act(request, case_id, "close", lambda: logistics.close_case(
        _db(request), case_id, actor=security.actor_of(user), note=note.strip() or None),
        N_("Case closed."), {"note": note})


# --- from the order page -----------------------------------------------------------------------


def _kind(kind: str) -> CaseKind:
    try:
        return CaseKind(kind)
    except ValueError:
        raise ValidationFailed([FieldProblem("kind", "kind.unknown",
                                             "choose a kind of exception")]) from None


@router.post("/orders/{number}/exceptions")
def open_from_order(request: Request, number: str, user: security.OrderDesk, kind: Short = "",
                    detail: Note = "") -> Response:
    settings = request.app.state.settings
    try:
        case_id = logistics.open_case(_db(request), number, _kind(kind),
                                      actor=security.actor_of(user), settings=settings,
                                      detail=detail.strip() or None)
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed="exception",
                           form={"kind": kind, "detail": detail}, status_code=exc.http_status)
    flash(request, N_("Exception case opened."))
    return RedirectResponse(f"/exceptions/{case_id}", status_code=303)


# --- carrier performance -----------------------------------------------------------------------


@router.get("/carriers/performance", response_class=HTMLResponse)
def performance(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    settings = request.app.state.settings
    now = clock.utcnow()
    with _db(request).read() as s:
        rows = queries.performance(s, since=now - timedelta(days=days), until=now,
                                   zone=settings.zone,
                                   pickup_hours=tracking_config.load().pickup_on_time_hours)
    return render(request, "tracking/performance.html", {"rows": rows, "days": days})
