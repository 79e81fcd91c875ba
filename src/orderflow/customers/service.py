"""Customer use cases: notification preferences.

`check_preferences` is the pure validation (every problem named by its field);
`change_preferences` applies valid preferences inside the caller's transaction and
says what changed, so the caller can record it where it belongs (an order's
timeline lives above this layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.customers.models import Customer
from orderflow.errors import FieldProblem, NotFound, ValidationFailed

CHANNELS = ("sms", "email", "inbox")
LANGUAGES = ("zh-CN", "en")


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...]  # every channel once, most preferred first
    language: str
    opt_out_marketing: bool


def check_preferences(first: str, second: str, language: str,
                      opt_out_marketing: bool) -> Preferences:
    """The first and second choice of channel (the third is the one left), a language."""
    problems = []
    if first not in CHANNELS:
        problems.append(FieldProblem("first_channel", "channel.unknown",
                                     f"choose one of {', '.join(CHANNELS)}"))
    if second not in CHANNELS:
        problems.append(FieldProblem("second_channel", "channel.unknown",
                                     f"choose one of {', '.join(CHANNELS)}"))
    elif second == first:
        problems.append(FieldProblem("second_channel", "channel.repeated",
                                     "the second choice must differ from the first"))
    if language not in LANGUAGES:
        problems.append(FieldProblem("language", "language.unknown",
                                     f"choose one of {', '.join(LANGUAGES)}"))
    if problems:
        raise ValidationFailed(problems)
    rest = tuple(ch for ch in CHANNELS if ch not in (first, second))
    return Preferences((first, second, *rest), language, opt_out_marketing)


def preferences_of(customer: Customer) -> Preferences:
    """As stored, with any channel the row does not name appended in the default order."""
    stored = [ch for ch in customer.channel_prefs or [] if ch in CHANNELS]
    channels = tuple(dict.fromkeys([*stored, *CHANNELS]))
    language = customer.language if customer.language in LANGUAGES else LANGUAGES[0]
    return Preferences(channels, language, bool(customer.opt_out_marketing))


def change_preferences(s: Session, customer_id: int, prefs: Preferences) -> dict[str, Any]:
    """Writes the preferences; returns {field: [old, new]} for what actually changed."""
    customer = s.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise NotFound(f"no customer {customer_id}", code="customer.not_found")
    changes: dict[str, Any] = {}
    before = (list(customer.channel_prefs or []), customer.language, customer.opt_out_marketing)
    after = (list(prefs.channels), prefs.language, prefs.opt_out_marketing)
    for name, old, new in zip(("channel_prefs", "language", "opt_out_marketing"), before, after,
                              strict=True):
        if old != new:
            changes[name] = [old, new]
    customer.channel_prefs = list(prefs.channels)
    customer.language = prefs.language
    customer.opt_out_marketing = prefs.opt_out_marketing
    return changes


# --- identity ---------------------------------------------------------------------------
#
# Two people are never one customer because they share a phone (family phones, typos,
# masked numbers). An order keeps its own contact snapshot; the customer record is the
# one with exactly that contact. What a customer page shows through an order's link is
# bounded by that order's contact: the customer's other messages only when the order's
# contact IS the customer's, and preference changes reach only that contact.


def has_contact(customer: Customer, phone: str | None, email: str | None) -> bool:
    """The customer's contact is exactly this one (a missing key missing on both)."""
    return ((customer.phone or None) == (phone or None)
            and (customer.email or None) == (email or None))


def customer_for_contact(s: Session, *, phone: str | None, email: str | None,
                         like: Customer, now: datetime) -> Customer:
    """The customer with exactly this contact, else a new one that starts from `like`'s
    name, language and preferences (the order's customer record it is split from)."""
    found = s.scalars(select(Customer).where(
        Customer.phone == phone if phone else Customer.phone.is_(None),
        Customer.email == email if email else Customer.email.is_(None))
        .order_by(Customer.id).limit(1)).first() if (phone or email) else None
    if found is not None:
        return found
    customer = Customer(name=like.name, email=email, phone=phone, pii_masked=like.pii_masked,
                        language=like.language, channel_prefs=list(like.channel_prefs or []),
                        opt_out_marketing=like.opt_out_marketing, blocked=False,
                        created_at=now)
    s.add(customer)
    s.flush()
    return customer
