"""Pure rules for logistics alerts: thresholds, due times, what a carrier status means,
and what the customer is told. No I/O; `now` is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from orderflow import money
from orderflow.errors import FieldProblem, ValidationFailed
from orderflow.logistics.models import CaseKind, CaseState
from orderflow.money import MoneyError
from orderflow.orders.status import Status

K = CaseKind

# Normalised carrier statuses (the tracking adapters' vocabulary) that open a case.
CASE_FOR_STATUS: dict[str, CaseKind] = {
    "delivery_attempted": K.DELIVERY_FAILED,
    "exception": K.CARRIER_EXCEPTION,
    "returning": K.RETURNED,
    "returned": K.RETURNED,
    "lost": K.LOST,
    "damaged": K.DAMAGED,
}
# Words in a carrier's exception text that say which exception it is (zh and en).
_DETAIL_WORDS: tuple[tuple[CaseKind, tuple[str, ...]], ...] = (
    (K.LOST, ("lost", "missing", "丢失", "遗失", "丢件")),
    (K.DAMAGED, ("damage", "broken", "破损", "损坏")),
    (K.RETURNED, ("return to sender", "returned", "退回", "退件")),
)
# A status change the carrier reports that proves the parcel moves again.
MOVING = frozenset({"in_transit", "out_for_delivery", "delivered", "info_received"})

# Kinds the customer hears about as a delivery problem (order.exception, order status
# EXCEPTION); a silent parcel is only "may be late" (order.delayed, status unchanged).
EXCEPTION_KINDS = frozenset({K.DELIVERY_FAILED, K.LOST, K.DAMAGED, K.RETURNED,
                             K.CARRIER_EXCEPTION})

# What the customer reads as the reason, in their language.
CUSTOMER_REASON: dict[CaseKind, dict[str, str]] = {
    K.STALLED: {"zh-CN": "物流信息长时间未更新，我们已联系快递公司核实",
                "en": "the carrier has not updated the parcel for a while; we asked them"},
    K.DELIVERY_FAILED: {"zh-CN": "快递员派送未成功，将再次派送或与您联系",
                        "en": "the courier could not deliver it and will try again or call you"},
    K.LOST: {"zh-CN": "快递公司报告包裹丢失", "en": "the carrier reports the parcel lost"},
    K.DAMAGED: {"zh-CN": "快递公司报告包裹破损", "en": "the carrier reports the parcel damaged"},
    K.RETURNED: {"zh-CN": "包裹正在退回或已退回", "en": "the parcel is being returned to us"},
    K.CARRIER_EXCEPTION: {"zh-CN": "快递公司报告配送异常",
                          "en": "the carrier reports a delivery problem"},
}

ACTIONS = ("contact_carrier", "reship", "refund", "note")
OUTCOMES = ("carrier_resolved", "delivered", "reshipped", "refunded", "no_action")
# Where a resolved case takes an order that is in EXCEPTION (None: it stays).
ORDER_AFTER: dict[str, Status | None] = {
    "carrier_resolved": Status.IN_TRANSIT,
    "delivered": Status.DELIVERED,
    "reshipped": Status.IN_TRANSIT,
    "refunded": Status.COMPLETED,
    "no_action": None,
}
OPEN_STATES = frozenset({CaseState.OPEN})


def kind_for(status: str, detail: str | None = None) -> CaseKind | None:
    """The case a normalised carrier status opens; an 'exception' is refined by its text."""
    kind = CASE_FOR_STATUS.get(status)
    if kind is K.CARRIER_EXCEPTION and detail:
        text = detail.lower()
        for candidate, words in _DETAIL_WORDS:
            if any(word in text for word in words):
                return candidate
    return kind


@dataclass(frozen=True)
class Hours:
    """A 'default;KEY=hours;...' table: `48;SF=24;SF/express=12` or `24;lost=48`."""

    default: float
    by_key: dict[str, float]

    def for_(self, *keys: str) -> float:
        """The most specific match: keys are tried in order, then the default."""
        for key in keys:
            if key.lower() in self.by_key:
                return self.by_key[key.lower()]
        return self.default


def parse_hours(spec: str, field: str) -> Hours:
    default: float | None = None
    by_key: dict[str, float] = {}
    problems: list[FieldProblem] = []
    for part in (p.strip() for p in spec.split(";")):
        if not part:
            continue
        key, _, value = part.rpartition("=")
        try:
            hours = float(value)
        except ValueError:
            hours = -1.0
        if hours <= 0 or hours > 24 * 90:
            problems.append(FieldProblem(field, "hours.invalid",
                                         f"'{part}': hours must be a number above 0"))
        elif key:
            by_key[key.strip().lower()] = hours
        else:
            default = hours
    if problems:
        raise ValidationFailed(problems)
    return Hours(default if default is not None else 48.0, by_key)


def silent_hours(table: Hours, carrier: str, service: str) -> float:
    return table.for_(f"{carrier}/{service}", carrier)


def due_at(table: Hours, kind: CaseKind, opened_at: datetime) -> datetime:
    return opened_at + timedelta(hours=table.for_(kind.value))


def is_overdue(state: CaseState, due: datetime, now: datetime) -> bool:
    return state is CaseState.OPEN and due < now


def completes_after(delivered_at: datetime, days: int) -> datetime:
    return delivered_at + timedelta(days=days)


def refund_minor(amount: str, currency: str, refundable_minor: int) -> int:
    """The amount a staff member typed, checked against what the order can still give back."""
    try:
        minor = money.to_minor(amount, currency)
    except MoneyError as exc:
        raise ValidationFailed([FieldProblem("amount", "amount.invalid", str(exc))]) from exc
    check_refund(minor, refundable_minor, currency)
    return minor


def check_refund(amount_minor: int, refundable_minor: int, currency: str) -> None:
    if amount_minor <= 0:
        raise ValidationFailed([FieldProblem("amount", "amount.not_positive",
                                             "the refund must be more than zero")])
    if amount_minor > refundable_minor:
        raise ValidationFailed([FieldProblem(
            "amount", "amount.too_much",
            f"at most {money.to_str(refundable_minor, currency)} {currency} can still be "
            "refunded on this order")])
