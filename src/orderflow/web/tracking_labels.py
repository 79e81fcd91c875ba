"""Labels for the logistics screens: exception kinds, case states, outcomes, actions,
carrier statuses and the timeline events the exception desk writes. Registered into the
console's label groups when the console starts (like the notify labels)."""

from __future__ import annotations

from orderflow.logistics.models import CaseKind, CaseState
from orderflow.web import i18n
from orderflow.web.i18n import N_

KIND_LABELS: dict[str, str] = {
    CaseKind.STALLED: N_("No carrier update"),
    CaseKind.DELIVERY_FAILED: N_("Failed delivery attempt"),
    CaseKind.LOST: N_("Lost"),
    CaseKind.DAMAGED: N_("Damaged"),
    CaseKind.RETURNED: N_("Returned to sender"),
    CaseKind.CARRIER_EXCEPTION: N_("Carrier exception"),
}

CASE_STATE_LABELS: dict[str, str] = {
    CaseState.OPEN: N_("Open"),
    CaseState.RESOLVED: N_("Resolved"),
    CaseState.CLOSED: N_("Closed"),
}

OUTCOME_LABELS: dict[str, str] = {
    "carrier_resolved": N_("Carrier sorted it out"),
    "delivered": N_("Delivered after all"),
    "reshipped": N_("Replacement shipped"),
    "refunded": N_("Refunded"),
    "no_action": N_("No action needed"),
}

ACTION_LABELS: dict[str, str] = {
    "assigned": N_("Assigned"),
    "contact_carrier": N_("Contacted the carrier"),
    "reship": N_("Reship"),
    "refund": N_("Refund"),
    "note": N_("Note"),
    "closed": N_("Closed"),
}

TRACKING_STATUS_LABELS: dict[str, str] = {
    "info_received": N_("Label created"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "delivery_attempted": N_("Delivery attempted"),
    "delivered": N_("Delivered"),
    "exception": N_("Exception"),
    "returning": N_("Returning to sender"),
    "returned": N_("Returned to sender"),
}

EXCEPTION_EVENT_LABELS: dict[str, str] = {
    "exception.opened": N_("Exception opened"),
    "exception.assigned": N_("Exception assigned"),
    "exception.contact_carrier": N_("Carrier contacted"),
    "exception.reship": N_("Reship"),
    "exception.refund": N_("Refund on an exception"),
    "exception.note": N_("Exception note"),
    "exception.resolved": N_("Exception resolved"),
    "exception.closed": N_("Exception closed"),
}

EXCEPTION_FIELD_LABELS: dict[str, str] = {
    "owner": N_("Owner"),
    "note": N_("Note"),
    "outcome": N_("Outcome"),
    "action": N_("Action"),
    "kind": N_("Kind"),
    "carrier": N_("Carrier"),
    "tracking_number": N_("Tracking number"),
    "days": N_("Days"),
}

EXCEPTION_ERROR_LABELS: dict[str, str] = {
    "exception.not_found": N_("Exception case not found"),
    "exception.not_open": N_("This case is no longer open."),
    "exception.not_shipped": N_("The order has not shipped yet."),
}


def register() -> None:
    """Adds the logistics labels to the console's label groups (idempotent)."""
    i18n.LABELS["exception_kind"] = KIND_LABELS
    i18n.LABELS["case_state"] = CASE_STATE_LABELS
    i18n.LABELS["outcome"] = OUTCOME_LABELS
    i18n.LABELS["case_action"] = ACTION_LABELS
    i18n.LABELS["tracking_status"] = TRACKING_STATUS_LABELS
    i18n.EVENT_LABELS.update(EXCEPTION_EVENT_LABELS)
    i18n.ACTOR_LABELS.setdefault("carrier", N_("Carrier"))
    i18n.FIELD_LABELS.update(EXCEPTION_FIELD_LABELS)
    i18n.ERROR_LABELS.update(EXCEPTION_ERROR_LABELS)


register()
