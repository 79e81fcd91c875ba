"""The import's `address_text` column (收货信息): one line with name, phone and address."""

from __future__ import annotations

from orderflow.orders import queries
from tests.builders.orders import make_catalog
from tests.intake.test_importer import run

HEADER = ["external_id", "收货信息", "sku", "quantity"]


def csv_bytes(rows: list[dict], header: list[str]) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{r[c]}"' for c in header) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_a_whole_address_line_becomes_recipient_and_address(db, settings):
    make_catalog(db)
    rows = [{"external_id": "L1", "收货信息": "张三 138-1234-5678 广东省深圳市南山区高新南七道12号",
             "sku": "SKU-1", "quantity": 1},
            {"external_id": "L2", "收货信息": "李四，13900001111，吉林省朝阳区建国路1号",
             "sku": "SKU-2", "quantity": 2}]

    report = run(db, settings, csv_bytes(rows, header=HEADER))

    assert report.errors == []
    with db.read() as s:
        one = queries.get_order(s, report.imported[0][1])
        two = queries.get_order(s, report.imported[1][1])
    assert (one.recipient_name, one.recipient_phone, one.province, one.city, one.district,
            one.address_detail) == ("张三", "+8613812345678", "广东省", "深圳市", "南山区",
                                    "高新南七道12号")
    assert (two.recipient_name, two.city, two.district) == ("李四", "长春市", "朝阳区")
