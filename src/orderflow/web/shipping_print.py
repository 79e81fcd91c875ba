"""Console batch printing: choose orders or a wave, follow the progress bar, download the
one PDF/ZPL of labels in pick order. The batch runs in a background thread of the web
process and reports progress through its `print_batches` row."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.shipping import printing, queries
from orderflow.shipping.printing import PrintJob
from orderflow.web import security
from orderflow.web.rendering import render
from orderflow.web.shipping import Shipper, _db

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

Short = Annotated[str, Form(max_length=100)]
log = logging.getLogger(__name__)
_NUMBERS = re.compile(r"[A-Za-z0-9-]+")


def _page(request: Request, *, error: OrderFlowError | None = None,
          form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    with _db(request).read() as s:
        batches = queries.recent_batches(s)
    return render(request, "shipping/print.html", {
        "section": "shipping-print", "batches": batches, "error": error, "form": form or {},
        "field_errors": {p.field: p.message for p in error.fields} if error else {},
    }, status_code=status_code)


@router.get("/shipping/print", response_class=HTMLResponse)
def print_page(request: Request, _user: Shipper,
               wave: Annotated[str, Query(max_length=12)] = "",
               orders: Annotated[str, Query(max_length=4000)] = "") -> Response:
    return _page(request, form={"wave": wave, "orders": orders})


def _job(request: Request, orders: str, wave: str, fmt: str, size: str, privacy: str,
         copies: str) -> PrintJob:
    numbers = _NUMBERS.findall(orders)
    if wave.strip():
        if not wave.strip().isdigit():
            raise ValidationFailed([FieldProblem("wave", "wave.invalid", "a wave number")])
        numbers = printing.orders_of_wave(_db(request), int(wave))
    if not numbers:
        raise ValidationFailed([FieldProblem("orders", "orders.required",
                                             "give order numbers or a wave")])
    if len(numbers) > 2000:
        raise ValidationFailed([FieldProblem("orders", "orders.too_many", "at most 2,000")])
    n = int(copies) if copies.strip().isdigit() else 1
    return PrintJob(list(dict.fromkeys(numbers)), format="zpl" if fmt == "zpl" else "pdf",
                    size="76x130" if size == "76x130" else "100x150", privacy=bool(privacy),
                    language=security.language_of(request), copies=min(max(n, 1), 5))


@router.post("/shipping/print")
def start_print(request: Request, user: Shipper, orders: Annotated[str, Form(max_length=40000)]
                = "", wave: Short = "", format: Short = "pdf", size: Short = "100x150",
                privacy: Short = "", copies: Short = "1") -> Response:
    form = {"orders": orders, "wave": wave, "format": format, "size": size,
            "privacy": privacy, "copies": copies}
    try:
        job = _job(request, orders, wave, format, size, privacy, copies)
    except OrderFlowError as exc:
        return _page(request, error=exc, form=form, status_code=exc.http_status)
    db, actor = _db(request), security.actor_of(user)
    batch_id = printing.create_batch(db, job, actor=actor)
    directory = Path(request.app.state.settings.var_dir) / "prints"
    zone = request.app.state.settings.zone
    threading.Thread(target=_run, args=(db, batch_id, job, actor, directory, zone), daemon=True,
                     name=f"print-{batch_id[:8]}").start()
    return RedirectResponse(f"/shipping/print/{batch_id}", status_code=303)


def _run(db: Any, batch_id: str, job: PrintJob, actor: Any, directory: Path,
         zone: Any) -> None:
    try:
        printing.run_batch(db, batch_id, job, actor=actor, directory=directory, zone=zone)
    except Exception:  # recorded on the batch row and shown on its page
        log.exception("print batch %s failed", batch_id)


def _status(request: Request, batch_id: str) -> dict[str, Any]:
    try:
        b = printing.get_batch(_db(request), batch_id)
    except NotFound:
        return {}
    return {"id": b.id, "state": b.state, "done": b.done, "total": b.total,
            "skipped": b.skipped, "error": b.error, "format": b.format, "size": b.size,
            "privacy": b.privacy, "orders": b.order_numbers, "created_at": b.created_at}


@router.get("/shipping/print/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: str, _user: Shipper) -> Response:
    status = _status(request, batch_id)
    if not status:
        return render(request, "errors/not_found.html", {"number": batch_id}, status_code=404)
    return render(request, "shipping/batch.html", {"section": "shipping-print", "b": status})


@router.get("/shipping/print/{batch_id}/status")
def batch_status(request: Request, batch_id: str, _user: Shipper) -> Response:
    status = _status(request, batch_id)
    if not status:
        return JSONResponse({"state": "missing"}, status_code=404)
    status.pop("created_at")
    return JSONResponse(status)


@router.get("/shipping/print/{batch_id}/file")
def batch_file(request: Request, batch_id: str, _user: Shipper) -> Response:
    try:
        b = printing.get_batch(_db(request), batch_id)
    except NotFound:
        return render(request, "errors/not_found.html", {"number": batch_id}, status_code=404)
    if b.state != "done" or not b.file_path or not Path(b.file_path).is_file():
        return RedirectResponse(f"/shipping/print/{batch_id}", status_code=303)
    media = "application/pdf" if b.format == "pdf" else "application/zpl"
    return FileResponse(b.file_path, media_type=media, filename=Path(b.file_path).name,
                        content_disposition_type="inline")
