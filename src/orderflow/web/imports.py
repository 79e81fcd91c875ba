"""/orders/import: upload a CSV or XLSX file of orders and show the import report."""

from __future__ import annotations

import importlib
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from orderflow.errors import FieldProblem, NotFound, OrderFlowError, ValidationFailed
from orderflow.intake import columns, template
from orderflow.web import import_text, security
from orderflow.web.rendering import render

router = APIRouter(dependencies=[Depends(security.csrf_guard), Depends(security.require_staff)],
                   include_in_schema=False)

IMPORTER = "orderflow.intake.importer"
SUFFIXES = (".csv", ".xlsx")
MAX_BYTES = 20 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importer() -> Any | None:
    """The importer module, or None while it is not installed yet."""
    try:
        return importlib.import_module(IMPORTER)
    except ModuleNotFoundError as exc:
        if exc.name != IMPORTER:
            raise
        return None


def _check_upload(upload: UploadFile | None) -> tuple[UploadFile, str, str]:
    name = Path((upload.filename if upload else "") or "").name
    suffix = Path(name).suffix.lower()
    if upload is None or not name:
        raise ValidationFailed([FieldProblem("file", "file.missing", "choose a file to import")])
    if suffix not in SUFFIXES:
        raise ValidationFailed([FieldProblem("file", "file.type", "upload a .csv or .xlsx file")])
    return upload, name, suffix


def _save(source: BinaryIO, suffix: str) -> Path:
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
        size = out.tell()
    if size > MAX_BYTES:
        Path(out.name).unlink(missing_ok=True)
        raise ValidationFailed([FieldProblem("file", "file.too_large", "the file is over 20 MB")])
    return Path(out.name)


def run_import(request: Request, upload: UploadFile | None, user: Any) -> Any:
    module = importer()
    if module is None:
        raise OrderFlowError("the order importer is not installed", code="import.unavailable")
    checked, filename, suffix = _check_upload(upload)
    path = _save(checked.file, suffix)
    try:
        return module.import_orders(request.app.state.db, path, filename=filename,
                                    actor=security.actor_of(user),
                                    settings=request.app.state.settings)
    finally:
        path.unlink(missing_ok=True)


def _context(request: Request) -> dict[str, Any]:
    language = security.language_of(request)
    return {"report": None, "error": None, "available": importer() is not None,
            "columns": [(name, columns.chinese_name(name), required, what)
                        for name, required, what in columns.COLUMN_DOCS],
            "reason": lambda error: import_text.reason(error, language)}


@router.get("/orders/import", response_class=HTMLResponse)
def import_form(request: Request, user: security.OrderDesk) -> Response:
    return render(request, "orders/import.html", _context(request))


@router.get("/orders/import/template.{kind}")
def import_template(request: Request, kind: str, user: security.OrderDesk) -> Response:
    """The template with every column, its header in the reader's language."""
    chinese = security.language_of(request) == "zh-CN"
    if kind == "csv":
        return Response(template.template_csv(chinese=chinese), media_type="text/csv",
                        headers={"Content-Disposition":
                                 'attachment; filename="orderflow-import-template.csv"'})
    if kind == "xlsx":
        return Response(template.template_xlsx(chinese=chinese), media_type=XLSX,
                        headers={"Content-Disposition":
                                 'attachment; filename="orderflow-import-template.xlsx"'})
    raise NotFound("no such template", code="import.template_not_found")


@router.post("/orders/import", response_class=HTMLResponse)
def import_file(request: Request, user: security.OrderDesk,
                file: Annotated[UploadFile | None, File()] = None) -> Response:
    context = _context(request)
    try:
        context["report"] = run_import(request, file, user)
    except OrderFlowError as exc:
        context["error"] = exc
        context["field_errors"] = {p.field: p.message for p in exc.fields}
        return render(request, "orders/import.html", context, status_code=exc.http_status)
    return render(request, "orders/import.html", context)
