"""What the warehouse asks of the carrier side, as an interface.

Shipping sits above fulfilment (shipping may import fulfilment, not the reverse), so
fulfilment names what it needs here and the entry points hand it an implementation:
the carriers' own (`orderflow.shipping`) when it is installed, else `DefaultDesk`,
which ships everything with the simulated carrier and takes scanned tracking numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from orderflow.orders.models import Order

DEFAULT_TRANSIT_DAYS = 3


@dataclass(frozen=True, slots=True)
class Choice:
    carrier: str
    service: str
    cutoff: time | None = None  # the carrier's daily cut-off, local time


class CarrierDesk(Protocol):
    def choice(self, s: Session, order: Order) -> Choice:
        """The carrier and service this order ships with (chosen before, or now)."""
        ...

    def issued_tracking_numbers(self, s: Session, order: Order, warehouse_id: int) -> list[str]:
        """Tracking numbers of the waybills already issued for this order's parcels."""
        ...

    def estimated_delivery(self, s: Session, order: Order, choice: Choice,
                           shipped_at: datetime) -> datetime | None:
        """From the carrier's transit table."""
        ...


class DefaultDesk:
    """The simulated carrier, standard service, a 16:00 cut-off and 3 days in transit."""

    def choice(self, s: Session, order: Order) -> Choice:
        return Choice("SIM", "standard")

    def issued_tracking_numbers(self, s: Session, order: Order, warehouse_id: int) -> list[str]:
        return []

    def estimated_delivery(self, s: Session, order: Order, choice: Choice,
                           shipped_at: datetime) -> datetime | None:
        return shipped_at + timedelta(days=DEFAULT_TRANSIT_DAYS)
