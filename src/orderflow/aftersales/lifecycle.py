"""The only code that sets a case's state: guard, compare-and-set on the version, one
timeline row, and the notice the edge owes, all in the caller's transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from orderflow import clock, outbox
from orderflow.aftersales import messages, rules
from orderflow.aftersales.errors import CaseConcurrentChange, CaseIllegalTransition
from orderflow.aftersales.models import AftersalesCase, CaseEvent, CaseState
from orderflow.orders import lifecycle as order_lifecycle
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order


def record(s: Session, case: AftersalesCase, kind: str, *, actor: Actor,
           data: dict[str, Any] | None = None, from_state: CaseState | None = None,
           to_state: CaseState | None = None) -> None:
    s.add(CaseEvent(case_id=case.id, at=clock.utcnow(), actor=str(actor), kind=kind,
                    from_state=from_state.value if from_state else None,
                    to_state=to_state.value if to_state else None, data=data or {}))


def case_vars(case: AftersalesCase, **extra: Any) -> dict[str, Any]:
    """The case's part of a notice's payload; texts in both languages."""
    return {"case_id": case.id, "case_number": case.number, "case_state": case.state.value,
            "vars": {"case_number": case.number,
                     "case_type": {"en": messages.name(messages.TYPE_NAMES, case.type, "en"),
                                   "zh-CN": messages.name(messages.TYPE_NAMES, case.type,
                                                          "zh-CN")},
                     **extra}}


def owe(s: Session, order: Order, case: AftersalesCase, milestone: str,
        data: dict[str, Any] | None = None, *, suffix: str = "") -> None:
    payload = order_lifecycle.milestone_payload(order, milestone, {**case_vars(case),
                                                                   **(data or {})})
    if data and "vars" in data:
        payload["vars"] = {**case_vars(case)["vars"], **data["vars"]}
    outbox.add(s, milestone, key=f"aftersales:{case.id}:{milestone}{suffix}",
               order_id=order.id, payload=payload)


def transition(s: Session, order: Order, case: AftersalesCase, to: CaseState, *,
               actor: Actor, kind: str, data: dict[str, Any] | None = None,
               notice: dict[str, Any] | None = None) -> None:
    current = case.state
    if not rules.can_move(current, to):
        raise CaseIllegalTransition(
            f"case {case.number} cannot go from {current.value} to {to.value}")
    now = clock.utcnow()
    values: dict[str, Any] = {"state": to, "version": case.version + 1, "updated_at": now}
    if to in rules.DUE_HOURS and not (to is CaseState.REFUNDING
                                      and current is CaseState.RECEIVED):
        values["due_at"] = now + timedelta(hours=rules.DUE_HOURS[to])
    if current is CaseState.REQUESTED and to in (CaseState.AWAITING_RETURN,
                                                 CaseState.REFUNDING, CaseState.REPLACEMENT,
                                                 CaseState.IN_TRANSIT_BACK):
        values["approved_at"] = now
    if to is CaseState.RECEIVED:
        values["received_at"] = now
    if not rules.TRANSITIONS[to]:
        values["closed_at"] = now
    done = s.execute(update(AftersalesCase)
                     .where(AftersalesCase.id == case.id, AftersalesCase.version == case.version)
                     .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise CaseConcurrentChange(f"case {case.number} was changed concurrently; reload")
    for key, value in values.items():
        set_committed_value(case, key, value)
    record(s, case, kind, actor=actor, data=data, from_state=current, to_state=to)
    milestone = rules.OWES.get(to)
    if milestone == "aftersales.approved" and current is not rules.APPROVAL_FROM:
        milestone = None
    if milestone:
        owe(s, order, case, milestone, notice)
