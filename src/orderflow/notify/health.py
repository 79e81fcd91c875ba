"""Whose failure is it: the provider's (open its circuit, spend no attempt) or the
notice's (count an attempt, back off, fall back, dead-letter)?

Every adapter already names its failure with a stable code; this module is the one table
that sorts those codes. Provider-level means every other notice on that channel would
fail the same way right now:

=================  ==========================================================
email              connection refused / DNS / TLS / timeout (``smtp.unavailable``),
                   a 4xx from the server outside RCPT, e.g. 421 / 451
                   (``smtp.temporary``), authentication refused (``smtp.auth``)
sms                no answer (``sms.network``), 5xx / ``isp.*`` / ``InternalError``
                   (``sms.provider_error``), throttling: Aliyun
                   ``isv.BUSINESS_LIMIT_CONTROL``, Tencent ``LimitExceeded.*``, Twilio 429
                   (``sms.throttled``), account or credentials refused (``sms.auth``,
                   ``sms.account``, ``sms.config``): no notice gets through until
                   someone fixes it, so notices wait rather than die
webhook            DNS, connection, timeout, 5xx, 429/502/503/504 (per endpoint)
=================  ==========================================================

Notice-level: a refused or deferred recipient (SMTP 4xx/5xx at RCPT), a rejected
message or template, an invalid number, a 4xx from a webhook receiver, 410 Gone.
"""

from __future__ import annotations

from orderflow.notify.channels import DeliveryFailure

PROVIDER_CODES = frozenset({
    "smtp.unavailable", "smtp.temporary", "smtp.auth",
    "sms.network", "sms.provider_error", "sms.throttled", "sms.auth", "sms.account",
    "sms.config",
    "webhook.dns", "webhook.connect", "webhook.timeout", "webhook.throttled",
    "webhook.http_5xx",
})

PREFIX = "notify:"


def provider_level(failure: DeliveryFailure) -> bool:
    return failure.code in PROVIDER_CODES


def circuit_key(channel: str, endpoint_id: int | None = None) -> str:
    """One circuit per channel's provider; webhooks have one per endpoint."""
    if channel == "webhook" and endpoint_id is not None:
        return f"{PREFIX}webhook:{endpoint_id}"
    return f"{PREFIX}{channel}"


def split_key(key: str) -> tuple[str, int | None]:
    """(channel, endpoint id) of a notify circuit key."""
    parts = key.removeprefix(PREFIX).split(":")
    if parts[0] == "webhook" and len(parts) > 1 and parts[1].isdigit():
        return "webhook", int(parts[1])
    return parts[0], None
