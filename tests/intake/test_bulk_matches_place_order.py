"""The importer's bulk path writes exactly what place_order writes for the same order."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from orderflow.intake import service as intake
from orderflow.intake.importer import import_orders
from orderflow.inventory.models import Reservation
from orderflow.orders.models import Order, OrderLine, TimelineEvent
from orderflow.orders.schemas import OrderIn
from orderflow.outbox import OutboxMessage
from tests.builders.orders import STAFF, make_catalog, order_body
from tests.intake.helpers import csv_bytes, row

VOLATILE = {"id", "order_id", "order_line_id", "number", "external_id", "placed_at", "updated_at",
            "payment_deadline_at", "created_at", "at", "message_id", "idempotency_key",
            "available_at", "search_text", "order_number"}


def plain(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in VOLATILE}


def written(db, number: str) -> dict[str, Any]:
    with db.read() as s:
        order = s.scalars(select(Order).where(Order.number == number)).one()

        def of(model: Any) -> list[Any]:
            return list(s.scalars(select(model).where(model.order_id == order.id)
                                  .order_by(model.id)))

        return {
            "order": plain(order),
            "lines": [plain(x) for x in of(OrderLine)],
            "reservations": [plain(x) for x in of(Reservation)],
            "timeline": [plain(x) for x in of(TimelineEvent)],
            "outbox": [{**plain(x), "payload": {k: v for k, v in x.payload.items()
                                                if k not in VOLATILE}} for x in of(OutboxMessage)],
            "deadline_after": order.payment_deadline_at - order.placed_at,
        }


def test_an_imported_order_is_written_like_a_placed_one(db, settings):
    make_catalog(db, {"SKU-1": 100, "SKU-2": 100, "SKU-3": 100})
    lines = [("SKU-2", 2), ("SKU-1", 1), ("SKU-3", 3)]
    data = csv_bytes([row("IMP-1", sku, qty, channel="shop", buyer_remark="快点")
                      for sku, qty in lines])
    report = import_orders(db, io.BytesIO(data), filename="o.csv", actor=STAFF, settings=settings)
    body = order_body(lines, channel="shop", external_id="API-1", buyer_remark="快点")
    placed = intake.place_order(db, OrderIn.model_validate(body), actor=STAFF, settings=settings)

    imported = written(db, report.imported[0][1])
    single = written(db, placed.number)

    assert [t["kind"] for t in imported["timeline"]] == ["order.placed", "stock.reserved"]
    assert [o["kind"] for o in imported["outbox"]] == ["order.received"]
    assert len(imported["reservations"]) == 3
    assert imported == single
