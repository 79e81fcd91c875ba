"""What after-sales writes, in both languages: refusal reasons, exclusions and timeline
entries are stored as a code + parameters and rendered here in the reader's language."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, tuple[str, str]] = {
    # refusals decided by the policy
    "window.no_reason": (
        "The {days}-day no-reason return period ended on {last_day}.",
        "七天无理由退货期限已于 {last_day} 结束（{days} 天，自签收次日起算）。",
    ),
    "window.quality": (
        "The {days}-day period for quality problems ended on {last_day}.",
        "质量问题售后期限已于 {last_day} 结束（{days} 天）。",
    ),
    "excluded.fresh": (
        "{sku} is fresh food and cannot be returned without a reason.",
        "{sku} 为生鲜商品，不支持七天无理由退货。",
    ),
    "excluded.custom": (
        "{sku} was made to order and cannot be returned without a reason.",
        "{sku} 为定制商品，不支持七天无理由退货。",
    ),
    "excluded.digital": (
        "{sku} is a digital product and cannot be returned once delivered.",
        "{sku} 为数字商品，交付后不支持无理由退货。",
    ),
    "excluded.hygiene": (
        "{sku} is a hygiene product and cannot be returned once opened.",
        "{sku} 为贴身卫生用品，拆封后不支持无理由退货。",
    ),
    "excluded.other": (
        "{sku} is excluded from no-reason returns (as shown when you bought it).",
        "{sku} 不支持七天无理由退货（购买时已提示）。",
    ),
    # refusals decided by staff
    "staff.no_evidence": (
        "We could not confirm the problem from the photos; please send clearer ones.",
        "根据您提供的照片无法确认问题，请补充清晰的照片。",
    ),
    "staff.not_intact": (
        "The goods are no longer intact (original condition, accessories and tags).",
        "商品已不完好（需保持原有品质、配件及吊牌完整）。",
    ),
    "staff.used": (
        "The goods were used beyond a reasonable trial.",
        "商品已超出合理试用范围使用。",
    ),
    "staff.duplicate": (
        "This request repeats one that is already open.",
        "该申请与已有售后单重复。",
    ),
    "staff.other": ("{note}", "{note}"),
    "freight.customer": ("Return shipping is paid by you.", "退回运费由您承担。"),
    "freight.merchant": ("Return shipping is paid by us.", "退回运费由商家承担。"),
    # timeline
    "case.requested": ("Requested: {type}, reason {reason}.", "提交申请：{type}，原因 {reason}。"),
    "case.auto_approved": ("Approved automatically ({rule}).", "系统自动同意（{rule}）。"),
    "case.approved": ("Approved.", "已同意。"),
    "case.refused": ("Refused: {why}", "已拒绝：{why}"),
    "case.withdrawn": ("Withdrawn.", "已撤销。"),
    "case.return_shipped": (
        "The customer sent the goods back: {carrier} {tracking_number}.",
        "买家已寄回：{carrier} {tracking_number}。",
    ),
    "case.received": (
        "Received: {sellable} sellable, {damaged} damaged, {rejected} rejected.",
        "已收货：可售 {sellable}，残次 {damaged}，拒收 {rejected}。",
    ),
    "case.refund_requested": ("Refund of {amount} asked for.", "已发起退款 {amount}。"),
    "case.refund_succeeded": ("Refund of {amount} made.", "退款 {amount} 已完成。"),
    "case.refund_failed": ("Refund failed: {error}", "退款失败：{error}"),
    "case.replacement_ordered": (
        "Replacement order {order_number} created.",
        "已创建换/补发订单 {order_number}。",
    ),
    "case.replacement_shipped": (
        "Replacement shipped: {carrier} {tracking_number}.",
        "换/补发商品已发出：{carrier} {tracking_number}。",
    ),
    "case.refund_due": ("The refund is due.", "待退款。"),
    "case.replacement_due": ("The replacement is to ship.", "待发出换/补发商品。"),
    "case.assigned": ("Assigned to {owner}.", "已分配给 {owner}。"),
    "case.closed": ("Closed.", "已关闭。"),
    "case.note": ("Note: {note}", "备注：{note}"),
}

TYPE_NAMES: dict[str, tuple[str, str]] = {
    "return_refund": ("Return and refund", "退货退款"),
    "refund_only": ("Refund only", "仅退款"),
    "exchange": ("Exchange", "换货"),
    "reship": ("Reship", "补发"),
    "repair": ("Repair", "维修"),
}

REASON_NAMES: dict[str, tuple[str, str]] = {
    "quality_damaged": ("Damaged", "商品破损"),
    "quality_defective": ("Defective", "商品瑕疵"),
    "quality_not_working": ("Does not work", "功能失效"),
    "wrong_size": ("Wrong size", "尺码不合适"),
    "wrong_item": ("Wrong item sent", "商家发错货"),
    "not_as_described": ("Not as described", "与描述不符"),
    "no_reason": ("No reason (7 days)", "七天无理由"),
    "transport_damage": ("Damaged in transit", "运输破损"),
    "transport_lost": ("Lost in transit", "快递丢件"),
    "refused_delivery": ("Refused on delivery", "拒收退回"),
    "other": ("Other", "其他"),
}

STATE_NAMES: dict[str, tuple[str, str]] = {
    "requested": ("Requested", "待审核"),
    "awaiting_return": ("Approved, awaiting return", "已同意，待寄回"),
    "in_transit_back": ("On its way back", "退回途中"),
    "received": ("Received", "已收货"),
    "refunding": ("Refund due", "待退款"),
    "replacement": ("Replacement to ship", "待换/补发"),
    "closed": ("Closed", "已完成"),
    "refused": ("Refused", "已拒绝"),
    "withdrawn": ("Withdrawn", "已撤销"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language.startswith("zh") else pair[0]


def name(table: dict[str, tuple[str, str]], code: str, language: str) -> str:
    pair = table.get(code)
    return _pick(pair, language) if pair else code


def render(code: str, params: dict[str, Any], language: str) -> str:
    pair = MESSAGES.get(code, (code, code))
    template = _pick(pair, language)
    values = {k: (name(TYPE_NAMES, v, language) if k == "type" else
                  name(REASON_NAMES, v, language) if k == "reason" else v)
              for k, v in params.items()}
    if code == "case.refused" and "code" in params:
        values["why"] = render(str(params["code"]), dict(params.get("params") or {}), language)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def both(code: str, params: dict[str, Any]) -> dict[str, str]:
    """A text in both languages, for a notice's payload (`reason_i18n`)."""
    return {"en": render(code, params, "en"), "zh-CN": render(code, params, "zh-CN")}
