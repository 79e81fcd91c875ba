"""Pure order rules: line invariants, totals, contact and address checks. No I/O."""

from __future__ import annotations

import itertools
import re
import unicodedata
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
# An extension written after a complete number: 转 / 分机 / ext / x / # / , / a hyphen.
_EXTENSION = re.compile(r"^(?P<main>.*?\d)\s*(?:转|分机|ext\.?|x|#|,|，|-)\s*(?P<ext>\d{1,6})$",
                        re.I)
_SPOKEN_EXTENSION = re.compile(r"\s*(?:转|分机)\s*")


@dataclass(frozen=True)
class Phone:
    value: str  # E.164 when parsed, else the masked text as given
    masked: bool
    mobile: bool


def is_masked(text: str | None) -> bool:
    return bool(text and _MASK.search(text))


def normalise_phone_text(raw: str) -> str:
    """Full-width digits and brackets to ASCII (NFKC), 0086 to +86, 转/分机 to ' ext '."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _SPOKEN_EXTENSION.sub(" ext ", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    return text


def _parse(text: str, country: str) -> phonenumbers.PhoneNumber | None:
    try:
        parsed = phonenumbers.parse(text, country or "CN")
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def _parse_with_extension(text: str, country: str) -> tuple[phonenumbers.PhoneNumber | None, str]:
    """The number as written, else a complete number followed by an extension
    (13800138000-1234: a virtual number; 010-65529988-123)."""
    parsed = _parse(text, country)
    if parsed is not None:
        extension = parsed.extension or ""
        parsed.extension = None
        return parsed, extension
    match = _EXTENSION.match(text)
    if match:
        main = _parse(match["main"], country)
        if main is not None and not main.extension:
            return main, match["ext"]
    return None, ""


def check_phone(raw: str, country: str, field: str) -> tuple[Phone | None, FieldProblem | None]:
    """Parse a phone as people write it (hyphens, dots, spaces, brackets, full-width
    digits, 0086/+86, landline extensions) into E.164; masked (131****1907) is accepted
    and marked; a virtual number with an extension (138xxxx8000-1234 / 转1234) keeps it."""
    text = raw.strip()
    if is_masked(text):
        return Phone(text, masked=True, mobile=False), None
    text = normalise_phone_text(text)
    if not any(ch.isdigit() for ch in text):
        return None, FieldProblem(field, "phone.unparseable", f"'{raw}' is not a phone number")
    parsed, extension = _parse_with_extension(text, country)
    if parsed is None:
        return None, FieldProblem(field, "phone.invalid", f"'{raw}' is not a valid phone number")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    mobile = phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    value = f"{e164};ext={extension}" if extension else e164
    # A mobile number with an extension is a platform's virtual number (masked buyer); a
    # landline with an extension is a plain, visible number.
    return Phone(value, masked=bool(extension) and mobile, mobile=mobile), None


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
    """China: province, city, district and detail (district and detail for a one-line
    address whose district is in several cities). Elsewhere: city, detail, and a postal
    code where the country's post needs one, in that country's format."""
    country = (addr.get("country") or "").upper()
    required = ["province", "city", "district", "detail"] if country == "CN" else ["city", "detail"]
    if country == "CN" and addr.get("text") and addr.get("district"):
        required = ["district", "detail"]  # an ambiguous one-line address: review settles it
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


# --- status against line quantities -------------------------------------------

# Statuses in which the warehouse holds none of the order's units yet.
BEFORE_WAREHOUSE = frozenset({"pending_payment", "paid", "awaiting_review", "approved"})


def status_disagreement(status: str, resume: str | None, allocated: int) -> str | None:
    """Why an order's status disagrees with its lines' quantities (None when it agrees):
    an order before the warehouse (or held there) must have no allocated unit."""
    effective = resume if status == "on_hold" and resume else status
    if effective in BEFORE_WAREHOUSE and allocated > 0:
        return f"status is {status} but {allocated} unit(s) of its lines are allocated"
    return None
