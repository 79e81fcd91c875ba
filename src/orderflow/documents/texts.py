"""Headings of the printed documents in the languages OrderFlow ships."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

_TEXTS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "to": "收",
        "from": "寄",
        "parcel": "件数",
        "weight": "重量",
        "cod": "代收货款",
        "order": "订单号",
        "printed": "打印时间",
        "remarks": "备注",
        "sign": "签收人 / 时间：",
        "slip_title": "发货单",
        "order_date": "下单日期",
        "recipient": "收件人",
        "carrier": "快递",
        "tracking": "运单号",
        "note": "买家留言",
        "line_no": "序号",
        "sku": "SKU",
        "item": "商品名称",
        "options": "规格",
        "qty": "数量",
        "total": "合计",
        "pick_title": "拣货单",
        "wave": "波次",
        "created": "生成时间",
        "warehouse": "仓库",
        "bin": "库位",
        "orders": "订单数",
        "check": "已拣",
        "page": "第 {n} 页",
        "summary": "共 {skus} 个 SKU，{units} 件，{orders} 个订单",
    },
    "en": {
        "to": "TO",
        "from": "FROM",
        "parcel": "Parcel",
        "weight": "Weight",
        "cod": "COD",
        "order": "Order",
        "printed": "Printed",
        "remarks": "Remarks",
        "sign": "Received by / date:",
        "slip_title": "Packing slip",
        "order_date": "Order date",
        "recipient": "Ship to",
        "carrier": "Carrier",
        "tracking": "Tracking no.",
        "note": "Buyer note",
        "line_no": "#",
        "sku": "SKU",
        "item": "Item",
        "options": "Options",
        "qty": "Qty",
        "total": "Total",
        "pick_title": "Pick list",
        "wave": "Wave",
        "created": "Created",
        "warehouse": "Warehouse",
        "bin": "Bin",
        "orders": "Orders",
        "check": "Picked",
        "page": "Page {n}",
        "summary": "{skus} SKUs, {units} units, {orders} orders",
    },
}


def texts(language: str) -> dict[str, str]:
    """The headings for `language` ('zh-CN' or 'en'); ValueError for others."""
    try:
        return _TEXTS[language]
    except KeyError:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}") from None
