"""Finding 2: no default secrets for carrier pushes, and every push checked against the
shipment's own tracking provider."""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import replace
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console

from orderflow import doctor
from orderflow.app import create_app
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.tracking import config as tracking_config
from orderflow.tracking.adapters import simulated
from orderflow.tracking.config import TrackingSettings
from tests.builders.orders import make_catalog
from tests.tracking.helpers import TRACKING, order_status, ship, shipment, stored_events


def _client(db: Db, settings: Settings, tracking: TrackingSettings) -> TestClient:
    app = create_app(db, settings)
    app.state.tracking = tracking
    return TestClient(app)


def _delivered_push(db: Db, tracking_number: str, shipment_id: int) -> bytes:
    handed = shipment(db, shipment_id).shipped_at
    return simulated.body_for(tracking_number, "SF", simulated.due_events(
        tracking_number, handed, handed + timedelta(hours=200)))


def test_no_provider_has_a_secret_by_default(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    for name in ("TRACKING_SIMULATED_SECRET", "KUAIDI100_SALT", "AFTERSHIP_WEBHOOK_SECRET"):
        monkeypatch.delenv(f"ORDERFLOW_{name}", raising=False)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path))

    loaded = tracking_config.load()

    assert loaded.simulated_secret == ""
    assert set(tracking_config.disabled(loaded)) == {"simulated", "kuaidi100", "aftership"}


def test_the_demo_secret_is_generated_private_and_random(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.delenv("ORDERFLOW_TRACKING_SIMULATED_SECRET", raising=False)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(tmp_path / "a"))
    tracking_config.ensure_demo_secret(tmp_path / "a")
    tracking_config.ensure_demo_secret(tmp_path / "b")

    first = tracking_config.load().simulated_secret
    key_file = tmp_path / "a" / tracking_config.SIMULATED_KEY_FILE

    assert len(first) >= 32
    assert first != (tmp_path / "b" / tracking_config.SIMULATED_KEY_FILE).read_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert "simulated" not in tracking_config.disabled(tracking_config.load())


def test_a_disabled_providers_hook_answers_404_and_doctor_says_so(
        db: Db, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    make_catalog(db)
    client = _client(db, settings, TrackingSettings())
    monkeypatch.delenv("ORDERFLOW_TRACKING_SIMULATED_SECRET", raising=False)
    monkeypatch.setenv("ORDERFLOW_VAR_DIR", str(settings.var_dir))
    out = StringIO()

    replies = [client.post(f"/api/carrier-hooks/{p}", content=b"{}")
               for p in ("simulated", "kuaidi100", "aftership")]
    doctor.run(settings, console=Console(file=out, width=200))

    assert [r.status_code for r in replies] == [404, 404, 404]
    assert replies[0].json()["code"] == "carrier_hook.disabled"
    assert replies[0].headers["content-type"] == "application/problem+json"
    assert "tracking provider simulated is disabled" in out.getvalue()


def test_a_bad_signature_is_refused_with_401(db: Db, settings: Settings) -> None:
    make_catalog(db)
    client = _client(db, settings, TRACKING)

    reply = client.post("/api/carrier-hooks/simulated", content=b"not json at all",
                        headers={simulated.HEADER: "0" * 64})

    assert reply.status_code == 401


def test_a_push_from_another_provider_than_the_shipments_is_refused_and_logged(
        db: Db, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    make_catalog(db)
    aftership = replace(TRACKING, provider="aftership", aftership_webhook_secret="as-secret")
    parcel = ship(db, settings, tracking_settings=aftership)
    client = _client(db, settings, aftership)  # the simulated hook is enabled (it has a secret)
    body = _delivered_push(db, parcel.tracking_number, parcel.shipment_id)

    with caplog.at_level(logging.WARNING, logger="orderflow.tracking.hooks"):
        reply = client.post("/api/carrier-hooks/simulated", content=body, headers={
            simulated.HEADER: simulated.signature(TRACKING.simulated_secret, body)})

    assert reply.status_code == 200
    assert reply.json()["known"] is False
    assert stored_events(db, parcel.shipment_id) == []
    assert order_status(db, parcel.number) != "delivered"
    assert "tracked by aftership" in caplog.text


def test_a_push_from_the_shipments_own_provider_is_stored(db: Db, settings: Settings) -> None:
    make_catalog(db)
    parcel = ship(db, settings)
    client = _client(db, settings, TRACKING)
    body = _delivered_push(db, parcel.tracking_number, parcel.shipment_id)

    reply = client.post("/api/carrier-hooks/simulated", content=body, headers={
        simulated.HEADER: simulated.signature(TRACKING.simulated_secret, body)})

    assert reply.json()["known"] is True
    assert order_status(db, parcel.number) == "delivered"
