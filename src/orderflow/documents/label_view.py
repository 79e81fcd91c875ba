"""What a label prints, as finished strings: masked, formatted, absent fields empty.

The PDF and the ZPL renderers both draw a `LabelView`, so their content and
their privacy masking cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from orderflow import money
from orderflow.documents.models import Amount, Contact, LabelData
from orderflow.documents.privacy import mask_name, mask_phone
from orderflow.documents.texts import texts

_LOCALES = {"zh-CN": "zh_CN", "en": "en"}


@dataclass(frozen=True, slots=True)
class PartyView:
    name_phone: str
    address: str


@dataclass(frozen=True, slots=True)
class LabelView:
    carrier: str
    service: str
    sort_code: str
    tracking: str
    qr_value: str
    recipient: PartyView
    sender: PartyView
    parcel: str
    weight: str
    cod: str
    order: str
    printed: str
    remarks: str
    headings: dict[str, str]


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _party(contact: Contact, *, privacy: bool) -> PartyView:
    name = mask_name(contact.name) if privacy else _clean(contact.name)
    phone = mask_phone(contact.phone) if privacy else _clean(contact.phone)
    return PartyView(" ".join(p for p in (name, phone) if p), contact.address.one_line())


def format_weight(grams: int | None) -> str:
    if grams is None:
        return ""
    return f"{grams / 1000:.2f} kg" if grams >= 1000 else f"{grams} g"


def format_cod(cod: Amount | None, language: str) -> str:
    if cod is None:
        return ""
    return money.display(cod.minor, cod.currency, _LOCALES[language])


def label_view(label: LabelData, *, privacy: bool, language: str = "zh-CN") -> LabelView:
    headings = texts(language)
    printed = label.printed_at.strftime("%Y-%m-%d %H:%M") if label.printed_at else ""
    return LabelView(
        carrier=_clean(label.carrier_name) or label.carrier_code,
        service=_clean(label.service_name),
        sort_code=_clean(label.sort_code),
        tracking=label.tracking_number,
        qr_value=_clean(label.tracking_url) or label.tracking_number,
        recipient=_party(label.recipient, privacy=privacy),
        sender=_party(label.sender, privacy=False),  # the merchant, not buyer PII
        parcel=f"{label.parcel_index}/{label.parcel_count}",
        weight=format_weight(label.weight_grams),
        cod=format_cod(label.cod, language),
        order=_clean(label.order_number),
        printed=printed,
        remarks=_clean(label.remarks),
        headings=headings,
    )
