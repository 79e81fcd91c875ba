"""Signed outbound webhooks (Standard Webhooks)."""

from orderflow.notify.webhooks.sender import (
    SPEC_SCHEDULE,
    WebhookAttempt,
    WebhookResult,
    WebhookSender,
    next_delay,
    retry_delays,
)
from orderflow.notify.webhooks.signing import (
    WebhookSignatureError,
    new_secret,
    sign,
    signature_header,
    verify,
)

__all__ = [
    "SPEC_SCHEDULE",
    "WebhookAttempt",
    "WebhookResult",
    "WebhookSender",
    "WebhookSignatureError",
    "new_secret",
    "next_delay",
    "retry_delays",
    "sign",
    "signature_header",
    "verify",
]
