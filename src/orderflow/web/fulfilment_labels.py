"""Labels of the warehouse screens' outcomes and errors (gettext msgids)."""

from __future__ import annotations

from orderflow.web.i18n import N_, translations

ERRORS: dict[str, str] = {
    "pack.wrong_item": N_("WRONG ITEM: this item is not in the parcel. Put it back."),
    "pack.too_many": N_("ONE TOO MANY: the parcel already holds every unit of this item."),
    "pack.unknown_barcode": N_("UNKNOWN BARCODE: no item has this barcode."),
    "pack.too_few": N_("ITEMS MISSING: the parcel cannot be closed until every item is scanned."),
    "pack.unknown_order": N_("No order has this number."),
    "pack.not_picking": N_("This order is not being picked: release its wave first."),
    "pack.not_here": N_("This order has nothing to pack in this warehouse."),
    "pack.closed": N_("This parcel is already closed."),
    "pack.not_closed": N_("Only a closed parcel that has not left can be re-opened."),
    "pack.inspection_failed": N_("Inspection failed: recorded. Scan every item again."),
    "validation.failed": N_("Some fields are not valid."),
    "handover.not_ready": N_("This parcel is not ready for hand-over."),
    "handover.no_pack": N_("This order has no packed parcel in this warehouse."),
    "handover.scan_order_first": N_("Scan an order number or a waybill first."),
    "handover.wrong_label": N_("WRONG LABEL: this tracking number is not this order's waybill."),
    "handover.repeated": N_("This tracking number was already scanned."),
    "tracking.used": N_("This tracking number is already on another shipment."),
    "tracking.count": N_("One tracking number per parcel is needed."),
    "wave.state": N_("The wave is not in a state that allows this."),
    "wave.has_packed": N_("Parcels of this wave are packed already: ship them first."),
    "wave.empty": N_("No order of this wave can be picked any more."),
    "wave.concurrent": N_("Someone else planned waves at the same moment: plan again."),
    "wave.not_found": N_("Wave not found"),
    "stock.insufficient": N_("Not enough stock."),
    "stock.not_damaged": N_("Fewer units are damaged than that."),
    "sku.not_found": N_("No such SKU."),
    "warehouse.not_found": N_("No such warehouse."),
    "order.illegal_transition": N_("This status change is not allowed."),
    "order.concurrent_change": N_("Someone else changed this order; reload and try again."),
}

OUTCOMES: dict[str, str] = {
    "pack.opened": N_("Parcel opened: scan every item."),
    "pack.scanned": N_("Scanned."),
    "pack.closed": N_("Parcel closed and ready for hand-over."),
    "pack.reset": N_("Scans cleared: start again."),
    "pack.reopened": N_("Parcel re-opened: scan every item again."),
    "handover.started": N_("Parcel found: scan its tracking number(s)."),
    "handover.scanned": N_("Tracking number scanned."),
    "handover.shipped": N_("Handed over: the order is on its way."),
}


def error_text(language: str, code: str) -> str:
    msgid = ERRORS.get(code) or OUTCOMES.get(code) or N_("This could not be done.")
    return translations(language).gettext(msgid)

WAVE_STATES: dict[str, str] = {
    "open": N_("Not released"),
    "released": N_("Released"),
    "cancelled": N_("Cancelled"),
    "shipped": N_("Shipped"),
}

PACK_STATES: dict[str, str] = {
    "open": N_("Scanning"),
    "closed": N_("Sealed"),
    "shipped": N_("Shipped"),
}

CONTEXT = {"errors": ERRORS, "outcomes": OUTCOMES, "wave_states": WAVE_STATES,
           "pack_states": PACK_STATES}
