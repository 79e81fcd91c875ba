"""The customer's after-sales page (a phone first): ask for a return, refund, exchange or
repair per line through the signed link of the order, with photos (at most 3 JPEG, PNG or
WebP images of 5 MB each, checked by their bytes, not their names); see each request's
state, a refusal's reason in the customer's language, and type the return waybill."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from orderflow.aftersales import messages, queries, service
from orderflow.aftersales.errors import NotEligible
from orderflow.aftersales.models import CaseType, Reason
from orderflow.aftersales.schemas import CaseIn, CaseLineIn
from orderflow.errors import FieldProblem, OrderFlowError, ValidationFailed
from orderflow.orders import queries as order_queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import SHIPPED_OR_LATER
from orderflow.web import customer, i18n
from orderflow.web import customer_security as guard
from orderflow.web.aftersales import photo_dir

router = APIRouter(include_in_schema=False)

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024
SIGNATURES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))
CUSTOMER_TYPES = (CaseType.RETURN_REFUND, CaseType.REFUND_ONLY, CaseType.EXCHANGE,
                  CaseType.REPAIR)
CUSTOMER_REASONS = tuple(r for r in Reason if r is not Reason.REFUSED_DELIVERY)


def _proven(request: Request, number: str, t: str | None) -> Order | Response:
    """The order when the link is the notices' full one; returns are not for the look-up's
    read-only proof (order number + phone tail), which is sent back to the order."""
    order, proof = customer._order(request, number, t)
    if order is None:
        return customer.bad_link(request, proof)
    if not proof.full:
        return customer.needs_full_link(request, number)
    return order


def _returns_link(request: Request, number: str) -> str:
    settings = guard.settings_of(request)
    return guard.tracking_path(settings, number, "/returns")


def _links(request: Request, number: str) -> dict[str, str]:
    settings = guard.settings_of(request)
    return {name: guard.tracking_path(settings, number, suffix)
            for name, suffix in (("order", ""), ("inbox", "/inbox"),
                                 ("preferences", "/preferences"), ("returns", "/returns"))}


def _view(request: Request, order: Order, language: str) -> dict[str, Any]:
    with customer._db(request).read() as s:
        lines = order_queries.lines_of(s, order.id)
        taken = service.taken_units(s, order.id)
        cases = queries.cases_of_order(s, order.id, language)
    return {
        "number": order.number, "can_request": order.status in SHIPPED_OR_LATER,
        "lines": [{"sku": ln.sku_code, "name": ln.name,
                   "left": max(0, ln.shipped - taken.get(ln.id, 0))} for ln in lines],
        "cases": [{"id": c.id, "number": c.number, "state": c.state,
                   "state_name": messages.name(messages.STATE_NAMES, c.state, language),
                   "type_name": messages.name(messages.TYPE_NAMES, c.type, language),
                   "refusal": c.refusal, "refund": c.refund, "currency": c.currency,
                   "tracking": c.return_tracking_number} for c in cases],
        "types": [(t.value, messages.name(messages.TYPE_NAMES, t.value, language))
                  for t in CUSTOMER_TYPES],
        "reasons": [(r.value, messages.name(messages.REASON_NAMES, r.value, language))
                    for r in CUSTOMER_REASONS],
        "links": _links(request, order.number), "tab": "returns",
    }


def _page(request: Request, order: Order, *, problems: list[str] | None = None,
          sent: str | None = None, status_code: int = 200) -> HTMLResponse:
    language, _ = guard.language_of(request)
    return customer.page(request, "customer/returns.html",
                         {**_view(request, order, language), "problems": problems or [],
                          "sent": sent}, status_code=status_code)


@router.get("/track/{number}/returns", response_class=HTMLResponse)
def returns(request: Request, number: str, t: str | None = None,
            sent: str | None = None) -> Response:
    order = _proven(request, number, t)
    if not isinstance(order, Order):
        return order
    return _page(request, order, sent=sent)


def _photo_kind(head: bytes) -> str | None:
    for magic, ext in SIGNATURES:
        if head.startswith(magic) and (ext != "webp" or head[8:12] == b"WEBP"):
            return ext
    return None


def _save_photos(request: Request, photos: list[UploadFile]) -> list[dict[str, object]]:
    chosen = [p for p in photos if p.filename]
    if len(chosen) > MAX_PHOTOS:
        raise ValidationFailed([FieldProblem("photos", "photos.too_many",
                                             f"at most {MAX_PHOTOS} photos")])
    saved: list[dict[str, object]] = []
    folder = photo_dir(guard.settings_of(request).var_dir)
    for photo in chosen:
        data = photo.file.read(MAX_PHOTO_BYTES + 1)
        if len(data) > MAX_PHOTO_BYTES:
            raise ValidationFailed([FieldProblem("photos", "photos.too_large",
                                                 "each photo at most 5 MB")])
        kind = _photo_kind(data[:16])
        if kind is None:
            raise ValidationFailed([FieldProblem("photos", "photos.type",
                                                 "photos are JPEG, PNG or WebP images")])
        saved.append({"name": f"{uuid.uuid4().hex}.{kind}", "size": len(data), "data": data})
    folder.mkdir(parents=True, exist_ok=True)
    for item in saved:
        (folder / str(item["name"])).write_bytes(item.pop("data"))  # type: ignore[arg-type]
    return saved


def _body(number: str, form: dict[str, Any]) -> CaseIn:
    lines = [CaseLineIn(sku=sku, quantity=qty) for sku, qty in form["quantities"].items()
             if qty > 0]
    if not lines:
        raise ValidationFailed([FieldProblem("lines", "lines.none",
                                             "choose at least one item")])
    return CaseIn(order_number=number, type=CaseType(form["type"]),
                  reason=Reason(form["reason"]), lines=lines, note=form["note"] or None)


CUSTOMER_PROBLEMS = {
    "lines": i18n.N_("Choose at least one item and how many."),
    "type": i18n.N_("Choose what you would like us to do."),
    "reason": i18n.N_("Choose a reason."),
    "photos": i18n.N_("Photos: at most 3 JPEG, PNG or WebP images of 5 MB each."),
}


@router.post("/track/{number}/returns", response_class=HTMLResponse)
async def request_return(request: Request, number: str, t: str | None = None) -> Response:
    form = await request.form(max_files=MAX_PHOTOS + 1, max_fields=120,
                              max_part_size=64 * 1024)
    if not guard.form_ok(request, str(form.get("form_token") or "")):
        return customer.refused(request)
    order = _proven(request, number, t)
    if not isinstance(order, Order):
        return order
    language, _ = guard.language_of(request)
    quantities: dict[str, int] = {}
    for key, value in form.multi_items():
        if key.startswith("qty:") and len(quantities) < 100:
            try:
                quantities[key[4:68]] = max(0, min(int(str(value) or 0), 10_000))
            except ValueError:
                quantities[key[4:68]] = 0
    fields = {"type": str(form.get("type") or ""), "reason": str(form.get("reason") or ""),
              "note": str(form.get("note") or "")[:1000].strip(), "quantities": quantities}
    photos = [p for p in form.getlist("photos") if isinstance(p, UploadFile)]
    try:
        if fields["type"] not in {t.value for t in CUSTOMER_TYPES}:
            raise ValidationFailed([FieldProblem("type", "type", "choose")])
        if fields["reason"] not in {r.value for r in CUSTOMER_REASONS}:
            raise ValidationFailed([FieldProblem("reason", "reason", "choose")])
        body = _body(order.number, fields)
        saved = _save_photos(request, photos)
        case_id = service.open_case(customer._db(request), body,
                                    actor=Actor("customer", order.number),
                                    settings=guard.settings_of(request), photos=saved)
    except NotEligible as exc:
        reasons = [messages.render(r.code, dict(r.params), language) for r in exc.refusals]
        return _page(request, order, problems=reasons or [exc.detail], status_code=409)
    except (ValidationFailed, OrderFlowError) as exc:
        keys = {p.field.split("[")[0].split(".")[0] for p in exc.fields} or {"lines"}
        texts = [i18n.translations(language).gettext(CUSTOMER_PROBLEMS.get(k, CUSTOMER_PROBLEMS[
            "lines"])) for k in sorted(keys)]
        return _page(request, order, problems=texts, status_code=422)
    with customer._db(request).read() as s:
        case_number = queries.get_case(s, case_id).number
    target = _returns_link(request, order.number) + f"&sent={case_number}"
    return RedirectResponse(target, status_code=303)


@router.post("/track/{number}/returns/{case_id}/shipment", response_class=HTMLResponse)
def return_waybill(request: Request, number: str, case_id: int, t: str | None = None,
                   carrier: Annotated[str, Form(max_length=32)] = "",
                   tracking_number: Annotated[str, Form(max_length=64)] = "",
                   form_token: Annotated[str, Form(max_length=300)] = "") -> Response:
    if not guard.form_ok(request, form_token):
        return customer.refused(request)
    order = _proven(request, number, t)
    if not isinstance(order, Order):
        return order
    with customer._db(request).read() as s:
        mine = any(c.id == case_id for c in queries.cases_of_order(s, order.id))
    if not mine:
        return customer.bad_link(request)
    try:
        service.return_shipped(customer._db(request), case_id, carrier or "SF", tracking_number,
                               actor=Actor("customer", order.number))
    except OrderFlowError:
        language, _ = guard.language_of(request)
        text = i18n.translations(language).gettext(i18n.N_(
            "That tracking number does not look right; check it and try again."))
        return _page(request, order, problems=[text], status_code=422)
    return RedirectResponse(_returns_link(request, order.number), status_code=303)

