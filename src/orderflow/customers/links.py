"""Signed proof of one order for its customer, with an expiry.

Two kinds of proof, each its own salt so one can never pass for the other:

* FULL: the link every notice carries (`notify.context.order_link`): the order, the
  customer's messages and notification preferences, as far as the order's own contact
  allows (see `customers.service.has_contact`). Valid for ORDERFLOW_CUSTOMER_LINK_DAYS
  (90 by default).
* VIEW: what the order number plus the phone's last four digits earn: this order's
  tracking page, read-only, for a day.

Tokens carry their signing hour from the application's clock, so tests move it.
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from orderflow import clock
from orderflow.config import Settings

MAX_TOKEN = 300
VIEW_MAX_AGE = timedelta(days=1)


class Scope(enum.StrEnum):
    FULL = "order-link"
    VIEW = "order-view"


class _AppClockSigner(TimestampSigner):
    """Times from the application's clock, to the hour: a link is the same all hour
    (a page can compare links it made), and its age is exact to the hour."""

    def get_timestamp(self) -> int:
        now = int(clock.utcnow().timestamp())
        return now - now % 3600


def _serializer(settings: Settings, scope: Scope) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=scope.value, signer=_AppClockSigner)


def max_age(settings: Settings, scope: Scope) -> timedelta:
    full = timedelta(days=settings.customer_link_days)
    return full if scope is Scope.FULL else min(full, VIEW_MAX_AGE)


def sign(settings: Settings, number: str, scope: Scope = Scope.FULL) -> str:
    return str(_serializer(settings, scope).dumps(number))


@dataclass(frozen=True)
class Proof:
    scope: Scope | None  # None: no proof
    expired: bool = False  # a genuine link for this order, too old

    @property
    def full(self) -> bool:
        return self.scope is Scope.FULL


NONE = Proof(None)


def _same(signed: object, number: str) -> bool:
    return isinstance(signed, str) and hmac.compare_digest(signed.encode(), number.encode())


def check(settings: Settings, number: str, token: str | None) -> Proof:
    """What the token proves for THIS order number (compared in constant time)."""
    if not token or len(token) > MAX_TOKEN:
        return NONE
    for scope in Scope:
        serializer = _serializer(settings, scope)
        try:
            signed = serializer.loads(token, max_age=int(max_age(settings, scope).total_seconds()))
        except SignatureExpired as exc:
            payload = serializer.load_payload(exc.payload) if exc.payload is not None else None
            return Proof(scope, expired=True) if _same(payload, number) else NONE
        except BadSignature:
            continue
        return Proof(scope) if _same(signed, number) else NONE
    return NONE
