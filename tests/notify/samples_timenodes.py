"""A realistic Chinese (or English) order for rendering every default template without
a database: transient rows, long-ish real values, a payload per milestone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.fulfilment.models import Shipment
from orderflow.notify import context, milestones
from orderflow.notify.context import OrderFacts
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.status import Status
from orderflow.review.models import OrderReview

NOW = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://", secret_key="k" * 40, shop_name="示例旗舰店",
                    base_url="https://shop.example.com", service_phone="400-800-8888")
NUMBER = "261207000123"
TRACKING = "SF1023574626292"

PAYLOADS: dict[str, dict[str, Any]] = {
    "order.paid": {"amount": "1299.00", "method": "alipay"},
    "order.shipped": {"carrier": "SF", "tracking_number": TRACKING},
    "order.split_shipment": {"carrier": "SF", "tracking_number": TRACKING, "parcels": 2},
    "order.split": {"parcels": 2},
    "order.out_for_delivery": {"carrier": "SF", "tracking_number": TRACKING},
    "order.delivered": {"carrier": "SF", "tracking_number": TRACKING},
    "order.delayed": {"reason": "late.on_hold", "promise_round": 1,
                      "new_estimate": (NOW + timedelta(days=2)).isoformat()},
    "order.exception": {"carrier": "SF", "tracking_number": TRACKING,
                        "reason_i18n": {"zh-CN": "收件地址不详，快递员无法派送",
                                        "en": "the address is incomplete"}},
    "order.cancelled": {"reason": "reason.payment_deadline"},
    "order.refund_issued": {"amount": "1299.00"},
    "payment.reminder": {"pay_by": (NOW + timedelta(minutes=10)).isoformat()},
    "payment.failed": {"pay_by": (NOW + timedelta(minutes=20)).isoformat()},
    "order.shipment_corrected": {"carrier": "JT", "tracking_number": "JT0006968326954",
                                 "reason": "correction.carrier"},
    # After-sales: the case's texts come in both languages (aftersales.lifecycle.case_vars).
    **{m: {"case_number": "AS2612060001", "vars": {
        "case_number": "AS2612060001",
        "case_type": {"zh-CN": "退货退款", "en": "return and refund"},
        "return_address": "浙江省杭州市西湖区文三路 100 号 售后部",
        "freight_payer": {"zh-CN": "退货运费由商家承担。", "en": "We pay the return freight."},
        "reason": {"zh-CN": "已超过七天无理由退货期限。", "en": "the 7-day window has passed."},
        "carrier_name": {"zh-CN": "顺丰速运", "en": "SF Express"},
        "tracking_number": TRACKING}}
       for m in ("aftersales.requested", "aftersales.approved", "aftersales.refused",
                 "aftersales.received", "aftersales.replacement_shipped")},
}


def facts(language: str = "zh-CN") -> OrderFacts:
    order = Order(id=1, number=NUMBER, channel="api", status=Status.APPROVED, customer_id=1,
                  recipient_name="张三" if language == "zh-CN" else "Emma Wilson",
                  recipient_phone="+8613800138000", country="CN", province="浙江省",
                  city="杭州市", district="西湖区", address_detail="文三路 100 号",
                  language=language, currency="CNY", subtotal_minor=129900,
                  total_minor=129900, paid_minor=0, refund_due_minor=129900, cod=False,
                  payment_deadline_at=NOW + timedelta(minutes=30), buyer_remark="请周末送货",
                  placed_at=NOW, updated_at=NOW)
    customer = Customer(id=1, name="张三", language=language, opt_out_marketing=False,
                        channel_prefs=["sms", "email"])
    line = OrderLine(id=1, order_id=1, sku_id=1, sku_code="TEE-W-L", name="纯棉T恤 白色 L",
                     unit_price_minor=129900, line_total_minor=129900, ordered=1, cancelled=0)
    shipment = Shipment(id=1, order_id=1, carrier="SF", service="express",
                        tracking_number=TRACKING, shipped_at=NOW,
                        estimated_delivery_at=NOW + timedelta(days=2))
    review = OrderReview(order_id=1, shipping_service="express",
                         promised_ship_by=NOW + timedelta(hours=3))
    return OrderFacts(order, customer, [(line, "Cotton tee, white, L")], shipment, review, {})


def customer_milestones() -> list[str]:
    return [code for code, m in milestones.MILESTONES.items() if m.customer_facing]


def ctx(milestone: str, language: str) -> dict[str, Any]:
    return context.build(facts(language), PAYLOADS.get(milestone, {}), SETTINGS,
                         language=language)
