"""Two people press "Plan waves" at the same moment: every order part ends up in exactly
one wave; the slower planner is told to plan again (or finds nothing left)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from orderflow.errors import Conflict
from orderflow.fulfilment import waves
from orderflow.fulfilment.models import WaveOrder
from tests.builders.fulfilment import DESK, ZONE
from tests.builders.orders import STAFF, make_catalog, make_order

ORDERS = 6


@pytest.mark.slow
def test_two_planners_never_put_an_order_in_two_waves(db, settings):
    make_catalog(db, {"SKU-1": 50})
    for _ in range(ORDERS):
        make_order(db, settings, lines=[("SKU-1", 1)], path=["approved", "allocated"])
    barrier = threading.Barrier(2)
    results: list[object] = []
    lock = threading.Lock()

    def plan() -> None:
        barrier.wait()
        try:
            outcome: object = [w.order_count for w in waves.plan_waves(
                db, actor=STAFF, desk=DESK, zone=ZONE)]
        except Conflict as exc:
            outcome = exc.code
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [ORDERS] in results
    assert sorted(map(str, results)) in (sorted([str([ORDERS]), "[]"]),
                                         sorted([str([ORDERS]), "wave.concurrent"]))
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(WaveOrder)) == ORDERS
