"""Keyset pagination of the order list, on SQLite and PostgreSQL: whatever the page size and
filter, and with orders arriving between pages, walking `next_cursor` lists every order
that matched at the start exactly once, newest first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import service as orders
from orderflow.orders.models import Order
from orderflow.orders.status import Status
from orderflow.reports import orders as views
from tests.builders.orders import STAFF, make_catalog, make_order


@pytest.fixture
def shop(db: Db, settings: Settings) -> Db:
    make_catalog(db, {"SKU-1": 1000})
    for i in range(23):
        number = make_order(db, settings, path=["paid"] if i % 3 else [])
        if i % 5 == 0:
            orders.cancel_order(db, number, actor=STAFF, reason="customer asked")
    return db


def _matching(db: Db, status: Status | None) -> list[str]:
    stmt = select(Order.number).order_by(Order.id.desc())
    if status is not None:
        stmt = stmt.where(Order.status == status)
    with db.read() as s:
        return list(s.scalars(stmt))


@given(limit=st.integers(1, 30),
       status=st.sampled_from([None, Status.PENDING_PAYMENT, Status.APPROVED, Status.CANCELLED]),
       arrivals=st.lists(st.integers(0, 6), max_size=2))
def test_walking_the_cursor_lists_every_order_exactly_once_newest_first(
        shop: Db, settings: Settings, limit: int, status: Status | None,
        arrivals: list[int]) -> None:
    expected = _matching(shop, status)
    seen: list[str] = []
    cursor: str | None = None
    for page_no in range(100):
        with shop.read() as s:
            page = views.list_orders(s, views.OrderFilter(status=status), cursor=cursor,
                                     limit=limit)
        assert len(page.items) <= limit
        seen += [item.number for item in page.items]
        if page_no in arrivals:  # a new order between two pages is newer than the cursor
            make_order(shop, settings)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == expected
