"""Labels for the notification screens: notice states, channels, milestones, the timeline
events the notify back end writes, and the form fields of the notify pages.

They are registered into the console's label groups (`i18n.LABELS`) when the console
starts, so `label("notice_state", ...)` works in every template and the existing error
partial names the notify fields in the reader's language.
"""

from __future__ import annotations

from orderflow.notify.models import NoticeState
from orderflow.web import i18n
from orderflow.web.i18n import N_

NOTICE_STATE_LABELS: dict[str, str] = {
    NoticeState.QUEUED: N_("Queued"),
    NoticeState.SENDING: N_("Sending"),
    NoticeState.SENT: N_("Sent"),
    NoticeState.DELIVERED: N_("Delivered"),
    NoticeState.FAILED: N_("Failed"),
    NoticeState.DEAD: N_("Dead letter"),
    NoticeState.COALESCED: N_("Coalesced"),
    NoticeState.SUPPRESSED: N_("Suppressed"),
}

CHANNEL_LABELS: dict[str, str] = {
    "email": N_("Email"),
    "sms": N_("SMS"),
    "inbox": N_("Inbox"),
    "webhook": N_("Webhook"),
}

MILESTONE_LABELS: dict[str, str] = {
    "order.received": N_("Order received"),
    "order.paid": N_("Payment confirmed"),
    "order.shipped": N_("Shipped"),
    "order.split_shipment": N_("Split shipment"),
    "order.split": N_("Order split (the rest ships later)"),
    "order.out_for_delivery": N_("Out for delivery"),
    "order.delivered": N_("Delivered"),
    "order.delayed": N_("Delay"),
    "order.exception": N_("Delivery problem"),
    "order.cancelled": N_("Cancellation"),
    "order.refund_issued": N_("Refund issued"),
    "payment.owed_back": N_("Payment owed back"),
    "order.confirmed": N_("Order confirmed"),
    "order.confirmation_updated": N_("Confirmation updated"),
    "payment.reminder": N_("Payment reminder"),
    "payment.failed": N_("Payment failed"),
    "order.shipment_corrected": N_("Shipping details corrected"),
    "order.packing": N_("Being packed"),
    "review.requested": N_("Review request"),
    "aftersales.requested": N_("After-sales request received"),
    "aftersales.approved": N_("After-sales request approved"),
    "aftersales.refused": N_("After-sales request refused"),
    "aftersales.received": N_("Returned goods received"),
    "aftersales.replacement_shipped": N_("Replacement shipped"),
    "*": N_("All events"),
}

NOTICE_EVENT_LABELS: dict[str, str] = {
    "notice.sent": N_("Notice sent"),
    "notice.failed": N_("Notice failed (trying the next channel)"),
    "notice.dead": N_("Notice dead (staff must act)"),
    "notice.resent": N_("Notice re-sent"),
    "shipment.corrected": N_("Shipping details corrected"),
    "delay.edited": N_("Delay notice changed"),
}

NOTICE_FIELD_LABELS: dict[str, str] = {
    "subject": N_("Subject"),
    "body_text": N_("Text"),
    "body_html": N_("HTML"),
    "milestone": N_("Milestone"),
    "order": N_("Order number"),
    "url": N_("URL"),
    "events": N_("Events"),
    "description": N_("Description"),
    "since": N_("From"),
    "until": N_("Until"),
    "quiet_hours.email.start": N_("Email quiet hours: start"),
    "quiet_hours.email.end": N_("Email quiet hours: end"),
    "quiet_hours.sms.start": N_("SMS quiet hours: start"),
    "quiet_hours.sms.end": N_("SMS quiet hours: end"),
    "holiday_quiet_hours.email.start": N_("Email quiet hours on days off: start"),
    "holiday_quiet_hours.email.end": N_("Email quiet hours on days off: end"),
    "holiday_quiet_hours.sms.start": N_("SMS quiet hours on days off: start"),
    "holiday_quiet_hours.sms.end": N_("SMS quiet hours on days off: end"),
    "holiday_calendar": N_("Holiday calendar"),
    "coalesce_minutes": N_("Coalescing minutes"),
    "max_attempts.email": N_("Max attempts: email"),
    "max_attempts.sms": N_("Max attempts: SMS"),
    "max_attempts.webhook": N_("Max attempts: webhook"),
    "confirm_coalesce_minutes": N_("Payment notice hold (minutes)"),
    "payment_reminder_minutes": N_("Payment reminder (minutes before cancelling)"),
    "delay_hold_minutes": N_("Delay notice hold (minutes)"),
    "new_estimate": N_("New estimate"),
    "carrier": N_("Carrier"),
}

NOTICE_ERROR_LABELS: dict[str, str] = {
    "notice.in_progress": N_("This notice is still being delivered."),
    "notice.inbox_copy": N_("An inbox copy is not sent again."),
    "notice.not_found": N_("Notice not found"),
    "webhook.not_found": N_("Webhook endpoint not found"),
    "template.not_found": N_("No such template"),
    "delay.not_held": N_("No delay notice is waiting to be sent."),
    "shipment.not_found": N_("The order has no shipment."),
}


def register() -> None:
    """Adds the notify labels to the console's label groups (idempotent)."""
    i18n.LABELS["notice_state"] = NOTICE_STATE_LABELS
    i18n.LABELS["channel"] = CHANNEL_LABELS
    i18n.LABELS["milestone"] = MILESTONE_LABELS
    i18n.EVENT_LABELS.update(NOTICE_EVENT_LABELS)
    i18n.FIELD_LABELS.update(NOTICE_FIELD_LABELS)
    i18n.ERROR_LABELS.update(NOTICE_ERROR_LABELS)


register()
