"""The carriers' CarrierDesk, as the warehouse half uses it for waves and the hand-over."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import queries
from orderflow.shipping import service, waybills
from orderflow.shipping.desk import ShippingDesk
from orderflow.shipping.schemas import PreferencesIn
from tests.builders.orders import STAFF, make_order

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def test_the_desk_gives_choice_cutoff_numbers_and_eta_from_the_tables(
    carriers: Db, settings: Settings
) -> None:
    number = make_order(carriers, settings, path=["approved"])  # 杭州, zone 1
    service.set_preferences(carriers, number, PreferencesIn(designated_carrier="ZTO"),
                            actor=STAFF)
    issued = waybills.issue(carriers, number, actor=STAFF, parcel_count=2)
    desk = ShippingDesk(settings.zone)

    with carriers.read() as s:
        order = queries.get_order(s, number)
        choice = desk.choice(s, order)
        numbers = desk.issued_tracking_numbers(s, order, warehouse_id=1)
        # 16:00 China time is before ZTO's 17:00 cut-off: leaves today, 2 days in zone 1
        early = desk.estimated_delivery(s, order, choice, datetime(2026, 12, 3, 8, 0,
                                                                   tzinfo=UTC))
        late = desk.estimated_delivery(s, order, choice, datetime(2026, 12, 3, 10, 0,
                                                                  tzinfo=UTC))

    assert (choice.carrier, choice.service, choice.cutoff) == ("ZTO", "standard", time(17, 0))
    assert numbers == [w.tracking_number for w in issued]
    assert early == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # 18:00 China time
    assert late == datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
