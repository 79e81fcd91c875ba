"""The customer's "save my notification preferences" use case, reached through an
order's signed link.

It lives here rather than in customers/service.py because it also writes the ORDER's
timeline, and the customers domain sits below orders (tests/arch forbids the upward
import). customers.service holds the validation and the write of the customer row;
this function is the one transaction around both.
"""

from __future__ import annotations

from typing import Any

from orderflow import clock
from orderflow.customers import service as customers
from orderflow.customers.models import Customer
from orderflow.customers.service import Preferences
from orderflow.db import Db
from orderflow.orders import lifecycle, queries

CUSTOMER = lifecycle.Actor("customer", "tracking page")
EVENT = "customer.preferences_changed"


def save_preferences(db: Db, number: str, prefs: Preferences) -> dict[str, Any]:
    """Saves the preferences of the order's contact and, when anything changed, records
    `customer.preferences_changed` on the order's timeline, in one transaction.

    The change reaches that contact only: when the order's contact is not its customer
    record's (someone gave that customer's phone with another email, or staff changed
    the order's phone), the order moves to the customer with exactly its contact (a new
    one if none), and that record changes; the other person's settings stay as they were."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        customer = s.get_one(Customer, order.customer_id)
        if not customers.has_contact(customer, order.recipient_phone, order.recipient_email):
            own = customers.customer_for_contact(
                s, phone=order.recipient_phone, email=order.recipient_email, like=customer,
                now=clock.utcnow())
            order.customer_id = own.id
        changes = customers.change_preferences(s, order.customer_id, prefs)
        if changes:
            lifecycle.record(s, order, EVENT, actor=CUSTOMER, data={"changes": changes})
    return changes
