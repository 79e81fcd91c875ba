"""Order desk console: change forms on the order page (address, lines, split), the merge
screen and the form for orders taken by phone or e-mail. Each form calls the same use
case as its API route; a refusal re-renders the page naming the field at fault."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from orderflow.db import Db
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.intake import oneline
from orderflow.intake import service as intake
from orderflow.orders import changes, merging
from orderflow.orders.schemas import OrderIn
from orderflow.review import service as review
from orderflow.web import security
from orderflow.web.i18n import N_
from orderflow.web.orders import detail_page
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Short = Annotated[str, Form(max_length=300)]
Reason = Annotated[str, Form(max_length=500)]
MAX_FORM_LINES = 10


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def problems_of(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    """A pydantic error as FieldProblems named like the API names them."""
    out = []
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        out.append(FieldProblem(prefix + (path or "form"), "invalid." + err["type"],
                                err["msg"].removeprefix("Value error, ")))
    return ValidationFailed(out)


def _act(request: Request, number: str, action: str, run: Any, done: str,
         form: dict[str, Any]) -> Response:
    try:
        run()
    except ValidationError as exc:
        error = problems_of(exc)
        return detail_page(request, number, error=error, failed=action, form=form,
                           status_code=422)
    except OrderFlowError as exc:
        return detail_page(request, number, error=exc, failed=action, form=form,
                           status_code=exc.http_status)
    flash(request, done)
    return RedirectResponse(f"/orders/{number}", status_code=303)


@router.post("/orders/{number}/address")
def change_address(request: Request, number: str, user: security.OrderDesk,
                   recipient_name: Short = "", phone: Short = "", country: Short = "",
                   province: Short = "", city: Short = "", district: Short = "",
                   detail: Short = "", postal_code: Short = "", reason: Reason = "") -> Response:
    form = {"recipient_name": recipient_name, "phone": phone, "country": country,
            "province": province, "city": city, "district": district, "detail": detail,
            "postal_code": postal_code, "reason": reason}

    def run() -> None:
        if not reason.strip():
            raise ValidationFailed([FieldProblem("reason", "reason.required",
                                                 "a reason is required")])
        cmd = changes.AddressChangeIn.model_validate(
            {k: (v.strip() or None) for k, v in form.items()} | {"reason": reason.strip()})
        changes.change_address(_db(request), number, cmd, actor=security.actor_of(user),
                               reviewer=review.review_order)

    return _act(request, number, "address", run, N_("Address changed."), form)


async def _line_rows(request: Request) -> tuple[list[dict[str, Any]], dict[str, str]]:
    data = await request.form()
    rows, form = [], {}
    for i in range(MAX_FORM_LINES):
        sku = str(data.get(f"sku_{i}") or "").strip()
        qty = str(data.get(f"qty_{i}") or "").strip()
        form[f"sku_{i}"], form[f"qty_{i}"] = sku, qty
        if sku and qty not in ("", "0"):
            rows.append({"sku": sku, "quantity": int(qty) if qty.isdigit() else qty})
    form["reason"] = str(data.get("reason") or "")
    return rows, form


@router.post("/orders/{number}/lines")
async def change_lines(request: Request, number: str, user: security.OrderDesk) -> Response:
    rows, form = await _line_rows(request)
    def run() -> None:
        if not form["reason"].strip():
            raise ValidationFailed([FieldProblem("reason", "reason.required",
                                                 "a reason is required")])
        cmd = changes.LinesChangeIn.model_validate({"lines": rows,
                                                    "reason": form["reason"].strip()})
        changes.change_lines(_db(request), number, cmd, actor=security.actor_of(user),
                             reviewer=review.review_order)

    return await run_in_threadpool(_act, request, number, "lines", run,
                                   N_("Lines changed."), form)


@router.post("/orders/{number}/split")
def split(request: Request, number: str, user: security.OrderDesk, kind: Short = "",
          reason: Reason = "") -> Response:
    settings = request.app.state.settings

    def run() -> None:
        if kind not in ("warehouse", "availability"):
            raise ValidationFailed([FieldProblem("kind", "split.kind",
                                                 "split by warehouse or by availability")])
        merging.split_order(_db(request), number, kind, actor=security.actor_of(user),  # type: ignore[arg-type]
                            zone=settings.timezone, reason=reason.strip() or None)

    return _act(request, number, "split", run, N_("Order split."), {"kind": kind})


@router.post("/orders/{number}/unmerge")
def unmerge(request: Request, number: str, user: security.OrderDesk,
            reason: Reason = "") -> Response:
    return _act(request, number, "unmerge", lambda: merging.unmerge_order(
        _db(request), number, actor=security.actor_of(user),
        reason=reason.strip() or "taken out of the group"), N_("Taken out of the group."), {})


# --- the merge screen --------------------------------------------------------------


def _merge_page(request: Request, *, error: OrderFlowError | None = None,
                status_code: int = 200) -> Response:
    with _db(request).read() as s:
        groups = merging.suggestions(s)
    return render(request, "changes/merges.html", {"groups": groups, "error": error},
                  status_code=status_code)


@router.get("/orders/merges", response_class=HTMLResponse)
def merges(request: Request, user: security.OrderDesk) -> Response:
    return _merge_page(request)


@router.post("/orders/merges")
async def merge(request: Request, user: security.OrderDesk) -> Response:
    data = await request.form()
    numbers = [str(n) for n in data.getlist("number")][:50]
    try:
        group = await run_in_threadpool(merging.merge_orders, _db(request), numbers,
                                        actor=security.actor_of(user), reason="merged by staff")
    except OrderFlowError as exc:
        return await run_in_threadpool(_merge_page, request, error=exc,
                                       status_code=exc.http_status)
    flash(request, N_("Orders merged into one parcel."))
    return RedirectResponse(f"/orders/{group}", status_code=303)


@router.post("/orders/merges/auto")
def merge_all(request: Request, user: security.OrderDesk) -> Response:
    merging.auto_merge(_db(request), actor=security.actor_of(user))
    flash(request, N_("Every suggestion was merged."))
    return RedirectResponse("/orders/merges", status_code=303)


# --- an order taken by phone or e-mail ---------------------------------------------

NEW_FIELDS = ("channel", "name", "phone", "email", "language", "country", "province", "city",
              "district", "detail", "postal_code", "shipping_fee", "discount", "cod",
              "buyer_remark", "seller_remark", "address_text")


def _new_page(request: Request, form: dict[str, str], error: OrderFlowError | None = None,
              status_code: int = 200) -> Response:
    return render(request, "changes/new_order.html",
                  {"form": form, "error": error, "lines": MAX_FORM_LINES,
                   "field_errors": {p.field: p.message for p in error.fields} if error else {}},
                  status_code=status_code)


@router.get("/orders/new", response_class=HTMLResponse)
def new_order_form(request: Request, user: security.OrderDesk) -> Response:
    return _new_page(request, {"channel": "phone", "country": "CN", "language": "zh-CN"})


def order_command(form: dict[str, str], rows: list[dict[str, Any]]) -> OrderIn:
    body = {
        "channel": form.get("channel") or "phone", "currency": "CNY",
        "customer": {"name": form.get("name") or None, "phone": form.get("phone") or None,
                     "email": form.get("email") or None,
                     "language": form.get("language") or "zh-CN"},
        "shipping_address": {**{k: form.get(k) or None for k in
                                ("country", "province", "city", "district", "detail",
                                 "postal_code")},
                             "text": form.get("address_text") or None},
        "lines": rows, "shipping_fee": form.get("shipping_fee") or "0",
        "discount": form.get("discount") or "0", "cod": form.get("cod") == "on",
        "buyer_remark": form.get("buyer_remark") or None,
        "seller_remark": form.get("seller_remark") or None,
    }
    if body["channel"] not in ("phone", "email"):
        raise ValidationFailed([FieldProblem("channel", "channel.manual",
                                             "a keyed-in order comes by phone or by e-mail")])
    try:
        return OrderIn.model_validate(body)
    except ValidationError as exc:
        raise problems_of(exc) from exc


@router.post("/orders/new/parse-address", response_class=HTMLResponse)
async def parse_address(request: Request, user: security.OrderDesk) -> Response:
    """The pasted line parsed back (a fragment the key-in form shows before saving)."""
    data = await request.form()
    text = str(data.get("address_text") or "")[:oneline.MAX_TEXT]
    country = str(data.get("country") or "CN")[:2] or "CN"
    parsed = oneline.parse_line(text, country) if text.strip() else None
    return render(request, "changes/_parsed_address.html", {"parsed": parsed})


@router.post("/orders/new")
async def new_order(request: Request, user: security.OrderDesk) -> Response:
    data = await request.form()
    form = {k: str(data.get(k) or "").strip() for k in NEW_FIELDS}
    rows, line_form = await _line_rows(request)
    form.update(line_form)
    def run() -> str:
        cmd = order_command(form, rows)
        return intake.place_order(_db(request), cmd, actor=security.actor_of(user),
                                  settings=request.app.state.settings).number

    try:
        number = await run_in_threadpool(run)
    except OrderFlowError as exc:
        return await run_in_threadpool(_new_page, request, form, exc, exc.http_status)
    flash(request, N_("Order placed."))
    return RedirectResponse(f"/orders/{number}", status_code=303)
