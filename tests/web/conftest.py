"""Console fixtures: the app on the test database, a client, a signed-in staff user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from orderflow.app import create_app
from orderflow.auth.service import StaffIdentity
from orderflow.config import Settings
from orderflow.db import Db
from tests.builders.orders import Catalog, make_catalog
from tests.web.helpers import HOST, login, make_staff


@pytest.fixture
def app(db: Db, settings: Settings) -> FastAPI:
    return create_app(db, settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=f"http://{HOST}", follow_redirects=False) as c:
        yield c


@pytest.fixture
def catalog(db: Db) -> Catalog:
    return make_catalog(db)


@pytest.fixture
def staff(db: Db) -> StaffIdentity:
    return make_staff(db)


@pytest.fixture
def token(client: TestClient, staff: StaffIdentity) -> str:
    """Signed in as the staff user; the session's CSRF token."""
    return login(client)
