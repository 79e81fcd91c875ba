"""Shared vocabulary every domain may name: payment kinds and exact-value field types."""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field


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


Amount = Annotated[str, BeforeValidator(_amount), Field(examples=["99.00"])]
