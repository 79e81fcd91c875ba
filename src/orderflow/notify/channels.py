"""What every delivery channel (email, SMS provider, webhook, inbox) speaks.

The dispatcher renders an `Outgoing` from an outbox row and hands it to a
channel's `send`, with no database transaction open. A channel answers with a
`SendResult`, or raises `TemporaryFailure` (retry later, maybe after
`retry_after` seconds) or `PermanentFailure` (do not retry; fall back to the
customer's next channel). `message_id` is the same on every retry of the same
notice, so a receiver can drop a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    channel: str  # email | sms | webhook | inbox
    recipient: str  # email address, E.164 phone, or endpoint URL
    language: str  # zh-CN | en
    text: str
    subject: str | None = None
    html: str | None = None
    template_code: str | None = None  # the provider's approved SMS template id
    template_params: dict[str, str] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)  # webhook body
    event_type: str | None = None  # webhook event type, e.g. order.shipped
    signing_secrets: tuple[str, ...] = ()  # webhook: every live secret signs (rotation)


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str | None
    detail: str = ""


class DeliveryFailure(Exception):
    def __init__(self, reason: str, *, code: str = "delivery.failed"):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TemporaryFailure(DeliveryFailure):
    """Try again later (network error, 5xx, throttled)."""

    def __init__(self, reason: str, *, code: str = "delivery.temporary",
                 retry_after: float | None = None):
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class PermanentFailure(DeliveryFailure):
    """Retrying cannot help (bad address, unsubscribed, template rejected)."""


class EndpointGone(PermanentFailure):
    """A webhook endpoint answered 410: disable it and tell staff."""


class Channel(Protocol):
    name: str

    def send(self, message: Outgoing) -> SendResult: ...
