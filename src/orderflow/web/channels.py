"""Channel shops settings and the channel inbox in the console (admin for settings;
the order desk sees the inbox and retries failed deliveries)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from orderflow.auth.models import Role
from orderflow.auth.service import StaffIdentity
from orderflow.channels import service as channels
from orderflow.channels.models import DeliveryState, Platform
from orderflow.channels.schemas import ShopIn, ShopUpdate
from orderflow.db import Db
from orderflow.errors import NotFound, OrderFlowError
from orderflow.ids import MAX_ID, DbId
from orderflow.web import security
from orderflow.web.changes import problems_of
from orderflow.web.i18n import N_
from orderflow.web.rendering import flash, render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Short = Annotated[str, Form(max_length=200)]


def _db(request: Request) -> Db:
    db: Db = request.app.state.db
    return db


def require_admin(user: security.Staff) -> StaffIdentity:
    if user.role is not Role.ADMIN:
        raise security.Refused("only an administrator manages channel shops")
    return user


Admin = Annotated[StaffIdentity, Depends(require_admin)]


def _shops_page(request: Request, *, error: OrderFlowError | None = None,
                form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "channels/shops.html", {
        "shops": channels.list_shops(_db(request)), "platforms": list(Platform),
        "error": error, "form": form or {"language": "en"},
        "base_url": request.app.state.settings.base_url,
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }, status_code=status_code)


@router.get("/channels", response_class=HTMLResponse)
def shops(request: Request, user: Admin) -> Response:
    return _shops_page(request)


@router.post("/channels/shops")
def add_shop(request: Request, user: Admin, code: Short = "", platform: Short = "",
             name: Short = "", secret: Short = "", shop_domain: Short = "",
             language: Short = "en") -> Response:
    form = {"code": code, "platform": platform, "name": name, "shop_domain": shop_domain,
            "language": language}
    try:
        cmd = ShopIn.model_validate({**form, "secret": secret,
                                     "shop_domain": shop_domain.strip() or None})
        channels.create_shop(_db(request), cmd, actor=security.actor_of(user))
    except ValidationError as exc:
        return _shops_page(request, error=problems_of(exc), form=form, status_code=422)
    except OrderFlowError as exc:
        return _shops_page(request, error=exc, form=form, status_code=exc.http_status)
    flash(request, N_("Channel shop added."))
    return RedirectResponse("/channels", status_code=303)


@router.post("/channels/shops/{code}")
def update_shop(request: Request, code: str, user: Admin, secret: Short = "",
                active: Short = "") -> Response:
    changes: dict[str, Any] = {"active": active == "on"}
    if secret.strip():
        changes["secret"] = secret.strip()
    try:
        channels.update_shop(_db(request), code, ShopUpdate.model_validate(changes),
                             actor=security.actor_of(user))
    except ValidationError as exc:
        return _shops_page(request, error=problems_of(exc), status_code=422)
    except OrderFlowError as exc:
        return _shops_page(request, error=exc, status_code=exc.http_status)
    flash(request, N_("Channel shop saved."))
    return RedirectResponse("/channels", status_code=303)


@router.get("/channels/inbox", response_class=HTMLResponse)
def inbox(request: Request, user: security.OrderDesk,
          shop: Annotated[str, Query(max_length=32)] = "",
          state: Annotated[str, Query(max_length=16)] = "",
          cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    chosen = DeliveryState(state) if state in {s.value for s in DeliveryState} else None
    with _db(request).read() as s:
        page = channels.list_deliveries(s, shop=shop or None, state=chosen, cursor=cursor)
    return render(request, "channels/inbox.html", {
        "page": page, "shop": shop, "state": state, "states": list(DeliveryState),
        "shops": channels.list_shops(_db(request))})


@router.get("/channels/delivery", response_class=HTMLResponse)
def delivery(request: Request, user: security.OrderDesk,
             delivery_id: Annotated[int, Query(alias="id", ge=1)] = 0) -> Response:
    return _delivery_page(request, delivery_id)


def _delivery_page(request: Request, delivery_id: DbId,
                   error: OrderFlowError | None = None) -> Response:
    with _db(request).read() as s:
        try:
            row, body, headers = channels.get_delivery(s, delivery_id)
        except NotFound:
            return render(request, "errors/not_found.html", {"number": delivery_id},
                          status_code=404)
    return render(request, "channels/delivery.html",
                  {"d": row, "body": body, "headers": headers, "error": error})


@router.post("/channels/delivery/retry")
def retry(request: Request, user: security.OrderDesk,
          delivery_id: Annotated[int, Form(alias="id")] = 0) -> Response:
    try:
        channels.retry_delivery(_db(request), delivery_id, actor=security.actor_of(user),
                                settings=request.app.state.settings)
    except OrderFlowError as exc:
        return _delivery_page(request, delivery_id, error=exc)
    flash(request, N_("Delivery processed again."))
    return RedirectResponse(f"/channels/delivery?id={delivery_id}", status_code=303)
