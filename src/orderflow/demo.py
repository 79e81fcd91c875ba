"""Demo data: about 50 SKUs in two warehouses and a few hundred orders in every
status, with Chinese and English customers, all made through the real use cases."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from orderflow import demo_review as review_demo
from orderflow import demo_shipping, demo_warehouse
from orderflow.aftersales import demo as aftersales_demo
from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn
from orderflow.channels import demo as channel_demo
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.errors import OrderFlowError
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.inventory import service as inventory
from orderflow.logistics import demo as logistics_demo
from orderflow.orders import service as orders
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.schemas import OrderIn, PaymentIn
from orderflow.orders.status import Status
from orderflow.payments import service as payments
from orderflow.tracking import config as tracking_config
from orderflow.tracking import demo as tracking_demo

DEMO_USER = "admin"
DEMO_PASSWORD = "orderflow-demo"
STAFF = Actor("staff", "demo")

PRODUCTS = [
    (
        "TEA",
        "tea",
        [
            ("西湖龙井 250g", "West Lake Longjing 250g", "168.00", 300),
            ("安溪铁观音 200g", "Anxi Tieguanyin 200g", "128.00", 250),
            ("云南普洱饼 357g", "Yunnan Pu'er cake 357g", "238.00", 400),
            ("武夷大红袍 150g", "Wuyi Da Hong Pao 150g", "298.00", 200),
            ("茉莉花茶 100g", "Jasmine tea 100g", "58.00", 120),
            ("白毫银针 100g", "Silver Needle 100g", "188.00", 130),
        ],
    ),
    (
        "SNK",
        "snacks",
        [
            ("每日坚果 30包", "Daily nuts, 30 packs", "99.00", 800),
            ("牛肉干 200g", "Beef jerky 200g", "49.90", 220),
            ("凤梨酥 12枚", "Pineapple cakes, 12", "68.00", 480),
            ("辣条礼盒", "Spicy strips gift box", "29.90", 350),
            ("芒果干 500g", "Dried mango 500g", "39.90", 520),
            ("蛋黄酥 6枚", "Egg-yolk pastries, 6", "45.00", 360),
        ],
    ),
    (
        "ELC",
        "electronics",
        [
            ("无线蓝牙耳机", "Wireless earbuds", "199.00", 150),
            ("快充充电器 65W", "65W fast charger", "129.00", 180),
            ("Type-C 数据线 1m", "USB-C cable 1m", "19.90", 60),
            ("移动电源 10000mAh", "Power bank 10000mAh", "99.00", 260),
            ("智能手环", "Smart band", "169.00", 90),
            ("机械键盘", "Mechanical keyboard", "349.00", 1100),
            ("无线鼠标", "Wireless mouse", "79.00", 110),
        ],
    ),
    (
        "HOM",
        "home",
        [
            ("陶瓷马克杯", "Ceramic mug", "35.00", 380),
            ("竹制砧板", "Bamboo chopping board", "59.00", 900),
            ("真空保温杯 500ml", "Vacuum flask 500ml", "89.00", 350),
            ("香薰蜡烛", "Scented candle", "69.00", 300),
            ("纯棉毛巾 2条", "Cotton towels, 2", "49.00", 280),
            ("收纳盒 3件套", "Storage boxes, set of 3", "79.00", 1200),
            ("不粘炒锅 30cm", "Non-stick wok 30cm", "219.00", 1800),
        ],
    ),
    (
        "APP",
        "apparel",
        [
            ("纯棉T恤 白 M", "Cotton T-shirt white M", "79.00", 200),
            ("纯棉T恤 黑 L", "Cotton T-shirt black L", "79.00", 210),
            ("运动袜 5双", "Sports socks, 5 pairs", "39.00", 250),
            ("羊毛围巾", "Wool scarf", "159.00", 300),
            ("棒球帽", "Baseball cap", "59.00", 150),
            ("帆布包", "Canvas tote bag", "45.00", 350),
            ("羽绒背心 M", "Down vest M", "299.00", 500),
        ],
    ),
    (
        "BTY",
        "beauty",
        [
            ("保湿面霜 50ml", "Moisturising cream 50ml", "139.00", 150),
            ("洗面奶 120g", "Facial cleanser 120g", "69.00", 180),
            ("防晒霜 SPF50", "Sunscreen SPF50", "99.00", 110),
            ("护手霜 3支", "Hand cream, 3 tubes", "49.00", 200),
            ("面膜 10片", "Sheet masks, 10", "89.00", 300),
            ("唇膏", "Lip balm", "29.00", 40),
        ],
    ),
    (
        "BOK",
        "books",
        [
            ("三体 全集", "The Three-Body Problem trilogy", "93.00", 1500),
            ("活着", "To Live", "39.50", 400),
            ("围城", "Fortress Besieged", "36.00", 450),
            ("Python 编程入门", "Python Crash Course (zh)", "89.00", 900),
            ("中国历史地图集", "Atlas of Chinese History", "128.00", 1300),
            ("唐诗三百首", "300 Tang Poems", "29.80", 350),
        ],
    ),
]

CN_PEOPLE = [
    ("王芳", "13912345678"),
    ("李娜", "13800138000"),
    ("张伟", "13712345679"),
    ("刘洋", "15012345670"),
    ("陈静", "18612345671"),
    ("杨磊", "13612345672"),
    ("赵敏", "15912345673"),
    ("黄强", "18812345674"),
    ("周杰", "13512345675"),
    ("吴霞", "17712345676"),
    ("王**", "131****1907"),
]
CN_PLACES = [
    ("浙江省", "杭州市", "西湖区", "文三路 478 号华星时代广场 A 座 1201"),
    ("上海市", "上海市", "浦东新区", "世纪大道 100 号 21 楼"),
    ("北京市", "北京市", "朝阳区", "建国路 88 号 SOHO 现代城 3 号楼 502"),
    ("广东省", "深圳市", "南山区", "科技园南区高新南七道 6 号"),
    ("四川省", "成都市", "武侯区", "天府大道北段 1700 号环球中心 W3"),
    ("江苏省", "南京市", "鼓楼区", "中山北路 200 号 8 栋 301"),
    ("湖北省", "武汉市", "洪山区", "珞喻路 1037 号"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放南路 36 号"),
]
EN_PEOPLE = [
    (
        "Emma Wilson",
        "+447911123456",
        "emma.wilson@example.co.uk",
        "GB",
        "London",
        "10 Downing Street",
        "SW1A 2AA",
    ),
    (
        "Liam Smith",
        "+12025550143",
        "liam.smith@example.com",
        "US",
        "Seattle",
        "400 Broad St",
        "98109",
    ),
    (
        "Sophie Martin",
        "+33612345678",
        "sophie.martin@example.fr",
        "FR",
        "Paris",
        "5 Avenue Anatole France",
        "75007",
    ),
    (
        "Noah Tan",
        "+6591234567",
        "noah.tan@example.sg",
        "SG",
        "Singapore",
        "1 Raffles Place",
        "048616",
    ),
]


@dataclass
class DemoResult:
    skus: int
    orders: int
    token: str


def load_catalog(db: Db) -> list[tuple[str, str]]:
    skus = []
    with db.transaction() as s:
        sh = inventory.add_warehouse(
            s, "SH", "上海青浦仓", province="上海市", city="上海市", priority=1
        )
        gz = inventory.add_warehouse(
            s, "GZ", "广州白云仓", province="广东省", city="广州市", priority=2
        )
        n = 0
        for prefix, category, items in PRODUCTS:
            for i, (name, name_en, price, weight) in enumerate(items, start=1):
                n += 1
                code = f"{prefix}-{i:03d}"
                sku = catalog.add_sku(
                    s,
                    SkuIn(
                        code=code,
                        name=name,
                        name_en=name_en,
                        category=category,
                        barcode=f"6901234{n:05d}0",
                        weight_g=weight,
                        price=price,
                    ),
                )
                inventory.set_on_hand(s, sku.id, sh.id, 40 + (n * 37) % 160)
                inventory.set_on_hand(s, sku.id, gz.id, (n * 53) % 90)
                skus.append((code, price))
    return skus


def _body(rng: random.Random, skus: list[tuple[str, str]], index: int) -> dict[str, object]:
    chosen = rng.sample(skus, rng.choice([1, 1, 2, 2, 3]))
    lines = [{"sku": code, "quantity": rng.choice([1, 1, 1, 2, 3])} for code, _ in chosen]
    if index % 6 == 5:
        name, phone, email, country, city, detail, postal = rng.choice(EN_PEOPLE)
        customer = {"name": name, "phone": phone, "email": email, "language": "en"}
        address = {"country": country, "city": city, "detail": detail, "postal_code": postal}
        currency, channel = "CNY", "shopify"
    else:
        name, phone = rng.choice(CN_PEOPLE)
        province, city, district, detail = rng.choice(CN_PLACES)
        customer = {"name": name, "phone": phone, "language": "zh-CN"}
        address = {
            "country": "CN",
            "province": province,
            "city": city,
            "district": district,
            "detail": detail,
        }
        currency, channel = "CNY", rng.choice(["taobao", "jd", "douyin", "web", "phone"])
    return {
        "channel": channel,
        "external_id": f"DEMO-{index:05d}",
        "currency": currency,
        "customer": customer,
        "shipping_address": address,
        "lines": lines,
        "shipping_fee": rng.choice(["0", "0", "8.00", "12.00"]),
        "buyer_remark": rng.choice([None, None, None, "请尽快发货", "Please gift-wrap", "加急"]),
    }


CARRIERS = ["SF", "ZTO", "YTO", "JD", "EMS"]
TARGETS = (
    ["pending_payment"] * 3
    + ["awaiting_review"] * 3
    + [
        "approved",
        "allocated",
        "picking",
        "packed",
        "shipped",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "completed",
        "completed",
        "cancelled",
        "on_hold",
        "exception",
    ]
)


def _approve_unless_reviewed(db: Db, number: str) -> None:
    """Orders that pass review are approved at payment; approve the ones review held."""
    with db.read() as s:
        status = s.scalar(select(Order.status).where(Order.number == number))
    if status is not Status.APPROVED:
        orders.approve_order(db, number, actor=STAFF)


def _walk(db: Db, number: str, target: str, rng: random.Random) -> None:
    steps: list[tuple[str, Callable[[], object]]] = [
        ("approved", lambda: _approve_unless_reviewed(db, number)),
        ("allocated", lambda: fulfilment.allocate_order(db, number, actor=STAFF)),
        ("picking", lambda: fulfilment.start_picking(db, number, actor=STAFF)),
        ("packed", lambda: fulfilment.pack_order(db, number, actor=STAFF)),
        (
            "shipped",
            lambda: fulfilment.ship_order(
                db,
                number,
                carrier=rng.choice(CARRIERS),
                actor=STAFF,
                tracking_number=f"SIM{rng.randrange(10**11, 10**12)}",
            ),
        ),
        (
            "in_transit",
            lambda: fulfilment.record_carrier_status(
                db, number, Status.IN_TRANSIT, actor=Actor("carrier", "sim")
            ),
        ),
        (
            "out_for_delivery",
            lambda: fulfilment.record_carrier_status(
                db, number, Status.OUT_FOR_DELIVERY, actor=Actor("carrier", "sim")
            ),
        ),
        (
            "delivered",
            lambda: fulfilment.record_carrier_status(
                db, number, Status.DELIVERED, actor=Actor("carrier", "sim")
            ),
        ),
        ("completed", lambda: fulfilment.complete_order(db, number, actor=STAFF)),
    ]
    if target == "on_hold":
        orders.hold_order(
            db, number, actor=STAFF, reason="买家要求改地址 / buyer asked to change address"
        )
        return
    if target == "cancelled":
        orders.cancel_order(db, number, actor=STAFF, reason="买家取消 / buyer cancelled")
        return
    if target == "exception":
        target = "in_transit"
    for name, step in steps:
        step()
        if name == target:
            break


def load_orders(
    db: Db,
    settings: Settings,
    skus: list[tuple[str, str]],
    count: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    rng = random.Random(20261123)
    placed = 0
    for index in range(count):
        body = _body(rng, skus, index)
        target = TARGETS[index % len(TARGETS)]
        try:
            result = intake.place_order(
                db,
                OrderIn.model_validate(body),
                actor=Actor("channel", str(body["channel"])),
                settings=settings,
            )
            if target != "pending_payment":
                with db.read() as s:
                    total = s.scalar(select(Order.total_minor).where(Order.id == result.order_id))
                payments.record_payment(
                    db,
                    result.number,
                    PaymentIn(
                        method=rng.choice(["alipay", "wechat_pay", "unionpay", "card"]),
                        amount=f"{(total or 0) / 100:.2f}",
                        external_ref=f"DEMO-PAY-{index}",
                    ),
                    actor=Actor("channel", "payment"),
                    settings=settings,
                )
            if target not in ("pending_payment", "awaiting_review"):
                _walk(db, result.number, target, rng)
            if target == "exception":
                fulfilment.record_carrier_status(
                    db,
                    result.number,
                    Status.EXCEPTION,
                    actor=Actor("carrier", "sim"),
                    reason="包裹破损 / parcel damaged",
                )
            placed += 1
        except OrderFlowError:
            pass  # a demo order that ran out of stock is simply not made
        if progress:
            progress(index + 1)
    return placed


def is_empty(db: Db) -> bool:
    with db.read() as s:
        return not s.scalar(select(func.count()).select_from(Order))


def load(
    db: Db,
    settings: Settings,
    *,
    orders_count: int = 300,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    skus = load_catalog(db)
    for username, role, name in [
        (DEMO_USER, Role.ADMIN, "演示管理员"),
        ("service", Role.SERVICE, "客服小李"),
        ("warehouse", Role.WAREHOUSE, "仓库老王"),
    ]:
        auth.create_user(db, username, DEMO_PASSWORD, role=role, display_name=name)
    token = auth.create_token(db, "demo", auth.ALL_SCOPES)
    made = load_orders(db, settings, skus, orders_count, progress)
    channel_demo.load(db, settings, skus)  # channel shops, inbox, merge candidates
    review_demo.load(db, settings, skus)  # orders waiting in the review queue, with reasons
    load_tracking(db)
    load_logistics(db, settings)
    demo_shipping.load_carriers(db)
    demo_warehouse.load(db, settings)
    demo_shipping.load(db, settings)
    aftersales_demo.load(db, settings)  # a few after-sales cases and refunds
    return DemoResult(len(skus), made, token)


def load_logistics(db: Db, settings: Settings) -> None:
    """The exception desk's queue and the carrier performance figures."""
    logistics_demo.load(db, settings)


def load_tracking(db: Db) -> None:
    """Carrier histories for shipped demo orders; fresh parcels for the simulated carrier."""
    tracking_demo.load(db, tracking_config.load())
