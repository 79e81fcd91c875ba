from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from orderflow.app import create_app
from tests.builders.orders import make_catalog, make_token


@pytest.fixture
def client(db, settings):
    make_catalog(db)
    with TestClient(create_app(db, settings)) as c:
        c.headers["Authorization"] = f"Bearer {make_token(db)}"
        yield c
