"""Pure after-sales rules: the case transition table, windows, exclusions, who pays the
return freight, auto-approval, and refund amounts prorated from the order. No I/O; `now`
and the zone are passed in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from orderflow.aftersales.models import CaseState, CaseType, FreightPayer, Reason

C = CaseState
T = CaseType

# The one transition table. Approval is an edge, not a state: a case that needs its goods
# back goes to awaiting_return; a refund-only case to refunding; a reship to replacement.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    C.REQUESTED: frozenset({C.AWAITING_RETURN, C.REFUNDING, C.REPLACEMENT, C.REFUSED,
                            C.WITHDRAWN, C.IN_TRANSIT_BACK}),
    C.AWAITING_RETURN: frozenset({C.IN_TRANSIT_BACK, C.RECEIVED, C.WITHDRAWN}),
    C.IN_TRANSIT_BACK: frozenset({C.RECEIVED}),
    C.RECEIVED: frozenset({C.REFUNDING, C.REPLACEMENT, C.CLOSED}),
    C.REFUNDING: frozenset({C.CLOSED}),
    C.REPLACEMENT: frozenset({C.CLOSED}),
    C.CLOSED: frozenset(),
    C.REFUSED: frozenset(),
    C.WITHDRAWN: frozenset(),
}
OPEN_STATES = frozenset(s for s, nxt in TRANSITIONS.items() if nxt)

# How long a case may wait in a state before it is overdue in the queue (hours). The
# refund clock starts at receipt (the law: refund within 7 days of receiving the goods).
DUE_HOURS: dict[CaseState, int] = {
    C.REQUESTED: 48, C.AWAITING_RETURN: 14 * 24, C.IN_TRANSIT_BACK: 10 * 24,
    C.RECEIVED: 7 * 24, C.REFUNDING: 7 * 24, C.REPLACEMENT: 72,
}

# What the customer is told when the case enters a state (by edge's target).
OWES: dict[CaseState, str] = {
    C.AWAITING_RETURN: "aftersales.approved",
    C.REFUNDING: "aftersales.approved",
    C.REPLACEMENT: "aftersales.approved",
    C.REFUSED: "aftersales.refused",
    C.RECEIVED: "aftersales.received",
}
# Approval sends the approved notice; later moves into refunding/replacement do not.
APPROVAL_FROM = C.REQUESTED

NEEDS_RETURN = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REPAIR})
QUALITY = frozenset({Reason.QUALITY_DAMAGED, Reason.QUALITY_DEFECTIVE,
                     Reason.QUALITY_NOT_WORKING, Reason.WRONG_ITEM, Reason.NOT_AS_DESCRIBED,
                     Reason.TRANSPORT_DAMAGE, Reason.TRANSPORT_LOST})
MERCHANT_FAULT = QUALITY | {Reason.REFUSED_DELIVERY}
EXCLUSION_REASONS = ("fresh", "custom", "digital", "hygiene", "other")
STAFF_REFUSALS = ("no_evidence", "not_intact", "used", "duplicate", "other")


def approved_state(case_type: CaseType) -> CaseState:
    if case_type in NEEDS_RETURN:
        return C.AWAITING_RETURN
    return C.REFUNDING if case_type is T.REFUND_ONLY else C.REPLACEMENT


def can_move(current: CaseState, to: CaseState) -> bool:
    return to in TRANSITIONS[current]


# --- windows -------------------------------------------------------------------


def window_end(signed_at: datetime, days: int, zone: ZoneInfo) -> datetime:
    """七天无理由: counted from the day AFTER 签收, in the merchant's zone; the window
    closes at the end of the last day (signed Mon 10:00, 7 days: closes Mon 24:00 next week)."""
    signed_day = signed_at.astimezone(zone).date()
    last_day = signed_day + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)


@dataclass(frozen=True)
class Refusal:
    code: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class PolicyView:
    no_reason_days: int
    quality_days: int
    exclusions: Sequence[Mapping[str, str]]
    freight: Mapping[str, str]
    auto_refund_only_under_minor: int | None
    auto_approve_vip: bool


def window_refusal(policy: PolicyView, reason: Reason, signed_at: datetime | None,
                   now: datetime, zone: ZoneInfo) -> Refusal | None:
    """None when the request is in time. Transport problems are the merchant's whatever
    the date; a parcel never signed for has no window yet."""
    if signed_at is None or reason in (Reason.TRANSPORT_LOST, Reason.TRANSPORT_DAMAGE,
                                       Reason.REFUSED_DELIVERY):
        return None
    days = policy.no_reason_days if reason not in QUALITY else policy.quality_days
    end = window_end(signed_at, days, zone)
    if now < end:
        return None
    code = "window.quality" if reason in QUALITY else "window.no_reason"
    last = (end - timedelta(seconds=1)).astimezone(zone).strftime("%Y-%m-%d")
    return Refusal(code, {"days": str(days), "last_day": last})


def exclusion_refusal(policy: PolicyView, reason: Reason, sku_code: str,
                      category: str | None) -> Refusal | None:
    """Excluded goods (fresh, customised, digital, opened hygiene goods) are refused for a
    no-reason return only: a quality problem is always the merchant's to put right."""
    if reason is not Reason.NO_REASON:
        return None
    for rule in policy.exclusions:
        kind, value = rule.get("kind"), rule.get("value", "")
        hit = (kind == "sku" and value == sku_code) or (kind == "category" and category
                                                        and value == category)
        if hit:
            why = rule.get("reason", "other")
            return Refusal(f"excluded.{why if why in EXCLUSION_REASONS else 'other'}",
                           {"sku": sku_code})
    return None


def freight_payer(policy: PolicyView, reason: Reason) -> FreightPayer:
    """The merchant's table first; else the law: the consumer pays for a no-reason
    return (or a change of mind on size), the merchant for its own fault."""
    set_to = policy.freight.get(reason.value)
    if set_to in (FreightPayer.CUSTOMER, FreightPayer.MERCHANT):
        return FreightPayer(set_to)
    if reason in MERCHANT_FAULT:
        return FreightPayer.MERCHANT
    return FreightPayer.CUSTOMER


def auto_approves(policy: PolicyView, case_type: CaseType, amount_minor: int,
                  vip: bool) -> str | None:
    """The rule that approves the case without a person, or None."""
    limit = policy.auto_refund_only_under_minor
    if case_type is T.REFUND_ONLY and limit is not None and amount_minor < limit:
        return "refund_only_under"
    if vip and policy.auto_approve_vip:
        return "vip"
    return None


# --- money ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinePrice:
    line_id: int
    unit_price_minor: int
    effective_qty: int  # ordered - cancelled


def unit_share(line: LinePrice, subtotal_minor: int, discount_minor: int) -> int:
    """What one unit of the line really cost: its price less its share of the order's
    discount (prorated by value, rounded down so the sum never exceeds what was paid)."""
    if subtotal_minor <= 0:
        return 0
    price = line.unit_price_minor
    return price - (discount_minor * price + subtotal_minor - 1) // subtotal_minor


def prorate(lines: Sequence[LinePrice], units: Mapping[int, int], *, subtotal_minor: int,
            discount_minor: int) -> dict[int, int]:
    """Refund per order line for `units` (line id -> units)."""
    by_id = {ln.line_id: ln for ln in lines}
    return {lid: unit_share(by_id[lid], subtotal_minor, discount_minor) * n
            for lid, n in units.items() if n > 0}


def everything_back(lines: Sequence[LinePrice], taken_before: Mapping[int, int],
                    units: Mapping[int, int]) -> bool:
    """True when these units, with those refunded or exchanged before, are every unit."""
    return all(taken_before.get(ln.line_id, 0) + units.get(ln.line_id, 0) >= ln.effective_qty
               for ln in lines if ln.effective_qty > 0)
