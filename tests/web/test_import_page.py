"""/orders/import: the upload reaches the real importer (`orderflow.intake.importer`) and
its whole report is shown: counts, errors, warnings, imported and already-imported orders;
files it cannot read are refused with a reason, never a server error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from orderflow.db import Db
from orderflow.orders.models import Order
from orderflow.web import imports
from tests.builders.orders import Catalog
from tests.intake.helpers import csv_bytes, row
from tests.web.helpers import ORIGIN, field_errors


def _upload(client: TestClient, token: str, name: str, content: bytes) -> Any:
    return client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                       files={"file": (name, content, "text/csv")})


def _orders(db: Db) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


def _table(page: str, testid: str) -> list[tuple[str, ...]]:
    body = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[^>]*><td>(\d+)</td><td><code>([^<]*)</code></td><td>([^<]+)</td></tr>",
                      body)


def _numbers(page: str, testid: str) -> list[tuple[str, str]]:
    body = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><td>(\d+)</td><td><a class="mono" href="/orders/(\d+)"', body)


def test_an_upload_is_imported_and_the_whole_report_is_shown(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    data = csv_bytes([row("OK1"),                                 # 2 imported
                      row("BAD1", phone="12", email=None),        # 3 refused: phone
                      row("A1", "SKU-2"),                         # 4 refused with line 5
                      row("A1", "SKU-3", city="宁波市"),          # 5 refused: city differs
                      row("OK1")])  # 6 already in the file (a fourth order seen)

    response = _upload(client, token, "orders.csv", data)

    assert response.status_code == 200
    page = response.text
    counts = dict(re.findall(r'data-testid="([a-z-]+)">(\d+)</strong>', page))
    assert counts == {"orders-seen": "4", "imported-count": "1", "duplicate-count": "1",
                      "error-count": "3", "not-imported-count": "0"}
    refused = _table(page, "import-errors")
    assert [(line, column) for line, column, _ in refused] == [
        ("3", "phone"), ("4", "city"), ("5", "city")]
    assert all(reason.strip() for _, _, reason in refused)
    imported = _numbers(page, "import-imported")
    assert [line for line, _ in imported] == ["2"]
    assert _numbers(page, "import-duplicates") == [("6", imported[0][1])]
    assert _orders(db) == 1


def test_the_same_file_again_lists_every_order_as_already_imported(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    data = csv_bytes([row("R1"), row("R2", "SKU-2")])
    first = _numbers(_upload(client, token, "orders.csv", data).text, "import-imported")

    again = _upload(client, token, "orders.csv", data).text

    assert 'data-testid="import-imported"' not in again
    assert _numbers(again, "import-duplicates") == first
    assert _orders(db) == 2


def test_a_file_in_no_encoding_we_read_is_refused_with_the_reason_not_a_server_error(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    response = _upload(client, token, "orders.csv", csv_bytes([row("E1")]) + b"\xff\xfe\xff\n")

    assert response.status_code == 200
    [(line, column, reason)] = _table(response.text, "import-errors")
    assert (line, column) == ("1", "")
    assert reason.startswith("the file is neither UTF-8 nor GB18030")
    assert _orders(db) == 0


def test_a_utf16_file_with_its_byte_order_mark_is_imported(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    response = _upload(client, token, "orders.csv",
                       csv_bytes([row("U1", customer_name="王五")], encoding="utf-16"))

    assert re.search(r'data-testid="imported-count">1<', response.text)
    assert _orders(db) == 1


def test_a_file_that_is_not_csv_or_xlsx_is_refused_with_its_field(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    response = _upload(client, token, "orders.pdf", b"%PDF")

    assert response.status_code == 422
    assert field_errors(response.text) == ["file"]
    assert "upload a .csv or .xlsx file" in response.text
    assert _orders(db) == 0


def test_a_file_over_the_limit_is_refused_with_its_field_and_nothing_is_imported(
        client: TestClient, token: str, db: Db, catalog: Catalog,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = csv_bytes([row("L1"), row("L2")])
    monkeypatch.setattr(imports, "MAX_BYTES", len(data) - 1)

    response = _upload(client, token, "orders.csv", data)

    assert response.status_code == 422
    assert field_errors(response.text) == ["file"]
    assert "the file is over 20 MB" in response.text
    assert _orders(db) == 0


def test_an_empty_file_is_reported_on_line_one(
        client: TestClient, token: str, db: Db, catalog: Catalog) -> None:
    response = _upload(client, token, "orders.csv", b"")

    assert response.status_code == 200
    assert _table(response.text, "import-errors") == [("1", "", "the file is empty")]


def test_an_empty_form_asks_for_a_file(client: TestClient, token: str, db: Db) -> None:
    response = client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                           files={"file": ("", b"", "application/octet-stream")})

    assert response.status_code == 422
    assert field_errors(response.text) == ["file"]
    assert _orders(db) == 0
