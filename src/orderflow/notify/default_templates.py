"""Built-in templates (version 0) for every customer milestone, channel and language.

A merchant's edited version in the database replaces these; a notice records
which version it used.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    subject: str
    headline: str  # one line: what happened
    sms: str


ZH: dict[str, Text] = {
    "order.received": Text("我们已收到您的订单 {{ order_number }}",
                           "感谢您的购买！我们已收到您的订单 {{ order_number }}，合计 {{ total }} {{ currency }}。",
                           "【{{ shop_name }}】已收到您的订单{{ order_number }}，合计{{ total }}元。详情{{ short_link }}"),
    "order.paid": Text("订单 {{ order_number }} 付款成功",
                       "您的订单 {{ order_number }} 已付款 {{ amount }} {{ currency }}，我们会尽快为您发货。",
                       "【{{ shop_name }}】订单{{ order_number }}已付款，我们会尽快发货。详情{{ short_link }}"),
    "order.shipped": Text("订单 {{ order_number }} 已发货",
                          "您的订单 {{ order_number }} 已于 {{ ship_date }} 由 {{ carrier_name }} 发出，运单号 {{ tracking_number }}，预计 {{ eta }} 送达。",
                          "【{{ shop_name }}】订单{{ order_number }}已发货，{{ carrier_name }}运单号{{ tracking_number }}{% if eta %}，预计{{ eta }}送达{% endif %}。查询{{ short_link }}"),
    "order.split_shipment": Text("订单 {{ order_number }} 分 {{ parcels }} 个包裹发出",
                                 "您的订单 {{ order_number }} 将分 {{ parcels }} 个包裹发出，本包裹由 {{ carrier_name }} 承运，运单号 {{ tracking_number }}。",
                                 "【{{ shop_name }}】订单{{ order_number }}分{{ parcels }}个包裹发出，本包裹{{ carrier_name }}运单号{{ tracking_number }}。查询{{ short_link }}"),
    "order.split": Text("订单 {{ order_number }} 将分 {{ parcels }} 次发出",
                        "您的订单 {{ order_number }} 将分 {{ parcels }} 次发出：现有的商品先发，其余商品到货后尽快补发，无需另付运费。",
                        "【{{ shop_name }}】订单{{ order_number }}将分{{ parcels }}次发出，现货先发，其余到货补发。详情{{ short_link }}"),
    "order.out_for_delivery": Text("订单 {{ order_number }} 正在派送",
                                   "您的包裹（{{ carrier_name }} {{ tracking_number }}）正在派送中，请保持电话畅通。",
                                   "【{{ shop_name }}】您的包裹{{ tracking_number }}正在派送，请保持电话畅通。查询{{ short_link }}"),
    "order.delivered": Text("订单 {{ order_number }} 已签收",
                            "您的订单 {{ order_number }} 已签收。对商品满意吗？欢迎留下您的评价：{{ order_url }}。如有任何问题，请联系客服 {{ service_phone }}。",
                            "【{{ shop_name }}】订单{{ order_number }}已签收，感谢您的支持，期待您的评价。{{ short_link }}"),
    "order.delayed": Text("订单 {{ order_number }} 可能延迟送达",
                          "很抱歉，您的订单 {{ order_number }} 可能延迟：{{ reason }}。{% if new_estimate %}最新预计：{{ new_estimate }}。{% elif eta %}最新预计送达 {{ eta }}。{% endif %}",
                          "【{{ shop_name }}】很抱歉，订单{{ order_number }}可能延迟{% if reason %}：{{ reason }}{% endif %}。{% if new_estimate %}最新预计{{ new_estimate }}。{% endif %}详情{{ short_link }}"),
    "order.exception": Text("订单 {{ order_number }} 配送异常",
                            "您的订单 {{ order_number }} 配送出现异常：{{ reason }}。我们正在处理，请联系客服 {{ service_phone }}。",
                            "【{{ shop_name }}】订单{{ order_number }}配送异常，我们正在处理，客服{{ service_phone }}。{{ short_link }}"),
    "order.cancelled": Text("订单 {{ order_number }} 已取消",
                            "您的订单 {{ order_number }} 已取消（{{ reason }}）。{% if refund_amount %}已付款项 {{ refund_amount }} {{ currency }} 将原路退回。{% endif %}",
                            "【{{ shop_name }}】订单{{ order_number }}已取消{% if reason %}（{{ reason }}）{% endif %}。详情{{ short_link }}"),
    "order.refund_issued": Text("订单 {{ order_number }} 已退款",
                                "订单 {{ order_number }} 的退款 {{ amount }} {{ currency }} 已发起，将原路退回，预计 1-3 个工作日到账。",
                                "【{{ shop_name }}】订单{{ order_number }}退款{{ amount }}元已发起。详情{{ short_link }}"),
    "aftersales.requested": Text("已收到您的售后申请 {{ case_number }}",
                                 "我们已收到订单 {{ order_number }} 的售后申请 {{ case_number }}（{{ case_type }}），会尽快审核。请保留商品及相关凭证（照片、包装）。",
                                 "【{{ shop_name }}】已收到您的售后申请{{ case_number }}，我们会尽快审核。{{ short_link }}"),
    "aftersales.approved": Text("售后申请 {{ case_number }} 已通过",
                                "您的售后申请 {{ case_number }}（{{ case_type }}）已通过。{% if return_address %}请将商品寄回：{{ return_address }}，并在订单页填写退货运单号。{{ freight_payer }}{% endif %}",
                                "【{{ shop_name }}】售后申请{{ case_number }}已通过，请按订单页提示处理。{{ short_link }}"),
    "aftersales.refused": Text("售后申请 {{ case_number }} 未通过",
                               "很抱歉，您的售后申请 {{ case_number }} 未通过：{{ reason }} 如有疑问请联系客服 {{ service_phone }}。",
                               "【{{ shop_name }}】售后申请{{ case_number }}未通过，原因见订单页，客服{{ service_phone }}。{{ short_link }}"),
    "aftersales.received": Text("我们已收到您寄回的商品（{{ case_number }}）",
                                "我们已收到售后单 {{ case_number }} 寄回的商品，正在为您处理。",
                                "【{{ shop_name }}】已收到您寄回的商品，售后单{{ case_number }}处理中。{{ short_link }}"),
    "aftersales.replacement_shipped": Text("售后单 {{ case_number }} 的商品已发出",
                                           "售后单 {{ case_number }} 的商品已由 {{ carrier_name }} 发出，运单号 {{ tracking_number }}。",
                                           "【{{ shop_name }}】售后单{{ case_number }}商品已发出，运单号{{ tracking_number }}。{{ short_link }}"),
}

EN: dict[str, Text] = {
    "order.received": Text("We received your order {{ order_number }}",
                           "Thank you! We received your order {{ order_number }} for {{ total }} {{ currency }}.",
                           "【{{ shop_name }}】Order {{ order_number }} received, {{ total }} {{ currency }}. {{ short_link }}"),
    "order.paid": Text("Payment received for order {{ order_number }}",
                       "We received {{ amount }} {{ currency }} for order {{ order_number }} and will ship it soon.",
                       "【{{ shop_name }}】Order {{ order_number }} paid; we will ship it soon. {{ short_link }}"),
    "order.shipped": Text("Your order {{ order_number }} has shipped",
                          "Your order {{ order_number }} shipped on {{ ship_date }} with {{ carrier_name }}, tracking number {{ tracking_number }}. Estimated delivery: {{ eta }}.",
                          "【{{ shop_name }}】Order {{ order_number }} shipped: {{ carrier_name }} {{ tracking_number }}. {{ short_link }}"),
    "order.split_shipment": Text("Your order {{ order_number }} ships in {{ parcels }} parcels",
                                 "Your order {{ order_number }} ships in {{ parcels }} parcels. This one is with {{ carrier_name }}, tracking number {{ tracking_number }}.",
                                 "【{{ shop_name }}】Order {{ order_number }}, 1 of {{ parcels }} parcels: {{ carrier_name }} {{ tracking_number }}. {{ short_link }}"),
    "order.split": Text("Your order {{ order_number }} will ship in {{ parcels }} parts",
                        "Your order {{ order_number }} will ship in {{ parcels }} parts: what we have now ships first, the rest as soon as it arrives, at no extra shipping cost.",
                        "【{{ shop_name }}】Order {{ order_number }} ships in {{ parcels }} parts; the rest when in stock. {{ short_link }}"),
    "order.out_for_delivery": Text("Order {{ order_number }} is out for delivery",
                                   "Your parcel ({{ carrier_name }} {{ tracking_number }}) is out for delivery today.",
                                   "【{{ shop_name }}】Parcel {{ tracking_number }} is out for delivery. {{ short_link }}"),
    "order.delivered": Text("Order {{ order_number }} was delivered",
                            "Your order {{ order_number }} was delivered. Happy with it? We would love your review: {{ order_url }}. Questions? Call us on {{ service_phone }}.",
                            "【{{ shop_name }}】Order {{ order_number }} delivered. Thank you! Your review: {{ short_link }}"),
    "order.delayed": Text("Order {{ order_number }} may be late",
                          "We are sorry: order {{ order_number }} may be late ({{ reason }}).{% if new_estimate %} New estimate: {{ new_estimate }}.{% elif eta %} New delivery estimate: {{ eta }}.{% endif %}",
                          "【{{ shop_name }}】Sorry, order {{ order_number }} is late.{% if new_estimate %} New estimate {{ new_estimate }}.{% endif %} {{ short_link }}"),
    "order.exception": Text("A problem with the delivery of order {{ order_number }}",
                            "There is a problem with the delivery of order {{ order_number }}: {{ reason }}. We are on it; call us on {{ service_phone }}.",
                            "【{{ shop_name }}】A delivery problem with order {{ order_number }}; we are on it. {{ short_link }}"),
    "order.cancelled": Text("Order {{ order_number }} was cancelled",
                            "Your order {{ order_number }} was cancelled ({{ reason }}).{% if refund_amount %} Your payment of {{ refund_amount }} {{ currency }} will be refunded.{% endif %}",
                            "【{{ shop_name }}】Order {{ order_number }} cancelled{% if reason %} ({{ reason }}){% endif %}. {{ short_link }}"),
    "order.refund_issued": Text("Refund for order {{ order_number }}",
                                "We refunded {{ amount }} {{ currency }} for order {{ order_number }} to the way you paid; expect it within 1-3 working days.",
                                "【{{ shop_name }}】Refund of {{ amount }} {{ currency }} issued for {{ order_number }}. {{ short_link }}"),
    "aftersales.requested": Text("We received your after-sales request {{ case_number }}",
                                 "We received your request {{ case_number }} ({{ case_type }}) for order {{ order_number }} and will review it soon. Please keep the goods and your proof (photos, packaging).",
                                 "【{{ shop_name }}】Request {{ case_number }} received. {{ short_link }}"),
    "aftersales.approved": Text("Your request {{ case_number }} was approved",
                                "Your request {{ case_number }} ({{ case_type }}) was approved.{% if return_address %} Please send the goods to: {{ return_address }}, and enter the return tracking number on your order page. {{ freight_payer }}{% endif %}",
                                "【{{ shop_name }}】Request {{ case_number }} approved, next step: {{ short_link }}"),
    "aftersales.refused": Text("Your request {{ case_number }} was not approved",
                               "We are sorry: your request {{ case_number }} was not approved. {{ reason }} Questions? Call us on {{ service_phone }}.",
                               "【{{ shop_name }}】Request {{ case_number }} not approved, why: {{ short_link }}"),
    "aftersales.received": Text("We received the goods you sent back ({{ case_number }})",
                                "We received the goods you sent back for {{ case_number }} and are handling them now.",
                                "【{{ shop_name }}】We received your return {{ case_number }}. {{ short_link }}"),
    "aftersales.replacement_shipped": Text("Your replacement for {{ case_number }} has shipped",
                                           "The goods for {{ case_number }} shipped with {{ carrier_name }}, tracking number {{ tracking_number }}.",
                                           "【{{ shop_name }}】{{ case_number }} shipped, {{ tracking_number }}. {{ short_link }}"),
}

# --- time nodes (issue 13): confirmation, payment, corrections, non-essential news ---
ZH.update({
    "order.confirmed": Text(
        "订单 {{ order_number }} 已确认",
        "您的订单 {{ order_number }} 已确认，我们将{% if promised_ship_date %}在 {{ promised_ship_date }} 前{% else %}尽快{% endif %}以{{ shipping_method }}为您发出。{% if remarks %}\n您的备注：{{ remarks }}{% endif %}\n售后说明：{{ aftersales_summary }}",
        "【{{ shop_name }}】订单{{ order_number }}已确认{% if promised_ship_date %}，将于{{ promised_ship_date }}前发出{% endif %}。详情{{ short_link }}"),
    "order.confirmation_updated": Text(
        "订单 {{ order_number }} 信息已更新",
        "您的订单 {{ order_number }} 的收货信息已更新，请核对。我们将在 {{ promised_ship_date }} 前以{{ shipping_method }}为您发出。{% if remarks %}\n您的备注：{{ remarks }}{% endif %}\n售后说明：{{ aftersales_summary }}",
        "【{{ shop_name }}】订单{{ order_number }}收货信息已更新，请核对。详情{{ short_link }}"),
    "payment.reminder": Text(
        "订单 {{ order_number }} 待付款",
        "您的订单 {{ order_number }} 还未付款，请在 {{ pay_by }} 前完成支付，逾期订单将自动取消。去付款：{{ order_url }}",
        "【{{ shop_name }}】订单{{ order_number }}待付款，请于{{ pay_by }}前支付，逾期自动取消。{{ short_link }}"),
    "payment.failed": Text(
        "订单 {{ order_number }} 付款未成功",
        "您的订单 {{ order_number }} 付款未成功，款项未扣除。{% if pay_by %}订单为您保留至 {{ pay_by }}，{% endif %}请打开订单页重新付款，或换一种付款方式：{{ order_url }}",
        "【{{ shop_name }}】订单{{ order_number }}付款未成功，请重新付款{% if pay_by %}（{{ pay_by }}前）{% endif %}。{{ short_link }}"),
    "order.shipment_corrected": Text(
        "订单 {{ order_number }} 快递信息已更正",
        "您的订单 {{ order_number }} 的快递信息已更正：现由 {{ carrier_name }} 承运，运单号 {{ tracking_number }}，请以此为准查询物流。",
        "【{{ shop_name }}】订单{{ order_number }}快递信息更正为{{ carrier_name }}，运单号{{ tracking_number }}。查询{{ short_link }}"),
    "order.packing": Text(
        "订单 {{ order_number }} 正在打包",
        "您的订单 {{ order_number }} 正在打包，很快就会发出。",
        "【{{ shop_name }}】订单{{ order_number }}正在打包，很快发出。{{ short_link }}"),
    "review.requested": Text(
        "欢迎评价订单 {{ order_number }}",
        "您对订单 {{ order_number }} 满意吗？欢迎留下您的评价：{{ order_url }}",
        "【{{ shop_name }}】欢迎评价订单{{ order_number }}。{{ short_link }}"),
})

EN.update({
    "order.confirmed": Text(
        "Order {{ order_number }} is confirmed",
        "Your order {{ order_number }} is confirmed. We will ship it {% if promised_ship_date %}by {{ promised_ship_date }}{% else %}soon{% endif %} by {{ shipping_method }}.{% if remarks %}\nYour note: {{ remarks }}{% endif %}\nAfter-sales: {{ aftersales_summary }}",
        "【{{ shop_name }}】Order {{ order_number }} confirmed{% if promised_ship_date %}; ships by {{ promised_ship_date }}{% endif %}. {{ short_link }}"),
    "order.confirmation_updated": Text(
        "Order {{ order_number }} was updated",
        "The delivery details of your order {{ order_number }} were updated; please check them. We will ship it by {{ promised_ship_date }} by {{ shipping_method }}.{% if remarks %}\nYour note: {{ remarks }}{% endif %}\nAfter-sales: {{ aftersales_summary }}",
        "【{{ shop_name }}】Order {{ order_number }}: delivery details updated, please check. {{ short_link }}"),
    "payment.reminder": Text(
        "Order {{ order_number }} is waiting for payment",
        "Your order {{ order_number }} is not paid yet. Please pay by {{ pay_by }}; after that it is cancelled automatically. Pay now: {{ order_url }}",
        "【{{ shop_name }}】Order {{ order_number }} unpaid; pay by {{ pay_by }} or it is cancelled. {{ short_link }}"),
    "payment.failed": Text(
        "Payment for order {{ order_number }} did not go through",
        "The payment for your order {{ order_number }} did not go through and nothing was charged.{% if pay_by %} We keep the order for you until {{ pay_by }}.{% endif %} Open your order to pay again, or with another method: {{ order_url }}",
        "【{{ shop_name }}】Payment for order {{ order_number }} failed; pay again by {{ pay_by }}. {{ short_link }}"),
    "order.shipment_corrected": Text(
        "Corrected tracking details for order {{ order_number }}",
        "The shipping details of your order {{ order_number }} were corrected: it travels with {{ carrier_name }}, tracking number {{ tracking_number }}. Please use these to track it.",
        "【{{ shop_name }}】Order {{ order_number }} corrected: {{ carrier_name }} {{ tracking_number }}. {{ short_link }}"),
    "order.packing": Text(
        "Order {{ order_number }} is being packed",
        "Your order {{ order_number }} is being packed and will ship soon.",
        "【{{ shop_name }}】Order {{ order_number }} is being packed. {{ short_link }}"),
    "review.requested": Text(
        "How was order {{ order_number }}?",
        "Are you happy with order {{ order_number }}? We would love your review: {{ order_url }}",
        "【{{ shop_name }}】How was order {{ order_number }}? Review it: {{ short_link }}"),
})

EMAIL_TEXT = {
    "zh-CN": ("{{ customer_name or '您好' }}：\n\n{headline}\n\n"
              "{% for item in items %}- {{ item.name }} × {{ item.quantity }}\n{% endfor %}\n"
              "查看订单：{{ order_url }}\n客服电话：{{ service_phone }}\n\n{{ shop_name }}\n"),
    "en": ("Hello {{ customer_name or 'there' }},\n\n{headline}\n\n"
           "{% for item in items %}- {{ item.name }} x {{ item.quantity }}\n{% endfor %}\n"
           "Your order: {{ order_url }}\nCustomer service: {{ service_phone }}\n\n{{ shop_name }}\n"),
}

EMAIL_HTML = {
    "zh-CN": ("<div style=\"font-family:sans-serif;max-width:560px\"><h2>{subject}</h2>"
              "<p>{{ customer_name or '您好' }}：</p><p>{headline}</p><ul>"
              "{% for item in items %}<li>{{ item.name }} × {{ item.quantity }}</li>{% endfor %}</ul>"
              "<p><a href=\"{{ order_url }}\">查看订单</a> · 客服电话 {{ service_phone }}</p>"
              "<p style=\"color:#888\">{{ shop_name }}</p></div>"),
    "en": ("<div style=\"font-family:sans-serif;max-width:560px\"><h2>{subject}</h2>"
           "<p>Hello {{ customer_name or 'there' }},</p><p>{headline}</p><ul>"
           "{% for item in items %}<li>{{ item.name }} x {{ item.quantity }}</li>{% endfor %}</ul>"
           "<p><a href=\"{{ order_url }}\">Your order</a> · Customer service {{ service_phone }}</p>"
           "<p style=\"color:#888\">{{ shop_name }}</p></div>"),
}


@dataclass(frozen=True)
class Parts:
    subject: str | None
    body_text: str
    body_html: str | None


def default(milestone: str, channel: str, language: str) -> Parts | None:
    table = ZH if language == "zh-CN" else EN
    text = table.get(milestone)
    if text is None:
        return None
    lang = "zh-CN" if language == "zh-CN" else "en"
    if channel == "sms":
        return Parts(None, text.sms, None)
    if channel == "inbox":
        return Parts(text.subject, text.headline, None)
    return Parts(text.subject, EMAIL_TEXT[lang].replace("{headline}", text.headline),
                 EMAIL_HTML[lang].replace("{headline}", text.headline).replace("{subject}", text.subject))
