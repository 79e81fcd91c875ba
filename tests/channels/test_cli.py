"""`orderflow channels …` and `orderflow desk …` against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderflow import cli
from orderflow import db as db_module
from orderflow.channels import service as channels
from orderflow.config import Settings, get_settings
from orderflow.db import Db
from tests.builders.orders import make_catalog, make_order
from tests.channels.helpers import dumps, make_channel_catalog, woo_headers, woo_order


@pytest.fixture
def runner(db: Db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", db.url)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    channels.forget_shops()
    db_module.set_db(db)
    yield CliRunner()
    db_module.set_db(None)
    get_settings.cache_clear()


def test_a_shop_is_added_its_inbox_listed_and_a_failed_delivery_retried(
        runner: CliRunner, db: Db, settings: Settings) -> None:
    added = runner.invoke(cli.app, ["channels", "add", "woo-shop", "--platform", "woocommerce",
                                    "--secret", "woo-webhook-secret-abcdef"])
    short = runner.invoke(cli.app, ["channels", "add", "x", "--platform", "shopify",
                                    "--secret", "short"])
    body = dumps(woo_order())
    headers = {k.lower(): v for k, v in woo_headers(body).items()}
    failed = channels.receive(db, "woo-shop", headers, body, settings=settings)
    make_channel_catalog(db)
    inbox = runner.invoke(cli.app, ["channels", "inbox", "--state", "failed"])
    retried = runner.invoke(cli.app, ["channels", "retry", str(failed.delivery_id)])

    assert added.exit_code == 0 and "/api/hooks/woo-shop" in added.output
    assert short.exit_code == 2 and "secret" in short.output and "code" in short.output
    assert failed.state == "failed" and "failed" in inbox.output
    assert retried.exit_code == 0 and "processed" in retried.output


def test_merge_and_split_from_the_terminal(runner: CliRunner, db: Db,
                                           settings: Settings) -> None:
    make_catalog(db)
    a = make_order(db, settings, [("SKU-1", 1)], path=["paid"])
    make_order(db, settings, [("SKU-2", 1)], path=["paid"])

    merged = runner.invoke(cli.app, ["desk", "merge", "--auto"])
    split = runner.invoke(cli.app, ["desk", "split", a])

    assert merged.exit_code == 0 and f"merged 1 group(s): {a}" in merged.output
    assert split.exit_code == 2 and "split.nothing" in split.output
