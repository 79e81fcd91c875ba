"""Demo data for after-sales: the policy, and a few cases on delivered demo orders in
different states (requested, awaiting return, refunded, refused, an exchange)."""

from __future__ import annotations

from sqlalchemy import select

from orderflow.aftersales import policy, receiving, service
from orderflow.aftersales.models import AftersalesCase, CaseState
from orderflow.aftersales.schemas import CaseIn, PolicyIn, ReceiveIn
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.orders import queries
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.status import Status

STAFF = Actor("staff", "service")
CUSTOMER = Actor("customer", "demo")
PLAN = [
    ("return_refund", "quality_damaged", "requested"),
    ("return_refund", "no_reason", "awaiting_return"),
    ("refund_only", "wrong_item", "refunded"),
    ("return_refund", "not_as_described", "refused"),
    ("exchange", "wrong_size", "received"),
    ("return_refund", "quality_defective", "received"),
]


def load(db: Db, settings: Settings) -> int:
    policy.set_policy(db, PolicyIn.model_validate({
        "auto_refund_only_under": "30.00",
        "return_address": "上海市浦东新区张江路 88 号 售后部 / After-sales, 88 Zhangjiang Rd, "
                          "Shanghai, 021-5555 0000",
        "exclusions": [{"kind": "category", "value": "生鲜", "reason": "fresh"}]}), actor=STAFF)
    with db.read() as s:
        numbers = list(s.scalars(select(Order.number).where(
            Order.status.in_([Status.DELIVERED, Status.COMPLETED]), Order.channel != "aftersales")
            .order_by(Order.id).limit(len(PLAN))))
    made = 0
    for number, (kind, reason, goal) in zip(numbers, PLAN, strict=False):
        try:
            made += _one(db, settings, number, kind, reason, goal)
        except OrderFlowError:
            continue  # a demo case the policy or stock refuses is simply not made
    return made


def _one(db: Db, settings: Settings, number: str, kind: str, reason: str, goal: str) -> int:
    with db.read() as s:
        line = queries.lines_of(s, queries.get_order(s, number).id)[0]
    body = CaseIn.model_validate({
        "order_number": number, "type": kind, "reason": reason, "override_policy": True,
        "note": "演示售后单 / demo case",
        "lines": [{"sku": line.sku_code, "quantity": 1, **(
            {"exchange_sku": line.sku_code} if kind == "exchange" else {})}]})
    case_id = service.open_case(db, body, actor=STAFF, settings=settings)
    if goal == "requested":
        return 1
    if goal == "refused":
        service.refuse_case(db, case_id, "no_evidence", actor=STAFF)
        return 1
    with db.read() as s:
        waiting = s.get_one(AftersalesCase, case_id).state is CaseState.REQUESTED
    if waiting:  # not approved automatically by the policy
        service.approve_case(db, case_id, actor=STAFF, settings=settings)
    if goal in ("received",):
        receiving.receive(db, ReceiveIn(scan=number), actor=Actor("staff", "warehouse"),
                          settings=settings)
    if goal == "refunded":
        service.refund_case(db, case_id, actor=STAFF)
    return 1
