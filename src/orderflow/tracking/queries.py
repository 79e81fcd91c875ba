"""Read side of tracking: a shipment's events in time order, and pickup timeliness
(揽收及时率) per carrier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.fulfilment.models import Shipment
from orderflow.tracking.models import ShipmentTracking, TrackingEvent


def events_of(s: Session, shipment_id: int) -> list[TrackingEvent]:
    """Every stored event of a shipment, oldest first (placed by event time, not arrival)."""
    return list(s.scalars(select(TrackingEvent).where(TrackingEvent.shipment_id == shipment_id)
                          .order_by(TrackingEvent.occurred_at, TrackingEvent.id)))


@dataclass(frozen=True)
class PickupTimeliness:
    carrier: str
    handed_over: int  # parcels handed over in the period whose window has ended (or scanned)
    picked_up: int
    on_time: int  # pickup scan within the window after handover

    @property
    def rate(self) -> float | None:
        """揽收及时率: on time / handed over (None when there is nothing to judge)."""
        return self.on_time / self.handed_over if self.handed_over else None


def pickup_timeliness(s: Session, since: datetime, until: datetime, *, now: datetime,
                      on_time_hours: float = 24.0) -> list[PickupTimeliness]:
    """Per carrier, for parcels handed over in [since, until): how many were scanned by the
    carrier within `on_time_hours`. A parcel still inside its window and not yet scanned is
    not judged yet; one past its window without a scan counts as late."""
    window = timedelta(hours=on_time_hours)
    rows = s.execute(
        select(Shipment.carrier, ShipmentTracking.handed_over_at, ShipmentTracking.picked_up_at)
        .join(Shipment, Shipment.id == ShipmentTracking.shipment_id)
        .where(ShipmentTracking.handed_over_at >= since, ShipmentTracking.handed_over_at < until)
    ).all()
    counts: dict[str, list[int]] = {}
    for carrier, handed, picked in rows:
        if picked is None and handed + window > now:
            continue
        c = counts.setdefault(carrier, [0, 0, 0])
        c[0] += 1
        c[1] += picked is not None
        c[2] += picked is not None and picked - handed <= window
    return [PickupTimeliness(carrier, *c) for carrier, c in sorted(counts.items())]
