"""The import file's columns: canonical names, the aliases merchants' exports use,
and the header check that runs before any row is read."""

from __future__ import annotations

from dataclasses import dataclass

from orderflow.intake.limits import MAX_COLUMNS, excerpt

ORDER_COLUMNS = (
    "channel", "external_id", "currency", "customer_name", "phone", "email", "language",
    "country", "province", "city", "district", "address", "postal_code", "shipping_fee",
    "discount", "total", "payment_method", "payment_amount", "payment_ref", "cod",
    "buyer_remark", "seller_remark",
)
LINE_COLUMNS = ("sku", "quantity", "unit_price")
COLUMNS = frozenset(ORDER_COLUMNS + LINE_COLUMNS)
REQUIRED = ("external_id", "sku", "quantity", "address")
CONTACT = ("phone", "email")

_ALIASES = {
    "channel": ("渠道", "来源", "平台", "店铺渠道"),
    "external_id": ("订单号", "外部单号", "外部订单号", "平台订单号", "原始单号"),
    "currency": ("币种", "货币"),
    "customer_name": ("收件人", "收货人", "收件人姓名", "客户姓名", "name", "recipient"),
    "phone": ("手机", "手机号", "手机号码", "电话", "联系电话", "收件人手机", "mobile"),
    "email": ("邮箱", "电子邮箱", "e-mail"),
    "language": ("语言",),
    "country": ("国家", "国家代码"),
    "province": ("省", "省份"),
    "city": ("市", "城市"),
    "district": ("区", "区县"),
    "address": ("详细地址", "地址", "收货地址", "address_detail", "detail"),
    "postal_code": ("邮编", "邮政编码", "zip", "postcode"),
    "sku": ("商品编码", "商家编码", "sku编码", "sku_code"),
    "quantity": ("数量", "qty"),
    "unit_price": ("单价", "price"),
    "shipping_fee": ("运费",),
    "discount": ("优惠", "优惠金额", "折扣"),
    "total": ("实付", "总价", "实付金额", "订单金额", "应付金额"),
    "payment_method": ("支付方式",),
    "payment_amount": ("支付金额",),
    "payment_ref": ("支付流水号", "支付单号", "交易号"),
    "cod": ("货到付款",),
    "buyer_remark": ("买家备注", "买家留言"),
    "seller_remark": ("卖家备注", "商家备注"),
}


def _key(header: str) -> str:
    return header.replace("\ufeff", "").strip().lower().replace(" ", "_").replace("-", "_")


ALIASES: dict[str, str] = {
    **{_key(name): name for name in COLUMNS},
    **{_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases},
}


@dataclass(frozen=True)
class HeaderProblem:
    column: str
    code: str
    message: str


def map_header(cells: list[str | None]) -> tuple[list[str | None], list[HeaderProblem]]:
    """Each header cell's canonical column (None for blank cells), and every problem."""
    mapped: list[str | None] = []
    problems: list[HeaderProblem] = []
    if sum(1 for c in cells if c) > MAX_COLUMNS:
        return [], [HeaderProblem("", "import.too_many_columns",
                                  f"the header has {len(cells)} columns; at most {MAX_COLUMNS}")]
    for cell in cells:
        text = (cell or "").strip()
        if not text:
            mapped.append(None)
            continue
        name = ALIASES.get(_key(text))
        if name is None:
            problems.append(HeaderProblem(excerpt(text), "import.unknown_column",
                                          f"unknown column '{excerpt(text)}'"))
        elif name in mapped:
            problems.append(HeaderProblem(excerpt(text), "import.duplicate_column",
                                          f"column '{excerpt(text)}' repeats '{name}'"))
        mapped.append(name)
    problems.extend(_missing(set(mapped)))
    return mapped, problems


def _missing(present: set[str | None]) -> list[HeaderProblem]:
    problems = [HeaderProblem(name, "import.missing_column", f"required column '{name}' is missing")
                for name in REQUIRED if name not in present]
    if not present & set(CONTACT):
        problems.append(HeaderProblem("phone", "import.missing_column",
                                      "a 'phone' or an 'email' column is required"))
    return problems
