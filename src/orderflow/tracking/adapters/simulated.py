"""The simulated carrier: realistic event sequences over demo time, pushed to our own
hook, signed like a real provider (HMAC-SHA256 of the body, hex, `X-Sim-Signature`).

Each parcel follows a plan drawn from configurable rates: picked up, line-haul scans,
sometimes a delay (with a later ETA), a failed delivery attempt before success, lost,
damaged, or refused and returned to sender. `due_events` says which of a plan's events
have happened by `now`; the demo runs it with time compressed (one demo hour = a few
real seconds), so shipments move while you watch.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orderflow.tracking.adapters import BadPayload, BadSignature
from orderflow.tracking.models import TrackingStatus
from orderflow.tracking.rules import CarrierEvent

T = TrackingStatus
HEADER = "x-sim-signature"
CITIES = ["杭州转运中心", "上海转运中心", "南京分拨中心", "广州分拨中心", "武汉转运中心",
          "成都转运中心", "北京顺义集散中心"]


@dataclass(frozen=True)
class Rates:
    delay: float = 0.10
    failed_attempt: float = 0.08
    lost: float = 0.02
    damaged: float = 0.02
    returned: float = 0.03


@dataclass(frozen=True)
class Step:
    after: timedelta  # from handover
    status: TrackingStatus
    code: str
    text: str
    location: str | None = None
    pickup: bool = False
    problem: str | None = None
    eta_shift: timedelta | None = None


def _transit(rng: random.Random, hours: float) -> list[Step]:
    origin, hub = rng.sample(CITIES, 2)
    return [
        Step(timedelta(minutes=5), T.INFO_RECEIVED, "created", "商家已下单，等待揽收"),
        Step(timedelta(hours=hours * 0.08), T.IN_TRANSIT, "picked_up", "快递员已揽收",
             origin, pickup=True),
        Step(timedelta(hours=hours * 0.25), T.IN_TRANSIT, "departed", f"已离开【{origin}】",
             origin),
        Step(timedelta(hours=hours * 0.55), T.IN_TRANSIT, "arrived", f"已到达【{hub}】", hub),
    ]


def plan(tracking_number: str, transit_hours: float = 48.0, rates: Rates = Rates()) -> list[Step]:
    """The whole life of one parcel, the same every time for the same number."""
    rng = random.Random(tracking_number)
    h = transit_hours
    steps = _transit(rng, h)
    roll = rng.random()
    if roll < rates.lost:
        return [*steps, Step(timedelta(hours=h * 1.2), T.EXCEPTION, "lost",
                             "包裹遗失，快递公司核实中", problem="lost")]
    roll -= rates.lost
    if roll < rates.damaged:
        return [*steps, Step(timedelta(hours=h * 0.7), T.EXCEPTION, "damaged",
                             "包裹破损，已联系寄件方", problem="damaged")]
    roll -= rates.damaged
    if roll < rates.returned:
        return [*steps,
                Step(timedelta(hours=h * 0.85), T.OUT_FOR_DELIVERY, "out_for_delivery",
                     "快递员正在派件"),
                Step(timedelta(hours=h * 0.95), T.RETURNING, "refused",
                     "收件人拒收，包裹退回中", problem="refused"),
                Step(timedelta(hours=h * 2.5), T.RETURNED, "returned", "退回件已签收",
                     problem="returned")]
    late = timedelta(0)
    delayed, failed = rng.random() < rates.delay, rng.random() < rates.failed_attempt
    if delayed:
        late = timedelta(hours=h * 0.6)
        steps.append(Step(timedelta(hours=h * 0.65), T.IN_TRANSIT, "delayed",
                          "受天气影响，派送延误", problem="delayed", eta_shift=late))
    if failed:
        steps += [Step(late + timedelta(hours=h * 0.85), T.OUT_FOR_DELIVERY, "out_for_delivery",
                       "快递员正在派件"),
                  Step(late + timedelta(hours=h * 0.9), T.DELIVERY_ATTEMPTED, "attempt_failed",
                       "派件未成功：电话无人接听，明日再派", problem="unreachable")]
        late += timedelta(hours=24)
    return [*steps,
            Step(late + timedelta(hours=h * 0.85), T.OUT_FOR_DELIVERY, "out_for_delivery",
                 "快递员正在派件"),
            Step(late + timedelta(hours=h * 0.97), T.DELIVERED, "delivered", "已签收，本人签收")]


def scenario(steps: list[Step]) -> str:
    """What happens to a parcel in a plan: lost, damaged, returned, failed_attempt, delayed
    or normal (the demo picks numbers to show each)."""
    codes = {step.code for step in steps}
    for name, code in (("lost", "lost"), ("damaged", "damaged"), ("returned", "returned"),
                       ("failed_attempt", "attempt_failed"), ("delayed", "delayed")):
        if code in codes:
            return name
    return "normal"


def due_events(tracking_number: str, handed_over_at: datetime, now: datetime, *,
               transit_hours: float = 48.0, rates: Rates = Rates(),
               speed: float = 1.0) -> list[CarrierEvent]:
    """The plan's events that have happened by `now` (demo time runs `speed` times faster)."""
    elapsed = (now - handed_over_at) * speed
    eta = handed_over_at + timedelta(hours=transit_hours)
    events = []
    for step in plan(tracking_number, transit_hours, rates):
        if step.after > elapsed:
            break
        event_eta = eta + step.eta_shift if step.eta_shift else None
        events.append(CarrierEvent(
            occurred_at=(handed_over_at + step.after / speed).replace(microsecond=0),
            status=step.status, raw_code=step.code, description=step.text,
            location=step.location, pickup=step.pickup, problem=step.problem, eta=event_eta))
    return events


# --- the push format ------------------------------------------------------------------------
def body_for(tracking_number: str, carrier: str, events: list[CarrierEvent]) -> bytes:
    return json.dumps({"tracking_number": tracking_number, "carrier": carrier, "events": [
        {"time": e.occurred_at.isoformat(), "status": e.status.value, "code": e.raw_code,
         "text": e.description, "location": e.location, "pickup": e.pickup,
         "problem": e.problem, "eta": e.eta.isoformat() if e.eta else None}
        for e in events]}, ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SimPush:
    tracking_number: str
    carrier: str | None
    events: list[CarrierEvent]


def _event(item: dict[str, Any]) -> CarrierEvent:
    eta = item.get("eta")
    return CarrierEvent(
        occurred_at=datetime.fromisoformat(item["time"]).astimezone(UTC),
        status=TrackingStatus(item["status"]), raw_code=str(item["code"]),
        description=str(item.get("text") or ""), location=item.get("location"),
        pickup=bool(item.get("pickup")), problem=item.get("problem"),
        eta=datetime.fromisoformat(eta).astimezone(UTC) if eta else None)


def parse_push(body: bytes, header: str | None, secret: str) -> SimPush:
    if not header or not hmac.compare_digest(signature(secret, body), header):
        raise BadSignature("x-sim-signature does not match")
    try:
        payload = json.loads(body)
        return SimPush(str(payload["tracking_number"]), payload.get("carrier"),
                       [_event(item) for item in payload["events"]])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadPayload(f"not a simulated carrier push: {exc}") from exc
