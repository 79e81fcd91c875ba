"""Exact money: integer minor units plus an ISO 4217 currency."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

_KNOWN = frozenset(list_currencies())


class MoneyError(ValueError):
    pass


# The wire format of an amount: plain decimal digits, an optional sign and fraction. No
# exponent ("1e3"), no NaN or Infinity, no spaces or separators, and at most 15 whole
# digits, so every amount fits in a 64-bit count of minor units with room to add.
MAX_WHOLE_DIGITS = 15
DECIMAL_PATTERN = rf"^-?[0-9]{{1,{MAX_WHOLE_DIGITS}}}(\.[0-9]{{1,6}})?$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


def check_currency(code: str) -> str:
    upper = code.strip().upper()
    if upper not in _KNOWN:
        raise MoneyError(f"'{code}' is not an ISO 4217 currency code")
    return upper


def digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def to_minor(amount: str | int | Decimal, currency: str) -> int:
    """'12.30' CNY -> 1230. Refuses floats, more decimals than the currency has, and junk."""
    if isinstance(amount, float):
        raise MoneyError("amounts must be strings or integers, not floats")
    text = str(amount).strip()
    if len(text) > 40 or not _DECIMAL.match(text):
        raise MoneyError(
            f"'{text[:40]}' is not a number in plain digits: write a finite decimal such as "
            f"12.30 (no exponent, at most {MAX_WHOLE_DIGITS} whole digits)")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"'{amount}' is not a number") from exc
    if not value.is_finite():
        raise MoneyError(f"'{amount}' is not a finite number")
    scaled = value.scaleb(digits(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"'{amount}' has more decimals than {currency} allows ({digits(currency)})"
        )
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-digits(currency))


def to_str(minor: int, currency: str) -> str:
    """1230 CNY -> '12.30' (the wire format of amounts)."""
    return f"{to_decimal(minor, currency):.{digits(currency)}f}"


def display(minor: int, currency: str, locale: str = "zh_CN") -> str:
    return str(format_currency(to_decimal(minor, currency), currency, locale=locale))
