"""`orderflow exceptions …` against a real database (both engines)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orderflow import cli
from orderflow import db as db_module
from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind, CaseState
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.integration.logistics.helpers import carrier_says, cases_of
from tests.web.helpers import make_staff

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


@pytest.fixture
def runner(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.set_db(db)
    yield CliRunner()
    db_module.set_db(None)
    get_settings.cache_clear()


def test_list_assign_resolve_and_close_from_the_command_line(
        runner: CliRunner, db: Db, settings: Settings) -> None:
    make_catalog(db)
    number = make_order(db, settings, path=SHIPPED)
    make_staff(db, "lily")
    case_id = logistics.open_case(db, number, CaseKind.LOST, actor=STAFF, settings=settings)

    listed = runner.invoke(cli.app, ["exceptions", "list"])
    assigned = runner.invoke(cli.app, ["exceptions", "assign", str(case_id), "lily"])
    unknown = runner.invoke(cli.app, ["exceptions", "assign", str(case_id), "nobody"])
    resolved = runner.invoke(cli.app, ["exceptions", "resolve", str(case_id), "refunded",
                                       "--note", "全额退款"])
    closed = runner.invoke(cli.app, ["exceptions", "close", str(case_id)])

    assert listed.exit_code == 0 and "lost" in listed.output
    assert (assigned.exit_code, unknown.exit_code) == (0, 2)
    assert "owner: no active staff user 'nobody'" in unknown.output
    assert (resolved.exit_code, closed.exit_code) == (0, 0)
    (case,) = cases_of(db, number)
    assert (case.state, case.outcome) == (CaseState.CLOSED, "refunded")


def test_watch_runs_the_logistics_jobs_once(runner: CliRunner, db: Db,
                                            settings: Settings) -> None:
    make_catalog(db)
    number = make_order(db, settings, path=SHIPPED)
    carrier_says(db, number, "returning", description="拒收退回")

    result = runner.invoke(cli.app, ["exceptions", "watch"])

    assert result.exit_code == 0, result.output
    assert "carrier events handled: 1" in result.output
    assert [c.kind for c in cases_of(db, number)] == [CaseKind.RETURNED]


def test_a_bad_filter_exits_2_naming_the_field(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["exceptions", "list", "--kind", "eaten"])

    assert result.exit_code == 2
    assert "kind: not an exception kind" in result.output
