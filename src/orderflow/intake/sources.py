"""Reading import files as a stream of rows: CSV (UTF-8 with or without BOM, or the
GB18030 that Chinese Excel writes) and XLSX (openpyxl read-only). Memory stays flat:
rows are produced one at a time, never the whole file."""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, BinaryIO

from openpyxl import load_workbook

from orderflow.intake import limits

Cell = str | None
Row = tuple[int, list[Cell]]  # (line number in the file, cells); the header is line 1
_PROBE = 1 << 20


def _seekable(source: BinaryIO, stack: ExitStack) -> BinaryIO:
    if source.seekable():
        return source
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=8 << 20))  # noqa: SIM115
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def detect_encoding(fh: BinaryIO) -> str:
    """utf-8-sig for a BOM, utf-8 when the whole file decodes as UTF-8, else gb18030.
    Reads the file once in 1 MiB pieces and rewinds it."""
    start = fh.tell()
    head = fh.read(3)
    if head == codecs.BOM_UTF8:
        fh.seek(start)
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head)
        while piece := fh.read(_PROBE):
            decoder.decode(piece)
        decoder.decode(b"", final=True)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "gb18030"
    fh.seek(start)
    return encoding


def _is_xlsx(fh: BinaryIO, filename: str) -> bool:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return True
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    return magic == b"PK\x03\x04"


def _csv_rows(fh: BinaryIO) -> Iterator[Row]:
    text = io.TextIOWrapper(fh, encoding=detect_encoding(fh), newline="")  # type: ignore[arg-type]
    try:
        for number, cells in enumerate(csv.reader(text), start=1):
            yield number, [c.strip() or None for c in cells]
    finally:
        text.detach()


def cell_text(value: object) -> Cell:
    """An XLSX cell as the text a CSV would have held."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _xlsx_rows(fh: IO[bytes]) -> Iterator[Row]:
    limits.check_xlsx(fh)  # inflated size and ratio, before openpyxl allocates anything
    book = load_workbook(fh, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(v) for v in values]
    finally:
        book.close()


def read_rows(source: Path | BinaryIO, filename: str) -> Iterator[Row]:
    """Every row of the file with its line number, the header first."""
    with ExitStack() as stack:
        if isinstance(source, Path):
            fh: BinaryIO = stack.enter_context(source.open("rb"))
        else:
            fh = _seekable(source, stack)
        reader = _xlsx_rows(fh) if _is_xlsx(fh, filename) else _csv_rows(fh)
        yield from reader
