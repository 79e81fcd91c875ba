"""`orderflow import orders`: each refused row as `line N: field: reason`, or JSON."""

from __future__ import annotations

import json

from orderflow import cli
from tests.builders.orders import make_catalog
from tests.intake.helpers import csv_bytes, row
from tests.integration.test_cli import runner  # noqa: F401  (the fixture)

LI = {"customer_name": "李四", "phone": "13900001111"}


def test_conflicting_rows_are_printed_each_naming_the_others_line(runner, db, tmp_path):  # noqa: F811
    make_catalog(db)
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes([row("A1"), row("B1"), row("A1", **LI), row("C1", quantity=-1)]))

    result = runner.invoke(cli.app, ["import", "orders", str(path)])

    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert "orders seen: 4; imported: 1; already present: 0; refused rows: 3" in out[0]
    assert ("line 2: external_id: external_id 'A1' is also on line 4 with a different "
            "customer_name, phone; neither is imported") in out
    assert ("line 4: external_id: external_id 'A1' is also on line 2 with a different "
            "customer_name, phone; neither is imported") in out
    assert "line 5: quantity: -1: must be at least 1" in out


def test_format_json_gives_the_whole_report(runner, db, tmp_path):  # noqa: F811
    make_catalog(db)
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes([row("A1"), row("A1", "SKU-2", city="宁波市")]))

    result = runner.invoke(cli.app, ["import", "orders", str(path), "--format", "json"])

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["imported"] == []
    assert [(e["line"], e["field"], e["code"]) for e in report["refused"]] == [
        (2, "city", "import.order_field_differs"), (3, "city", "import.order_field_differs")]
    assert report["refused"][0]["params"] == {"other": 3, "columns": "city"}
