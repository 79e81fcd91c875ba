"""The import page with the real importer: conflicts named with both lines in the
reader's language, the lines of a refused order listed, every column documented, and
templates to download that import as they are."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from starlette.testclient import TestClient

from orderflow.auth.models import Role
from orderflow.intake import columns
from tests.builders.orders import make_catalog
from tests.intake.helpers import csv_bytes, row
from tests.web.helpers import ORIGIN, login, make_staff

LI = {"customer_name": "李四", "phone": "13900001111"}


def _rows(page: str, testid: str) -> list[tuple[str, str, str]]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr data-line="(\d+)"[^>]*><td>\d+</td><td><code>([^<]+)</code></td>'
                      r'<td>([^<]+)</td></tr>', table)


def _signed_in(client: TestClient, db, language: str) -> str:
    make_staff(db, "mei", role=Role.SERVICE, language=language)
    return login(client, "mei")


def test_a_conflict_is_shown_in_chinese_naming_both_lines(client: TestClient, db) -> None:
    make_catalog(db)
    token = _signed_in(client, db, "zh-CN")
    data = csv_bytes([row("A1"), row("B1", "SKU-1"), row("B1", "SKU-2", -1), row("A1", **LI)])

    page = client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                       files={"file": ("orders.csv", data, "text/csv")}).text

    conflict = "外部单号「A1」在第 {} 行也出现,但customer_name, phone不同;两行都未导入"
    assert _rows(page, "import-errors") == [
        ("2", "external_id", conflict.format(5)),
        ("4", "quantity", "-1:数量至少为 1"),
        ("5", "external_id", conflict.format(2)),
    ]
    assert _rows(page, "import-not-imported") == [
        ("3", "external_id", "未导入:同一订单的第 4 行有错误")]
    assert 'data-testid="imported-count">0<' in page


def test_the_page_lists_every_column_with_its_chinese_name(client: TestClient, db) -> None:
    _signed_in(client, db, "en")

    page = client.get("/orders/import").text

    listed = re.findall(r'<tr data-column="([a-z_]+)"><td><code>[a-z_]+</code></td><td>([^<]+)<',
                        page)
    assert [name for name, _ in listed] == [name for name, _r, _w in columns.COLUMN_DOCS]
    assert ("customer_name", "收件人") in listed
    assert ("address_text", "收货信息") in listed


def test_the_templates_import_as_they_are(client: TestClient, db) -> None:
    make_catalog(db)
    token = _signed_in(client, db, "zh-CN")

    csv_file = client.get("/orders/import/template.csv")
    xlsx_file = client.get("/orders/import/template.xlsx")

    assert csv_file.headers["content-type"].startswith("text/csv")
    assert csv_file.content.decode("utf-8-sig").splitlines()[0].startswith("外部单号,渠道,收件人")
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    assert [c.value for c in sheet[1]][:3] == ["外部单号", "渠道", "收件人"]
    first, again = (
        client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                    files={"file": (name, content, "application/octet-stream")}).text
        for name, content in (("t.csv", csv_file.content), ("t.xlsx", xlsx_file.content)))
    assert 'data-testid="imported-count">2<' in first
    assert 'data-testid="error-count">0<' in first
    assert 'data-testid="duplicate-count">2<' in again
    assert 'data-testid="error-count">0<' in again
