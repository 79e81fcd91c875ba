"""Tracking fixtures: the app served over real HTTP, with tracking settings for the fakes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi import FastAPI

from orderflow.app import create_app
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.tracking.config import TrackingSettings
from tests.builders.orders import make_catalog
from tests.support.server import running
from tests.tracking.helpers import TRACKING

KD_CUSTOMER, KD_KEY, KD_SALT = "C0FFEE1234567890ABCDEF0123456789", "kd100-test-key", "s4lt-xyz"
AS_KEY, AS_SECRET = "asat_test_key", "as-webhook-secret"


@pytest.fixture
def tracking_settings() -> TrackingSettings:
    return replace(TRACKING, kuaidi100_customer=KD_CUSTOMER, kuaidi100_key=KD_KEY,
                   kuaidi100_salt=KD_SALT, aftership_api_key=AS_KEY,
                   aftership_webhook_secret=AS_SECRET)


@pytest.fixture
def app(db: Db, settings: Settings, tracking_settings: TrackingSettings) -> FastAPI:
    make_catalog(db)
    app = create_app(db, settings)
    app.state.tracking = tracking_settings
    return app


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with running(app) as url:
        yield url
