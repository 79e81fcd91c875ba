"""Channel intake over HTTP: the signed webhook endpoint (no token: the platform's
HMAC signature is the proof), channel shop settings and the inbox (token scopes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.channels import service as channels
from orderflow.channels.models import DeliveryState
from orderflow.channels.schemas import (
    DeliveryOut,
    DeliveryPage,
    Receipt,
    ShopIn,
    ShopOut,
    ShopUpdate,
)
from orderflow.ids import DbId

MAX_BODY = 2 * 1024 * 1024  # Shopify caps orders near 1 MB; refuse anything far bigger

hooks = APIRouter(prefix="/api/hooks", tags=["channel webhooks"])
router = APIRouter(prefix="/api/v1/channels", tags=["channels"])

Reader = Annotated[TokenIdentity, Depends(require("channels:read"))]
Writer = Annotated[TokenIdentity, Depends(require("channels:write"))]


@hooks.post("/{shop}", response_model=Receipt,
            responses={401: {"description": "Bad signature or unknown shop; nothing stored"}})
async def webhook(shop: str, request: Request, db: DbDep, settings: SettingsDep) -> JSONResponse:
    """Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) order
    webhooks. The signature is checked on the raw body; the delivery is stored and
    applied, and the answer is 200 at once (a duplicate delivery too)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return JSONResponse({"detail": "body too large"}, status_code=413)
    headers = {k.lower(): v for k, v in request.headers.items()}
    receipt = await run_in_threadpool(channels.receive, db, shop, headers, body,
                                      settings=settings)
    return JSONResponse(receipt.model_dump(), status_code=200)


@router.get("/shops", response_model=list[ShopOut])
def list_shops(_token: Reader, db: DbDep) -> list[ShopOut]:
    return channels.list_shops(db)


@router.post("/shops", response_model=ShopOut, status_code=201)
def create_shop(body: ShopIn, token: Writer, db: DbDep) -> ShopOut:
    """Add a shop: its code names the webhook URL `/api/hooks/{code}`; the secret is the
    Shopify app's client secret or the WooCommerce webhook's secret."""
    return channels.create_shop(db, body, actor=actor_of(token))


@router.patch("/shops/{code}", response_model=ShopOut)
def update_shop(code: str, body: ShopUpdate, token: Writer, db: DbDep) -> ShopOut:
    return channels.update_shop(db, code, body, actor=actor_of(token))


@router.get("/deliveries", response_model=DeliveryPage)
def list_deliveries(_token: Reader, db: DbDep,
                    shop: Annotated[str | None, Query(max_length=32)] = None,
                    state: DeliveryState | None = None, cursor: DbId | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50) -> DeliveryPage:
    """The inbox, newest first; pass `next_cursor` back as `cursor`."""
    with db.read() as s:
        return channels.list_deliveries(s, shop=shop, state=state, cursor=cursor, limit=limit)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
def get_delivery(delivery_id: DbId, _token: Reader, db: DbDep) -> DeliveryOut:
    with db.read() as s:
        return channels.get_delivery(s, delivery_id)[0]


@router.post("/deliveries/{delivery_id}/retry", response_model=Receipt)
def retry(delivery_id: DbId, token: Writer, db: DbDep, settings: SettingsDep) -> Receipt:
    """Process a failed delivery again (after adding the SKU or the stock it lacked)."""
    return channels.retry_delivery(db, delivery_id, actor=actor_of(token), settings=settings)
