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

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

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
from orderflow.orders.schemas import OrderIn

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
    """Import every valid order of the file; report the rest by line and column.

    Validation (cells -> OrderIn -> placement.check, pure CPU) of chunk N+1 runs in a
    second process while chunk N is written; the first chunk is validated here, so a
    small file never starts a process."""
    report = ImportReport()
    rows = sources.read_rows(source, filename)
    try:
        header = next(rows, None)
    except sources.UnreadableFile as exc:  # checked before the first row: nothing written
        report.errors.append(RowError(1, "", str(exc), exc.code))
        return report
    if header is None:
        report.errors.append(RowError(1, "", "the file is empty", "import.empty"))
        return report
    columns, problems = map_header(header[1])
    if problems:
        report.errors = [RowError(1, p.column, p.message, p.code) for p in problems]
        return report
    with _Validator(db, settings) as validator:
        for chunk in validator.pipeline(_chunks(group_orders(rows, columns), chunk_size)):
            _import_chunk(db, chunk, report, actor=actor, settings=settings)
            report.orders_seen += len(chunk)
            if progress is not None:
                progress(report.orders_seen, None)
    return report


def _chunks(orders: Iterable[RawOrder], size: int) -> Iterator[list[RawOrder]]:
    it = iter(orders)
    while chunk := list(islice(it, size)):
        yield chunk


# --- validation: plain data, so it can run in another process -------------------


@dataclass
class Validated:
    """One order after prepare + placement.check, without its rows (the writer has
    them). `checked` is packed (see _pack): pickling pydantic models costs more than
    validating them again."""

    key: tuple[str, str] | None  # channel + external id, when the cells made an OrderIn
    errors: list[RowError]
    warnings: list[RowError]
    checked: tuple[Any, ...] | None = None


def validate_chunk(db: Db, raws: list[RawOrder], settings: Settings) -> list[Validated]:
    """prepare + check for a chunk, with the chunk's SKUs from the (cached) catalogue."""
    prepared = [prepare(raw, settings) for raw in raws]
    codes = {line.sku for p in prepared if p.cmd is not None for line in p.cmd.lines}
    skus = placement.cached_skus(db, codes)
    return [_validated(p, skus) for p in prepared]


def _validate_elsewhere(url: str, raws: list[RawOrder], settings: Settings) -> list[Validated]:
    """validate_chunk in the validation process, with that process's own Db."""
    if url not in _dbs:
        _dbs[url] = Db(url, pool_size=1)
    return validate_chunk(_dbs[url], raws, settings)


def _validated(p: Prepared, skus: dict[str, placement.SkuRow]) -> Validated:
    if p.cmd is None:
        return Validated(None, p.errors, p.warnings)
    key = (p.cmd.channel, p.cmd.external_id or "")
    try:
        checked = placement.check(p.cmd, skus)
    except ValidationFailed as exc:
        return Validated(key, p.errors + problem_errors(p.raw, exc.fields), p.warnings)
    return Validated(key, p.errors, p.warnings, None if p.errors else _pack(checked))


def _pack(c: placement.Checked) -> tuple[Any, ...]:
    return (c.cmd.model_dump(), c.currency, c.skus, c.unit_prices, c.totals, c.phone, c.email,
            c.pii_masked, c.warnings)


def _unpack(packed: tuple[Any, ...]) -> placement.Checked:
    body, *rest = packed  # a validated body: validating it again is cheaper than pickling
    return placement.Checked(OrderIn.model_validate(body), *rest)


_dbs: dict[str, Db] = {}  # in the validation process: its Db (it only reads SKUs)


class _Validator:
    """Validates chunks one ahead of the writer, in a second process from the second
    chunk on (the writer needs ~60 % of an order's CPU, validation ~40 %)."""

    def __init__(self, db: Db, settings: Settings):
        self.db, self.settings = db, settings
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Validator:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def pipeline(self, chunks: Iterator[list[RawOrder]]) -> Iterator[list[Checking]]:
        first = next(chunks, None)
        if first is None:
            return
        ahead = self._submit(next(chunks, None))
        yield _pair(first, validate_chunk(self.db, first, self.settings))
        while ahead is not None:
            raws, future = ahead
            ahead = self._submit(next(chunks, None))
            yield _pair(raws, future.result())

    def _submit(self, raws: list[RawOrder] | None
                ) -> tuple[list[RawOrder], Future[list[Validated]]] | None:
        if raws is None:
            return None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return raws, self._pool.submit(_validate_elsewhere, self.db.url, raws, self.settings)


Checking = tuple[RawOrder, Validated]


def _pair(raws: list[RawOrder], validated: list[Validated]) -> list[Checking]:
    return list(zip(raws, validated, strict=True))


# --- writing ----------------------------------------------------------------------


def _import_chunk(db: Db, chunk: list[Checking], report: ImportReport, *, actor: Actor,
                  settings: Settings) -> None:
    for _raw, v in chunk:
        report.warnings.extend(v.warnings)
    existing = bulk.find_existing(db, {v.key for _raw, v in chunk if v.key is not None})
    first: list[Checking] = []
    again: list[Checking] = []  # the same external id twice in one chunk: after the first
    seen: set[tuple[str, str]] = set()
    for raw, v in chunk:
        if v.key is not None and v.key in existing:
            report.duplicates.append((raw.first_line, existing[v.key]))
        elif v.key is not None and v.key in seen:
            again.append((raw, v))
        else:
            if v.key is not None:
                seen.add(v.key)
            first.append((raw, v))
    pending = []
    for raw, v in first:
        if v.checked is None:
            report.errors.extend(sorted(v.errors, key=lambda e: e.line))
        else:
            pending.append(bulk.Pending(raw, _unpack(v.checked)))
    for item, result in zip(pending, bulk.write_chunk(db, pending, actor=actor, settings=settings),
                            strict=True):
        _record(report, item.raw, result)
    if again:
        _import_chunk(db, again, report, actor=actor, settings=settings)


def _record(report: ImportReport, raw: RawOrder, result: bulk.Result) -> None:
    if result.kind == "imported":
        report.imported.append((raw.first_line, result.number))
    elif result.kind == "duplicate":
        report.duplicates.append((raw.first_line, result.number))
    else:
        report.errors.extend(result.errors)
