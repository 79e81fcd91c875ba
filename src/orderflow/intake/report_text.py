"""An import report as the command line prints it: a summary, then one line per refused
row (`line N: field: reason`), per line of a refused order, and per row already present;
or the whole report as JSON (`--format json`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from orderflow.intake.importer import ImportReport
from orderflow.intake.rows import RowError


def _error(e: RowError) -> dict[str, Any]:
    return {"line": e.line, "field": e.field, "code": e.code, "reason": e.message,
            "params": e.params}


def as_dict(report: ImportReport) -> dict[str, Any]:
    return {
        "orders_seen": report.orders_seen,
        "imported": [{"line": line, "number": number} for line, number in report.imported],
        "already_present": [{"line": line, "number": number}
                            for line, number in report.duplicates],
        "refused": [_error(e) for e in sorted(report.errors, key=lambda e: e.line)],
        "not_imported": [_error(e) for e in sorted(report.not_imported, key=lambda e: e.line)],
    }


def as_json(report: ImportReport) -> str:
    return json.dumps(as_dict(report), ensure_ascii=False)


def summary(report: ImportReport) -> str:
    return (f"orders seen: {report.orders_seen}; imported: {len(report.imported)}; "
            f"already present: {len(report.duplicates)}; refused rows: {len(report.errors)}; "
            f"lines of refused orders: {len(report.not_imported)}")


def lines(report: ImportReport) -> Iterator[str]:
    """Every refusal as `line N: field: reason`, then the rows already present."""
    for e in sorted([*report.errors, *report.not_imported], key=lambda e: (e.line, e.code)):
        yield f"line {e.line}: {e.field}: {e.message}"
    for line, number in report.duplicates:
        yield f"line {line}: external_id: already present as order {number} (same content)"
