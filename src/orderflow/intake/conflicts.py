"""The same external id twice in one import file with different content.

A first pass over the file keeps one small hash of each order's content per
channel + external id; only when some id comes back with another hash does a
second pass collect those orders' cells to name the columns that differ. Every
copy of a conflicting id is refused, each naming the other's line: which copy is
right is for the merchant to say, never for the importer to guess (the second
buyer's goods must never ship to the first buyer's address)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from orderflow.intake.columns import LINE_COLUMNS, ORDER_COLUMNS
from orderflow.intake.rows import DEFAULT_CHANNEL, RawOrder, RowError

Key = tuple[str, str]
_COMPARED = tuple(c for c in ORDER_COLUMNS if c not in ("channel", "external_id"))
_NUMERIC = frozenset({"quantity", "unit_price", "shipping_fee", "discount", "total",
                      "payment_amount"})
_NOT_DIGIT = re.compile(r"\D")


def key_of(raw: RawOrder) -> Key | None:
    external_id = raw.head.get("external_id")
    if not external_id:
        return None
    return raw.head.get("channel") or DEFAULT_CHANNEL, external_id


def _norm(column: str, value: str | None) -> str:
    text = (value or "").strip()
    if column == "phone":
        digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", text))
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return digits or text
    if column in _NUMERIC and text:
        try:
            return str(Decimal(text).normalize())
        except InvalidOperation:
            return text
    return text


Signature = tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]


def signature(raw: RawOrder) -> Signature:
    """The order's content: its order-level cells and its lines (in any order)."""
    head = tuple(_norm(c, raw.head.get(c)) for c in _COMPARED)
    lines = tuple(sorted(tuple(_norm(c, values.get(c)) for c in LINE_COLUMNS)
                         for _line, values in raw.rows))
    return head, lines


def differing_columns(a: Signature, b: Signature) -> list[str]:
    columns = [c for c, x, y in zip(_COMPARED, a[0], b[0], strict=True) if x != y]
    if a[1] != b[1]:
        columns.append("lines")
    return columns


@dataclass
class Occurrence:
    line: int
    digest: int


class Scan:
    """Pass one: a digest of each order's cells per key."""

    def __init__(self) -> None:
        self._first: dict[Key, Occurrence] = {}
        self._again: dict[Key, list[Occurrence]] = {}

    def add(self, raw: RawOrder) -> None:
        key = key_of(raw)
        if key is None:
            return
        seen = Occurrence(raw.first_line, _raw_digest(raw))
        first = self._first.setdefault(key, seen)
        if first is not seen:
            self._again.setdefault(key, [first]).append(seen)

    def conflicting(self) -> set[Key]:
        """Keys seen with two raw contents: candidates (pass two normalises the cells, so
        `138-1234-5678` and `13812345678` are no conflict)."""
        return {key for key, seen in self._again.items() if len({o.digest for o in seen}) > 1}


def _raw_digest(raw: RawOrder) -> int:
    """A cheap digest of the cells as written (no parsing): equal cells, equal digest."""
    head = raw.head
    return hash((tuple(head.get(c) for c in _COMPARED),
                 tuple(sorted(tuple(v.get(c) or "" for c in LINE_COLUMNS)
                              for _line, v in raw.rows))))


def conflict_errors(orders: Iterable[RawOrder], keys: set[Key]) -> dict[int, list[RowError]]:
    """Pass two, over the orders of conflicting keys only: per order (by first line), one
    error naming each other copy's line and the columns that differ."""
    copies: dict[Key, list[tuple[int, Signature]]] = {}
    for raw in orders:
        key = key_of(raw)
        if key in keys:
            copies.setdefault(key, []).append((raw.first_line, signature(raw)))
    errors: dict[int, list[RowError]] = {}
    for key, found in copies.items():
        if len({sig for _line, sig in found}) == 1:  # spelled differently, the same content
            continue
        for line, sig in found:
            errors[line] = [_conflict(key, line, other, differing_columns(sig, other_sig))
                            for other, other_sig in found if other != line]
    return errors


def _conflict(key: Key, line: int, other: int, columns: list[str]) -> RowError:
    if not columns:
        return RowError(line, "external_id",
                        f"external_id '{key[1]}' is also on line {other} (same content); "
                        "not imported while another copy differs",
                        "import.external_id_repeated", {"other": other, "id": key[1]})
    listed = ", ".join(columns)
    return RowError(line, "external_id",
                    f"external_id '{key[1]}' is also on line {other} with a different "
                    f"{listed}; neither is imported",
                    "import.external_id_conflict",
                    {"other": other, "id": key[1], "columns": listed})
