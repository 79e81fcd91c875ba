"""Folding new carrier events into a shipment's tracking state (no I/O, no order)."""

from __future__ import annotations

from datetime import datetime

from orderflow.fulfilment.models import Shipment
from orderflow.tracking import rules
from orderflow.tracking.models import ShipmentTracking, TrackingStatus
from orderflow.tracking.rules import CarrierEvent


def apply_events(track: ShipmentTracking, shipment: Shipment, new: list[CarrierEvent],
           now: datetime) -> None:
    """Fold new events into the shipment's state; an old late event moves nothing."""
    track.events += len(new)
    track.last_received_at = now
    latest = rules.newest(new)
    if latest is not None and rules.is_newer(latest, track.status_at, track.status_rank):
        track.status = latest.status
        track.status_at = latest.occurred_at
        track.status_rank = rules.RANK[latest.status]
        if latest.status in rules.CLOSING:
            track.closed = True
    not_yet = (TrackingStatus.INFO_RECEIVED, TrackingStatus.EXCEPTION)
    picked = [e.occurred_at for e in new if e.pickup or e.status not in not_yet]
    if picked and (track.picked_up_at is None or min(picked) < track.picked_up_at):
        track.picked_up_at = min(picked)
    delivered = [e.occurred_at for e in new if e.status is TrackingStatus.DELIVERED]
    if delivered:
        track.delivered_at = max(delivered)
    with_eta = [e for e in new if e.eta is not None]
    newest_eta = rules.newest(with_eta)
    since = track.status_at
    if newest_eta is not None and (since is None or newest_eta.occurred_at >= since):
        shipment.estimated_delivery_at = newest_eta.eta


def quick_values(status: TrackingStatus | None, status_at: datetime | None, status_rank: int,
                 picked_up_at: datetime | None, awaiting_pickup: bool,
                 new: list[CarrierEvent], now: datetime) -> dict[str, object] | None:
    """The column updates for a batch that changes neither the shipment's status, its
    pickup, its delivery nor its ETA (most pushes: more scans along the way, or repeats),
    so nothing can move the order. None: the batch needs the full path."""
    if awaiting_pickup or any(e.eta is not None for e in new):
        return None
    values: dict[str, object] = {"last_received_at": now}
    if not new:
        return values
    latest = rules.newest(new)
    assert latest is not None
    if rules.is_newer(latest, status_at, status_rank):
        if latest.status is not status or latest.status in rules.CLOSING:
            return None
        values["status_at"] = latest.occurred_at
        values["status_rank"] = rules.RANK[latest.status]
    not_yet = (TrackingStatus.INFO_RECEIVED, TrackingStatus.EXCEPTION)
    picked = [e.occurred_at for e in new if e.pickup or e.status not in not_yet]
    if picked and picked_up_at is None:
        return None
    if picked and picked_up_at is not None and min(picked) < picked_up_at:
        values["picked_up_at"] = min(picked)
    return values
