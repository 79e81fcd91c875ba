"""From file rows to orders: consecutive rows with the same external_id are one
order; each order becomes the API's OrderIn, and every problem is mapped back to the
file's line and column."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from orderflow.config import Settings
from orderflow.errors import FieldProblem
from orderflow.intake import oneline
from orderflow.intake.columns import ORDER_COLUMNS
from orderflow.intake.limits import excerpt
from orderflow.intake.sources import Cell, Row
from orderflow.orders.schemas import OrderIn

DEFAULT_CHANNEL = "import"
_TRUE = frozenset({"1", "true", "yes", "y", "t", "是", "√"})
_FALSE = frozenset({"0", "false", "no", "n", "f", "否"})
_METHODS = {"支付宝": "alipay", "微信": "wechat_pay", "微信支付": "wechat_pay", "银联": "unionpay",
            "银行卡": "card", "银行转账": "bank_transfer", "货到付款": "cod"}
_LANGUAGES = {"zh-cn": "zh-CN", "zh": "zh-CN", "中文": "zh-CN", "en": "en", "english": "en",
              "英文": "en"}
_NESTED = {
    "customer": {"name": "customer_name"},
    "shipping_address": {"detail": "address", "text": "address_text"},
    "payment": {"method": "payment_method", "amount": "payment_amount",
                "external_ref": "payment_ref", "state": "payment_method",
                "failure_reason": "payment_ref"},
}
_LINE_FIELD = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


@dataclass(frozen=True)
class RowError:
    """One refusal: the physical line, the column, an English message and a stable code
    with its parameters (the console renders the code in the reader's language)."""

    line: int
    field: str
    message: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)


@dataclass
class RawOrder:
    """The rows of one order: (line number, column -> text)."""

    rows: list[tuple[int, dict[str, Cell]]]

    @property
    def first_line(self) -> int:
        return self.rows[0][0]

    @property
    def head(self) -> dict[str, Cell]:
        return self.rows[0][1]

    def line_of(self, index: int) -> int:
        return self.rows[index][0] if 0 <= index < len(self.rows) else self.first_line


@dataclass
class Prepared:
    raw: RawOrder
    cmd: OrderIn | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def group_orders(rows: Iterable[Row], columns: list[str | None]) -> Iterator[RawOrder]:
    """Consecutive rows with the same non-blank external_id form one order. Streams."""
    current: RawOrder | None = None
    for number, cells in rows:
        values = {name: cell for name, cell in zip(columns, cells, strict=False) if name}
        if not any(values.values()):
            continue
        key = values.get("external_id")
        if current is not None and key and key == current.head.get("external_id"):
            current.rows.append((number, values))
            continue
        if current is not None:
            yield current
        current = RawOrder([(number, values)])
    if current is not None:
        yield current


# --- problems back to the file -------------------------------------------------


def locate(raw: RawOrder, loc: tuple[str | int, ...]) -> tuple[int, str]:
    """A field path of OrderIn (('lines', 2, 'quantity'), ('customer', 'name'), ...)
    as (line number, column)."""
    if not loc:
        return raw.first_line, "external_id"
    head = loc[0]
    if head == "lines":
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
        name = loc[2] if len(loc) > 2 else "sku"
        return raw.line_of(index), str(name)
    if head in _NESTED and len(loc) > 1:
        leaf = str(loc[1])
        return raw.first_line, _NESTED[str(head)].get(leaf, leaf)
    return raw.first_line, str(head)


def problem_path(name: str) -> tuple[str | int, ...]:
    match = _LINE_FIELD.match(name)
    if match:
        return ("lines", int(match[1]), match[2] or "sku")
    return tuple(name.split("."))


def problem_errors(raw: RawOrder, problems: Iterable[FieldProblem]) -> list[RowError]:
    errors = []
    for p in problems:
        line, column = locate(raw, problem_path(p.field))
        errors.append(RowError(line, column, p.message, p.code))
    return errors


def _pydantic_errors(raw: RawOrder, exc: ValidationError) -> list[RowError]:
    errors = []
    for err in exc.errors(include_url=False):
        line, column = locate(raw, tuple(err["loc"]))
        errors.append(RowError(line, column, err["msg"], f"validation.{err['type']}"))
    return errors


# --- cells to the API's body ---------------------------------------------------


def _quantity(line: int, text: Cell, errors: list[RowError]) -> int:
    if text is None:
        errors.append(RowError(line, "quantity", "quantity is required", "import.required"))
        return 1
    digits = text[:-2] if text.endswith(".0") else text
    unsigned = digits[1:] if digits[:1] in "+-" else digits
    if not unsigned.isdigit():
        errors.append(RowError(line, "quantity", f"'{excerpt(text)}' is not a whole number",
                               "import.quantity_invalid", {"value": excerpt(text)}))
        return 1
    if int(digits) < 1:
        errors.append(RowError(line, "quantity", f"{excerpt(text)}: must be at least 1",
                               "import.quantity_too_small", {"value": excerpt(text)}))
        return 1
    return int(digits)


def _flag(line: int, text: Cell, errors: list[RowError]) -> bool:
    lowered = (text or "").strip().lower()
    if lowered and lowered not in _TRUE | _FALSE:
        errors.append(RowError(line, "cod",
                               f"'{excerpt(text or '')}' is not yes/no (1/0, true/false, 是/否)",
                               "import.flag_invalid", {"value": excerpt(text or "")}))
    return lowered in _TRUE


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _payment(head: dict[str, Cell]) -> dict[str, Any] | None:
    method, amount = head.get("payment_method"), head.get("payment_amount")
    ref = head.get("payment_ref")
    if method is None and amount is None and ref is None:
        return None
    if method is not None:
        method = _METHODS.get(method, method.lower())
    return _compact({"method": method, "amount": amount, "external_ref": ref})


def _body(raw: RawOrder, settings: Settings, errors: list[RowError]) -> dict[str, Any]:
    head = raw.head
    language = head.get("language")
    return _compact({
        "channel": head.get("channel") or DEFAULT_CHANNEL,
        "external_id": head.get("external_id"),
        "currency": head.get("currency") or settings.default_currency,
        "customer": _compact({
            "name": head.get("customer_name"), "phone": head.get("phone"),
            "email": head.get("email"),
            "language": _LANGUAGES.get(language.lower(), language) if language else None,
        }),
        "shipping_address": _compact({
            "country": head.get("country") or settings.default_country,
            "province": head.get("province"), "city": head.get("city"),
            "district": head.get("district"), "detail": head.get("address"),
            "postal_code": head.get("postal_code"), "text": head.get("address_text"),
        }),
        "lines": [_compact({"sku": values.get("sku"),
                            "quantity": _quantity(line, values.get("quantity"), errors),
                            "unit_price": values.get("unit_price")})
                  for line, values in raw.rows],
        "shipping_fee": head.get("shipping_fee"), "discount": head.get("discount"),
        "total": head.get("total"), "cod": _flag(raw.first_line, head.get("cod"), errors),
        "buyer_remark": head.get("buyer_remark"), "seller_remark": head.get("seller_remark"),
        "payment": _payment(head),
    })


def disagreements(raw: RawOrder) -> list[RowError]:
    """Rows of one order must agree on its order-level cells (a blank cell agrees): each
    later row that differs is refused naming the first row, and the first row naming it,
    so the order is refused whole rather than sent to one of two buyers."""
    head = raw.head
    errors: list[RowError] = []
    for line, values in raw.rows[1:]:
        differing = [c for c in ORDER_COLUMNS
                     if c != "external_id" and values.get(c) is not None
                     and values.get(c) != head.get(c)]
        if not differing:
            continue
        listed = ", ".join(differing)
        errors.append(RowError(
            line, differing[0],
            f"{listed} differs from line {raw.first_line} of the same order "
            f"('{excerpt(values[differing[0]] or '')}' here, "
            f"'{excerpt(head.get(differing[0]) or '')}' there)",
            "import.order_field_differs", {"other": raw.first_line, "columns": listed}))
        errors.append(RowError(
            raw.first_line, differing[0],
            f"line {line} of the same order has a different {listed}",
            "import.order_field_differs", {"other": line, "columns": listed}))
    return errors


def prepare(raw: RawOrder, settings: Settings) -> Prepared:
    """The order as the API would receive it, or every problem found so far."""
    errors: list[RowError] = []
    if not raw.head.get("external_id"):
        errors.append(RowError(raw.first_line, "external_id",
                               "external_id is required to group lines and spot re-imports",
                               "import.required"))
    body = _body(raw, settings, errors)
    try:
        cmd: OrderIn | None = oneline.resolve(OrderIn.model_validate(body))
    except ValidationError as exc:
        errors.extend(_pydantic_errors(raw, exc))
        cmd = None
    errors.extend(disagreements(raw))
    return Prepared(raw, cmd, errors)
