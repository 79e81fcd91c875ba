"""What the review rules look at: plain, frozen facts about one order and its neighbours.

The service builds these from the database; the bench and the unit tests build them by
hand. Nothing here touches I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LineFacts:
    sku: str
    quantity: int  # ordered - cancelled
    unit_price_minor: int
    line_total_minor: int
    category: str | None = None
    unreserved: int = 0  # units of this line still without stock


@dataclass(frozen=True, slots=True)
class Neighbour:
    """Another recent, live order of the same customer or phone."""

    number: str
    placed_at: datetime
    same_customer: bool
    same_phone: bool
    address_key: str
    items_key: str


@dataclass(frozen=True, slots=True)
class StockFacts:
    """One SKU: available units, and the unreserved demand of the OTHER open orders."""

    available: int
    other_demand: int
    other_orders: int


@dataclass(frozen=True, slots=True)
class OrderFacts:
    number: str
    country: str
    province: str | None
    city: str | None
    district: str | None
    detail: str
    postal_code: str | None
    recipient_name: str | None
    recipient_phone: str | None
    pii_masked: bool
    currency: str
    subtotal_minor: int
    shipping_minor: int
    discount_minor: int
    total_minor: int
    paid_minor: int
    cod: bool
    buyer_remark: str | None
    seller_remark: str | None
    placed_at: datetime
    paid_at: datetime | None
    lines: tuple[LineFacts, ...]
    customer_blocked: bool = False
    customer_blocked_reason: str | None = None
    previous_orders: int = 0  # the customer's earlier, not cancelled orders
    previous_spend_minor: int = 0
    wants_sms: bool = True
    shipping_service: str = "standard"
    reservation_failed: str | None = None  # the reason, when the last reservation failed
    neighbours: tuple[Neighbour, ...] = ()
    stock: dict[str, StockFacts] = field(default_factory=dict)
