"""Order import from CSV or XLSX: one row per order line, consecutive rows with the
same external_id form one order.

Each order is validated exactly as the API validates it (OrderIn, then
placement.check); an invalid order is reported with every problem, each with its
line and column, and valid orders are written in chunks through the bulk path
(see bulk.py). An order is never split across chunks and never half-written; an
order already present (channel + external_id) is reported as a duplicate, never
created twice. Memory stays flat: the file is streamed, a chunk at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import ValidationFailed
from orderflow.intake import bulk, sources
from orderflow.intake.columns import map_header
from orderflow.intake.rows import (
    Prepared,
    RawOrder,
    RowError,
    group_orders,
    prepare,
    problem_errors,
)
from orderflow.orders import placement
from orderflow.orders.lifecycle import Actor

__all__ = ["CHUNK", "ImportReport", "RowError", "import_orders"]

CHUNK = 1000  # orders per transaction
Progress = Callable[[int, int | None], None]


@dataclass
class ImportReport:
    imported: list[tuple[int, str]] = field(default_factory=list)  # (first line, order number)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (first line, existing number)
    errors: list[RowError] = field(default_factory=list)
    orders_seen: int = 0
    # Later rows of an order whose order-level cells differ from its first row (ignored).
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_orders(db: Db, source: Path | BinaryIO, *, filename: str, actor: Actor,
                  settings: Settings, progress: Progress | None = None,
                  chunk_size: int = CHUNK) -> ImportReport:
    """Import every valid order of the file; report the rest by line and column."""
    report = ImportReport()
    rows = sources.read_rows(source, filename)
    header = next(rows, None)
    if header is None:
        report.errors.append(RowError(1, "", "the file is empty", "import.empty"))
        return report
    columns, problems = map_header(header[1])
    if problems:
        report.errors = [RowError(1, p.column, p.message, p.code) for p in problems]
        return report
    for chunk in _chunks(group_orders(rows, columns), chunk_size):
        _import_chunk(db, [prepare(raw, settings) for raw in chunk], report,
                      actor=actor, settings=settings)
        report.orders_seen += len(chunk)
        if progress is not None:
            progress(report.orders_seen, None)
    return report


def _chunks(orders: Iterable[RawOrder], size: int) -> Iterator[list[RawOrder]]:
    it = iter(orders)
    while chunk := list(islice(it, size)):
        yield chunk


def _import_chunk(db: Db, chunk: list[Prepared], report: ImportReport, *, actor: Actor,
                  settings: Settings) -> None:
    for p in chunk:
        report.warnings.extend(p.warnings)
    valid = [p for p in chunk if p.cmd is not None]
    existing = bulk.find_existing(db, {_key(p) for p in valid})
    first: list[Prepared] = []
    again: list[Prepared] = []  # the same external id twice in one chunk: after the first
    seen: set[tuple[str, str]] = set()
    for p in chunk:
        if p.cmd is not None and _key(p) in existing:
            report.duplicates.append((p.raw.first_line, existing[_key(p)]))
        elif p.cmd is not None and _key(p) in seen:
            again.append(p)
        else:
            if p.cmd is not None:
                seen.add(_key(p))
            first.append(p)
    pending = _checked(db, first, report)
    for item, result in zip(pending, bulk.write_chunk(db, pending, actor=actor, settings=settings),
                            strict=True):
        _record(report, item.raw, result)
    if again:
        _import_chunk(db, again, report, actor=actor, settings=settings)


def _key(p: Prepared) -> tuple[str, str]:
    assert p.cmd is not None
    return p.cmd.channel, p.cmd.external_id or ""


def _checked(db: Db, chunk: list[Prepared], report: ImportReport) -> list[bulk.Pending]:
    """placement.check on each order, with the chunk's SKUs loaded in one query."""
    codes = {line.sku for p in chunk if p.cmd is not None for line in p.cmd.lines}
    with db.read() as s:
        skus = placement.load_skus(s, codes)
    pending = []
    for p in chunk:
        errors = list(p.errors)
        if p.cmd is not None:
            try:
                checked = placement.check(p.cmd, skus)
            except ValidationFailed as exc:
                errors.extend(problem_errors(p.raw, exc.fields))
        if errors:
            report.errors.extend(sorted(errors, key=lambda e: e.line))
        else:
            pending.append(bulk.Pending(p.raw, checked))
    return pending


def _record(report: ImportReport, raw: RawOrder, result: bulk.Result) -> None:
    if result.kind == "imported":
        report.imported.append((raw.first_line, result.number))
    elif result.kind == "duplicate":
        report.duplicates.append((raw.first_line, result.number))
    else:
        report.errors.extend(result.errors)
