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
import shutil
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import ValidationFailed
from orderflow.intake import bulk, conflicts, duplicates, limits, sources
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
    # Already present with identical content: (first line, existing number).
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    orders_seen: int = 0
    warnings: list[RowError] = field(default_factory=list)
    # Lines that were fine themselves but belong to a refused order.
    not_imported: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, raw: RawOrder, errors: list[RowError]) -> None:
        """The order's errors, and each of its other lines named as not imported."""
        self.errors.extend(sorted(errors, key=lambda e: e.line))
        bad = {e.line for e in errors}
        listed = ", ".join(str(line) for line in sorted(bad))
        self.not_imported.extend(
            RowError(line, "external_id",
                     f"not imported: another line of this order was refused (line {listed})",
                     "import.order_refused", {"lines": listed})
            for line, _values in raw.rows if line not in bad)


def import_orders(db: Db, source: Path | BinaryIO, *, filename: str, actor: Actor,
                  settings: Settings, progress: Progress | None = None,
                  chunk_size: int = CHUNK) -> ImportReport:
    """Import every valid order of the file; report the rest by line and column.

    Validation (cells -> OrderIn -> placement.check, pure CPU) of chunk N+1 runs in a
    second process while chunk N is written; the first chunk is validated here, so a
    small file never starts a process."""
    report = ImportReport()
    with ExitStack() as stack:
        if not isinstance(source, Path) and not source.seekable():  # read twice: keep a copy
            spool = stack.enter_context(tempfile.TemporaryFile())
            shutil.copyfileobj(source, spool)
            spool.seek(0)
            source = spool  # type: ignore[assignment]
        _import(db, source, report, filename=filename, actor=actor, settings=settings,
                progress=progress, chunk_size=chunk_size)
    return report


def _import(db: Db, source: Path | BinaryIO, report: ImportReport, *, filename: str,
            actor: Actor, settings: Settings, progress: Progress | None,
            chunk_size: int) -> None:
    rows = sources.read_rows(source, filename)
    try:
        header = next(rows, None)
    except sources.UnreadableFile as exc:  # checked before the first row: nothing written
        report.errors.append(RowError(1, "", str(exc), exc.code))
        return
    except ValidationFailed as exc:  # the file itself is refused (an XLSX bomb, say)
        report.errors = [RowError(1, f.field, f.message, f.code) for f in exc.fields]
        return
    finally:
        if isinstance(rows, Generator):  # close the file: it is read again below
            rows.close()
    if header is None:
        report.errors.append(RowError(1, "", "the file is empty", "import.empty"))
        return
    columns, problems = map_header(header[1])
    if problems:
        report.errors = [RowError(1, p.column, p.message, p.code, {"column": p.column})
                         for p in problems]
        return
    clashes = _conflicts(source, filename, columns)
    bounded = limits.Bounded(sources.read_rows(source, filename))
    rows = iter(bounded)
    next(rows, None)
    with _Validator(db, settings) as validator:
        for chunk in validator.pipeline(_chunks(group_orders(rows, columns), chunk_size)):
            _import_chunk(db, chunk, report, actor=actor, settings=settings, clashes=clashes)
            report.orders_seen += len(chunk)
            if progress is not None:
                progress(report.orders_seen, None)
    if bounded.cut_at is not None:
        report.errors.append(RowError(bounded.cut_at, "", f"the file has more than "
                                      f"{limits.MAX_ROWS} lines; split it and import the rest",
                                      "import.too_many_rows", {"max": limits.MAX_ROWS}))


def _orders(source: Path | BinaryIO, filename: str,
            columns: list[str | None]) -> Iterator[RawOrder]:
    if not isinstance(source, Path):
        source.seek(0)
    rows = iter(limits.Bounded(sources.read_rows(source, filename)))
    next(rows, None)
    yield from group_orders(rows, columns)
    if not isinstance(source, Path):
        source.seek(0)


def _conflicts(source: Path | BinaryIO, filename: str,
               columns: list[str | None]) -> dict[int, list[RowError]]:
    """Errors for every copy of an external id that comes twice with different content,
    by the copy's first line (two passes over the file; the second only when needed)."""
    scan = conflicts.Scan()
    for raw in _orders(source, filename, columns):
        scan.add(raw)
    keys = scan.conflicting()
    if not keys:
        return {}
    return conflicts.conflict_errors(_orders(source, filename, columns), keys)


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
                  settings: Settings, clashes: dict[int, list[RowError]]) -> None:
    for _raw, v in chunk:
        report.warnings.extend(v.warnings)
    with db.read() as s:
        existing = duplicates.find_stored(s, {v.key for _raw, v in chunk if v.key is not None})
    first: list[Checking] = []
    again: list[Checking] = []  # the same external id twice in one chunk: after the first
    seen: set[tuple[str, str]] = set()
    for raw, v in chunk:
        if raw.first_line in clashes:
            report.refuse(raw, clashes[raw.first_line])
        elif v.key is not None and v.key in existing:
            _compare(report, raw, v, existing[v.key])
        elif v.key is not None and v.key in seen:
            again.append((raw, v))
        else:
            if v.key is not None:
                seen.add(v.key)
            first.append((raw, v))
    pending = []
    for raw, v in first:
        if v.checked is None:
            report.refuse(raw, v.errors)
        else:
            pending.append(bulk.Pending(raw, _unpack(v.checked)))
    for item, result in zip(pending, bulk.write_chunk(db, pending, actor=actor, settings=settings),
                            strict=True):
        _record(report, item.raw, result)
    if again:
        _import_chunk(db, again, report, actor=actor, settings=settings, clashes=clashes)


_COLUMN_OF = {"customer.name": "customer_name", "customer.phone": "phone",
              "customer.email": "email", "shipping_address.detail": "address",
              "lines": "lines"}


def _compare(report: ImportReport, raw: RawOrder, v: Validated,
             stored: duplicates.Stored) -> None:
    """An order whose channel + external id is already present: identical content is
    "already present" (its line named); different content is refused with the columns."""
    if v.checked is None:  # cannot be compared (a SKU retired since?): the first one stands
        report.duplicates.append((raw.first_line, stored.number))
        return
    differing = duplicates.differences(duplicates.of_checked(_unpack(v.checked)), stored.content)
    if not differing:
        report.duplicates.append((raw.first_line, stored.number))
        return
    listed = ", ".join(_COLUMN_OF.get(f, f.rsplit(".", 1)[-1]) for f in differing)
    external_id = raw.head.get("external_id") or ""
    report.refuse(raw, [RowError(
        raw.first_line, "external_id",
        f"external_id '{external_id}' is order {stored.number}, already present with a "
        f"different {listed}; not imported",
        "import.external_id_changed",
        {"id": external_id, "number": stored.number, "columns": listed})])


def _record(report: ImportReport, raw: RawOrder, result: bulk.Result) -> None:
    if result.kind == "imported":
        report.imported.append((raw.first_line, result.number))
    elif result.kind == "duplicate":
        report.duplicates.append((raw.first_line, result.number))
    else:
        report.refuse(raw, result.errors)
