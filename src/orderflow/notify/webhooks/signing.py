"""Standard Webhooks symmetric signatures (spec 1.0.0, "Signature scheme" and "Webhook headers":
https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).

* signed content: ``{webhook-id}.{webhook-timestamp}.{body}``
* signature: ``v1,`` + base64(HMAC-SHA256(secret, content))
* secret: ``whsec_`` + base64(random bytes); 24–64 bytes recommended
* ``webhook-signature`` is a space-separated list, so during a key rotation the old and
  the new secret both sign and the receiver accepts either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PREFIX = "whsec_"
VERSION = "v1"
DEFAULT_TOLERANCE = 5 * 60  # seconds either side, as the reference libraries use


class WebhookSignatureError(ValueError):
    """A delivery that must not be trusted (bad header, stale timestamp, no matching sig)."""


def new_secret(nbytes: int = 32) -> str:
    if not 24 <= nbytes <= 64:
        raise ValueError("a signing secret has 24 to 64 random bytes")
    return PREFIX + base64.b64encode(_random.token_bytes(nbytes)).decode("ascii")


def secret_bytes(secret: str) -> bytes:
    raw = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("webhook secret is not base64 (expected whsec_<base64>)") from None
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def _content(msg_id: str, timestamp: int, body: bytes | str) -> bytes:
    if "." in msg_id or not msg_id:
        raise ValueError("webhook-id must be non-empty and contain no '.'")
    data = body.encode("utf-8") if isinstance(body, str) else body
    return f"{msg_id}.{int(timestamp)}.".encode() + data


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """``v1,<base64 HMAC-SHA256>`` of ``msg_id.timestamp.body``."""
    digest = hmac.new(secret_bytes(secret), _content(msg_id, timestamp, body), hashlib.sha256)
    return f"{VERSION},{base64.b64encode(digest.digest()).decode('ascii')}"


def signature_header(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` value: one ``v1,…`` per secret, space-separated."""
    parts = [sign(s, msg_id, timestamp, body) for s in secrets]
    if not parts:
        raise ValueError("at least one signing secret is needed")
    return " ".join(dict.fromkeys(parts))


@dataclass(frozen=True)
class Verified:
    msg_id: str
    timestamp: int


def verify(
    secret: str | Iterable[str],
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Verified:
    """Receiver side: accept if any ``v1`` signature matches any of our secrets.

    Raises WebhookSignatureError otherwise. Comparison is constant-time.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id", "")
    stamp = lower.get("webhook-timestamp", "")
    header = lower.get("webhook-signature", "")
    if not (msg_id and stamp and header):
        raise WebhookSignatureError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookSignatureError("webhook-timestamp is not an integer") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookSignatureError("webhook-timestamp outside the tolerance window")
    keys = [secret] if isinstance(secret, str) else list(secret)
    expected = [sign(k, msg_id, timestamp, body).split(",", 1)[1].encode() for k in keys]
    for candidate in header.split():
        version, _, value = candidate.partition(",")
        if version != VERSION:
            continue
        if any(hmac.compare_digest(value.encode(), e) for e in expected):
            return Verified(msg_id, timestamp)
    raise WebhookSignatureError("no matching signature")
