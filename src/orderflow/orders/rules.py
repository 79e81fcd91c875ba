"""Pure order rules: line invariants, totals, contact and address checks. No I/O."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from orderflow.errors import FieldProblem

# --- line quantities ---------------------------------------------------------

PIPELINE = ("delivered", "shipped", "packed", "picked", "allocated", "reserved")


def line_problems(q: Mapping[str, int]) -> list[str]:
    """Every way a line's quantities disagree (see OrderLine's docstring)."""
    problems = [f"{name} is negative" for name, value in q.items() if value < 0]
    if q["ordered"] <= 0:
        problems.append("ordered must be positive")
    for lower, upper in itertools.pairwise(PIPELINE):
        if q[lower] > q[upper]:
            problems.append(f"{lower} ({q[lower]}) exceeds {upper} ({q[upper]})")
    if q["reserved"] > q["ordered"] - q["cancelled"]:
        problems.append(
            f"reserved ({q['reserved']}) exceeds ordered minus cancelled "
            f"({q['ordered'] - q['cancelled']})"
        )
    if q["returned"] > q["shipped"]:
        problems.append(f"returned ({q['returned']}) exceeds shipped ({q['shipped']})")
    if q.get("exchanged", 0) > q["returned"]:
        problems.append(f"exchanged ({q['exchanged']}) exceeds returned ({q['returned']})")
    if q["refunded"] + q.get("exchanged", 0) > q["ordered"]:
        problems.append(
            f"refunded plus exchanged ({q['refunded'] + q.get('exchanged', 0)}) exceeds "
            f"ordered ({q['ordered']})"
        )
    return problems


# --- totals ------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    subtotal_minor: int
    shipping_minor: int
    discount_minor: int
    total_minor: int


def compute_totals(line_totals: list[int], shipping_minor: int, discount_minor: int) -> Totals:
    subtotal = sum(line_totals)
    return Totals(
        subtotal, shipping_minor, discount_minor, subtotal + shipping_minor - discount_minor
    )


# --- contacts ----------------------------------------------------------------

_MASK = re.compile(r"[*＊]")
_EXTENSION = re.compile(r"^(?P<main>[+\d][\d\s-]{6,})(?:[-#,转]|ext\.?)\s*(?P<ext>\d{1,6})$", re.I)


@dataclass(frozen=True)
class Phone:
    value: str  # E.164 when parsed, else the masked text as given
    masked: bool
    mobile: bool


def is_masked(text: str | None) -> bool:
    return bool(text and _MASK.search(text))


def check_phone(raw: str, country: str, field: str) -> tuple[Phone | None, FieldProblem | None]:
    """Parse a phone; masked (131****1907) is accepted and marked; a virtual number
    with an extension (138xxxx8000-1234 / 转1234) keeps its extension."""
    text = raw.strip()
    if is_masked(text):
        return Phone(text, masked=True, mobile=False), None
    extension = ""
    match = _EXTENSION.match(text)
    if match:
        text, extension = match["main"], match["ext"]
    try:
        parsed = phonenumbers.parse(text, country or "CN")
    except phonenumbers.NumberParseException:
        return None, FieldProblem(field, "phone.unparseable", f"'{raw}' is not a phone number")
    if not phonenumbers.is_valid_number(parsed):
        return None, FieldProblem(field, "phone.invalid", f"'{raw}' is not a valid phone number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    mobile = phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    value = f"{e164};ext={extension}" if extension else e164
    return Phone(value, masked=bool(extension), mobile=mobile), None


def check_email(raw: str, field: str) -> tuple[str | None, FieldProblem | None]:
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        return None, FieldProblem(field, "email.invalid", str(exc))
    return result.normalized, None


# --- addresses ---------------------------------------------------------------

# Countries whose addresses are not deliverable without a postal code.
POSTAL_REQUIRED = frozenset({"US", "GB", "DE", "FR", "CA", "AU", "JP", "NL", "IT", "ES", "SG"})
POSTAL_PATTERNS = {
    "US": r"^\d{5}(-\d{4})?$",
    "GB": r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$",
    "DE": r"^\d{5}$",
    "FR": r"^\d{5}$",
    "CA": r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$",
    "AU": r"^\d{4}$",
    "JP": r"^\d{3}-?\d{4}$",
    "NL": r"^\d{4} ?[A-Z]{2}$",
    "SG": r"^\d{6}$",
    "CN": r"^\d{6}$",
}


def address_problems(addr: Mapping[str, str | None], prefix: str) -> list[FieldProblem]:
    """China: province, city, district and detail. Elsewhere: city, detail, and a
    postal code where the country's post needs one, in that country's format."""
    country = (addr.get("country") or "").upper()
    required = ["province", "city", "district", "detail"] if country == "CN" else ["city", "detail"]
    if country in POSTAL_REQUIRED:
        required.append("postal_code")
    problems = [
        FieldProblem(f"{prefix}.{name}", "address.missing", f"{name} is required for {country}")
        for name in required
        if not (addr.get(name) or "").strip()
    ]
    postal = (addr.get("postal_code") or "").strip().upper()
    pattern = POSTAL_PATTERNS.get(country)
    if postal and pattern and not re.match(pattern, postal):
        problems.append(
            FieldProblem(
                f"{prefix}.postal_code",
                "address.postal_code",
                f"'{postal}' is not a valid {country} postal code",
            )
        )
    return problems
