"""Bounds on import files, checked before any parser allocates for them.

An XLSX is a zip: a 300 KB file can inflate to 300 MB. Before openpyxl opens it, every
member's declared size and compression ratio are checked against these ceilings (the
zip's central directory is read, nothing is inflated). The importer also stops at
MAX_ROWS rows, cuts cells at MAX_CELL characters, and error reports quote at most
EXCERPT characters of what a cell held.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import IO

from orderflow.errors import FieldProblem, ValidationFailed

MAX_INFLATED = 128 * 1024 * 1024  # all members together, unpacked
MAX_SHARED_STRINGS = 32 * 1024 * 1024  # openpyxl holds this one whole in memory
MAX_RATIO = 100  # unpacked / packed, for members over RATIO_FROM bytes unpacked
RATIO_FROM = 1024 * 1024
MAX_MEMBERS = 1000
MAX_ROWS = 200_000  # lines, the header included
MAX_CELL = 2000  # characters
MAX_COLUMNS = 200
EXCERPT = 80


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """At most `limit` characters of `text`, with a marker for what was left out."""
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit})"


def _refuse(code: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("file", code, message)])


def check_xlsx(fh: IO[bytes]) -> None:
    """Refuse a workbook that would inflate past the ceilings; rewinds `fh`."""
    start = fh.tell()
    try:
        with zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse("import.unreadable", "the file is not a readable XLSX workbook; "
                      "save it again as .xlsx or as CSV UTF-8") from exc
    finally:
        fh.seek(start)
    if len(members) > MAX_MEMBERS:
        raise _refuse("import.xlsx_too_large",
                      f"the workbook has {len(members)} parts; at most {MAX_MEMBERS}")
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED:
        raise _refuse("import.xlsx_too_large",
                      f"the workbook unpacks to {total // 2**20} MB; at most "
                      f"{MAX_INFLATED // 2**20} MB (split the file)")
    for m in members:
        if m.filename.endswith("sharedStrings.xml") and m.file_size > MAX_SHARED_STRINGS:
            raise _refuse("import.xlsx_too_large",
                          f"the workbook's text table unpacks to {m.file_size // 2**20} MB; "
                          f"at most {MAX_SHARED_STRINGS // 2**20} MB")
        if m.file_size > RATIO_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            raise _refuse("import.xlsx_bomb", f"a part of the workbook inflates {ratio} times; "
                          f"at most {MAX_RATIO} (not a spreadsheet export)")


Row = tuple[int, list[str | None]]


class Bounded:
    """The file's rows, cut at MAX_ROWS lines and MAX_CELL characters a cell; `cut_at`
    says the first line left out (None: the whole file was read)."""

    def __init__(self, rows: Iterator[Row]):
        self.rows = rows
        self.cut_at: int | None = None

    def __iter__(self) -> Iterator[Row]:
        for line, cells in self.rows:
            if line > MAX_ROWS:
                self.cut_at = line
                return
            if any(c is not None and len(c) > MAX_CELL for c in cells):
                cells = [c[:MAX_CELL] if c is not None else None for c in cells]
            yield line, cells
