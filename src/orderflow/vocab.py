"""Shared vocabulary every domain may name: payment kinds and exact-value field types."""

from __future__ import annotations

import enum
import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, StrictBool

from orderflow.money import DECIMAL_PATTERN


class PaymentMethod(enum.StrEnum):
    ALIPAY = "alipay"
    WECHAT_PAY = "wechat_pay"
    UNIONPAY = "unionpay"
    CARD = "card"
    BANK_TRANSFER = "bank_transfer"
    COD = "cod"


class PaymentState(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


def _amount(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError('amounts are exact: send a string such as "12.30", not a float')
    if isinstance(value, int):
        return str(value)
    return value


# Documented (and checked) as a decimal string; money.to_minor checks the same pattern
# plus the currency's decimals, so a form and the API refuse the same things.
Amount = Annotated[str, BeforeValidator(_amount), Field(
    pattern=DECIMAL_PATTERN, max_length=23, examples=["99.00"],
    json_schema_extra={"pattern": DECIMAL_PATTERN},  # pydantic drops it behind a validator
    description="A decimal string such as 12.30 (no exponent, no float)")]


# An amount in a response: the same decimal string, documented with its pattern.
MoneyText = Annotated[str, Field(
    json_schema_extra={"pattern": DECIMAL_PATTERN}, examples=["99.00"],
    description="A decimal string in the currency's minor digits, e.g. 12.30")]


# A yes/no in a request body is JSON true or false: 0, 1 or "yes" are refused with the
# field named, as the documented schema says (pydantic would quietly take them).
Flag = StrictBool

_NUMERIC = re.compile(r"^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$")


def _instant(value: Any) -> Any:
    if isinstance(value, bool | int | float) or (
            isinstance(value, str) and _NUMERIC.match(value)):
        raise ValueError("give an ISO 8601 date-time such as 2026-12-07T06:30:00Z")
    return value


# A date-time in a request: ISO 8601 text with its offset (a naive one would be read in
# no particular zone), never a bare number of seconds.
Instant = Annotated[AwareDatetime, BeforeValidator(_instant)]
