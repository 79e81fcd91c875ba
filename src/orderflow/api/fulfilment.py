"""/api/v1 for the warehouse: allocation, waves and pick lists, packing, hand-over and
shipping, stock alerts, damaged stock and bins. Thin routes over the fulfilment use cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from orderflow.api.deps import DbDep, SettingsDep, actor_of, require
from orderflow.auth.service import TokenIdentity
from orderflow.fulfilment import allocation, handover, packing, stock, waves
from orderflow.fulfilment import service as fulfilment
from orderflow.fulfilment.desk import CarrierDesk
from orderflow.fulfilment.models import WaveState
from orderflow.fulfilment.schemas import (
    AlertOut,
    AllocationOut,
    BinIn,
    DamagedIn,
    HandoverIn,
    PackIn,
    PackOut,
    PickListOut,
    PickRowOut,
    ReasonIn,
    RequiredReasonIn,
    ShippedOut,
    ThresholdIn,
    WaveOut,
    WavePlanIn,
    WaveShippingOut,
)
from orderflow.ids import DbId
from orderflow.shipping.desk import ShippingDesk

router = APIRouter(prefix="/api/v1", tags=["fulfilment"])

Reader = Annotated[TokenIdentity, Depends(require("fulfilment:read"))]
Writer = Annotated[TokenIdentity, Depends(require("fulfilment:write"))]
StockReader = Annotated[TokenIdentity, Depends(require("stock:read"))]
StockWriter = Annotated[TokenIdentity, Depends(require("stock:write"))]


def carrier_desk(request: Request) -> CarrierDesk:
    """The carriers' desk (stored choice, waybills, transit tables); an app may set its own
    on `app.state.carrier_desk` (tests use the simulated `DefaultDesk`)."""
    desk: CarrierDesk | None = getattr(request.app.state, "carrier_desk", None)
    if desk is None:
        desk = request.app.state.carrier_desk = ShippingDesk(
            request.app.state.settings.zone)
    return desk


Desk = Annotated[CarrierDesk, Depends(carrier_desk)]


@router.post("/orders/{number}/allocate", response_model=AllocationOut, tags=["orders"])
def allocate(number: str, token: Writer, db: DbDep) -> AllocationOut:
    """Allocate an approved order: one warehouse that ships every line (the nearest the
    destination of several), else split across warehouses."""
    plan = fulfilment.allocate_order(db, number, actor=actor_of(token))
    with db.read() as s:
        codes = {site.id: site.code for site in allocation.sites(s)}
    return AllocationOut(order_number=number, allocation=plan.kind,
                         warehouses=[codes[w] for w in plan.warehouses])


@router.get("/waves", response_model=list[WaveOut])
def list_waves(_t: Reader, db: DbDep,
               state: WaveState | None = None) -> list[WaveOut]:
    return [WaveOut.model_validate(w) for w in waves.list_waves(db, state=state)]


@router.post("/waves", status_code=201, response_model=list[WaveOut])
def plan_waves(body: WavePlanIn, token: Writer, db: DbDep, settings: SettingsDep,
               desk: Desk) -> list[WaveOut]:
    """Group every allocated order not yet in a wave by warehouse, carrier, priority and
    cut-off into new open waves."""
    planned = waves.plan_waves(db, actor=actor_of(token), desk=desk, zone=settings.zone,
                               warehouse=body.warehouse, max_orders=body.max_orders)
    return [WaveOut.model_validate(w) for w in planned]


@router.get("/waves/{wave_id}", response_model=PickListOut)
def get_wave(wave_id: DbId, _t: Reader, db: DbDep) -> PickListOut:
    """The wave with its pick list (rows in bin order, total per SKU) and its orders in
    pick order."""
    found = waves.pick_list(db, wave_id)
    return PickListOut(wave=WaveOut.model_validate(found.wave),
                       rows=[PickRowOut(sku=r.sku, name=r.name, quantity=r.quantity,
                                        bins=list(r.bins), order_count=r.order_count)
                             for r in found.rows],
                       orders=found.orders)


@router.get("/waves/{wave_id}/pick-list.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def pick_list_pdf(wave_id: DbId, _t: Reader, db: DbDep, settings: SettingsDep,
                  language: Annotated[str, Query(pattern="^(zh-CN|en)$")] = "zh-CN") -> Response:
    pdf = waves.pick_list_pdf(db, wave_id, language=language, zone=settings.zone)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="pick-list-{wave_id}.pdf"'})


@router.post("/waves/{wave_id}/release", response_model=WaveOut)
def release_wave(wave_id: DbId, token: Writer, db: DbDep) -> WaveOut:
    return WaveOut.model_validate(waves.release_wave(db, wave_id, actor=actor_of(token)))


@router.post("/waves/{wave_id}/cancel", response_model=WaveOut)
def cancel_wave(wave_id: DbId, token: Writer, db: DbDep, body: ReasonIn | None = None) -> WaveOut:
    reason = (body.reason if body else None) or "wave cancelled"
    return WaveOut.model_validate(waves.cancel_wave(db, wave_id, actor=actor_of(token),
                                                    reason=reason))


@router.post("/waves/{wave_id}/rerun", status_code=201, response_model=WaveOut)
def rerun_wave(wave_id: DbId, token: Writer, db: DbDep, settings: SettingsDep,
               desk: Desk) -> WaveOut:
    """Cancel the wave and plan its still-pickable orders into a new one."""
    return WaveOut.model_validate(waves.rerun_wave(db, wave_id, actor=actor_of(token),
                                                   desk=desk, zone=settings.zone))


@router.post("/waves/{wave_id}/ship", response_model=WaveShippingOut)
def ship_wave(wave_id: DbId, token: Writer, db: DbDep, desk: Desk) -> WaveShippingOut:
    """Bulk "mark shipped": every packed parcel of the wave with its issued waybills."""
    report = handover.ship_wave(db, wave_id, desk=desk, actor=actor_of(token))
    return WaveShippingOut(wave=report.wave,
                           shipped=[ShippedOut.model_validate(x) for x in report.shipped],
                           skipped=report.skipped)


@router.post("/packs", status_code=201, response_model=PackOut)
def pack(body: PackIn, token: Writer, db: DbDep) -> PackOut:
    """Check a whole parcel at once: every scan must belong, nothing may be missing."""
    view = packing.pack_scanned(db, body.order_number, warehouse=body.warehouse,
                                scans=body.scans, weight_g=body.weight_g,
                                parcel_count=body.parcel_count, inspection=body.inspection,
                                note=body.inspection_note, actor=actor_of(token))
    return PackOut.model_validate(view)


@router.post("/packs/{pack_id}/reopen", response_model=PackOut)
def reopen_pack(pack_id: DbId, body: RequiredReasonIn, token: Writer, db: DbDep) -> PackOut:
    """Open a closed parcel that has not left again; its scans start over."""
    return PackOut.model_validate(packing.reopen_pack(db, pack_id, actor=actor_of(token),
                                                      reason=body.reason))


@router.post("/handover", response_model=ShippedOut)
def hand_over(body: HandoverIn, token: Writer, db: DbDep, desk: Desk) -> ShippedOut:
    """Hand a packed parcel to the carrier: it ships with these tracking numbers (or its
    issued waybills); the order is shipped once every part has left."""
    shipped = handover.hand_over(db, body.order_number, warehouse=body.warehouse,
                                 tracking_numbers=body.tracking_numbers, desk=desk,
                                 actor=actor_of(token))
    return ShippedOut.model_validate(shipped)


@router.get("/stock/alerts", response_model=list[AlertOut], tags=["catalog"])
def alerts(_t: StockReader, db: DbDep) -> list[AlertOut]:
    """库存预警: SKUs at or below their low-stock threshold, emptiest first."""
    with db.read() as s:
        return [AlertOut.model_validate(a) for a in stock.alerts(s)]


@router.put("/stock/alerts/thresholds", status_code=204, tags=["catalog"])
def set_threshold(body: ThresholdIn, _t: StockWriter, db: DbDep) -> Response:
    stock.set_threshold(db, sku=body.sku, warehouse=body.warehouse, low_at=body.low_at)
    return Response(status_code=204)


@router.post("/stock/{sku}/damaged", status_code=204, tags=["catalog"])
def damaged(sku: str, body: DamagedIn, _t: StockWriter, db: DbDep) -> Response:
    """Set units apart as damaged (never allocated), or write damaged units off."""
    act = stock.mark_damaged if body.action == "mark" else stock.write_off_damaged
    act(db, sku=sku, warehouse=body.warehouse, quantity=body.quantity)
    return Response(status_code=204)


@router.put("/stock/{sku}/bins/{warehouse}", status_code=204, tags=["catalog"])
def set_bin(sku: str, warehouse: str, body: BinIn, _t: StockWriter, db: DbDep) -> Response:
    stock.set_bin(db, sku=sku, warehouse=warehouse, code=body.bin)
    return Response(status_code=204)
