"""50 buyers on real connections race for 10 units through the HTTP API."""

from __future__ import annotations

import threading

import httpx
import pytest

from orderflow.app import create_app
from orderflow.inventory import queries as stock
from tests.builders.orders import make_catalog, make_token, order_body
from tests.support.server import running

BUYERS = 50
UNITS = 10


@pytest.mark.slow
def test_fifty_buyers_race_for_ten_units_and_exactly_ten_win(db, settings):
    make_catalog(db, {"HOT-1": UNITS})
    token = make_token(db)
    barrier = threading.Barrier(BUYERS)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    with running(create_app(db, settings)) as base:

        def buy(i: int) -> None:
            body = order_body([("HOT-1", 1)], external_id=f"race-{i}")
            with httpx.Client(base_url=base, timeout=60) as client:
                barrier.wait()
                response = client.post(
                    "/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"}
                )
            with lock:
                results.append(response)

        threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) == UNITS
    assert statuses.count(409) == BUYERS - UNITS
    refused = [r.json() for r in results if r.status_code == 409]
    assert {p["code"] for p in refused} == {"stock.insufficient"}
    assert all("HOT-1" in p["detail"] for p in refused)
    assert all(p["errors"][0]["field"] == "lines[0].quantity" for p in refused)
    with db.read() as s:
        (level,) = [lv for lv in stock.stock_levels(s, "HOT-1") if lv.warehouse == "SH"]
    assert (level.on_hand, level.reserved, level.available) == (UNITS, UNITS, 0)
