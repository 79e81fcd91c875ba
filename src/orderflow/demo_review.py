"""Demo data for the review queue (called by `orderflow demo`): paid orders that a
careful person must look at — a district of another city, a likely duplicate, a
landline where SMS is wanted, remarks asking for an invoice or a new address, a high
first order, a remote region, an express order — next to ones that passed at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.intake import service as intake
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.schemas import OrderIn
from orderflow.review import service as review

CHANNEL = Actor("channel", "taobao")
STAFF = Actor("staff", "demo")


def _address(province: str, city: str, district: str, detail: str) -> dict[str, str]:
    return {"country": "CN", "province": province, "city": city, "district": district,
            "detail": detail}


HANGZHOU = _address("浙江省", "杭州市", "西湖区", "文三路 478 号 华星时代广场 A 座 1203")

CASES: list[tuple[str, dict[str, Any]]] = [
    ("district", {"customer": {"name": "陈晓明", "phone": "13612345678"},
                  "shipping_address": _address("广东省", "深圳市", "西湖区",
                                               "科苑南路 3099 号 中国储能大厦 18 楼")}),
    ("duplicate-1", {"customer": {"name": "林芳", "phone": "13798765432"},
                     "shipping_address": HANGZHOU}),
    ("duplicate-2", {"customer": {"name": "林芳", "phone": "13798765432"},
                     "shipping_address": HANGZHOU}),
    ("landline", {"customer": {"name": "周杰", "phone": "010-62345678"},
                  "shipping_address": _address("北京市", "北京市", "海淀区",
                                               "中关村大街 27 号 中关村大厦 9 层")}),
    ("invoice", {"customer": {"name": "吴静", "phone": "18612340000"},
                 "buyer_remark": "麻烦开发票,抬头:杭州某某科技有限公司",
                 "shipping_address": _address("江苏省", "南京市", "鼓楼区",
                                              "中山北路 30 号 城市名人酒店 2 楼")}),
    ("change-address", {"customer": {"name": "郑强", "phone": "15912345678"},
                        "buyer_remark": "拍错了,要改地址到公司",
                        "shipping_address": _address("四川省", "成都市", "武侯区",
                                                     "天府大道北段 1700 号 环球中心 W6")}),
    ("remote", {"customer": {"name": "阿依古丽", "phone": "13999887766"},
                "shipping_address": _address("新疆维吾尔自治区", "乌鲁木齐市", "天山区",
                                             "解放南路 88 号 3 单元 502")}),
    ("express", {"customer": {"name": "Emma Wilson", "phone": "+14155550123",
                              "email": "emma@example.com", "language": "en"},
                 "shipping_address": {"country": "US", "city": "San Francisco",
                                      "province": "CA", "detail": "1 Market St, Suite 300",
                                      "postal_code": "94105"},
                 "seller_remark": "Urgent: customer's birthday on Friday"}),
    ("short-names", {"customer": {"name": "黄磊", "phone": "13512345678"},
                     "shipping_address": _address("广东", "广州", "天河区",
                                                  "体育西路 191 号 中石化大厦 B 座")}),
]


def _place(db: Db, settings: Settings, skus: list[tuple[str, str]], index: int, name: str,
           extra: dict[str, Any]) -> str | None:
    sku, price = skus[index % len(skus)] if not name.startswith("duplicate") else skus[1]
    body: dict[str, Any] = {"channel": "taobao", "external_id": f"REVIEW-{name}",
                            "lines": [{"sku": sku, "quantity": 1}], **extra}
    body["payment"] = {"method": "alipay", "amount": price, "external_ref": f"RV-{name}"}
    try:
        placed = intake.place_order(db, OrderIn.model_validate(body), actor=CHANNEL,
                                    settings=settings)
    except OrderFlowError:
        return None  # out of stock in a small demo: simply not made
    return placed.number


def load(db: Db, settings: Settings, skus: list[tuple[str, str]]) -> int:
    """Place the review cases; mark the express one; returns how many wait for a person."""
    made = {name: _place(db, settings, skus, i, name, extra)
            for i, (name, extra) in enumerate(CASES)}
    express = made.get("express")
    if express:
        review.edit(db, express, {"shipping_service": "express"}, actor=STAFF,
                    settings=settings)
    with db.read() as s:
        return len(list(s.scalars(select(Order.number).where(
            Order.number.in_([n for n in made.values() if n]),
            Order.status == "awaiting_review"))))
