"""Issue 18, finding 10 (look-ups): spreading look-ups over many addresses is limited,
and wrong tries on one order slow it down instead of locking its real customer out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI

from orderflow import clock
from orderflow.config import Settings
from orderflow.customers import lookups
from orderflow.db import Db
from orderflow.web import customer
from tests.builders.orders import Catalog, make_order
from tests.web.test_customer_lookup import look_up, visitor


@pytest.fixture
def number(db: Db, settings: Settings, catalog: Catalog) -> str:
    return make_order(db, settings, path=["paid"])


def test_finding_10_wrong_tries_on_an_order_slow_it_down_but_never_lock_its_customer_out(
        app: FastAPI, number: str) -> None:
    clock.set_now(clock.utcnow())
    for i in range(30):  # a guesser on many networks, trying as fast as it is let
        guesser = visitor(app, f"198.{i}.100.7")
        look_up(guesser, number, f"{i:04d}")
        clock.advance(timedelta(seconds=1))
    owner = visitor(app, "203.0.113.20")

    slowed = look_up(owner, number, "8000")
    wait = int(slowed.headers["retry-after"])  # type: ignore[attr-defined]
    clock.advance(timedelta(seconds=wait))
    through = look_up(owner, number, "8000")

    assert slowed.status_code == 429  # type: ignore[attr-defined]
    assert 0 < wait <= lookups.BACKOFF_CAP.total_seconds()
    assert "slowed down" in slowed.text or "放慢" in slowed.text  # type: ignore[attr-defined]
    assert through.status_code == 303  # type: ignore[attr-defined]


def test_finding_10_spreading_look_ups_over_one_networks_addresses_is_limited(
        app: FastAPI, db: Db, settings: Settings, catalog: Catalog) -> None:
    statuses = [look_up(visitor(app, f"192.0.2.{i + 1}"), f"26000000{i:04d}", "0000")
                .status_code for i in range(customer.TRIES_PER_NETWORK + 1)]  # type: ignore[attr-defined]
    elsewhere = look_up(visitor(app, "198.51.100.9"), "260000009999", "0000")

    assert statuses == [404] * customer.TRIES_PER_NETWORK + [429]
    assert elsewhere.status_code == 404  # type: ignore[attr-defined]


def test_finding_10_the_back_off_grows_and_is_capped() -> None:
    delays = [lookups.backoff_delay(n).total_seconds() for n in range(1, 9)]

    assert delays == [15, 30, 60, 60, 60, 60, 60, 60]
