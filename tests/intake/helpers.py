"""Import files for the importer tests."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

HEADER = ["external_id", "customer_name", "phone", "email", "province", "city", "district",
          "address", "sku", "quantity"]
CN_HEADER = ["外部单号", "收件人", "手机", "邮箱", "省", "市", "区", "详细地址", "商品编码", "数量"]


def row(external_id: str, sku: str = "SKU-1", quantity: Any = 1, **extra: Any) -> dict[str, Any]:
    values = {"external_id": external_id, "customer_name": "张三", "phone": "13800138000",
              "email": "zhang@example.com", "province": "浙江省", "city": "杭州市",
              "district": "西湖区", "address": "文三路 100 号", "sku": sku, "quantity": quantity}
    values.update(extra)
    return values


def csv_bytes(rows: list[dict[str, Any]], *, header: list[str] | None = None,
              encoding: str = "utf-8") -> bytes:
    columns = list(dict.fromkeys([*HEADER, *(k for r in rows for k in r)]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or columns)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    columns = list(dict.fromkeys([*HEADER, *(k for r in rows for k in r)]))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(columns)
    for r in rows:
        sheet.append([r.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
