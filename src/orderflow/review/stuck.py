"""'Why is this order stuck?': what blocks an order right now, with the next action.

Pure: the caller gathers the facts. Blockers this branch has no data for yet (labels
printed, pickup scans, after-sales cases) are derived from what exists: a packed order
with no shipment has no label; a shipment with no carrier event after a day has no
pickup scan; money owed back is an open after-sales matter.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from orderflow.orders.status import Status

PICKUP_GRACE = timedelta(hours=24)

# code → (en, zh) for the blocker, and action → (en, zh) for what to do next.
BLOCKERS: dict[str, tuple[str, str]] = {
    "hold": ("On hold: {reason}", "已挂起:{reason}"),
    "payment": ("{outstanding} {currency} is unpaid.", "仍有 {outstanding} {currency} 未付。"),
    "payment_deadline": ("Unpaid; cancelled automatically at {deadline}.",
                         "未付款;将于 {deadline} 自动取消。"),
    "stock": ("{units} unit(s) have no stock reserved: {skus}.",
              "{units} 件商品未预占库存:{skus}。"),
    "address": ("The address needs attention: {codes}", "地址需要处理:{codes}"),
    "review": ("Waiting for review: {reasons}", "等待审单:{reasons}"),
    "review_pending": ("Waiting for review (not reviewed yet).", "等待审单(尚未审核)。"),
    "allocation": ("Approved, waiting to be allocated to a warehouse.", "已审核,等待分配仓库。"),
    "picking": ("In the warehouse: {status}.", "仓库作业中:{status}。"),
    "no_label": ("Packed but no waybill label / shipment yet.", "已打包,尚未打单发货。"),
    "no_pickup_scan": ("Shipped {hours} h ago and no carrier scan since.",
                       "已发货 {hours} 小时,快递尚无揽收扫描。"),
    "after_sales": ("{amount} {currency} is owed back to the customer.",
                    "应退客户 {amount} {currency}。"),
    "exception": ("The carrier reported an exception.", "快递报告异常。"),
    "case_requested": ("After-sales case {case} waits for a decision.", "售后单 {case} 待审核。"),
    "case_awaiting_return": ("After-sales case {case}: waiting for the goods to come back.",
                             "售后单 {case}:等待买家寄回商品。"),
    "case_in_transit_back": ("After-sales case {case}: the goods are on their way back.",
                             "售后单 {case}:商品退回途中。"),
    "case_received": ("After-sales case {case}: goods received, next step pending.",
                      "售后单 {case}:已收货,待处理。"),
    "case_refunding": ("After-sales case {case}: the refund is due.", "售后单 {case}:待退款。"),
    "case_replacement": ("After-sales case {case}: the replacement is to ship.",
                         "售后单 {case}:换/补发商品待发出。"),
    "refund_pending": ("A refund of {amount} {currency} is with the payment provider.",
                       "退款 {amount} {currency} 正在支付渠道处理中。"),
    "refund_failed": ("A refund failed: {amount} {currency} is still owed.",
                      "退款失败:仍应退 {amount} {currency}。"),
}
ACTIONS: dict[str, tuple[str, str]] = {
    "release_hold": ("Release the hold when the reason is resolved", "原因解决后解除挂起"),
    "record_payment": ("Record the payment, or wait for it", "登记付款,或等待买家付款"),
    "restock": ("Restock the SKU or split the order", "补货,或拆单先发有货商品"),
    "fix_address": ("Edit the address in review", "在审单中修改地址"),
    "review": ("Open the review: approve, edit, hold or cancel", "打开审单:通过、修改、挂起或取消"),
    "allocate": ("Allocate the order", "分配仓库"),
    "warehouse": ("Follow up with the warehouse", "跟进仓库作业"),
    "print_label": ("Print the waybill and ship", "打印面单并发货"),
    "call_carrier": ("Ask the carrier for a pickup", "联系快递揽收"),
    "refund": ("Refund the customer", "给客户退款"),
    "contact_carrier": ("Contact the carrier about the exception", "联系快递处理异常"),
    "decide_case": ("Approve or refuse the case", "审核售后单:同意或拒绝"),
    "wait_return": ("Wait for the customer's return waybill", "等待买家填写退货运单"),
    "receive_return": ("Receive the parcel at the receiving station", "在退货入库台收货"),
    "refund_case": ("Refund the case", "为售后单退款"),
    "ship_replacement": ("Ship the replacement", "发出换/补发商品"),
    "wait_refund": ("Wait for the provider, or retry the refund", "等待支付渠道,或重试退款"),
    "retry_refund": ("Retry the refund, or refund by hand", "重试退款,或人工退款"),
}
CASE_ACTIONS = {"requested": "decide_case", "awaiting_return": "wait_return",
                "in_transit_back": "receive_return", "received": "refund_case",
                "refunding": "refund_case", "replacement": "ship_replacement"}


@dataclass(frozen=True, slots=True)
class Blocker:
    code: str
    action: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str) -> tuple[str, str]:
        zh = language.startswith("zh")
        what = BLOCKERS[self.code][1 if zh else 0]
        todo = ACTIONS[self.action][1 if zh else 0]
        with contextlib.suppress(KeyError, IndexError, ValueError):
            what = what.format(**self.params)
        return what, todo


@dataclass(frozen=True, slots=True)
class StuckFacts:
    status: Status
    hold_reason: str | None
    hold_resume_status: Status | None
    currency: str
    outstanding: str | None  # unpaid amount, None when nothing is due
    cod: bool
    payment_deadline: str | None
    unreserved: dict[str, int]  # sku → units without stock
    review_outcome: str | None
    review_codes: tuple[str, ...]
    review_reasons: tuple[str, ...]
    shipped_at: datetime | None
    has_shipment: bool
    carrier_scanned: bool
    refund_due: str | None
    open_cases: tuple[tuple[str, str], ...] = ()  # (case number, state)
    refund_pending: str | None = None  # with the provider now
    refund_failed: bool = False


_WAREHOUSE = (Status.ALLOCATED, Status.PICKING)
_DONE = (Status.DELIVERED, Status.COMPLETED, Status.CANCELLED)


def blockers(f: StuckFacts, now: datetime) -> list[Blocker]:
    """Everything that keeps the order from its next step, most pressing first."""
    out: list[Blocker] = []
    status = f.status
    if status is Status.ON_HOLD:
        out.append(Blocker("hold", "release_hold", {"reason": f.hold_reason or "-"}))
        status = f.hold_resume_status or status
    if f.outstanding and not f.cod and status not in _DONE:
        if f.payment_deadline and status is Status.PENDING_PAYMENT:
            out.append(Blocker("payment_deadline", "record_payment",
                               {"deadline": f.payment_deadline}))
        else:
            out.append(Blocker("payment", "record_payment",
                               {"outstanding": f.outstanding, "currency": f.currency}))
    units = sum(f.unreserved.values())
    if units and status not in _DONE and status not in (Status.SHIPPED, Status.IN_TRANSIT):
        out.append(Blocker("stock", "restock",
                           {"units": units, "skus": ", ".join(sorted(f.unreserved))}))
    address = [reason for code, reason in zip(f.review_codes, f.review_reasons, strict=False)
               if code.startswith("address.") and code != "address.remote"]
    if address and status in (Status.AWAITING_REVIEW, Status.APPROVED, Status.PAID):
        out.append(Blocker("address", "fix_address", {"codes": " ".join(address)}))
    out.extend(_flow(f, status, now))
    out.extend(Blocker(f"case_{state}", CASE_ACTIONS[state], {"case": number})
               for number, state in f.open_cases if state in CASE_ACTIONS)
    if f.refund_pending:
        out.append(Blocker("refund_pending", "wait_refund", {"amount": f.refund_pending,
                                                             "currency": f.currency}))
    elif f.refund_due and f.refund_failed:
        out.append(Blocker("refund_failed", "retry_refund", {"amount": f.refund_due,
                                                             "currency": f.currency}))
    elif f.refund_due and not any(state == "refunding" for _n, state in f.open_cases):
        out.append(Blocker("after_sales", "refund", {"amount": f.refund_due,
                                                      "currency": f.currency}))
    return out


def _flow(f: StuckFacts, status: Status, now: datetime) -> list[Blocker]:
    if status is Status.AWAITING_REVIEW:
        if f.review_outcome is None:
            return [Blocker("review_pending", "review")]
        return [Blocker("review", "review", {"reasons": "; ".join(f.review_reasons) or "-"})]
    if status is Status.APPROVED:
        return [Blocker("allocation", "allocate")]
    if status in _WAREHOUSE:
        return [Blocker("picking", "warehouse", {"status": status.value})]
    if status is Status.PACKED and not f.has_shipment:
        return [Blocker("no_label", "print_label")]
    if status is Status.SHIPPED and not f.carrier_scanned and f.shipped_at is not None:
        waited = now - f.shipped_at
        if waited >= PICKUP_GRACE:
            return [Blocker("no_pickup_scan", "call_carrier",
                            {"hours": int(waited.total_seconds() // 3600)})]
    if status is Status.EXCEPTION:
        return [Blocker("exception", "contact_carrier")]
    return []
