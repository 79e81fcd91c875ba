"""Two pack stations scanning into the same parcel at once (a mistake on the floor): the
scans are serialised on the order, so a parcel of three never counts a fourth unit."""

from __future__ import annotations

import threading

import pytest

from orderflow.fulfilment import packing
from tests.builders.fulfilment import barcode, released_wave
from tests.builders.orders import STAFF, make_catalog, make_order

SCANNERS = 6
UNITS = 3


@pytest.mark.slow
def test_concurrent_scans_never_count_more_than_the_parcel_takes(db, settings):
    make_catalog(db, {"SKU-1": 10})
    number = make_order(db, settings, lines=[("SKU-1", UNITS)], path=["approved", "allocated"])
    released_wave(db)
    pack_id = packing.open_pack(db, number, warehouse="SH", actor=STAFF).id
    code = barcode(db, "SKU-1")
    barrier = threading.Barrier(SCANNERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def scan() -> None:
        barrier.wait()
        result = packing.scan_item(db, pack_id, code, actor=STAFF)
        with lock:
            outcomes.append(result.problem.code if result.problem else "counted")

    threads = [threading.Thread(target=scan) for _ in range(SCANNERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["counted"] * UNITS + ["pack.too_many"] * (SCANNERS - UNITS)
    assert packing.get_pack(db, pack_id).scanned == {"SKU-1": UNITS}
