from __future__ import annotations

import pytest

from orderflow.db import Db
from orderflow.shipping.demo_carriers import install_demo_carriers
from tests.builders.orders import make_catalog


@pytest.fixture
def carriers(db: Db) -> Db:
    """The demo carrier tables and the test catalogue (SKUs of 300 g in Shanghai)."""
    make_catalog(db)
    with db.transaction() as s:
        install_demo_carriers(s)
    return db


JAPAN: dict[str, object] = {
    "customer": {"name": "Sato", "phone": "+81 90 1234 5678", "email": "sato@example.com"},
    "shipping_address": {"country": "JP", "province": "東京都", "city": "Chiyoda",
                         "detail": "1-1 Marunouchi", "postal_code": "100-0005"},
}
