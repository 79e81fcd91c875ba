"""What the order page shows of tracking: each parcel with its carrier events, and the
exception cases of the order (with the form that opens one)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from orderflow.logistics import queries
from orderflow.logistics.models import CaseKind
from orderflow.orders.models import Order
from orderflow.orders.status import SHIPPED_OR_LATER
from orderflow.web import tracking_labels

tracking_labels.register()


def order_panels(s: Session, order: Order) -> dict[str, Any]:
    return {"parcels": queries.parcel_events(s, order.id),
            "order_cases": queries.cases_of_order(s, order.id),
            "case_kinds": list(CaseKind),
            "can_open_case": order.status in SHIPPED_OR_LATER}


def queue_counts(s: Session) -> queries.QueueCounts:
    """The dashboard's exceptions panel: open, overdue, unassigned."""
    return queries.counts(s)
