"""Finding 6: the XLSX importer is bounded by inflated size (members' sizes and ratio,
checked before openpyxl loads anything), rows and cell length; error reports quote at
most a short excerpt of a bad cell."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.intake import importer, limits
from orderflow.orders.lifecycle import Actor
from tests.builders.orders import make_catalog
from tests.intake.helpers import HEADER, csv_bytes, row, xlsx_bytes

ACTOR = Actor("staff", "test")


def _run(db: Db, settings: Settings, data: bytes, filename: str) -> importer.ImportReport:
    return importer.import_orders(db, io.BytesIO(data), filename=filename, actor=ACTOR,
                                  settings=settings)


def bomb(sheet_bytes: int) -> bytes:
    """A well-formed workbook whose sheet is `sheet_bytes` of blank padding (inflates ~1000x)."""
    real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row("B1")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in real.infolist():
            data = real.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * sheet_bytes, 1)
            z.writestr(item.filename, data)
    return out.getvalue()


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(db: Db, settings: Settings) -> None:
    make_catalog(db)
    data = bomb(50 * 1024 * 1024)  # 50 MB of padding in a file of about 60 KB
    assert len(data) < 200_000

    start = time.perf_counter()
    report = _run(db, settings, data, "orders.xlsx")

    assert time.perf_counter() - start < 2.0
    assert [(e.code, e.line) for e in report.errors] == [("import.xlsx_bomb", 1)]
    assert report.imported == []


def test_an_xlsx_that_unpacks_past_the_ceiling_is_refused(
        db: Db, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_INFLATED", 64 * 1024)

    report = _run(db, settings, xlsx_bytes([row("B1")] * 200), "orders.xlsx")

    assert [e.code for e in report.errors] == ["import.xlsx_too_large"]


def test_a_huge_bad_header_cell_is_quoted_as_a_short_excerpt(db: Db, settings: Settings) -> None:
    make_catalog(db)
    data = csv_bytes([row("H1")], header=[*HEADER, "x" * 60_000])

    report = _run(db, settings, data, "orders.csv")

    assert [e.code for e in report.errors] == ["import.unknown_column"]
    assert len(report.errors[0].message) < 120
    assert len(report.errors[0].field) < 100


def test_too_many_columns_are_one_short_error(db: Db, settings: Settings) -> None:
    data = csv_bytes([row("H1")], header=[*HEADER, *(f"junk{n}" for n in range(5000))])

    report = _run(db, settings, data, "orders.csv")

    assert [e.code for e in report.errors] == ["import.too_many_columns"]


def test_rows_past_the_limit_are_not_read(db: Db, settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    make_catalog(db)
    monkeypatch.setattr(limits, "MAX_ROWS", 3)

    report = _run(db, settings, csv_bytes([row(f"R{n}") for n in range(10)]), "orders.csv")

    assert len(report.imported) == 2
    assert [(e.line, e.code) for e in report.errors] == [(4, "import.too_many_rows")]


def test_a_long_bad_cell_is_cut_and_quoted_short(db: Db, settings: Settings) -> None:
    make_catalog(db)

    report = _run(db, settings, csv_bytes([row("L1", quantity="9" * 50 + "x" * 50_000)]),
                  "orders.csv")

    assert [e.code for e in report.errors] == ["import.quantity_invalid"]
    assert len(report.errors[0].message) < 140
