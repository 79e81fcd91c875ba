"""Human-readable order numbers: date + sequence + Luhn check digit.

`2611230004217` reads as 26-11-23, order 00421, check 7; a single mistyped digit
or a swap of neighbours is caught by the check digit before any look-up.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated

from annotated_types import Ge, Le


def luhn_digit(payload: str) -> int:
    total = 0
    for index, char in enumerate(reversed(payload)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_digit(number[:-1]) == int(number[-1])


def order_number(day: str, sequence: int) -> str:
    """day is YYMMDD; sequence up to 9,999,999 a day."""
    payload = f"{day}{sequence:05d}"
    return f"{payload}{luhn_digit(payload)}"


def format_for_reading(number: str) -> str:
    """Groups of four for reading out on the phone: 2611 2300 0421 7."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def normalise_order_number(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def message_id() -> str:
    return uuid.uuid4().hex


def token_secret(nbytes: int = 24) -> str:
    return secrets.token_urlsafe(nbytes)


# A database id as a path or query parameter: bounded to what a BIGINT holds, so an id
# past 2**63-1 is a 422 naming the parameter (and a missing one a 404), never a 500.
MAX_ID = 2**63 - 1
DbId = Annotated[int, Ge(1), Le(MAX_ID)]
