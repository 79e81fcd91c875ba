"""AfterShip Tracking webhooks (the international aggregator).

Wire format (AfterShip docs, "Webhook Specifications" and "Webhook Signature"):
POST application/json `{"event": "tracking_update", "event_id", "ts", "is_tracking_first_tag",
"msg": {tracking_number, slug, tag, subtag, expected_delivery, checkpoints[{checkpoint_time,
message, location, city, tag, subtag, raw_tag, slug}]}}`; header `aftership-hmac-sha256` =
base64(HMAC-SHA256(webhook secret, raw body)). Tags: Pending, InfoReceived, InTransit,
OutForDelivery, AttemptFail, Delivered, AvailableForPickup, Exception, Expired; subtags
(Delivery Sub-statuses) refine them: Exception_010 returning / _011 returned to sender,
_012 damaged, _013 lost, InTransit_002 acceptance (pickup) scan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from orderflow.tracking.adapters import BadPayload, BadSignature
from orderflow.tracking.models import TrackingStatus
from orderflow.tracking.rules import CarrierEvent

T = TrackingStatus
HEADER = "aftership-hmac-sha256"
TAGS: dict[str, TrackingStatus] = {
    "Pending": T.INFO_RECEIVED, "InfoReceived": T.INFO_RECEIVED, "InTransit": T.IN_TRANSIT,
    "OutForDelivery": T.OUT_FOR_DELIVERY, "AvailableForPickup": T.OUT_FOR_DELIVERY,
    "AttemptFail": T.DELIVERY_ATTEMPTED, "Delivered": T.DELIVERED, "Exception": T.EXCEPTION,
    "Expired": T.EXCEPTION,
}
SUBTAGS: dict[str, tuple[TrackingStatus, str | None]] = {
    "Exception_002": (T.EXCEPTION, "address"), "Exception_003": (T.RETURNING, "refused"),
    "Exception_004": (T.EXCEPTION, "customs"), "Exception_005": (T.EXCEPTION, "delayed"),
    "Exception_007": (T.EXCEPTION, "address"), "Exception_008": (T.EXCEPTION, "not_collected"),
    "Exception_010": (T.RETURNING, "returned"), "Exception_011": (T.RETURNED, "returned"),
    "Exception_012": (T.EXCEPTION, "damaged"), "Exception_013": (T.EXCEPTION, "lost"),
}
PICKUP_SUBTAGS = frozenset({"InTransit_002"})
SLUGS: dict[str, str] = {"DHL": "dhl", "SF": "sf-express", "EMS": "china-ems", "JT": "jtexpress",
                         "YTO": "yto", "ZTO": "zto-express", "STO": "sto", "YD": "yunda"}
CARRIER_OF = {slug: ours for ours, slug in SLUGS.items()}


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(secret: str, body: bytes, header: str | None) -> None:
    if not secret or not header or not hmac.compare_digest(signature(secret, body), header):
        raise BadSignature("aftership-hmac-sha256 does not match")


def _time(text: str) -> datetime:
    """checkpoint_time is ISO 8601, usually with the local offset; none means UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def normalise_checkpoint(cp: dict[str, Any], eta: datetime | None = None) -> CarrierEvent:
    tag, subtag = str(cp.get("tag") or "InTransit"), str(cp.get("subtag") or "")
    status, problem = SUBTAGS.get(subtag, (TAGS.get(tag, T.IN_TRANSIT), None))
    if problem is None and status in (T.EXCEPTION, T.DELIVERY_ATTEMPTED):
        problem = "other"
    place = cp.get("location") or ", ".join(
        str(cp[k]) for k in ("city", "state", "country_name") if cp.get(k))
    return CarrierEvent(
        occurred_at=_time(str(cp["checkpoint_time"])), status=status,
        raw_code=subtag or tag, description=str(cp.get("message") or ""),
        location=str(place) or None, pickup=subtag in PICKUP_SUBTAGS, problem=problem, eta=eta,
        raw={k: cp[k] for k in ("tag", "subtag", "raw_tag", "checkpoint_time") if k in cp},
    )


@dataclass(frozen=True)
class Webhook:
    event: str
    event_id: str
    tracking_number: str
    carrier: str | None
    events: list[CarrierEvent]


def _eta(msg: dict[str, Any]) -> datetime | None:
    edd = msg.get("aftership_estimated_delivery_date") or {}
    text = msg.get("expected_delivery") or (edd.get("estimated_delivery_date")
                                            if isinstance(edd, dict) else None)
    if not text:
        return None
    try:
        return _time(str(text) if "T" in str(text) else f"{text}T18:00:00+00:00")
    except ValueError:
        return None


def parse_webhook(body: bytes, header: str | None, secret: str) -> Webhook:
    """Verify the signature over the raw body, then normalise every checkpoint."""
    verify(secret, body, header)
    try:
        payload = json.loads(body)
        msg = payload["msg"]
        number = str(msg["tracking_number"])
        checkpoints = list(msg.get("checkpoints") or [])
        eta = _eta(msg)
        events = [normalise_checkpoint(cp) for cp in checkpoints]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadPayload(f"not an AfterShip tracking webhook: {exc}") from exc
    if events and eta is not None:
        newest = max(range(len(events)), key=lambda i: events[i].occurred_at)
        events[newest] = normalise_checkpoint(checkpoints[newest], eta)
    return Webhook(str(payload.get("event") or ""), str(payload.get("event_id") or ""), number,
                   CARRIER_OF.get(str(msg.get("slug") or "")), events)


@dataclass
class AfterShipClient:
    api_key: str
    base_url: str = "https://api.aftership.com"
    timeout_s: float = 10.0

    def create_tracking(self, carrier: str, number: str, *, order_number: str) -> bool:
        """Register a number so AfterShip pushes its updates (4003: already exists)."""
        body = {"tracking": {"tracking_number": number, "slug": SLUGS.get(carrier.upper(),
                             carrier.lower()), "order_id": order_number}}
        reply = httpx.post(f"{self.base_url}/v4/trackings", json=body,
                           headers={"as-api-key": self.api_key}, timeout=self.timeout_s)
        code = reply.json().get("meta", {}).get("code")
        return reply.status_code in (200, 201) or code == 4003
