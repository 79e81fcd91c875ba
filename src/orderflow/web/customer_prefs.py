"""The customer's "save my notification preferences" use case, reached through an
order's signed link.

It lives here rather than in customers/service.py because it also writes the ORDER's
timeline, and the customers domain sits below orders (tests/arch forbids the upward
import). customers.service holds the validation and the write of the customer row;
this function is the one transaction around both.
"""

from __future__ import annotations

from typing import Any

from orderflow.customers import service as customers
from orderflow.customers.service import Preferences
from orderflow.db import Db
from orderflow.orders import lifecycle, queries

CUSTOMER = lifecycle.Actor("customer", "tracking page")
EVENT = "customer.preferences_changed"


def save_preferences(db: Db, number: str, prefs: Preferences) -> dict[str, Any]:
    """Saves the order's customer's preferences and, when anything changed, records
    `customer.preferences_changed` on the order's timeline, in one transaction."""
    with db.transaction() as s:
        order = queries.get_order_for_change(s, number)
        changes = customers.change_preferences(s, order.customer_id, prefs)
        if changes:
            lifecycle.record(s, order, EVENT, actor=CUSTOMER, data={"changes": changes})
    return changes
