"""Waybills: issue (idempotently), record a scanned/typed number, void and re-issue.

Idempotency: a `Waybill` row with a fresh request id is committed *before* the carrier is
asked (no network inside a transaction). A retry finds the row still `requested` and first
asks the carrier whether it already served that request id, so a timeout after the carrier
issued never leads to a second waybill for the same parcel. A partial unique index keeps
one live waybill per (order, parcel).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import circuits, clock
from orderflow.config import get_settings
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.inventory.models import Reservation, Warehouse
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.shipping import selection, tracking_numbers
from orderflow.shipping.adapters import (
    CarrierAdapter,
    CarrierRefused,
    CarrierUnavailable,
    HttpCarrier,
    Party,
    SimulatedCarrier,
    WaybillRequest,
)
from orderflow.shipping.models import AdapterKind, Carrier, Waybill, WaybillState
from orderflow.shipping.schemas import ManualWaybillIn, WaybillOut

LIVE = (WaybillState.REQUESTED, WaybillState.ISSUED)
# A waybill is bought between approval and hand-over; a re-issue also after (lost label).
ISSUABLE = frozenset({Status.APPROVED, Status.ALLOCATED, Status.PICKING, Status.PACKED,
                      Status.SHIPPED})


class WaybillPending(Conflict):
    code = "waybill.pending"


class WaybillRefused(Conflict):
    code = "waybill.refused"


class ManualEntryRequired(Conflict):
    code = "waybill.manual_entry"


def adapter_for(carrier: Carrier) -> CarrierAdapter | None:
    """The carrier's adapter; None for a manual carrier (staff type the number)."""
    if carrier.adapter is AdapterKind.MANUAL:
        return None
    if carrier.adapter is AdapterKind.HTTP:
        if not carrier.endpoint_url:
            raise WaybillRefused(f"carrier {carrier.code} has no endpoint URL configured")
        return HttpCarrier(carrier.endpoint_url)
    return SimulatedCarrier()


def waybill_out(w: Waybill, order_number: str) -> WaybillOut:
    return WaybillOut(
        id=w.id, order_number=order_number, parcel_no=w.parcel_no, parcel_count=w.parcel_count,
        carrier_code=w.carrier_code, service=w.service, tracking_number=w.tracking_number,
        state=w.state.value, weight_g=w.weight_g, warnings=[str(x) for x in w.warnings],
        created_at=w.created_at, issued_at=w.issued_at, voided_at=w.voided_at,
        void_reason=w.void_reason)


def live_waybills(s: Session, order_id: int) -> list[Waybill]:
    """The order's requested/issued waybills by parcel (a step for the hand-over)."""
    return list(s.scalars(select(Waybill).where(Waybill.order_id == order_id,
                                                Waybill.state.in_(LIVE))
                          .order_by(Waybill.parcel_no)))


def waybills_of(s: Session, order_id: int) -> list[Waybill]:
    return list(s.scalars(select(Waybill).where(Waybill.order_id == order_id)
                          .order_by(Waybill.id)))


def get_carrier(s: Session, code: str) -> Carrier:
    carrier = s.scalar(select(Carrier).where(Carrier.code == code))
    if carrier is None:
        raise NotFound(f"no carrier {code!r}", code="carrier.not_found")
    return carrier


def sender_of(s: Session, order: Order) -> Party:
    settings = get_settings()
    warehouse = s.scalar(select(Warehouse).join(Reservation, Reservation.warehouse_id ==
                                                Warehouse.id)
                         .where(Reservation.order_id == order.id).limit(1))
    if warehouse is not None:  # the warehouse's sender contact and address, when set up
        return Party(warehouse.contact_name or settings.shop_name,
                     warehouse.contact_phone or settings.service_phone,
                     warehouse.province or "", warehouse.city or "", warehouse.district or "",
                     warehouse.address or warehouse.name)
    raw = os.environ.get("ORDERFLOW_SHIP_FROM", selection.DEFAULT_SHIP_FROM)
    province, city, district, detail = ([*raw.split("|"), "", "", ""])[:4]
    return Party(settings.shop_name, settings.service_phone, province, city, district, detail)


def recipient_of(order: Order) -> Party:
    return Party(order.recipient_name or "", order.recipient_phone or "", order.province or "",
                 order.city or "", order.district or "", order.address_detail)


@dataclass(frozen=True)
class _Ask:
    waybill_id: int
    retry: bool
    request: WaybillRequest


def _check_issuable(order: Order) -> None:
    if order.status not in ISSUABLE:
        raise Conflict(f"order {order.number} is {order.status.value}: waybills are issued "
                       "once it is approved and before it has left", code="waybill.order_state")


def _chosen(s: Session, order: Order, actor: Actor) -> selection.Selection:
    return selection.stored_selection(s, order.id) or selection.choose(s, order, actor=actor)


def _chosen_carrier(s: Session, order: Order, actor: Actor) -> tuple[Carrier, str]:
    chosen = _chosen(s, order, actor)
    return get_carrier(s, chosen.carrier_code), chosen.service


def _request(s: Session, order: Order, w: Waybill, carrier: Carrier) -> WaybillRequest:
    return WaybillRequest(
        request_id=w.request_id, carrier_code=carrier.code, tracking_code=carrier.tracking_code,
        service=w.service, order_number=order.number, parcel_no=w.parcel_no,
        parcel_count=w.parcel_count, weight_g=w.weight_g,
        cod_minor=order.total_minor - order.paid_minor if order.cod else None,
        sender=sender_of(s, order), recipient=recipient_of(order))


def _prepare(db: Db, number: str, parcels: Sequence[int], parcel_count: int,
             weight_g: int | None, actor: Actor) -> tuple[Carrier, list[_Ask]]:
    with db.transaction() as s:
        order = queries.get_order(s, number)
        _check_issuable(order)
        chosen = _chosen(s, order, actor)
        carrier, service = get_carrier(s, chosen.carrier_code), chosen.service
        if weight_g is None and parcel_count == 1:
            weight_g = chosen.weight_g or None
        if carrier.adapter is AdapterKind.MANUAL:
            raise ManualEntryRequired(f"{carrier.code} is a manual carrier: scan or type the "
                                      "waybill number")
        live = {w.parcel_no: w for w in live_waybills(s, order.id)}
        extra = sorted(n for n in live if n > parcel_count)
        if extra:
            raise Conflict(f"order {number} has live waybills for parcels {extra}; void them "
                           f"before shipping it as {parcel_count} parcel(s)",
                           code="waybill.exists")
        for existing in live.values():
            existing.parcel_count = parcel_count  # a re-printed label says n/N with the new N
        asks: list[_Ask] = []
        for parcel_no in parcels:
            w = live.get(parcel_no)
            if w is None:
                w = Waybill(request_id=str(uuid.uuid4()), order_id=order.id, parcel_no=parcel_no,
                            parcel_count=parcel_count, carrier_code=carrier.code,
                            service=service, weight_g=weight_g, state=WaybillState.REQUESTED,
                            warnings=[], attempts=0, created_at=clock.utcnow(),
                            created_by=str(actor))
                s.add(w)
            if w.state is WaybillState.REQUESTED:
                retry = w.attempts > 0
                w.attempts += 1
                s.flush()
                asks.append(_Ask(w.id, retry, _request(s, order, w, carrier)))
        try:
            s.flush()
        except IntegrityError as exc:
            raise WaybillPending(f"order {number}: another waybill request for the same parcel "
                                 "is in progress; retry") from exc
        s.expunge(carrier)
        return carrier, asks


def _ask(adapter: CarrierAdapter, ask: _Ask) -> str:
    if ask.retry:
        found = adapter.find(ask.request.request_id, ask.request.tracking_code)
        if found:
            return found
    return adapter.create(ask.request)


def _warnings(carrier: Carrier, tracking: str) -> list[str]:
    if carrier.international:
        result = tracking_numbers.validate(tracking, carrier.tracking_code)
        return [] if result.ok else [f"{result.reason}: {result.detail}"]
    return [w.message for w in tracking_numbers.check_cn(tracking, carrier.tracking_code).warnings]


def _record_issued(db: Db, number: str, answers: dict[int, str], carrier: Carrier,
                   actor: Actor) -> None:
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        now = clock.utcnow()
        for waybill_id, tracking in sorted(answers.items()):
            plain = tracking_numbers.normalise(tracking)
            done = s.execute(
                update(Waybill)
                .where(Waybill.id == waybill_id, Waybill.state == WaybillState.REQUESTED)
                .values(state=WaybillState.ISSUED, tracking_number=plain, issued_at=now,
                        warnings=_warnings(carrier, plain), last_error=None)
                .execution_options(synchronize_session=False))
            if done.rowcount != 1:  # type: ignore[attr-defined]
                continue  # reconciled by a concurrent retry, or voided meanwhile
            order.search_text = f"{order.search_text} {plain.lower()}"
            lifecycle.record(s, order, "waybill.issued", actor=actor,
                             data={"carrier": carrier.code, "tracking_number": plain,
                                   "waybill_id": waybill_id})


def _record_failure(db: Db, waybill_id: int, error: str) -> None:
    with db.transaction() as s:
        s.execute(update(Waybill).where(Waybill.id == waybill_id)
                  .values(last_error=error[:500]).execution_options(synchronize_session=False))


# A person is waiting on a waybill: a retry right away is worth making, so the carrier's
# circuit opens at the third failure within a minute (a batch stops waiting on timeouts).
OPEN_AFTER = 3


def circuit_key(carrier_code: str) -> str:
    return f"waybill:{carrier_code}"


def _gate(db: Db, carrier: Carrier, asks: Sequence[_Ask]) -> circuits.Gate:
    """While the carrier's waybill API is down (its circuit open) nobody waits on its
    timeout: the requests stay kept and the caller hears when the next try is."""
    gate = circuits.gate(db, circuit_key(carrier.code))
    if gate == "blocked" and asks:
        with db.read() as s:
            at = circuits.next_probe(s, circuit_key(carrier.code))
        raise WaybillPending(f"{carrier.code}'s waybill service is down; the request is kept "
                             f"and can be retried after {at:%H:%M:%S} UTC")
    return gate


def _issue_parcels(db: Db, number: str, parcels: Sequence[int], parcel_count: int,
                   weight_g: int | None, actor: Actor) -> list[WaybillOut]:
    carrier, asks = _prepare(db, number, parcels, parcel_count, weight_g, actor)
    adapter = adapter_for(carrier)
    assert adapter is not None  # manual carriers were refused in _prepare
    gate = _gate(db, carrier, asks)
    answers: dict[int, str] = {}
    failure: Exception | None = None
    for ask in asks:
        try:
            answers[ask.waybill_id] = _ask(adapter, ask)
        except (CarrierUnavailable, CarrierRefused) as exc:
            _record_failure(db, ask.waybill_id, str(exc))
            if isinstance(exc, CarrierUnavailable):
                circuits.failed(db, circuit_key(carrier.code), str(exc),
                                threshold=OPEN_AFTER)
            else:
                circuits.answered(db, circuit_key(carrier.code), gate)
            failure = exc
            break
        circuits.answered(db, circuit_key(carrier.code), gate)
        gate = "closed"
    if answers:
        _record_issued(db, number, answers, carrier, actor)
    if isinstance(failure, CarrierUnavailable):
        raise WaybillPending(f"{carrier.code} did not answer ({failure}); the request is kept "
                             "and a retry reconciles it without a second waybill")
    if isinstance(failure, CarrierRefused):
        raise WaybillRefused(f"{carrier.code} refused the waybill: {failure}")
    return list_waybills(db, number)


def issue(db: Db, number: str, *, actor: Actor, parcel_count: int = 1,
          weight_g: int | None = None) -> list[WaybillOut]:
    """Make sure every parcel of the order has an issued waybill; returns the live ones.

    Safe to call again after any failure: issued parcels are kept, pending requests are
    reconciled with the carrier first. Opens its own transactions (never call it inside one).
    """
    if parcel_count < 1:
        raise ValidationFailed([FieldProblem("parcel_count", "range", "at least one parcel")])
    _issue_parcels(db, number, range(1, parcel_count + 1), parcel_count, weight_g, actor)
    return [w for w in list_waybills(db, number) if w.state != WaybillState.VOIDED.value]


def list_waybills(db: Db, number: str) -> list[WaybillOut]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return [waybill_out(w, order.number) for w in waybills_of(s, order.id)]


def _manual_problems(carrier: Carrier, plain: str) -> tuple[list[FieldProblem], list[str]]:
    field = "tracking_number"
    if carrier.international:
        result = tracking_numbers.validate(plain, carrier.tracking_code)
        if result.ok:
            return [], []
        if result.reason == "checksum":
            return [FieldProblem(field, "tracking.checksum", f"check digit should be "
                                 f"{result.expected}, not {result.given}")], []
        return [FieldProblem(field, "tracking.format", f"not a {carrier.name_en} number "
                             f"({result.detail or result.reason})")], []
    checked = tracking_numbers.check_cn(plain, carrier.tracking_code)
    warnings = [w.message for w in checked.warnings]
    if not checked.accepted:
        return [FieldProblem(field, "tracking.checksum", "; ".join(warnings))], warnings
    return [], warnings


def record_manual(db: Db, number: str, body: ManualWaybillIn, *, actor: Actor,
                  carrier_code: str | None = None) -> WaybillOut:
    """A number scanned or typed by staff: checked against the carrier's format and check
    digit (Chinese domestic formats only warn), stored as an issued waybill."""
    plain = tracking_numbers.normalise(body.tracking_number)
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        _check_issuable(order)
        if carrier_code:
            carrier, service = get_carrier(s, carrier_code.strip().upper()), "standard"
        else:
            carrier, service = _chosen_carrier(s, order, actor)
        problems, warnings = _manual_problems(carrier, plain)
        if body.parcel_no > body.parcel_count:
            problems.append(FieldProblem("parcel_no", "range", "parcel number exceeds count"))
        taken = s.scalar(select(Waybill.id).where(Waybill.tracking_number == plain,
                                                  Waybill.state != WaybillState.VOIDED))
        if taken is not None:
            problems.append(FieldProblem("tracking_number", "tracking.duplicate",
                                         f"{plain} is already on another live waybill"))
        if problems:
            raise ValidationFailed(problems)
        live = {w.parcel_no for w in live_waybills(s, order.id)}
        if body.parcel_no in live:
            raise Conflict(f"parcel {body.parcel_no} already has a live waybill; void it first",
                           code="waybill.exists")
        now = clock.utcnow()
        w = Waybill(request_id=f"manual-{uuid.uuid4().hex}", order_id=order.id,
                    parcel_no=body.parcel_no, parcel_count=body.parcel_count,
                    carrier_code=carrier.code, service=service, tracking_number=plain,
                    state=WaybillState.ISSUED, warnings=warnings, attempts=0, created_at=now,
                    created_by=str(actor), issued_at=now)
        s.add(w)
        s.flush()
        order.search_text = f"{order.search_text} {plain.lower()}"
        lifecycle.record(s, order, "waybill.recorded", actor=actor,
                         data={"carrier": carrier.code, "tracking_number": plain,
                               "warnings": warnings})
        return waybill_out(w, order.number)


def void(db: Db, waybill_id: int, *, reason: str, actor: Actor,
         reissue: bool = False) -> list[WaybillOut]:
    """Cancel a waybill with its carrier and mark it void; optionally issue a new one."""
    with db.read() as s:
        w = s.get(Waybill, waybill_id)
        if w is None:
            raise NotFound(f"no waybill {waybill_id}", code="waybill.not_found")
        if w.state is WaybillState.VOIDED:
            raise Conflict(f"waybill {waybill_id} is already void", code="waybill.voided")
        order = s.get(Order, w.order_id)
        assert order is not None
        number, tracking = order.number, w.tracking_number
        parcel_no, parcel_count, weight_g = w.parcel_no, w.parcel_count, w.weight_g
        request_id, asked = w.request_id, w.attempts > 0
        carrier = get_carrier(s, w.carrier_code)
        adapter = adapter_for(carrier)
    if adapter is not None and (tracking or asked):
        try:
            # a request still pending may have been served: cancel what the carrier issued
            tracking = tracking or adapter.find(request_id, carrier.tracking_code)
            if tracking:
                adapter.cancel(tracking)
        except (CarrierUnavailable, CarrierRefused) as exc:
            raise WaybillPending(f"{carrier.code} could not cancel {tracking}: {exc}") from exc
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        s.execute(update(Waybill).where(Waybill.id == waybill_id,
                                        Waybill.state != WaybillState.VOIDED)
                  .values(state=WaybillState.VOIDED, voided_at=clock.utcnow(),
                          void_reason=reason).execution_options(synchronize_session=False))
        lifecycle.record(s, order, "waybill.voided", actor=actor, reason=reason,
                         data={"tracking_number": tracking, "waybill_id": waybill_id})
    if reissue:
        _issue_parcels(db, number, [parcel_no], parcel_count, weight_g, actor)
    return list_waybills(db, number)
