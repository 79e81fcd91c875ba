"""/api/v1 carriers, carrier choice, waybills and label printing: thin routes over
`orderflow.shipping` (scopes shipping:read / shipping:write)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote as percent_encode

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from orderflow import money
from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.errors import NotFound
from orderflow.ids import DbId
from orderflow.shipping import printing, service, setup, waybills
from orderflow.shipping.printing import PrintJob
from orderflow.shipping.schemas import (
    CarrierIn,
    CarrierOut,
    IssueIn,
    ManualWaybillIn,
    PreferencesIn,
    PrintIn,
    SelectionOut,
    ServiceIn,
    ServiceOut,
    VoidIn,
    WaybillOut,
    ZoneRateIn,
    ZoneRateOut,
)
from orderflow.vocab import MoneyText

router = APIRouter(prefix="/api/v1", tags=["shipping"])

Reader = Annotated[TokenIdentity, Depends(require("shipping:read"))]
Writer = Annotated[TokenIdentity, Depends(require("shipping:write"))]


class QuoteOut(BaseModel):
    carrier_code: str
    carrier_name_zh: str
    carrier_name_en: str
    service: str
    zone: int
    price_minor: int
    price: MoneyText
    currency: str
    transit_days: int
    cutoff: str


class PrintOut(BaseModel):
    printed_at: str
    actor: str
    batch_id: str
    copies: int
    format: str
    size: str
    privacy: bool
    reprint: bool


@router.get("/shipping/carriers", response_model=list[CarrierOut])
def list_carriers(_token: Reader, db: DbDep) -> list[CarrierOut]:
    """Carriers with their services, zones (destinations), rates and transit days."""
    return service.list_carriers(db)


@router.post("/shipping/carriers", status_code=201, response_model=CarrierOut,
             responses={409: {"description": "The code is taken"}})
def add_carrier(body: setup.NewCarrierIn, _token: Writer, db: DbDep) -> CarrierOut:
    """A new carrier with its services, each with one price for every destination it
    covers (all of China unless `destinations` are given); refine zones later."""
    return setup.add_carrier(db, body)


@router.post("/shipping/carriers/{code}/retire", response_model=CarrierOut)
def retire_carrier(code: str, _token: Writer, db: DbDep) -> CarrierOut:
    return setup.retire_carrier(db, code)


@router.put("/shipping/carriers/{code}", response_model=CarrierOut)
def update_carrier(code: str, body: CarrierIn, token: Writer, db: DbDep) -> CarrierOut:
    """How waybills are obtained: `simulated` (built in), `http` (carrier API at
    `endpoint_url`) or `manual` (staff scan/type numbers); active; COD support."""
    return service.update_carrier(db, code, body, actor=actor_of(token))


@router.put("/shipping/services/{service_id}", response_model=ServiceOut)
def update_service(service_id: DbId, body: ServiceIn, token: Writer, db: DbDep) -> ServiceOut:
    """First weight, extra-weight unit (grams), daily cut-off (HH:MM, merchant time)."""
    return service.update_service(db, service_id, body, actor=actor_of(token))


@router.put("/shipping/rates/{rate_id}", response_model=ZoneRateOut)
def update_rate(rate_id: DbId, body: ZoneRateIn, token: Writer, db: DbDep) -> ZoneRateOut:
    """A zone's first-weight price, extra-weight price (per started unit) and transit days."""
    return service.update_zone_rate(db, rate_id, body, actor=actor_of(token))


@router.get("/shipping/quote", response_model=list[QuoteOut])
def quote(_token: Reader, db: DbDep,
          destination: Annotated[str, Query(min_length=2, max_length=64,
                                            description="Province (China) or ISO country")],
          weight_g: Annotated[int, Query(ge=0, le=1_000_000)],
          origin: Annotated[str | None, Query(max_length=64, description="Ship-from province "
                                              "(default: ORDERFLOW_SHIP_FROM)")] = None,
          ) -> list[QuoteOut]:
    """Every covering service priced for the weight, cheapest first."""
    return [QuoteOut(carrier_code=o.carrier_code, carrier_name_zh=o.carrier_name_zh,
                     carrier_name_en=o.carrier_name_en, service=o.level, zone=o.zone,
                     price_minor=p, price=money.to_str(p, o.currency), currency=o.currency,
                     transit_days=o.transit_days, cutoff=o.cutoff.strftime("%H:%M"))
            for o, p in service.quote(db, destination.strip(), weight_g, origin)]


@router.get("/orders/{number}/carrier", response_model=SelectionOut)
def get_carrier_choice(number: str, _token: Reader, db: DbDep) -> SelectionOut:
    """The stored carrier choice, with why (zh-CN and en)."""
    chosen = service.get_selection(db, number)
    if chosen is None:
        raise NotFound(f"no carrier chosen for order {number} yet", code="carrier.not_chosen")
    return chosen


@router.post("/orders/{number}/carrier", response_model=SelectionOut)
def choose_carrier(number: str, token: Writer, db: DbDep) -> SelectionOut:
    """Choose (again) by the rules: designated > expedited fastest > cheapest on time."""
    return service.choose_carrier(db, number, actor=actor_of(token))


@router.put("/orders/{number}/shipping-preferences", response_model=SelectionOut)
def set_preferences(number: str, body: PreferencesIn, token: Writer,
                    db: DbDep) -> SelectionOut:
    """Designated carrier (by customer or staff), expedited, promised date; then choose."""
    return service.set_preferences(db, number, body, actor=actor_of(token))


@router.get("/orders/{number}/waybills", response_model=list[WaybillOut])
def list_waybills(number: str, _token: Reader, db: DbDep) -> list[WaybillOut]:
    return waybills.list_waybills(db, number)


@router.post("/orders/{number}/waybills", status_code=201, response_model=list[WaybillOut])
def issue_waybills(number: str, body: IssueIn, token: Writer, db: DbDep) -> list[WaybillOut]:
    """Idempotent: parcels that have a waybill keep it; a pending request is reconciled."""
    return waybills.issue(db, number, actor=actor_of(token), parcel_count=body.parcel_count,
                          weight_g=body.weight_g)


@router.post("/orders/{number}/waybills/manual", status_code=201, response_model=WaybillOut)
def record_manual(number: str, body: ManualWaybillIn, token: Writer,
                  db: DbDep, carrier: Annotated[str | None, Query(max_length=16)] = None,
                  ) -> WaybillOut:
    """A scanned or typed number, checked against the carrier's format and check digit."""
    return waybills.record_manual(db, number, body, actor=actor_of(token), carrier_code=carrier)


@router.post("/waybills/{waybill_id}/void", response_model=list[WaybillOut])
def void_waybill(waybill_id: DbId, body: VoidIn, token: Writer, db: DbDep) -> list[WaybillOut]:
    """Cancel with the carrier, mark void; `reissue` gets the parcel a new number."""
    return waybills.void(db, waybill_id, reason=body.reason, actor=actor_of(token),
                         reissue=body.reissue)


_LABEL_HEADERS = {
    "X-Batch-Id": {"schema": {"type": "string"}, "description": "The print batch"},
    "X-Labels": {"schema": {"type": "string", "pattern": "^[0-9]+$"},
                 "description": "How many labels the file holds"},
    "X-Skipped": {"schema": {"type": "string"}, "description": (
        "Comma-separated order numbers that could not print, each percent-encoded")},
}


@router.post("/shipping/labels", responses={200: {
    "content": {"application/pdf": {}, "application/zpl": {}}, "headers": _LABEL_HEADERS}})
def print_labels(body: PrintIn, token: Writer, db: DbDep, settings: SettingsDep) -> Response:
    """One PDF (or ZPL) of the orders' labels in the given order, or a wave's in pick order.
    Headers: `X-Batch-Id`, `X-Labels`, `X-Skipped` (order numbers that could not print)."""
    numbers = list(dict.fromkeys(body.orders)) or printing.orders_of_wave(db, body.wave_id or 0)
    job = PrintJob(numbers, format=body.format, size=body.size, privacy=body.privacy,
                   language=body.language, copies=body.copies)
    result = printing.print_labels(db, job, actor=actor_of(token), zone=settings.zone)
    return Response(result.content, media_type=result.media_type, headers={
        "X-Batch-Id": result.batch_id, "X-Labels": str(result.labels),
        # What the client sent, so percent-encoded: a header carries Latin-1 only.
        "X-Skipped": ",".join(percent_encode(n, safe="") for n, _ in result.skipped),
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@router.get("/orders/{number}/packing-slip", responses={200: {"content": {
    "application/pdf": {}}}})
def packing_slip(number: str, _token: Reader, db: DbDep, settings: SettingsDep,
                 language: Annotated[str, Query(pattern="^(zh-CN|en)$")] = "zh-CN",
                 size: Annotated[str, Query(pattern="^(A4|A5)$")] = "A4") -> Response:
    """The packing slip (发货单) as PDF, with carrier and tracking number(s)."""
    return Response(printing.packing_slip(db, number, settings=settings, language=language,
                                          page_size=size), media_type="application/pdf")


@router.get("/orders/{number}/label-prints", response_model=list[PrintOut])
def label_prints(number: str, _token: Reader, db: DbDep) -> list[PrintOut]:
    """Every print and re-print of the order's labels: who, when, how many."""
    return [PrintOut(printed_at=p.printed_at.isoformat(), actor=p.actor, batch_id=p.batch_id,
                     copies=p.copies, format=p.format, size=p.size, privacy=p.privacy,
                     reprint=p.reprint) for p in printing.print_history(db, number)]
