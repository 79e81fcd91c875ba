"""Pure tracking rules: the normalised event, its dedupe key, which event is newest,
what an order's status should follow, the transit table (ETA) and the poll back-off."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from orderflow.orders.status import Status
from orderflow.tracking.models import TrackingStatus

T = TrackingStatus


@dataclass(frozen=True)
class CarrierEvent:
    """One carrier scan, normalised by an adapter. Times are aware UTC."""

    occurred_at: datetime
    status: TrackingStatus
    raw_code: str
    description: str = ""
    location: str | None = None
    pickup: bool = False  # the carrier's pickup scan (揽收)
    problem: str | None = None  # lost | damaged | refused | address | delayed | customs | other
    eta: datetime | None = None  # the carrier's new estimated delivery, if it gave one
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self)


def dedupe_key(event: CarrierEvent) -> str:
    """What makes two pushes the same event: time (to the second), raw code, text, place."""
    text = "\x1f".join([
        event.occurred_at.strftime("%Y-%m-%dT%H:%M:%S"),
        event.raw_code,
        " ".join(event.description.split()),
        event.location or "",
    ])
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


# Among events with the same time, the one further along wins (a carrier often stamps
# "out for delivery" and "delivered" in the same minute).
RANK: dict[TrackingStatus, int] = {
    T.INFO_RECEIVED: 0,
    T.IN_TRANSIT: 1,
    T.EXCEPTION: 2,
    T.OUT_FOR_DELIVERY: 3,
    T.DELIVERY_ATTEMPTED: 4,
    T.RETURNING: 5,
    T.DELIVERED: 6,
    T.RETURNED: 7,
}
CLOSING = frozenset({T.DELIVERED, T.RETURNED})
PROBLEMS = frozenset({T.EXCEPTION, T.DELIVERY_ATTEMPTED, T.RETURNING, T.RETURNED})


def sort_key(event: CarrierEvent) -> tuple[datetime, int]:
    return event.occurred_at, RANK[event.status]


def newest(events: Iterable[CarrierEvent]) -> CarrierEvent | None:
    return max(events, key=sort_key, default=None)


def is_newer(event: CarrierEvent, status_at: datetime | None, status_rank: int) -> bool:
    """Does this event move the shipment's current status? A late old event does not."""
    if status_at is None:
        return True
    return (event.occurred_at, RANK[event.status]) > (status_at, status_rank)


# What the order follows. Problems (exception, returning, returned) are not order
# statuses here: the exception desk opens a case on them (orderflow.tracking: Changes).
ORDER_FOLLOWS: dict[TrackingStatus, Status] = {
    T.IN_TRANSIT: Status.IN_TRANSIT,
    T.OUT_FOR_DELIVERY: Status.OUT_FOR_DELIVERY,
    T.DELIVERY_ATTEMPTED: Status.OUT_FOR_DELIVERY,
    T.DELIVERED: Status.DELIVERED,
}
_PROGRESS = {Status.SHIPPED: 0, Status.IN_TRANSIT: 1, Status.OUT_FOR_DELIVERY: 2,
             Status.DELIVERED: 3}


def order_target(parcels: Sequence[TrackingStatus | None]) -> Status | None:
    """The status an order with these parcels should show: delivered when every parcel
    is; otherwise the furthest parcel still under way (at least in transit once any
    parcel moved). None: the carrier has said nothing that moves the order."""
    followed = [ORDER_FOLLOWS.get(p) if p else None for p in parcels]
    if not parcels or all(f is None for f in followed):
        return None
    if all(f is Status.DELIVERED for f in followed):
        return Status.DELIVERED
    under_way = [_PROGRESS[f] for f in followed if f is not None and f is not Status.DELIVERED]
    best = max(under_way, default=1)
    return next(s for s, r in _PROGRESS.items() if r == max(best, 1))


# --- ETA: the transit table (days from handover, by carrier and service) ----------------------
TRANSIT_DAYS: dict[tuple[str, str], int] = {
    ("SF", "standard"): 2, ("SF", "express"): 1, ("JD", "standard"): 2, ("JD", "express"): 1,
    ("ZTO", "standard"): 3, ("YTO", "standard"): 3, ("STO", "standard"): 3,
    ("YD", "standard"): 3, ("JT", "standard"): 4, ("EMS", "standard"): 4,
    ("EMS", "international"): 10, ("DHL", "standard"): 5, ("SIM", "standard"): 3,
}
DEFAULT_TRANSIT_DAYS = 4
REMOTE_PROVINCES = frozenset({"新疆维吾尔自治区", "西藏自治区", "青海省", "内蒙古自治区",
                              "宁夏回族自治区", "甘肃省", "海南省"})


def transit_days(carrier: str, service: str, province: str | None = None) -> int:
    days = TRANSIT_DAYS.get((carrier.upper(), service),
                            TRANSIT_DAYS.get((carrier.upper(), "standard"), DEFAULT_TRANSIT_DAYS))
    return days + (2 if province in REMOTE_PROVINCES else 0)


def estimated_delivery(handed_over_at: datetime, carrier: str, service: str,
                       province: str | None = None) -> datetime:
    return handed_over_at + timedelta(days=transit_days(carrier, service, province))


def past_eta(eta: datetime | None, delivered: bool, now: datetime) -> bool:
    return eta is not None and not delivered and now > eta


# --- polling with back-off -----------------------------------------------------------------
MIN_POLL_S = 1800  # Kuaidi100: at least 30 minutes between queries of one number
MAX_POLL_S = 6 * 3600


def next_poll_interval(current_s: int, *, changed: bool, failed: bool) -> int:
    """New events: poll again at the base rate. Nothing new or a failure: double, capped."""
    if changed and not failed:
        return MIN_POLL_S
    return min(max(current_s, MIN_POLL_S) * 2, MAX_POLL_S)
