"""Order numbers: a per-day counter, handed to each process in blocks.

A block is taken in its own short transaction, so intake transactions never
queue on the counter row; a number lost to a failed intake leaves a gap, like a
database sequence does.
"""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from orderflow import clock, ids
from orderflow.db import Db
from orderflow.orders import placement
from orderflow.orders.models import OrderNumberBlock

BLOCK = 50


class NumberAllocator:
    def __init__(self, db: Db, zone_name: str):
        self.db = db
        self.zone = ZoneInfo(zone_name)
        self._lock = threading.Lock()
        self._day = ""
        self._next = 0
        self._end = 0

    def next(self, now: datetime | None = None) -> str:
        day = clock.local(now or clock.utcnow(), self.zone).strftime("%y%m%d")
        with self._lock:
            if day != self._day or self._next > self._end:
                self._end = self._take_block(day, BLOCK)
                self._next = self._end - BLOCK + 1
                self._day = day
            sequence = self._next
            self._next += 1
        return ids.order_number(day, sequence)

    def take(self, count: int, now: datetime | None = None) -> list[str]:
        """`count` fresh numbers from one block of their own (bulk intake): one short
        transaction for the whole batch instead of one per BLOCK orders."""
        if count <= 0:
            return []
        day = clock.local(now or clock.utcnow(), self.zone).strftime("%y%m%d")
        end = self._take_block(day, count)
        return [ids.order_number(day, seq) for seq in range(end - count + 1, end + 1)]

    def _take_block(self, day: str, size: int) -> int:
        with self.db.transaction() as s:
            insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
            stmt = insert(OrderNumberBlock).values(day=day, last=size)
            stmt = stmt.on_conflict_do_update(
                index_elements=["day"], set_={"last": OrderNumberBlock.last + size}
            )
            s.execute(stmt)
            last = s.scalar(select(OrderNumberBlock.last).where(OrderNumberBlock.day == day))
            return int(last or size)


_allocators: dict[int, NumberAllocator] = {}
_guard = threading.Lock()


def allocator_for(db: Db, zone_name: str) -> NumberAllocator:
    with _guard:
        alloc = _allocators.get(id(db))
        if alloc is None or alloc.db is not db:
            alloc = _allocators[id(db)] = NumberAllocator(db, zone_name)
        return alloc


def reset_allocators() -> None:
    """Forget cached blocks and cached SKU rows (tests that empty the database call this)."""
    with _guard:
        _allocators.clear()
    placement.forget_skus()
