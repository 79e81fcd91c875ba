"""The CLI against a real database (the `db` fixture's URL through the environment)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orderflow import cli, clock
from orderflow import db as db_module
from orderflow.auth import service as auth
from orderflow.auth.models import LoginAttempt
from orderflow.config import get_settings
from tests.builders.orders import make_catalog
from tests.intake.helpers import csv_bytes, row


@pytest.fixture
def runner(db, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    db_module.set_db(db)
    yield CliRunner()
    db_module.set_db(None)
    get_settings.cache_clear()


def test_user_create_then_login_works(runner, db):
    result = runner.invoke(
        cli.app, ["user", "create", "li.na", "--role", "warehouse", "--password", "correct horse"]
    )

    assert result.exit_code == 0, result.output
    assert "created warehouse user li.na" in result.output
    assert auth.authenticate(db, "li.na", "correct horse").role.value == "warehouse"


def test_user_create_refuses_a_short_password_naming_the_field(runner):
    result = runner.invoke(cli.app, ["user", "create", "bob", "--password", "short"])

    assert result.exit_code == 2
    assert "password: use at least 8 characters" in result.output


def test_token_create_prints_a_token_that_verifies(runner, db):
    result = runner.invoke(cli.app, ["token", "create", "erp", "--scope", "orders:read"])

    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert auth.verify_token(db, token).scopes == frozenset({"orders:read"})


def test_token_create_refuses_an_unknown_scope(runner):
    result = runner.invoke(cli.app, ["token", "create", "erp", "--scope", "orders:delete"])

    assert result.exit_code == 2
    assert "unknown scopes ['orders:delete']" in result.output


def test_demo_loads_skus_orders_and_users_then_doctor_is_happy(runner, db):
    result = runner.invoke(cli.app, ["demo", "--orders", "40"])

    assert result.exit_code == 0, result.output
    assert "loaded 45 SKUs and 40 orders" in result.output
    assert auth.authenticate(db, "admin", "orderflow-demo").role.value == "admin"
    doctor = runner.invoke(cli.app, ["doctor"])
    assert doctor.exit_code == 0, doctor.output
    assert "all good" in doctor.output
    again = runner.invoke(cli.app, ["demo", "--if-empty"])
    assert "demo data already present" in again.output


def test_login_is_slowed_down_after_too_many_failures(db):
    auth.create_user(db, "zhao", "right-password", role=auth.Role.SERVICE)
    for _ in range(3):
        with pytest.raises(auth.Unauthorized):
            auth.authenticate(db, "zhao", "wrong", max_failures_per_hour=20)
    with db.transaction() as s:  # five more just now: the next try waits 2**3 s
        s.add_all(LoginAttempt(username="zhao", at=clock.utcnow(), success=False)
                  for _ in range(5))

    with pytest.raises(auth.TooManyRequests):
        auth.authenticate(db, "zhao", "right-password", max_failures_per_hour=3)


def test_importing_a_file_in_no_encoding_we_read_says_so_and_exits_1(runner, db, tmp_path):
    make_catalog(db)
    bad = tmp_path / "orders.csv"
    bad.write_bytes(csv_bytes([row("E1")]) + b"\xff\xfe\xff\n")
    good = tmp_path / "utf16.csv"
    good.write_bytes(csv_bytes([row("U1")], encoding="utf-16"))

    refused = runner.invoke(cli.app, ["import", "orders", str(bad)])
    imported = runner.invoke(cli.app, ["import", "orders", str(good)])

    assert refused.exit_code == 1, refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
    assert "neither UTF-8 nor GB18030" in refused.output
    assert (imported.exit_code, "imported: 1" in imported.output) == (0, True), imported.output
