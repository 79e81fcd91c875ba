from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from orderflow.app import create_app
from orderflow.channels import service as channels
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders import placement
from tests.channels.helpers import make_channel_catalog, make_shops


@pytest.fixture
def shops(db: Db) -> None:
    channels.forget_shops()
    placement.forget_skus()
    make_channel_catalog(db)
    make_shops(db)


@pytest.fixture
def hook_client(db: Db, settings: Settings, shops: None) -> Iterator[TestClient]:
    with TestClient(create_app(db, settings)) as client:
        yield client
