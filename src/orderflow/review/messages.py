"""What each finding says, in both languages. Params fill the {placeholders}."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # completeness
    "complete.recipient": ("The recipient's name is missing.", "缺少收件人姓名。"),
    "complete.phone": ("The recipient's phone number is missing.", "缺少收件人电话。"),
    "complete.address": (
        "The address is incomplete: {missing} missing.",
        "地址不完整:缺少{missing}。",
    ),
    "complete.lines": ("The order has no lines to ship.", "订单没有可发货的商品。"),
    "complete.payment": ("No payment has been recorded.", "尚未收到付款。"),
    "complete.masked": (
        "The buyer's contact is masked by the platform; print with the platform's component.",
        "买家信息已被平台加密,需用平台打印组件打单。",
    ),
    # validity
    "valid.customer_blocked": (
        "The customer is blocked: {reason}.",
        "该客户已被拉黑:{reason}。",
    ),
    "valid.unpaid": (
        "{outstanding} {currency} is still unpaid.",
        "仍有 {outstanding} {currency} 未付。",
    ),
    "valid.cod_region": (
        "Cash on delivery is not offered in {province}.",
        "{province}不支持货到付款。",
    ),
    "valid.cod_amount": (
        "Cash on delivery above {limit} {currency} is not allowed (order: {total}).",
        "货到付款金额超过上限 {limit} {currency}(订单 {total})。",
    ),
    "valid.line_total": (
        "Line {sku}: {quantity} × {unit} does not make {line_total}.",
        "商品 {sku}:{quantity} × {unit} 不等于 {line_total}。",
    ),
    "valid.subtotal": (
        "The subtotal {subtotal} does not equal the lines' sum {lines}.",
        "商品小计 {subtotal} 与明细合计 {lines} 不符。",
    ),
    "valid.total": (
        "The total {total} does not equal subtotal + shipping − discount ({expected}).",
        "订单总额 {total} 不等于小计 + 运费 − 优惠({expected})。",
    ),
    "valid.overpaid": (
        "{extra} {currency} more than the total was paid.",
        "多付了 {extra} {currency}。",
    ),
    # address
    "address.province": (
        "'{province}' is not a province of China.",
        "「{province}」不是中国的省级行政区。",
    ),
    "address.city": (
        "'{city}' is not a city of {province}.",
        "「{city}」不在{province}。",
    ),
    "address.district": (
        "'{district}' is not a district of {city}{elsewhere}.",
        "「{district}」不在{city}{elsewhere_zh}。",
    ),
    "address.district_missing": (
        "The district is missing for {city}.",
        "{city}的区县缺失。",
    ),
    "address.ambiguous": (
        "'{district}' is a district of several cities ({candidates}): choose one.",
        "「{district}」在多个城市都有({candidates_zh}),请确认是哪一个。",
    ),
    "address.unparseable": (
        "The address could not be read: '{text}'.",
        "无法识别地址:「{text}」。",
    ),
    "address.detail_short": (
        "The street address '{detail}' is too short to deliver.",
        "详细地址「{detail}」过短,无法派送。",
    ),
    "address.remote": (
        "{province} is a remote region (longer transit, extra freight).",
        "{province}属于偏远地区(时效长、运费高)。",
    ),
    "address.normalised": (
        "The address was normalised to {normalised}.",
        "地址已规范为 {normalised}。",
    ),
    "address.phone_not_mobile": (
        "The phone {phone} is not a mobile number, so SMS notices cannot be sent.",
        "电话 {phone} 不是手机号,无法发送短信通知。",
    ),
    "address.phone_invalid": (
        "The phone '{phone}' is not a valid number for {country}.",
        "电话「{phone}」不是有效的{country}号码。",
    ),
    "address.country": (
        "'{country}' is not a known country code.",
        "「{country}」不是有效的国家代码。",
    ),
    "address.postal_code": (
        "The postal code '{postal_code}' is not in {country}'s format.",
        "邮编「{postal_code}」不符合{country}的格式。",
    ),
    "address.postal_missing": (
        "{country} addresses need a postal code.",
        "{country}地址必须填写邮编。",
    ),
    "address.city_missing": ("The city is missing.", "缺少城市。"),
    "address.state_missing": (
        "{country} addresses need the state or province.",
        "{country}地址必须填写州/省。",
    ),
    # duplicates and conflicts
    "dup.likely": (
        "Likely a duplicate of {others}: same {by}, same address and items within {hours} h.",
        "疑似重复订单({others}):{by_zh}、地址和商品相同,间隔不到 {hours} 小时。",
    ),
    "dup.stock_conflict": (
        "{sku}: {demand} wanted by {orders} open orders, only {available} available.",
        "{sku}:{orders} 个未发订单共需 {demand} 件,可用仅 {available} 件。",
    ),
    "dup.reservation_failed": (
        "Stock could not be reserved: {detail}.",
        "库存预占失败:{detail}。",
    ),
    "review.error": (
        "The review could not run ({error}); check this order by hand.",
        "审单规则运行出错({error}),请人工核对此订单。",
    ),
    # risk and remarks
    "risk.high_value": (
        "High value: {total} {currency} (threshold {limit}).",
        "高额订单:{total} {currency}(阈值 {limit})。",
    ),
    "risk.first_order_high_value": (
        "First order of this customer, and {total} {currency} (threshold {limit}).",
        "新客户首单且金额 {total} {currency}(阈值 {limit})。",
    ),
    "risk.remark": (
        "The {who} remark says '{word}': {remark}",
        "{who_zh}留言含「{word}」:{remark}",
    ),
}


def render(code: str, params: dict[str, Any], language: str) -> str:
    en, zh = MESSAGES.get(code, (code, code))
    template = zh if language.startswith("zh") else en
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
