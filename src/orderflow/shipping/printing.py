"""Batch label printing: orders (or a wave, in pick order) → one PDF or ZPL of their waybill
labels, with progress; every print and re-print logged (who, when, how many) and put on
the order's timeline.

Steps: issue what is missing (own transactions, network outside them) → read the labels →
render (no transaction open) → record the prints in one transaction.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from orderflow import clock, files
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.documents import (
    Address,
    Amount,
    Contact,
    LabelData,
    PackingSlipData,
    SlipLine,
    render_packing_slip,
    render_zpl,
    write_labels,
)
from orderflow.errors import NotFound, OrderFlowError
from orderflow.fulfilment import waves
from orderflow.orders import lifecycle, queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.shipping import waybills
from orderflow.shipping.models import (
    Carrier,
    CarrierService,
    PrintBatch,
    Waybill,
    WaybillPrint,
    WaybillState,
)

Progress = Callable[[int, int], None]
Format = Literal["pdf", "zpl"]


@dataclass(frozen=True)
class PrintJob:
    orders: Sequence[str]
    format: Format = "pdf"
    size: str = "100x150"
    privacy: bool = False
    language: str = "zh-CN"
    copies: int = 1


@dataclass
class Printed:
    batch_id: str
    content: bytes
    media_type: str
    labels: int
    printed: list[str] = field(default_factory=list)  # order numbers, in print order
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (order number, why)
    skip_codes: dict[str, str] = field(default_factory=dict)  # order number -> error code
    reprints: list[str] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"labels-{self.batch_id[:8]}.{'pdf' if self.media_type.endswith('pdf') else 'zpl'}"


def _sender(s: Session, order: Order) -> Contact:
    p = waybills.sender_of(s, order)
    return Contact(p.name, p.phone, Address(p.province, p.city, p.district, p.address))


def _service_name(s: Session, carrier: Carrier, level: str, language: str) -> str:
    svc = s.scalar(select(CarrierService).where(CarrierService.carrier_id == carrier.id,
                                                CarrierService.level == level))
    if svc is None:
        return level
    return svc.name_zh if language.startswith("zh") else svc.name_en


def label_for(s: Session, order: Order, w: Waybill, carrier: Carrier, *, language: str,
              printed_at: datetime) -> LabelData:
    """The label of one issued waybill, from the order's recipient snapshot."""
    assert w.tracking_number is not None
    cod = Amount(order.total_minor - order.paid_minor, order.currency) if order.cod else None
    return LabelData(
        carrier_code=carrier.code,
        carrier_name=carrier.name_zh if language.startswith("zh") else carrier.name_en,
        tracking_number=w.tracking_number,
        recipient=Contact(order.recipient_name, order.recipient_phone,
                          Address(order.province, order.city, order.district,
                                  order.address_detail)),
        sender=_sender(s, order),
        service_name=_service_name(s, carrier, w.service, language),
        order_number=order.number,
        parcel_index=w.parcel_no,
        parcel_count=w.parcel_count,
        weight_grams=w.weight_g,
        cod=cod,
        printed_at=printed_at,
        remarks=order.buyer_remark,
    )


def _issue_missing(db: Db, numbers: Sequence[str],
                   actor: Actor) -> tuple[list[tuple[str, str]], dict[str, str]]:
    skipped: list[tuple[str, str]] = []
    codes: dict[str, str] = {}
    for number in numbers:
        with db.read() as s:
            order = queries.find_order(s, number)
            has = bool(order and any(w.state is WaybillState.ISSUED
                                     for w in waybills.live_waybills(s, order.id)))
        if order is None:
            skipped.append((number, "order not found"))
            codes[number] = "order.not_found"
            continue
        if has:
            continue
        try:
            waybills.issue(db, number, actor=actor)
        except OrderFlowError as exc:
            skipped.append((number, str(exc)))
            codes[number] = exc.code
    return skipped, codes


def _labels(db: Db, job: PrintJob, skip: set[str], zone: ZoneInfo
            ) -> tuple[list[LabelData], list[tuple[int, int, str]]]:
    """Labels in the given order (copies repeated) and (waybill id, order id, number) rows;
    the print date is the merchant's (`zone`, from the caller's settings)."""
    printed_at = clock.local(clock.utcnow(), zone)
    labels: list[LabelData] = []
    rows: list[tuple[int, int, str]] = []
    with db.read() as s:
        carriers = {c.code: c for c in s.scalars(select(Carrier))}
        for number in job.orders:
            order = queries.find_order(s, number)
            if number in skip or order is None:
                continue
            for w in waybills.live_waybills(s, order.id):
                if w.state is not WaybillState.ISSUED:
                    continue
                label = label_for(s, order, w, carriers[w.carrier_code], language=job.language,
                                  printed_at=printed_at)
                labels += [label] * job.copies
                rows.append((w.id, order.id, order.number))
    return labels, rows


def render(labels: Sequence[LabelData], job: PrintJob,
           progress: Progress | None = None) -> tuple[bytes, str]:
    total = len(labels)
    if job.format == "zpl":
        text = render_zpl(labels, size=job.size, privacy=job.privacy, language=job.language)
        if progress:
            progress(total, total)
        return text.encode(), "application/zpl"
    out = io.BytesIO()
    write_labels(out, labels, size=job.size, privacy=job.privacy, language=job.language,
                 progress=(lambda done, _t: progress(done, total)) if progress else None)
    return out.getvalue(), "application/pdf"


def _record(db: Db, batch_id: str, job: PrintJob, rows: list[tuple[int, int, str]],
            actor: Actor) -> list[str]:
    """One print row per waybill; one timeline row per order (printed or re-printed)."""
    reprints: list[str] = []
    now = clock.utcnow()
    with db.transaction() as s:
        seen = set(s.scalars(select(WaybillPrint.waybill_id).where(
            WaybillPrint.waybill_id.in_([r[0] for r in rows]))))
        by_order: dict[str, list[int]] = {}
        for waybill_id, order_id, number in rows:
            s.add(WaybillPrint(batch_id=batch_id, waybill_id=waybill_id, order_id=order_id,
                               printed_at=now, actor=str(actor), copies=job.copies,
                               format=job.format, size=job.size, privacy=job.privacy,
                               reprint=waybill_id in seen))
            by_order.setdefault(number, []).append(waybill_id)
        for number, ids in by_order.items():
            again = any(i in seen for i in ids)
            if again:
                reprints.append(number)
            order = queries.get_order(s, number)
            lifecycle.record(s, order, "waybill.reprinted" if again else "waybill.printed",
                             actor=actor, data={"batch": batch_id, "labels": len(ids),
                                                "copies": job.copies, "format": job.format,
                                                "size": job.size, "privacy": job.privacy})
    return reprints


def print_labels(db: Db, job: PrintJob, *, actor: Actor, zone: ZoneInfo,
                 progress: Progress | None = None, batch_id: str | None = None) -> Printed:
    """Labels of the orders' issued waybills, in the given order, as one PDF or ZPL file.

    Orders without a waybill get one first (built-in/HTTP carriers); an order that cannot
    (manual carrier, carrier refused) is skipped and reported, the others still print.
    """
    batch = batch_id or uuid.uuid4().hex
    skipped, codes = _issue_missing(db, job.orders, actor)
    labels, rows = _labels(db, job, {n for n, _ in skipped}, zone)
    content, media_type = render(labels, job, progress)
    reprints = _record(db, batch, job, rows, actor) if rows else []
    printed = list(dict.fromkeys(r[2] for r in rows))
    return Printed(batch, content, media_type, len(labels), printed, skipped, codes, reprints)


def orders_of_wave(db: Db, wave_id: int) -> list[str]:
    """The wave's orders in pick order (the warehouse half's `waves.orders_in_pick_order`)."""
    return list(waves.orders_in_pick_order(db, wave_id))


def print_history(db: Db, number: str) -> list[WaybillPrint]:
    with db.read() as s:
        order = queries.get_order(s, number)
        return list(s.scalars(select(WaybillPrint).where(WaybillPrint.order_id == order.id)
                              .order_by(WaybillPrint.id)))


# --------------------------------------------------------------------------- console batches


def create_batch(db: Db, job: PrintJob, *, actor: Actor) -> str:
    """A batch row the console follows with a progress bar; `run_batch` fills it."""
    batch_id = uuid.uuid4().hex
    with db.transaction() as s:
        s.add(PrintBatch(id=batch_id, state="running", total=len(job.orders), done=0,
                         format=job.format, size=job.size, privacy=job.privacy,
                         actor=str(actor), order_numbers=list(job.orders), skipped=[],
                         created_at=clock.utcnow()))
    return batch_id


def _set_batch(db: Db, batch_id: str, **values: object) -> None:
    with db.transaction() as s:
        s.execute(update(PrintBatch).where(PrintBatch.id == batch_id).values(**values)
                  .execution_options(synchronize_session=False))


def run_batch(db: Db, batch_id: str, job: PrintJob, *, actor: Actor, directory: Path,
              zone: ZoneInfo) -> None:
    """Print the batch into `directory`, reporting progress about 20 times on the way."""
    step = max(1, len(job.orders) * job.copies // 20)

    def progress(done: int, total: int) -> None:
        if done == total or done % step == 0:
            _set_batch(db, batch_id, done=done, total=total)

    try:
        result = print_labels(db, job, actor=actor, zone=zone, progress=progress,
                              batch_id=batch_id)
        files.make_private_dir(directory)
        path = directory / result.filename
        files.write_private(path, result.content)
        _set_batch(db, batch_id, state="done", done=result.labels, total=result.labels,
                   file_path=str(path),
                   skipped=[[n, why, result.skip_codes.get(n, "")] for n, why in result.skipped],
                   finished_at=clock.utcnow())
    except Exception as exc:
        _set_batch(db, batch_id, state="failed", error=str(exc)[:500],
                   finished_at=clock.utcnow())
        raise


def get_batch(db: Db, batch_id: str) -> PrintBatch:
    with db.read() as s:
        batch = s.get(PrintBatch, batch_id)
        if batch is None:
            raise NotFound(f"no print batch {batch_id}", code="print.not_found")
        return batch


# --------------------------------------------------------------------------- packing slip


def packing_slip(db: Db, number: str, *, settings: Settings, language: str = "zh-CN",
                 page_size: str = "A4") -> bytes:
    """The order's packing slip (发货单) with its carrier and tracking number(s); the shop
    and the merchant's zone come from the caller's settings."""
    with db.read() as s:
        order = queries.get_order(s, number)
        issued = [w for w in waybills.live_waybills(s, order.id)
                  if w.state is WaybillState.ISSUED and w.tracking_number]
        carrier = s.scalar(select(Carrier).where(Carrier.code == issued[0].carrier_code)
                           ) if issued else None
        lines = [SlipLine(line.sku_code, line.name, line.ordered - line.cancelled)
                 for line in queries.lines_of(s, order.id) if line.ordered > line.cancelled]
        data = PackingSlipData(
            order_number=order.number,
            order_date=clock.local(order.placed_at, settings.zone).date(),
            recipient=Contact(order.recipient_name, order.recipient_phone,
                              Address(order.province, order.city, order.district,
                                      order.address_detail)),
            lines=lines,
            shop_name=settings.shop_name,
            carrier_name=(carrier.name_zh if language.startswith("zh") else carrier.name_en)
            if carrier else None,
            tracking_number=" ".join(w.tracking_number or "" for w in issued) or None,
            buyer_note=order.buyer_remark,
        )
    return render_packing_slip(data, language=language, page_size=page_size)
