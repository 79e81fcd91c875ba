"""Channel intake use cases: receive a signed webhook, process it into an order,
manage shops, list and retry the inbox.

`receive` checks the signature on the raw bytes (a bad one: 401, nothing written),
stores the delivery in the inbox (the same delivery id twice: one row) and answers
at once; `process` then applies it in one transaction through the same placement
steps as the API: the newest platform version of an order wins, an older one (a
late retry) is recorded as stale and changes nothing. Processing runs inline after
the delivery is stored; anything left `received` (a crash, a lost race) is picked
up by the worker (`process_pending`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import clock
from orderflow.channels import rules
from orderflow.channels.models import (
    ChannelDelivery,
    ChannelOrder,
    ChannelShop,
    DeliveryState,
    Platform,
)
from orderflow.channels.schemas import (
    DeliveryOut,
    DeliveryPage,
    Receipt,
    ShopIn,
    ShopOut,
    ShopUpdate,
)
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import (
    Conflict,
    FieldProblem,
    IllegalTransition,
    NotFound,
    OrderFlowError,
    Unauthorized,
    ValidationFailed,
)
from orderflow.intake import service as intake
from orderflow.orders import changes, lifecycle, placement, queries
from orderflow.orders import service as orders
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.numbering import allocator_for
from orderflow.orders.schemas import OrderIn
from orderflow.orders.status import SHIPPED_OR_LATER, Status
from orderflow.payments import service as payments
from orderflow.review import service as review

log = logging.getLogger("orderflow.channels")
MAX_ATTEMPTS = 5
# A burst (a platform replaying a backlog, a flash sale) must not make the platform wait
# and retry: past this many deliveries being applied at once in this process, a delivery
# is stored and answered at once, and the worker's `process_pending` applies it.
INLINE_AT_ONCE = int(os.environ.get("ORDERFLOW_CHANNEL_INLINE_AT_ONCE", "4"))
_inline = threading.BoundedSemaphore(max(1, INLINE_AT_ONCE))
DONE = frozenset({DeliveryState.PROCESSED, DeliveryState.STALE, DeliveryState.DUPLICATE,
                  DeliveryState.IGNORED})


class SignatureInvalid(Unauthorized):
    code = "channel.signature_invalid"
    title = "The webhook signature does not match"


class ShopUnknown(NotFound):
    code = "channel.shop_unknown"
    title = "No such channel shop"


def webhook_path(code: str) -> str:
    return f"/api/hooks/{code}"


# --- shops -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopRow:
    id: int
    code: str
    platform: Platform
    secret: str
    shop_domain: str | None
    language: str
    active: bool


SHOP_TTL = 5.0
_shops: dict[tuple[str, str], tuple[float, ShopRow]] = {}


def _shop_out(shop: ChannelShop) -> ShopOut:
    return ShopOut(code=shop.code, platform=shop.platform, name=shop.name,
                   shop_domain=shop.shop_domain, language=shop.language, active=shop.active,
                   webhook_path=webhook_path(shop.code), secret_hint="…" + shop.secret[-4:],
                   created_at=shop.created_at)


def create_shop(db: Db, cmd: ShopIn, *, actor: Actor) -> ShopOut:
    now = clock.utcnow()
    try:
        with db.transaction() as s:
            shop = ChannelShop(**cmd.model_dump(), created_at=now, updated_at=now)
            s.add(shop)
            s.flush()
            log.info("channel shop %s added by %s", cmd.code, actor)
            return _shop_out(shop)
    except IntegrityError as exc:
        raise ValidationFailed([FieldProblem("code", "shop.code_taken",
                                             f"a shop '{cmd.code}' exists already")]) from exc


def update_shop(db: Db, code: str, cmd: ShopUpdate, *, actor: Actor) -> ShopOut:
    with db.transaction() as s:
        shop = _get_shop(s, code)
        for name, value in cmd.model_dump(exclude_unset=True).items():
            if value is not None or name == "shop_domain":
                setattr(shop, name, value)
        shop.updated_at = clock.utcnow()
        log.info("channel shop %s changed by %s", code, actor)
        out = _shop_out(shop)
    _shops.pop((db.url, code), None)
    return out


def list_shops(db: Db) -> list[ShopOut]:
    with db.read() as s:
        return [_shop_out(x) for x in s.scalars(select(ChannelShop).order_by(ChannelShop.code))]


def get_shop(db: Db, code: str) -> ShopOut:
    with db.read() as s:
        return _shop_out(_get_shop(s, code))


def _get_shop(s: Session, code: str) -> ChannelShop:
    shop = s.scalars(select(ChannelShop).where(ChannelShop.code == code)).first()
    if shop is None:
        raise ShopUnknown(f"no channel shop '{code}'")
    return shop


def _shop_row(db: Db, code: str) -> ShopRow:
    """The shop's signing facts, cached for SHOP_TTL seconds (a rotated secret is
    seen by every process within that time; at once by this one)."""
    now = time.monotonic()
    hit = _shops.get((db.url, code))
    if hit is not None and now - hit[0] < SHOP_TTL:
        return hit[1]
    with db.read() as s:
        shop = _get_shop(s, code)
        row = ShopRow(shop.id, shop.code, shop.platform, shop.secret, shop.shop_domain,
                      shop.language, shop.active)
    _shops[db.url, code] = (now, row)
    return row


def forget_shops() -> None:
    _shops.clear()


# --- receive -----------------------------------------------------------------------


def receive(db: Db, code: str, headers: dict[str, str], body: bytes, *,
            settings: Settings, inline: bool = True) -> Receipt:
    """The webhook endpoint's use case: verify, store, then (inline) process."""
    try:
        shop = _shop_row(db, code)
    except ShopUnknown as exc:  # the same answer as a bad signature: nothing to probe
        raise SignatureInvalid("unknown shop or bad signature") from exc
    if rules.is_woo_ping(shop.platform, body, headers):
        return Receipt(delivery_id=None, state="ping")
    if not shop.active or not rules.signature_ok(shop.platform, shop.secret, body, headers):
        raise SignatureInvalid("unknown shop or bad signature")
    if not rules.domain_ok(shop.platform, shop.shop_domain, headers):
        # One Shopify app secret signs every shop that installed the app: a delivery of
        # another shop sent to this address is refused, not filed under this shop.
        raise SignatureInvalid("the delivery comes from another shop")
    env = rules.envelope(shop.platform, headers, body)
    if not rules.in_window(env.triggered_at, clock.utcnow()):
        log.warning("shop %s delivery refused: triggered at %r, outside the time window",
                    code, env.triggered_at[:40] if env.triggered_at else None)
        raise SignatureInvalid("the delivery's timestamp is outside the allowed window")
    stored = _store(db, shop, env, headers, body)
    if stored is None:
        return Receipt(delivery_id=_existing_id(db, shop.id, env.delivery_key, body),
                       state=DeliveryState.DUPLICATE.value)
    if not inline or not _inline.acquire(blocking=False):  # a burst: queued for the worker
        return Receipt(delivery_id=stored, state=DeliveryState.RECEIVED.value)
    try:
        return process(db, stored, settings=settings)
    except Exception:  # stored: the worker retries it; the platform must not resend
        log.exception("channel delivery %s left for the worker", stored)
        return Receipt(delivery_id=stored, state=DeliveryState.RECEIVED.value)
    finally:
        _inline.release()


KEPT_HEADERS = ("x-shopify-topic", "x-shopify-webhook-id", "x-shopify-event-id",
                "x-shopify-triggered-at", "x-shopify-shop-domain", "x-shopify-api-version",
                "x-wc-webhook-topic", "x-wc-webhook-id", "x-wc-webhook-delivery-id",
                "x-wc-webhook-source", "x-wc-webhook-resource", "x-wc-webhook-event",
                "content-type", "user-agent")


def _store(db: Db, shop: ShopRow, env: rules.Envelope, headers: dict[str, str],
           body: bytes) -> int | None:
    """The inbox row, or None when this delivery id, or this very body (re-sent under a
    new webhook id or topic), was stored before."""
    try:
        with db.transaction() as s:
            row = ChannelDelivery(body_hash=rules.body_hash(body),
                shop_id=shop.id, topic=env.topic, delivery_key=env.delivery_key,
                event_id=env.event_id, state=DeliveryState.RECEIVED, problems=[],
                headers={k: headers[k] for k in KEPT_HEADERS if k in headers},
                body=body.decode("utf-8", "replace"), attempts=0, received_at=clock.utcnow())
            s.add(row)
            s.flush()
            return row.id
    except IntegrityError:
        return None


def _existing_id(db: Db, shop_id: int, key: str, body: bytes) -> int | None:
    with db.read() as s:
        return s.scalar(select(ChannelDelivery.id).where(
            ChannelDelivery.shop_id == shop_id,
            (ChannelDelivery.delivery_key == key)
            | (ChannelDelivery.body_hash == rules.body_hash(body))).limit(1))


# --- process -----------------------------------------------------------------------


@dataclass
class Outcome:
    state: DeliveryState
    order_id: int | None = None
    detail: str | None = None
    problems: list[dict[str, str]] | None = None
    external_id: str | None = None
    version: Any = None


def process(db: Db, delivery_id: int, *, settings: Settings) -> Receipt:
    """Apply one stored delivery. Safe to call twice or concurrently: the order's
    applied version decides, in the order's own transaction."""
    with db.read() as s:
        row = s.get_one(ChannelDelivery, delivery_id)
        shop = s.get_one(ChannelShop, row.shop_id)
        state, body, topic, event_id = row.state, row.body.encode(), row.topic, row.event_id
    if state is not DeliveryState.RECEIVED:
        return _receipt(db, delivery_id)
    outcome = _prepare(db, shop, delivery_id, topic, event_id, body)
    for attempt in range(3):
        if outcome is not None:
            break
        try:
            _apply(db, shop, delivery_id, body, settings=settings)  # finishes the row itself
            return _receipt(db, delivery_id)
        except IntegrityError:  # two deliveries created the same order at once: again
            if attempt == 2:
                raise
        except OrderFlowError as exc:
            mapped = rules.map_order(shop.platform, shop.code, body, language=shop.language)
            outcome = Outcome(DeliveryState.FAILED, detail=exc.detail,
                              problems=[f.as_dict() for f in exc.fields],
                              external_id=mapped.external_id, version=mapped.version_at)
    assert outcome is not None
    _finish(db, delivery_id, outcome)
    return _receipt(db, delivery_id)


def _prepare(db: Db, shop: ChannelShop, delivery_id: int, topic: str, event_id: str | None,
             body: bytes) -> Outcome | None:
    """What is decided without touching an order: an ignored topic, a duplicate
    event, a payload that is not an order. None: go on and apply it."""
    if topic not in rules.ORDER_TOPICS[shop.platform]:
        return Outcome(DeliveryState.IGNORED, detail=f"topic '{topic}' is not an order topic")
    if event_id:
        with db.read() as s:
            seen = s.scalar(select(ChannelDelivery.id).where(
                ChannelDelivery.shop_id == shop.id, ChannelDelivery.event_id == event_id,
                ChannelDelivery.id != delivery_id, ChannelDelivery.state.in_(DONE)).limit(1))
        if seen is not None:
            return Outcome(DeliveryState.DUPLICATE, detail=f"event seen in delivery {seen}")
    try:
        rules.map_order(shop.platform, shop.code, body, language=shop.language)
    except rules.NotAnOrder as exc:
        return Outcome(DeliveryState.FAILED, detail=str(exc),
                       problems=[p.as_dict() for p in exc.problems])
    return None


_COD = {"cod", "cash_on_delivery", "cash on delivery (cod)"}
_BANK = {"bacs", "bank_deposit", "bank_transfer", "cheque"}


def _command(shop: ChannelShop, mapped: rules.Mapped) -> OrderIn:
    data = dict(mapped.body)
    platform_total = data.pop("platform_total")
    gateway = mapped.gateway.lower()
    data["cod"] = gateway in _COD
    if mapped.paid and not data["cod"]:
        data["payment"] = {"method": "bank_transfer" if gateway in _BANK else "card",
                           "amount": platform_total, "state": "succeeded",
                           "external_ref": f"{shop.code}:{mapped.external_id}"}
    try:
        return OrderIn.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(".".join(str(p) for p in err["loc"]) or "body",
                         "invalid." + err["type"], err["msg"]) for err in exc.errors()]) from exc


def _apply(db: Db, shop: ChannelShop, delivery_id: int, body: bytes, *,
           settings: Settings) -> Outcome:
    mapped = rules.map_order(shop.platform, shop.code, body, language=shop.language)
    cmd = _command(shop, mapped)
    actor = Actor("channel", shop.code)
    with db.read() as s:
        linked = s.scalar(select(ChannelOrder.id).where(
            ChannelOrder.shop_id == shop.id, ChannelOrder.external_id == mapped.external_id))
    checked = number = None
    if linked is None:  # validate (and draw a number) outside the write transaction
        checked = placement.check(cmd, placement.cached_skus(db, {ln.sku for ln in cmd.lines}))
        number = allocator_for(db, settings.timezone).next()
    with db.transaction() as s:
        link = _lock_link(s, shop.id, mapped.external_id)
        if link is None:
            if checked is None or number is None:  # linked orders are never unlinked
                raise Conflict(f"channel order {mapped.external_id} lost its link")
            outcome = _create(s, shop, mapped, checked, number, actor, delivery_id, settings)
        elif mapped.version_at <= link.version_at:
            same = mapped.version_at == link.version_at
            outcome = Outcome(DeliveryState.DUPLICATE if same else DeliveryState.STALE,
                              order_id=link.order_id,
                              detail=None if same else "an older version than the one applied")
        else:
            outcome = _update(s, link, mapped, cmd, actor, settings)
            link.version_at, link.platform_status = mapped.version_at, mapped.platform_status
            link.delivery_id = delivery_id
        outcome.external_id, outcome.version = mapped.external_id, mapped.version_at
        _finish_in(s, delivery_id, outcome)
        return outcome


def _lock_link(s: Session, shop_id: int, external_id: str) -> ChannelOrder | None:
    stmt = select(ChannelOrder).where(ChannelOrder.shop_id == shop_id,
                                      ChannelOrder.external_id == external_id)
    if s.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return s.scalars(stmt).first()


def _create(s: Session, shop: ChannelShop, mapped: rules.Mapped, checked: placement.Checked,
            number: str, actor: Actor, delivery_id: int, settings: Settings) -> Outcome:
    existing = placement.placed_before(s, checked.cmd)
    if existing is not None:  # placed by the API under this shop's channel name
        order_id = existing.order_id
    else:
        order_id = intake.write_one(s, checked, number=number, actor=actor,
                                    settings=settings).order_id
    s.add(ChannelOrder(shop_id=shop.id, external_id=mapped.external_id, order_id=order_id,
                       version_at=mapped.version_at, platform_status=mapped.platform_status,
                       delivery_id=delivery_id))
    s.flush()
    if mapped.cancelled:
        order = s.get_one(Order, order_id)
        if order.status is not Status.CANCELLED:
            orders.cancel(s, order, actor=actor, reason="reason.cancelled_on_platform")
    return Outcome(DeliveryState.PROCESSED, order_id=order_id)


def _update(s: Session, link: ChannelOrder, mapped: rules.Mapped, cmd: OrderIn, actor: Actor,
            settings: Settings) -> Outcome:
    """A newer platform version of an order we have: cancellation, payment, recipient
    and address, lines. What can no longer change here is noted on the timeline."""
    order = s.get_one(Order, link.order_id)
    notes: list[str] = []
    if order.status is Status.CANCELLED:
        if not mapped.cancelled:
            notes.append("the platform shows the order open again; it stays cancelled here")
    elif mapped.cancelled and order.status in SHIPPED_OR_LATER:
        notes.append("cancelled on the platform after it shipped: open an after-sales case")
    else:
        notes += _changes(s, order, cmd, actor, lines=not mapped.cancelled)
        if mapped.paid and cmd.payment is not None and order.paid_minor < order.total_minor:
            payments.apply_payment(s, order, cmd.payment, actor=actor, settings=settings)
        if mapped.cancelled:  # paid first, so the refund owed is recorded
            orders.cancel(s, order, actor=actor, reason="reason.cancelled_on_platform")
    if notes:
        lifecycle.record(s, order, "channel.update_noted", actor=actor, reason="; ".join(notes),
                         data={"platform_status": mapped.platform_status})
    return Outcome(DeliveryState.PROCESSED, order_id=order.id,
                   detail="; ".join(notes) or None)


def _changes(s: Session, order: Order, cmd: OrderIn, actor: Actor, *,
             lines: bool = True) -> list[str]:
    notes = []
    addr = cmd.shipping_address
    change = changes.AddressChangeIn(
        recipient_name=cmd.customer.name, phone=cmd.customer.phone, country=addr.country,
        province=addr.province, city=addr.city, district=addr.district, detail=addr.detail,
        postal_code=addr.postal_code, reason="changed on the platform")
    wanted = {ln.sku: ln.quantity for ln in cmd.lines}
    try:
        with s.begin_nested():
            changes.change_address_step(s, order, change, actor=actor,
                                        reviewer=review.review_order)
    except (IllegalTransition, ValidationFailed) as exc:
        notes.append(f"address not changed: {exc.detail}")
    current = {ln.sku_code: ln.ordered - ln.cancelled for ln in queries.lines_of(s, order.id)}
    current = {k: v for k, v in current.items() if v}
    if lines and wanted != current:
        try:
            with s.begin_nested():
                edit = changes.LinesChangeIn(lines=cmd.lines, reason="edited on the platform")
                changes.change_lines_step(s, order, edit, actor=actor,
                                          reviewer=review.review_order)
        except (IllegalTransition, ValidationFailed, Conflict) as exc:
            notes.append(f"lines not changed: {exc.detail}")
    return notes


def _finish_in(s: Session, delivery_id: int, outcome: Outcome) -> None:
    values: dict[str, Any] = {"state": outcome.state, "processed_at": clock.utcnow(),
                              "detail": outcome.detail, "problems": outcome.problems or [],
                              "order_id": outcome.order_id}
    if outcome.external_id is not None:
        values["external_id"] = outcome.external_id
        values["resource_updated_at"] = outcome.version
    s.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id,
                                            ChannelDelivery.state == DeliveryState.RECEIVED)
              .values(**values, attempts=ChannelDelivery.attempts + 1))


def _finish(db: Db, delivery_id: int, outcome: Outcome) -> None:
    with db.transaction() as s:
        _finish_in(s, delivery_id, outcome)


def _receipt(db: Db, delivery_id: int) -> Receipt:
    with db.read() as s:
        row = s.get_one(ChannelDelivery, delivery_id)
        number = s.scalar(select(Order.number).where(Order.id == row.order_id)) \
            if row.order_id else None
        return Receipt(delivery_id=row.id, state=row.state.value, order_number=number)


# --- the worker, the inbox, retries ------------------------------------------------


def process_pending(db: Db, settings: Settings, *, older_than_s: float = 5.0,
                    limit: int = 100) -> int:
    """The worker's job: deliveries stored but not processed (a crash, a lost race)."""
    cutoff = clock.utcnow() - timedelta(seconds=older_than_s)
    with db.read() as s:
        rows = s.execute(select(ChannelDelivery.id, ChannelDelivery.attempts).where(
            ChannelDelivery.state == DeliveryState.RECEIVED,
            ChannelDelivery.received_at < cutoff).order_by(ChannelDelivery.id).limit(limit)).all()
    for delivery_id, attempts in rows:
        if attempts >= MAX_ATTEMPTS:
            _finish(db, delivery_id, Outcome(DeliveryState.FAILED,
                                             detail=f"gave up after {attempts} attempts"))
            continue
        with db.transaction() as s:
            s.execute(update(ChannelDelivery).where(ChannelDelivery.id == delivery_id)
                      .values(attempts=ChannelDelivery.attempts + 1))
        try:
            process(db, delivery_id, settings=settings)
        except Exception:
            log.exception("channel delivery %s failed; will retry", delivery_id)
    return len(rows)


def retry_delivery(db: Db, delivery_id: int, *, actor: Actor, settings: Settings) -> Receipt:
    """Staff fixed the cause (a SKU, stock): process a failed delivery again."""
    with db.transaction() as s:
        row = s.get(ChannelDelivery, delivery_id)
        if row is None:
            raise NotFound(f"no channel delivery {delivery_id}", code="channel.delivery_unknown")
        if row.state is not DeliveryState.FAILED:
            raise IllegalTransition(f"delivery {delivery_id} is {row.state.value}; only failed "
                                    "deliveries are retried", code="channel.not_failed")
        row.state = DeliveryState.RECEIVED
        row.detail = f"retried by {actor}"
    return process(db, delivery_id, settings=settings)


def _delivery_out(row: ChannelDelivery, shop_code: str, number: str | None) -> DeliveryOut:
    return DeliveryOut(id=row.id, shop=shop_code, topic=row.topic,
                       delivery_key=row.delivery_key, event_id=row.event_id,
                       external_id=row.external_id, resource_updated_at=row.resource_updated_at,
                       state=row.state, detail=row.detail, problems=row.problems or [],
                       order_number=number, attempts=row.attempts, received_at=row.received_at,
                       processed_at=row.processed_at)


def list_deliveries(s: Session, *, shop: str | None = None, state: DeliveryState | None = None,
                    cursor: int | None = None, limit: int = 50) -> DeliveryPage:
    stmt = (select(ChannelDelivery, ChannelShop.code, Order.number)
            .join(ChannelShop, ChannelShop.id == ChannelDelivery.shop_id)
            .outerjoin(Order, Order.id == ChannelDelivery.order_id)
            .order_by(ChannelDelivery.id.desc()).limit(limit + 1))
    if shop:
        stmt = stmt.where(ChannelShop.code == shop)
    if state:
        stmt = stmt.where(ChannelDelivery.state == state)
    if cursor:
        stmt = stmt.where(ChannelDelivery.id < cursor)
    rows = s.execute(stmt).all()
    items = [_delivery_out(r[0], r[1], r[2]) for r in rows[:limit]]
    return DeliveryPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


def get_delivery(s: Session, delivery_id: int) -> tuple[DeliveryOut, str, dict[str, Any]]:
    row = s.execute(select(ChannelDelivery, ChannelShop.code, Order.number)
                    .join(ChannelShop, ChannelShop.id == ChannelDelivery.shop_id)
                    .outerjoin(Order, Order.id == ChannelDelivery.order_id)
                    .where(ChannelDelivery.id == delivery_id)).first()
    if row is None:
        raise NotFound(f"no channel delivery {delivery_id}", code="channel.delivery_unknown")
    return _delivery_out(row[0], row[1], row[2]), row[0].body, row[0].headers
