"""The milestones a customer is told about, and what each one's templates may use."""

from __future__ import annotations

from dataclasses import dataclass

COMMON_VARS = frozenset({
    "order_number", "customer_name", "shop_name", "service_phone", "order_url", "items",
    "total", "currency", "status", "placed_at", "short_link",
})
CONFIRM_VARS = frozenset({"promised_ship_date", "shipping_method", "remarks",
                          "aftersales_summary"})
PAYMENT_VARS = frozenset({"amount", "method", "pay_by", "reason"})
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
    # "all": every channel the customer has; "first": the first that works (fallbacks).
    channels: str = "first"

    @property
    def variables(self) -> frozenset[str]:
        return COMMON_VARS | self.extra_vars


MILESTONES: dict[str, Milestone] = {m.code: m for m in [
    Milestone("order.received", essential=True),
    Milestone("order.paid", essential=True, extra_vars=frozenset({"amount", "method"})),
    Milestone("order.shipped", essential=True, extra_vars=SHIPPING_VARS, coalesce_group="parcel",
              channels="all"),
    Milestone("order.split_shipment", essential=True, extra_vars=SHIPPING_VARS | {"parcels"}),
    Milestone("order.split", essential=True, extra_vars=frozenset({"parcels", "reason"})),
    Milestone("order.out_for_delivery", essential=True, extra_vars=SHIPPING_VARS,
              coalesce_group="parcel"),
    Milestone("order.delivered", essential=True, extra_vars=SHIPPING_VARS | {"delivered_at"},
              coalesce_group="parcel"),
    Milestone("order.delayed", essential=True,
              extra_vars=SHIPPING_VARS | {"reason", "new_estimate"}, channels="all"),
    Milestone("order.exception", essential=True, extra_vars=SHIPPING_VARS | {"reason"},
              channels="all"),
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
    # --- time nodes (issue 13) ---
    Milestone("order.confirmed", essential=True, extra_vars=CONFIRM_VARS,
              coalesce_group="confirmation", channels="all"),
    Milestone("order.confirmation_updated", essential=True, extra_vars=CONFIRM_VARS,
              channels="all"),
    Milestone("payment.reminder", essential=True, extra_vars=PAYMENT_VARS),
    Milestone("payment.failed", essential=True, extra_vars=PAYMENT_VARS),
    Milestone("order.shipment_corrected", essential=True, extra_vars=SHIPPING_VARS,
              channels="all"),
    Milestone("order.packing", essential=False),
    Milestone("review.requested", essential=False),
]}
# The payment notice waits in the confirmation group: an approval that follows within
# the window replaces it with the confirmation (which says it was paid).
COALESCE_GROUP_OF = {"order.paid": "confirmation"}

CUSTOMER_CHANNELS = ("email", "sms", "inbox")
ALL_CHANNELS = (*CUSTOMER_CHANNELS, "webhook")
# On unless the merchant switches it off. SMS costs money: only the big moments by default.
DEFAULT_OFF = frozenset({("order.received", "sms"), ("order.paid", "sms"),
                         ("order.delivered", "sms"), ("order.packing", "sms"),
                         ("order.packing", "email"), ("review.requested", "sms")})
CHANNEL_POLICIES = ("all", "first")


def get(code: str) -> Milestone | None:
    return MILESTONES.get(code)
