"""Reading import files as a stream of rows: CSV (UTF-8 with or without BOM, UTF-16 with
a BOM, or the GB18030 that Chinese Excel writes) and XLSX (openpyxl read-only); any other
file is refused with `UnreadableFile` before the first row. Memory stays flat:
rows are produced one at a time, never the whole file."""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from orderflow.intake import limits

Cell = str | None
Row = tuple[int, list[Cell]]  # (line number in the file, cells); the header is line 1
_PROBE = 1 << 20
_NUL_PROBE = 4096


def _seekable(source: BinaryIO, stack: ExitStack) -> BinaryIO:
    if source.seekable():
        return source
    spool = stack.enter_context(tempfile.SpooledTemporaryFile(max_size=8 << 20))  # noqa: SIM115
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


class UnreadableFile(ValueError):
    """A file the importer cannot read at all; the message says why."""

    code = "import.unreadable"


class UnreadableEncoding(UnreadableFile):
    """A CSV file in none of the encodings we read; the message says where it failed."""

    code = "import.encoding"


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def _decodes(fh: BinaryIO, encoding: str) -> int | None:
    """None when the whole file decodes in `encoding`, else the offset of the first byte
    that does not."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    piece = b""
    try:
        while piece := fh.read(_PROBE):
            decoder.decode(piece)
            offset += len(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return max(offset + exc.start - len(exc.object) + len(piece), 0) if piece else offset
    return None


def _name(encoding: str) -> str:
    return {"utf-8": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16",
            "utf-8-sig": "UTF-8"}[encoding]


def detect_encoding(fh: BinaryIO) -> str:
    """By the byte-order mark (UTF-8, UTF-16 LE/BE), else UTF-8 when the whole file decodes
    as UTF-8, else GB18030 (what Chinese Excel writes) when it decodes as that; anything
    else is refused with UnreadableEncoding. Reads the file in 1 MiB pieces and rewinds it,
    so a file accepted here never fails to decode later."""
    start = fh.tell()
    head = fh.read(4)
    fh.seek(start)
    marked = next((encoding for bom, encoding in _BOMS if head.startswith(bom)), None)
    if marked is None and b"\x00" in fh.read(_NUL_PROBE):  # text CSVs have no NUL bytes
        fh.seek(start)
        raise UnreadableEncoding("the file has NUL bytes, as UTF-16 without a byte-order mark "
                                 "has; save it as CSV UTF-8")
    fh.seek(start)
    candidates = [marked] if marked else ["utf-8", "gb18030"]
    at = 0
    for candidate in candidates:
        failure = _decodes(fh, candidate)
        fh.seek(start)
        if failure is None:
            return candidate
        at = failure
    if marked:
        raise UnreadableEncoding(f"the file starts with a {_name(marked)} byte-order mark but "
                                 f"is not valid {_name(marked)} (byte {at}); save it as CSV UTF-8")
    raise UnreadableEncoding(f"the file is neither UTF-8 nor GB18030 (byte {at} cannot be "
                             "decoded); save it as CSV UTF-8")


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
    try:
        limits.check_xlsx(fh)  # inflated size and ratio, before openpyxl allocates anything
        book = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise UnreadableFile("the file is not a readable XLSX workbook; save it again as "
                             ".xlsx or as CSV UTF-8") from exc
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
