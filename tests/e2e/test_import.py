"""Importing a CSV file from the console, in a real browser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.db import Db
from tests.builders.orders import make_catalog
from tests.e2e.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(importlib.util.find_spec("orderflow.intake.importer") is None,
                       reason="importer not present"),
]

PASSWORD = "correct horse battery"
CSV = """external_id,channel,customer_name,phone,province,city,district,address,sku,quantity
T-1,taobao,李四,13912345678,浙江省,杭州市,西湖区,文三路 1 号,SKU-1,2
T-2,taobao,王五,13912345679,浙江省,杭州市,西湖区,文三路 2 号,SKU-1,1
T-2,taobao,王五,13912345679,浙江省,杭州市,西湖区,文三路 2 号,SKU-2,1
T-3,taobao,赵六,13912345670,浙江省,杭州市,西湖区,文三路 3 号,NOPE,1
"""


def test_importing_a_csv_shows_imported_rows_duplicates_and_errors(
        browser: Browser, base_url: str, db: Db, tmp_path: Path) -> None:
    make_catalog(db)
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, language="en")
    upload = tmp_path / "taobao-orders.csv"
    upload.write_text(CSV, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    page.goto(base_url + "/orders/import")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")

    page.set_input_files("input[name=file]", str(upload))
    page.click("form.import-form button[type=submit]")
    expect(page.get_by_test_id("imported-count")).to_have_text("2")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form.import-form button[type=submit]")

    expect(page.get_by_test_id("orders-seen")).to_have_text("3")
    expect(page.get_by_test_id("imported-count")).to_have_text("0")
    expect(page.get_by_test_id("duplicate-count")).to_have_text("2")
    expect(page.get_by_test_id("error-count")).to_have_text("1")
    error = page.locator("[data-testid=import-errors] tbody tr")
    expect(error.locator("td")).to_have_text(["5", "sku", "unknown or inactive SKU 'NOPE'"])
    duplicates = page.locator("[data-testid=import-duplicates] tbody tr td:first-child")
    expect(duplicates).to_have_text(["2", "3"])
    page.screenshot(path=SCREENSHOTS / "orders-import-report.en.png", full_page=True)
    context.close()
