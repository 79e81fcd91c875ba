"""`orderflow warehouse …` against a real database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orderflow import cli
from orderflow import db as db_module
from orderflow.config import get_settings
from orderflow.fulfilment import stock
from tests.builders.fulfilment import status
from tests.builders.orders import make_catalog, make_order


@pytest.fixture
def runner(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.set_db(db)
    yield CliRunner()
    db_module.set_db(None)
    get_settings.cache_clear()


def test_allocate_plan_release_and_print_the_pick_list(runner, db, settings, tmp_path):
    make_catalog(db)
    numbers = [make_order(db, settings, path=["approved"]) for _ in range(2)]
    out = tmp_path / "pick.pdf"

    allocated = runner.invoke(cli.app, ["warehouse", "allocate"])
    planned = runner.invoke(cli.app, ["warehouse", "waves", "--release"])
    printed = runner.invoke(cli.app, ["warehouse", "pick-list", "1", "-o", str(out)])

    assert (allocated.exit_code, planned.exit_code, printed.exit_code) == (0, 0, 0)
    assert "allocated 2 orders" in allocated.output
    assert "released" in planned.output
    assert printed.output.split()[:2] == numbers
    assert out.read_bytes().startswith(b"%PDF")
    assert [status(db, n) for n in numbers] == ["picking", "picking"]


def test_alerts_exit_1_when_a_sku_is_low(runner, db):
    make_catalog(db, {"SKU-1": 3})
    quiet = runner.invoke(cli.app, ["warehouse", "alerts"])
    stock.set_threshold(db, sku="SKU-1", warehouse=None, low_at=5)

    loud = runner.invoke(cli.app, ["warehouse", "alerts"])

    assert (quiet.exit_code, loud.exit_code) == (0, 1)
    assert "SKU-1" in loud.output


def test_an_unknown_wave_names_the_error(runner, db):
    result = runner.invoke(cli.app, ["warehouse", "pick-list", "99"])

    assert result.exit_code == 2
    assert "wave.not_found" in result.output
