"""The import file's columns: canonical names, the aliases merchants' exports use,
and the header check that runs before any row is read."""

from __future__ import annotations

from dataclasses import dataclass

from orderflow.intake.limits import MAX_COLUMNS, excerpt

ORDER_COLUMNS = (
    "channel", "external_id", "currency", "customer_name", "phone", "email", "language",
    "country", "province", "city", "district", "address", "postal_code", "shipping_fee",
    "discount", "total", "payment_method", "payment_amount", "payment_ref", "cod",
    "buyer_remark", "seller_remark", "address_text",
)
LINE_COLUMNS = ("sku", "quantity", "unit_price")
COLUMNS = frozenset(ORDER_COLUMNS + LINE_COLUMNS)
REQUIRED = ("external_id", "sku", "quantity")
ADDRESS = ("address", "address_text")  # the detail, or the whole address as one line
CONTACT = ("phone", "email")

_ALIASES = {
    "channel": ("渠道", "来源", "平台", "店铺渠道"),
    "external_id": ("外部单号", "订单号", "外部订单号", "平台订单号", "原始单号"),
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
    "address_text": ("收货信息", "完整地址", "地址全文", "full_address", "address_line"),
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
    if not present & set(ADDRESS):
        problems.append(HeaderProblem("address", "import.missing_column",
                                      "an 'address' or an 'address_text' column is required"))
    if not present & {*CONTACT, "address_text"}:
        problems.append(HeaderProblem("phone", "import.missing_column",
                                      "a 'phone' or an 'email' column is required"))
    return problems


# --- documentation and templates ------------------------------------------------


def N_(message: str) -> str:  # the gettext marker: translated where shown
    return message


# (column, required, what it holds) in the order the template lists them. The Chinese
# name is the column's first alias; every alias is accepted.
COLUMN_DOCS: tuple[tuple[str, str, str], ...] = (
    ("external_id", N_("yes"), N_("The order number in your shop; rows with the same "
                                  "external_id one after another are one order")),
    ("channel", N_("no"), N_("Where the order came from (default: import)")),
    ("customer_name", N_("no"), N_("Recipient's name")),
    ("phone", N_("phone or email"), N_("Recipient's phone, as written (138-1234-5678, "
                                       "+86 138…, 0086…, 010-6552 9988 转 123)")),
    ("email", N_("phone or email"), N_("Recipient's e-mail")),
    ("language", N_("no"), N_("zh-CN or en (default zh-CN)")),
    ("country", N_("no"), N_("ISO country code (default CN)")),
    ("province", N_("China"), N_("Province")),
    ("city", N_("China"), N_("City")),
    ("district", N_("China"), N_("District or county")),
    ("address", N_("address or address_text"), N_("Street address")),
    ("address_text", N_("address or address_text"),
     N_("The whole address in one line, with name and phone if you have them; it fills the "
        "columns left blank")),
    ("postal_code", N_("outside China"), N_("Postal code")),
    ("sku", N_("yes"), N_("SKU code, one line of the order per row")),
    ("quantity", N_("yes"), N_("Whole number, at least 1")),
    ("unit_price", N_("no"), N_("Unit price (default: the catalogue price)")),
    ("shipping_fee", N_("no"), N_("Shipping charged (order-level)")),
    ("discount", N_("no"), N_("Discount (order-level)")),
    ("total", N_("no"), N_("Total paid; checked against lines + shipping - discount")),
    ("currency", N_("no"), N_("ISO currency (default CNY)")),
    ("payment_method", N_("no"), N_("alipay, wechat_pay, unionpay, card, bank_transfer, cod "
                                    "(or 支付宝, 微信, 银联…)")),
    ("payment_amount", N_("no"), N_("Amount paid")),
    ("payment_ref", N_("no"), N_("Payment reference (transaction number)")),
    ("cod", N_("no"), N_("Cash on delivery: yes/no, 1/0, 是/否")),
    ("buyer_remark", N_("no"), N_("Buyer's remark")),
    ("seller_remark", N_("no"), N_("Seller's remark")),
)


def chinese_name(column: str) -> str:
    return _ALIASES.get(column, (column,))[0]


TEMPLATE_ROWS: tuple[dict[str, str], ...] = (
    {"external_id": "SHOP-1001", "customer_name": "张三", "phone": "138-1234-5678",
     "province": "浙江省", "city": "杭州市", "district": "西湖区", "address": "文三路 100 号",
     "sku": "SKU-1", "quantity": "2", "shipping_fee": "8.00"},
    {"external_id": "SHOP-1001", "sku": "SKU-2", "quantity": "1"},
    {"external_id": "SHOP-1002",
     "address_text": "李四 13900001111 广东省深圳市南山区高新南七道12号",
     "sku": "SKU-3", "quantity": "1", "payment_method": "支付宝", "payment_amount": "30.00",
     "payment_ref": "2026120612345"},
)


def template_rows(chinese: bool) -> list[list[str]]:
    """The template: a header (English or Chinese names) and three example rows."""
    columns = [c for c, _req, _what in COLUMN_DOCS]
    header = [chinese_name(c) if chinese else c for c in columns]
    return [header, *([row.get(c, "") for c in columns] for row in TEMPLATE_ROWS)]
