"""Short signed links to the customer page, for SMS: `<base_url>/s/<number>-<sig>`.

The signature is the first 10 characters (60 bits) of a URL-safe HMAC-SHA256 over the
order number with the secret key; `/s/<token>` checks it and redirects to the full
signed tracking link. Short enough for an SMS within its segment budget.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from orderflow.config import Settings

SIG_CHARS = 10


def _sig(secret: str, number: str) -> str:
    mac = hmac.new(secret.encode(), f"short-link:{number}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:SIG_CHARS]


def token(settings: Settings, number: str) -> str:
    return f"{number}-{_sig(settings.secret_key, number)}"


def link(settings: Settings, number: str) -> str:
    return f"{settings.base_url}/s/{token(settings, number)}"


def number_of(settings: Settings, value: str) -> str | None:
    """The order number a token proves, or None."""
    if not value or len(value) > 64 or len(value) <= SIG_CHARS + 1:
        return None
    number, sep, sig = value[:-SIG_CHARS - 1], value[-SIG_CHARS - 1], value[-SIG_CHARS:]
    if sep != "-" or not hmac.compare_digest(sig, _sig(settings.secret_key, number)):
        return None
    return number
