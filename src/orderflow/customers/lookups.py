"""Rate limits for customer order look-ups, kept in the database so that every web
process (and every machine on one PostgreSQL) counts the same tries.

One row per key (a keyed hash of the client address, its network, or the order
number asked for) holds a fixed window: when it started and how many tries it has
seen. A try is one atomic upsert that either starts a new window or adds one to the
current one and returns the count, so concurrent processes can never both slip under
the limit: PostgreSQL serialises the upsert on the row (until the transaction ends),
SQLite on its write lock.

A limit either refuses until its window ends (a client, a network), or, with
`backoff`, only slows down: past its tries, each try must wait a little longer after
the previous allowed one (15 s, 30 s, then BACKOFF_CAP). That is the limit
on one order number: guessing its phone tail from many addresses is slowed to a crawl,
while its real customer is never locked out for longer than BACKOFF_CAP.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from orderflow.db import Base, UTCDateTime

PRUNE_AFTER = timedelta(days=1)
PRUNE_CHANCE = 0.01  # old windows are deleted now and then, by whichever try comes by
BACKOFF_FIRST = timedelta(seconds=15)
BACKOFF_CAP = timedelta(seconds=60)


class LookupLimit(Base):
    __tablename__ = "customer_lookup_limits"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "ip:<hmac>" / "order:<hmac>"
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    tries: Mapped[int] = mapped_column(Integer)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)  # back-off limits


@dataclass(frozen=True)
class Limit:
    key: str
    max_tries: int
    backoff: bool = False  # past max_tries: slow down, never refuse for the whole window


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_at: datetime | None  # when the blocking window ends (None when allowed)


def _count(s: Session, key: str, now: datetime, window: timedelta
           ) -> tuple[int, datetime, datetime | None]:
    """Adds one try to `key`: (tries in the current window, its start, not_before)."""
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = LookupLimit.window_start <= now - window
    stmt = insert(LookupLimit).values(key=key, window_start=now, tries=1).on_conflict_do_update(
        index_elements=["key"],
        set_={
            "tries": case((expired, 1), else_=LookupLimit.tries + 1),
            "window_start": case((expired, now), else_=LookupLimit.window_start),
            "not_before": case((expired, None), else_=LookupLimit.not_before),
        },
    ).returning(LookupLimit.tries, LookupLimit.window_start, LookupLimit.not_before)
    tries, start, not_before = s.execute(stmt).one()
    return int(tries), start, not_before


def backoff_delay(over: int) -> timedelta:
    """The wait after the `over`-th allowed try at or past the limit: 15 s, doubling, capped."""
    doubled: timedelta = BACKOFF_FIRST * (2 ** min(max(over - 1, 0), 16))
    return min(BACKOFF_CAP, doubled)


def record_try(s: Session, limits: list[Limit], *, now: datetime,
               window: timedelta) -> Verdict:
    """Counts one try against every limit (always all of them: the same work whatever
    was asked) and says whether the try may go ahead."""
    retry_at: datetime | None = None
    slowed: list[tuple[str, int]] = []
    for limit in limits:
        tries, start, not_before = _count(s, limit.key, now, window)
        if limit.backoff:
            if not_before is not None and now < not_before:
                retry_at = not_before if retry_at is None else max(retry_at, not_before)
            elif tries >= limit.max_tries:
                slowed.append((limit.key, tries - limit.max_tries + 1))
        elif tries > limit.max_tries:
            ends = start + window
            retry_at = ends if retry_at is None else max(retry_at, ends)
    if retry_at is None:
        for key, over in slowed:  # this try goes ahead; the next one on the key waits
            s.execute(update(LookupLimit).where(LookupLimit.key == key)
                      .values(not_before=now + backoff_delay(over)))
    if random.random() < PRUNE_CHANCE:  # housekeeping only
        prune(s, now=now)
    return Verdict(retry_at is None, retry_at)


def prune(s: Session, *, now: datetime) -> int:
    result = s.execute(delete(LookupLimit).where(LookupLimit.window_start < now - PRUNE_AFTER))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
