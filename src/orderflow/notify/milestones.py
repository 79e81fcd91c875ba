"""The milestones a customer is told about, and what each one's templates may use."""

from __future__ import annotations

from dataclasses import dataclass

COMMON_VARS = frozenset({
    "order_number", "customer_name", "shop_name", "service_phone", "order_url", "items",
    "total", "currency", "status", "placed_at",
})
SHIPPING_VARS = frozenset({"carrier", "carrier_name", "tracking_number", "tracking_link",
                           "ship_date", "eta", "service"})

AFTERSALES_VARS = frozenset({"case_number", "case_type"})


@dataclass(frozen=True)
class Milestone:
    code: str
    essential: bool  # opted-out customers still get essential notices
    extra_vars: frozenset[str] = frozenset()
    coalesce_group: str | None = None  # later news in the window replaces earlier
    customer_facing: bool = True

    @property
    def variables(self) -> frozenset[str]:
        return COMMON_VARS | self.extra_vars


MILESTONES: dict[str, Milestone] = {m.code: m for m in [
    Milestone("order.received", essential=True),
    Milestone("order.paid", essential=True, extra_vars=frozenset({"amount", "method"})),
    Milestone("order.shipped", essential=True, extra_vars=SHIPPING_VARS, coalesce_group="parcel"),
    Milestone("order.split_shipment", essential=True, extra_vars=SHIPPING_VARS | {"parcels"}),
    Milestone("order.split", essential=True, extra_vars=frozenset({"parcels", "reason"})),
    Milestone("order.out_for_delivery", essential=True, extra_vars=SHIPPING_VARS,
              coalesce_group="parcel"),
    Milestone("order.delivered", essential=True, extra_vars=SHIPPING_VARS | {"delivered_at"},
              coalesce_group="parcel"),
    Milestone("order.delayed", essential=True, extra_vars=SHIPPING_VARS | {"reason"}),
    Milestone("order.exception", essential=True, extra_vars=SHIPPING_VARS | {"reason"}),
    Milestone("order.cancelled", essential=True, extra_vars=frozenset({"reason", "refund_amount"})),
    Milestone("order.refund_issued", essential=True,
              extra_vars=frozenset({"amount", "reason", "method", "case_number"})),
    # After-sales (售后): the customer is told once at every step.
    Milestone("aftersales.requested", essential=True, extra_vars=AFTERSALES_VARS),
    Milestone("aftersales.approved", essential=True,
              extra_vars=AFTERSALES_VARS | {"return_address", "freight_payer"}),
    Milestone("aftersales.refused", essential=True, extra_vars=AFTERSALES_VARS | {"reason"}),
    Milestone("aftersales.received", essential=True,
              extra_vars=AFTERSALES_VARS | {"sellable", "damaged", "rejected"}),
    Milestone("aftersales.replacement_shipped", essential=True,
              extra_vars=AFTERSALES_VARS | SHIPPING_VARS),
    Milestone("payment.owed_back", essential=True, extra_vars=frozenset({"amount", "method"}),
              customer_facing=False),
]}

CUSTOMER_CHANNELS = ("email", "sms", "inbox")
ALL_CHANNELS = (*CUSTOMER_CHANNELS, "webhook")
# On unless the merchant switches it off. SMS costs money: only the big moments by default.
DEFAULT_OFF = frozenset({("order.received", "sms"), ("order.paid", "sms"),
                         ("order.delivered", "sms")})


def get(code: str) -> Milestone | None:
    return MILESTONES.get(code)
