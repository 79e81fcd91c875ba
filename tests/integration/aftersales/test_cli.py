"""`orderflow aftersales list|show|approve|refuse|receive|refund` on both databases."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from orderflow import cli
from orderflow import db as db_module
from orderflow.config import get_settings
from tests.builders.orders import make_catalog
from tests.integration.aftersales.helpers import delivered, open_case


@pytest.fixture
def runner(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.set_db(db)
    yield CliRunner()
    db_module.set_db(None)
    get_settings.cache_clear()


def test_the_queue_is_worked_from_the_command_line(runner, db, settings):
    make_catalog(db)
    number = delivered(db, settings, [("SKU-1", 2)])
    open_case(db, number, "return_refund", "quality_damaged", [("SKU-1", 2)])
    case = f"{number}-R1"

    listed = runner.invoke(cli.app, ["aftersales", "list", "--json"])
    assert [c["number"] for c in json.loads(listed.output)] == [case]
    assert runner.invoke(cli.app, ["aftersales", "approve", case]).exit_code == 0
    received = runner.invoke(cli.app, ["aftersales", "receive", number, "--line", "SKU-1=1,1"])
    assert "now refunding" in received.output, received.output
    refunded = runner.invoke(cli.app, ["aftersales", "refund", case])
    assert "20.00 CNY: succeeded" in refunded.output, refunded.output
    shown = runner.invoke(cli.app, ["aftersales", "show", case, "--lang", "zh-CN"])
    assert "已收货：可售 1，残次 1，拒收 0" in shown.output


def test_a_refusal_without_its_note_names_the_field(runner, db, settings):
    make_catalog(db)
    number = delivered(db, settings, [("SKU-1", 1)])
    open_case(db, number, "return_refund", "no_reason")

    result = runner.invoke(cli.app, ["aftersales", "refuse", f"{number}-R1", "--code", "other"])

    assert result.exit_code == 2
    assert "note: say why in a note" in result.output
