"""Console languages: gettext catalogs compiled in memory at start-up, and enum labels.

The .po files in `orderflow/i18n/<locale>/LC_MESSAGES/messages.po` are the source;
they are compiled with Babel into GNUTranslations when the console starts, so no
build step is needed. Labels of stored enum values (statuses, payment methods,
timeline kinds) are msgids marked with `N_` so `pybabel extract` finds them.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from orderflow.auth.models import Role
from orderflow.orders.status import Status
from orderflow.payments.models import PaymentMethod, PaymentState

CATALOG_DIR = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGES = {"zh-CN": "zh_CN", "en": "en"}  # console language -> Babel/gettext locale
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}  # each in its own script, never translated


def N_(message: str) -> str:
    """Marks a msgid for extraction; translated later, when the language is known."""
    return message


STATUS_LABELS: dict[str, str] = {
    Status.PENDING_PAYMENT: N_("Awaiting payment"),
    Status.PAID: N_("Paid"),
    Status.AWAITING_REVIEW: N_("Awaiting review"),
    Status.APPROVED: N_("Approved"),
    Status.ON_HOLD: N_("On hold"),
    Status.ALLOCATED: N_("Allocated"),
    Status.PICKING: N_("Picking"),
    Status.PACKED: N_("Packed"),
    Status.SHIPPED: N_("Shipped"),
    Status.IN_TRANSIT: N_("In transit"),
    Status.OUT_FOR_DELIVERY: N_("Out for delivery"),
    Status.DELIVERED: N_("Delivered"),
    Status.COMPLETED: N_("Completed"),
    Status.CANCELLED: N_("Cancelled"),
    Status.EXCEPTION: N_("Delivery exception"),
}

METHOD_LABELS: dict[str, str] = {
    PaymentMethod.ALIPAY: N_("Alipay"),
    PaymentMethod.WECHAT_PAY: N_("WeChat Pay"),
    PaymentMethod.UNIONPAY: N_("UnionPay"),
    PaymentMethod.CARD: N_("Card"),
    PaymentMethod.BANK_TRANSFER: N_("Bank transfer"),
    PaymentMethod.COD: N_("Cash on delivery"),
}

PAYMENT_STATE_LABELS: dict[str, str] = {
    PaymentState.PENDING: N_("Pending"),
    PaymentState.SUCCEEDED: N_("Succeeded"),
    PaymentState.FAILED: N_("Failed"),
    PaymentState.REFUNDED: N_("Refunded"),
}

EVENT_LABELS: dict[str, str] = {
    "order.placed": N_("Order placed"),
    "status.changed": N_("Status changed"),
    "stock.reserved": N_("Stock reserved"),
    "stock.reservation_failed": N_("Stock reservation failed"),
    "payment.succeeded": N_("Payment received"),
    "payment.failed": N_("Payment failed"),
    "payment.pending": N_("Payment pending"),
    "payment.refunded": N_("Payment refunded"),
    "payment.duplicate": N_("Duplicate payment (owed back)"),
    "refund.owed": N_("Refund owed"),
    "customer.preferences_changed": N_("Customer changed notification preferences"),
    "customer.linked": N_("Linked to a customer by staff"),
    "review.completed": N_("Reviewed"),
    "order.edited": N_("Edited in review"),
    "order.address_changed": N_("Address changed"),
    "order.lines_changed": N_("Lines changed"),
    "payment.owed": N_("Difference owed by the customer"),
    "order.merged": N_("Merged into another order's parcel"),
    "order.merge_group": N_("Orders merged into this parcel"),
    "order.unmerged": N_("Taken out of the merged parcel"),
    "order.split": N_("Order split"),
    "order.split_from": N_("Split off another order"),
    "channel.update_noted": N_("Channel update noted"),
}

DELIVERY_STATE_LABELS: dict[str, str] = {
    "received": N_("Received"),
    "processed": N_("Processed"),
    "duplicate": N_("Duplicate"),
    "stale": N_("Stale (older version)"),
    "ignored": N_("Ignored"),
    "failed": N_("Failed"),
    "carrier.chosen": N_("Carrier chosen"),
    "shipping.preferences": N_("Shipping wishes recorded"),
    "waybill.issued": N_("Waybill issued"),
    "waybill.recorded": N_("Waybill number recorded"),
    "waybill.voided": N_("Waybill voided"),
    "waybill.printed": N_("Label printed"),
    "waybill.reprinted": N_("Label re-printed"),
    "pack.misscan": N_("Mis-scan at the pack station"),
    "pack.inspection_failed": N_("Outbound inspection failed"),
    "pack.closed": N_("Parcel packed and checked"),
    "parcel.shipped": N_("Parcel handed over (part of the order)"),
    "wave.not_planned": N_("Not put in a wave"),
    "pack.reopened": N_("Parcel re-opened"),
}

ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.SERVICE: N_("Customer service"),
    Role.WAREHOUSE: N_("Warehouse"),
}

ACTOR_LABELS: dict[str, str] = {
    "staff": N_("Staff"),
    "api": N_("API"),
    "system": N_("System"),
    "customer": N_("Customer"),
    "channel": N_("Channel"),
}

QUANTITY_LABELS: dict[str, str] = {
    "ordered": N_("Ordered"),
    "reserved": N_("Reserved"),
    "allocated": N_("Allocated"),
    "picked": N_("Picked"),
    "packed": N_("Packed"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "returned": N_("Returned"),
    "exchanged": N_("Exchanged"),
    "refunded": N_("Refunded"),
    "cancelled": N_("Cancelled"),
}

FIELD_LABELS: dict[str, str] = {
    "reason": N_("Reason"),
    "amount": N_("Amount"),
    "method": N_("Payment method"),
    "currency": N_("Currency"),
    "external_ref": N_("Payment reference"),
    "state": N_("Payment state"),
    "status": N_("Status"),
    "from": N_("Placed from"),
    "to": N_("Placed to"),
    "cursor": N_("Page"),
    "limit": N_("Page size"),
    "file": N_("File"),
    "lines": N_("Lines"),
    "phone": N_("Phone"),
    "recipient_name": N_("Name"),
    "shipping_address.country": N_("Country"),
    "shipping_address.province": N_("Province"),
    "shipping_address.city": N_("City"),
    "shipping_address.district": N_("District"),
    "shipping_address.detail": N_("Street address"),
    "shipping_address.postal_code": N_("Postal code"),
    "customer.phone": N_("Phone"),
    "customer.email": N_("Email"),
    "customer.name": N_("Name"),
    "numbers": N_("Orders"),
    "kind": N_("Split"),
    "code": N_("Code"),
    "secret": N_("Signing secret"),
    "designated_carrier": N_("Designated carrier"),
    "promise_by": N_("Promised by"),
    "tracking_number": N_("Tracking number"),
    "parcel_count": N_("Parcels"),
    "parcel_no": N_("Parcel"),
    "first": N_("First weight"),
    "extra": N_("Each extra unit"),
    "transit_days": N_("Transit days"),
    "first_weight_g": N_("First weight (g)"),
    "extra_unit_g": N_("Extra-weight unit (g)"),
    "cutoff": N_("Daily cut-off"),
    "orders": N_("Orders"),
    "wave": N_("Wave"),
}

ERROR_LABELS: dict[str, str] = {
    "validation.failed": N_("Some fields are not valid."),
    "order.illegal_transition": N_("This status change is not allowed."),
    "order.guard_failed": N_("This status change is not allowed yet."),
    "order.concurrent_change": N_("Someone else changed this order; reload and try again."),
    "order.already_shipped": N_("The order has shipped; use after-sales instead."),
    "order.not_found": N_("Order not found"),
    "payment.reference_reused": N_("This payment reference belongs to another order."),
    "stock.insufficient": N_("Not enough stock."),
    "import.unavailable": N_("The order importer is not installed yet."),
    "order.in_fulfilment": N_("The warehouse already has this order's stock."),
    "order.closed": N_("The order is closed."),
    "split.nothing": N_("There is nothing to split."),
    "split.nothing_in_stock": N_("Nothing is in stock to ship now."),
    "split.status": N_("Only orders not yet allocated can be split."),
    "merge.not_merged": N_("The order is not merged."),
    "channel.not_failed": N_("Only failed deliveries are processed again."),
    "shipping.no_carrier": N_("No carrier service covers this destination."),
    "waybill.pending": N_(
        "The carrier did not answer; try again (no second waybill will be issued)."),
    "waybill.refused": N_("The carrier refused the waybill."),
    "waybill.manual_entry": N_("This carrier's waybill numbers are scanned or typed in."),
    "waybill.exists": N_("This parcel already has a waybill; void it first."),
    "waybill.voided": N_("This waybill is already void."),
    "print.nothing": N_("Nothing to print: the order has no waybill."),
}

SERVICE_LEVEL_LABELS: dict[str, str] = {
    "standard": N_("Standard"),
    "express": N_("Express"),
    "same_day": N_("Same day"),
}

ADAPTER_LABELS: dict[str, str] = {
    "simulated": N_("simulated carrier (built in)"),
    "http": N_("carrier API"),
    "manual": N_("scanned or typed by staff"),
}

WAYBILL_STATE_LABELS: dict[str, str] = {
    "requested": N_("Requested"),
    "issued": N_("Issued"),
    "voided": N_("Void"),
}

BATCH_STATE_LABELS: dict[str, str] = {
    "running": N_("Printing…"),
    "done": N_("Done"),
    "failed": N_("Failed"),
}

LABELS: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS,
    "method": METHOD_LABELS,
    "payment_state": PAYMENT_STATE_LABELS,
    "event": EVENT_LABELS,
    "role": ROLE_LABELS,
    "actor": ACTOR_LABELS,
    "quantity": QUANTITY_LABELS,
    "field": FIELD_LABELS,
    "error": ERROR_LABELS,
    "delivery_state": DELIVERY_STATE_LABELS,
    "service_level": SERVICE_LEVEL_LABELS,
    "adapter": ADAPTER_LABELS,
    "waybill_state": WAYBILL_STATE_LABELS,
    "batch_state": BATCH_STATE_LABELS,
}


def compile_catalog(path: Path) -> gettext.GNUTranslations:
    """A .po file compiled in memory: read_po -> write_mo -> GNUTranslations."""
    with path.open("rb") as po:
        catalog = read_po(po)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.GNUTranslations:
    locale = LANGUAGES[language]
    return compile_catalog(CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po")


def supported(language: str | None) -> str | None:
    return language if language in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The first supported language in an Accept-Language header, else zh-CN."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def label(language: str, group: str, value: str | None) -> str:
    """The translated label of a stored value; the raw value if it has none yet."""
    if value is None:
        return ""
    msgid = LABELS[group].get(value)
    return translations(language).gettext(msgid) if msgid else value
