"""/orders/import: the upload reaches the importer and its whole report is shown.

The importer itself is tested in its own package; here a stand-in with the same
interface (`import_orders(db, source, *, filename, actor, settings)`) records the call.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.web.helpers import ORIGIN, field_errors


@dataclass
class RowError:
    line: int
    field: str
    message: str


@dataclass
class Report:
    imported: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    orders_seen: int = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def import_orders(db: Any, source: Path, *, filename: str, actor: Any, settings: Any,
                      progress: Any = None) -> Report:
        seen.append({"filename": filename, "content": source.read_bytes(), "actor": str(actor),
                     "suffix": source.suffix})
        return Report(imported=[(2, "2611230000018"), (4, "2611230000026")],
                      duplicates=[(5, "2611230000034")],
                      errors=[RowError(3, "phone", "not a phone number"),
                              RowError(6, "lines[0].sku", "unknown SKU NOPE")],
                      orders_seen=5)

    module = types.ModuleType("orderflow.intake.importer")
    module.import_orders = import_orders  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "orderflow.intake.importer", module)
    return seen


def _upload(client: TestClient, token: str, name: str, content: bytes) -> Any:
    return client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                       files={"file": (name, content, "text/csv")})


def test_an_upload_is_imported_and_the_whole_report_is_shown(
        client: TestClient, token: str, calls: list[dict[str, Any]]) -> None:
    response = _upload(client, token, "orders.csv", b"order_id,sku\n1,SKU-1\n")

    assert response.status_code == 200
    assert calls == [{"filename": "orders.csv", "content": b"order_id,sku\n1,SKU-1\n",
                      "actor": "staff:alice", "suffix": ".csv"}]
    page = response.text
    counts = dict(re.findall(r'data-testid="([a-z-]+)">(\d+)</strong>', page))
    assert counts == {"orders-seen": "5", "imported-count": "2", "duplicate-count": "1",
                      "error-count": "2", "not-imported-count": "0"}
    errors = re.findall(r'<tr[^>]*><td>(\d+)</td><td><code>([^<]+)</code></td>'
                        r'<td>([^<]+)</td></tr>', page)
    assert errors == [("3", "phone", "not a phone number"),
                      ("6", "lines[0].sku", "unknown SKU NOPE")]
    rows = re.findall(r'<tr><td>(\d+)</td><td><a class="mono" href="/orders/(\d+)"',
                      page)
    assert rows == [("2", "2611230000018"), ("4", "2611230000026"), ("5", "2611230000034")]


def test_a_file_that_is_not_csv_or_xlsx_is_refused_with_its_field(
        client: TestClient, token: str, calls: list[dict[str, Any]]) -> None:
    response = _upload(client, token, "orders.pdf", b"%PDF")

    assert response.status_code == 422
    assert field_errors(response.text) == ["file"]
    assert "upload a .csv or .xlsx file" in response.text
    assert calls == []


def test_an_empty_form_asks_for_a_file(client: TestClient, token: str,
                                       calls: list[dict[str, Any]]) -> None:
    response = client.post("/orders/import", headers=ORIGIN, data={"csrf_token": token},
                           files={"file": ("", b"", "application/octet-stream")})

    assert response.status_code == 422
    assert field_errors(response.text) == ["file"]
    assert calls == []
