"""Text the system writes, stored as a code with parameters, rendered at read time.

Reasons (review, lateness, cancellation, holds), timeline entries and notice reasons
are stored as a stable code (`reason.payment_deadline`) plus a dict of parameters.
`render(language, code, params)` looks the code's English msgid up in the same gettext
catalogs as the console (src/orderflow/i18n/<locale>/LC_MESSAGES/messages.po) and fills
the `{placeholders}`: staff read it in their console language, customers in theirs.

Old rows hold free English sentences: a known sentence maps to its code (the data
migration 0012 rewrote the ones it recognised); anything else is shown as written.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).resolve().parent / "i18n"
LOCALES = {"zh-CN": "zh_CN", "en": "en"}


def N_(message: str) -> str:
    return message


# code -> English msgid (the catalogs translate it). Append; never rename a code.
MESSAGES: dict[str, str] = {
    # why a status changed (timeline reasons, notice reasons)
    "reason.payment_deadline": N_("the payment deadline passed"),
    "reason.paid_waiting_review": N_("paid; waiting for review"),
    "reason.review_auto_approved": N_("review passed: approved automatically"),
    "reason.approved_in_review": N_("approved in review"),
    "reason.approved_in_bulk": N_("approved in bulk review"),
    "reason.approved": N_("approved"),
    "reason.re_review": N_("checked again: {codes}"),
    "reason.re_review_blocked": N_("checked again and held: {codes}"),
    "reason.review_outcome": N_("review: {outcome}"),
    "reason.payment_received": N_("payment received"),
    "reason.cod_confirmed": N_("cash on delivery confirmed"),
    "reason.hold_released": N_("hold released"),
    "reason.paid_order_cancelled": N_("a paid order was cancelled"),
    "reason.edited_in_review": N_("edited in review"),
    "reason.pickup_grace_ended": N_("pickup grace window ended without a pickup scan"),
    "reason.cancelled_on_platform": N_("cancelled on the shop platform"),
    "reason.auto_completed": N_("delivery confirmed: {days} days after delivery, "
                                "no after-sales"),
    "reason.delivery_confirmed": N_("delivery confirmed"),
    "reason.pickup_scan": N_("carrier pickup scan"),
    "reason.merge_rule": N_("merge rule: same customer and address"),
    "reason.backorder": N_("backorder: waiting for stock"),
    "reason.other_warehouse": N_("ships from another warehouse"),
    # why an order is late (delay notices)
    "late.not_shipped": N_("it could not be shipped by the promised time"),
    "late.awaiting_review": N_("the order is still being checked"),
    "late.on_hold": N_("the order is on hold while we sort something out"),
    "late.in_warehouse": N_("the warehouse is still preparing it"),
    "late.parcel_past_eta": N_("your parcel is running late"),
    # outcomes
    "outcome.pass": N_("passed"),
    "outcome.warn": N_("needs a look"),
    "outcome.block": N_("blocked"),
    # corrections
    "correction.carrier": N_("the carrier corrected the courier company"),
    "correction.waybill": N_("a new waybill was issued"),
    "correction.staff": N_("corrected by staff"),
    # shipping methods, as the customer reads them
    "service.standard": N_("standard delivery"),
    "service.express": N_("express delivery"),
    "service.next_day": N_("next-day delivery"),
    "service.same_day": N_("same-day delivery"),
    "service.economy": N_("economy delivery"),
    "service.presale": N_("pre-sale delivery"),
    "service.deferred": N_("deferred delivery"),
    # staff alerts
    "alert.late": N_("order {number} was due to ship by {due} and has not shipped; "
                     "the customer is sent a delay notice"),
    "alert.shipping_not_sent": N_("order {number} shipped {minutes}+ minutes ago and the "
                                  "customer has not been told"),
}

# Sentences the system used to store, mapped to their codes (migration 0012 and reads).
LEGACY: dict[str, str] = {
    "payment deadline passed": "reason.payment_deadline",
    "paid; waiting for review": "reason.paid_waiting_review",
    "review passed: approved automatically": "reason.review_auto_approved",
    "approved in review": "reason.approved_in_review",
    "approved in bulk review": "reason.approved_in_bulk",
    "approved": "reason.approved",
    "payment received": "reason.payment_received",
    "COD confirmed": "reason.cod_confirmed",
    "hold released": "reason.hold_released",
    "paid order cancelled": "reason.paid_order_cancelled",
    "edited in review": "reason.edited_in_review",
    "not shipped within the promised time": "late.not_shipped",
    "parcel is past its estimated delivery": "late.parcel_past_eta",
    "pickup grace window ended without a pickup scan": "reason.pickup_grace_ended",
    "review: pass": "reason.review_outcome",
    "review: warn": "reason.review_outcome",
    "review: block": "reason.review_outcome",
    "cancelled on the platform": "reason.cancelled_on_platform",
    "cancelled on shopify": "reason.cancelled_on_platform",
    "cancelled on woocommerce": "reason.cancelled_on_platform",
    "delivery confirmed": "reason.delivery_confirmed",
    "carrier pickup scan": "reason.pickup_scan",
    "merge rule: same customer and address": "reason.merge_rule",
    "backorder: waiting for stock": "reason.backorder",
    "ships from another warehouse": "reason.other_warehouse",
}


def compile_catalog(path: Path) -> gettext.GNUTranslations:
    """A .po file compiled in memory: read_po -> write_mo -> GNUTranslations."""
    with path.open("rb") as po:
        catalog = read_po(po)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=len(LOCALES))
def translations(language: str) -> gettext.GNUTranslations:
    locale = LOCALES.get(language, "en")
    return compile_catalog(CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po")


def known(code: str | None) -> bool:
    return bool(code) and code in MESSAGES


def code_of(text: str | None) -> str | None:
    """The code a stored reason stands for: itself when it is a code, a known legacy
    sentence's code, else None (free text a person wrote)."""
    if not text:
        return None
    if text in MESSAGES:
        return text
    return LEGACY.get(text.strip())


def _localised_params(language: str, params: dict[str, Any]) -> dict[str, Any]:
    """Parameters that are codes themselves (an outcome) are rendered too."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        out[key] = render(language, value) if isinstance(value, str) and known(value) else value
    return out


def render(language: str, code: str | None, params: dict[str, Any] | None = None) -> str:
    """The text of `code` in `language`; a stored free text (not a code) as written."""
    if not code:
        return ""
    resolved = code_of(code)
    if resolved is None:
        return code
    params = dict(params or {})
    if resolved == "reason.review_outcome" and "outcome" not in params and ":" in code:
        params["outcome"] = f"outcome.{code.rsplit(':', 1)[1].strip()}"
    text = translations(language).gettext(MESSAGES[resolved])
    try:
        return text.format(**_localised_params(language, params))
    except (KeyError, IndexError, ValueError):  # a parameter missing from old data
        return text


def say(code: str, **params: Any) -> dict[str, Any]:
    """What to store: `{"code": ..., "params": {...}}` (for JSON columns and payloads)."""
    return {"code": code, "params": params}
