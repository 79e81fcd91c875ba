"""The import template, as CSV (UTF-8 with a BOM, so Excel opens it right) or XLSX:
every column, with English or Chinese names, and example rows."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from orderflow.intake.columns import template_rows


def template_csv(*, chinese: bool) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(template_rows(chinese))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(*, chinese: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "订单" if chinese else "orders"
    for row in template_rows(chinese):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
