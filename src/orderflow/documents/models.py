"""Plain inputs of the document renderers: no database, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime


class DocumentDataError(ValueError):
    """The data cannot be printed as given (for example a non-ASCII tracking number)."""


@dataclass(frozen=True, slots=True)
class Address:
    province: str | None = None
    city: str | None = None
    district: str | None = None
    detail: str | None = None

    def one_line(self) -> str:
        parts = (self.province, self.city, self.district, self.detail)
        return " ".join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True, slots=True)
class Contact:
    """A name, phone and address; any may be absent, or already masked (王**, 131****1907)."""

    name: str | None = None
    phone: str | None = None
    address: Address = field(default_factory=Address)


@dataclass(frozen=True, slots=True)
class Amount:
    """Integer minor units and an ISO 4217 currency, as in `orderflow.money`."""

    minor: int
    currency: str = "CNY"


@dataclass(frozen=True, slots=True)
class LabelData:
    carrier_code: str
    carrier_name: str
    tracking_number: str
    recipient: Contact
    sender: Contact
    service_name: str | None = None
    order_number: str | None = None
    parcel_index: int = 1
    parcel_count: int = 1
    weight_grams: int | None = None
    cod: Amount | None = None
    sort_code: str | None = None
    printed_at: datetime | None = None
    remarks: str | None = None
    tracking_url: str | None = None

    def __post_init__(self) -> None:
        number = self.tracking_number
        if not number or not number.isascii() or not number.isprintable():
            raise DocumentDataError(f"tracking number {number!r} cannot be a Code128 barcode")
        if not 1 <= self.parcel_index <= self.parcel_count:
            raise DocumentDataError(f"parcel {self.parcel_index}/{self.parcel_count}")
        if self.weight_grams is not None and self.weight_grams < 0:
            raise DocumentDataError("weight must not be negative")


@dataclass(frozen=True, slots=True)
class SlipLine:
    sku: str
    name: str
    quantity: int
    options: str | None = None


@dataclass(frozen=True, slots=True)
class PackingSlipData:
    order_number: str
    order_date: date
    recipient: Contact
    lines: Sequence[SlipLine]
    shop_name: str | None = None
    carrier_name: str | None = None
    tracking_number: str | None = None
    buyer_note: str | None = None


@dataclass(frozen=True, slots=True)
class PickItem:
    """One order's need for one SKU at one bin; the pick list sums these per SKU."""

    order_number: str
    sku: str
    name: str
    quantity: int
    bin: str | None = None


@dataclass(frozen=True, slots=True)
class PickListData:
    wave_id: str
    items: Sequence[PickItem]
    created_at: datetime | None = None
    warehouse: str | None = None
