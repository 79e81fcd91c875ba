"""Recipient numbers for SMS providers, and how to show them without exposing them."""

from __future__ import annotations

import phonenumbers

from orderflow.notify.channels import PermanentFailure


def mask_phone(number: str) -> str:
    """+86138****8000: enough to recognise in a log line, not enough to call."""
    digits = number.strip()
    if len(digits) <= 8:
        return "****" + digits[-2:]
    return f"{digits[:-8]}****{digits[-4:]}"


def to_e164(recipient: str, default_region: str = "CN") -> str:
    """Parse and validate; refuse masked, virtual-with-extension and invalid numbers.

    Raises PermanentFailure: no retry can make a bad number good, the dispatcher
    falls back to the customer's next channel.
    """
    raw = recipient.strip()
    if "*" in raw:
        raise PermanentFailure("recipient number is masked", code="sms.masked_number")
    if any(sep in raw for sep in (";", ",", "#", "转", "ext")):
        raise PermanentFailure(
            "recipient is a virtual number with an extension; it cannot receive SMS",
            code="sms.virtual_number",
        )
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise PermanentFailure(
            f"recipient {mask_phone(raw)} is not a phone number", code="sms.invalid_number"
        ) from None
    if parsed.extension or not phonenumbers.is_valid_number(parsed):
        raise PermanentFailure(
            f"recipient {mask_phone(raw)} is not a valid phone number", code="sms.invalid_number"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def aliyun_number(e164: str) -> str:
    """Aliyun dysmsapi: mainland numbers bare (13800138000), others as country code + number
    without '+' (85291234567)."""
    if e164.startswith("+86"):
        return e164[3:]
    return e164.lstrip("+")
