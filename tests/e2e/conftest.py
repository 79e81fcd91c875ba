"""Browser tests: the real app under uvicorn on a free localhost port, driven by
Playwright in Debian's Chromium (never a downloaded browser).

One browser per module; one server per test, on that test's database. These run on
SQLite only: the database behaviour is covered by the web and integration tests.
Without /usr/bin/chromium they are skipped, unless CI is set, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from orderflow.app import create_app
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.numbering import reset_allocators
from tests.support.server import running

CHROMIUM = Path(os.environ.get("ORDERFLOW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Browser tests take screenshots of every screen they visit. They land in docs/screenshots
# (tracked, shown in the README) only when asked with `make screenshots`; otherwise in a
# temporary folder, so a test run never dirties the work tree.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ORDERFLOW_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "orderflow-screenshots"
)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if IN_CI:
        pytest.fail(f"CI requires Chromium at {CHROMIUM}")
    pytest.skip(f"SKIPPED browser tests: no Chromium at {CHROMIUM} (apt install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Iterator[Db]:
    """SQLite only (overrides the two-engine fixture for browser tests)."""
    reset_allocators()
    path = tmp_path / "orderflow.db"
    shutil.copy(sqlite_template, path)
    database = Db(f"sqlite:///{path}", pool_size=20)
    yield database
    database.dispose()
    reset_allocators()


@pytest.fixture
def base_url(db: Db, settings: Settings) -> Iterator[str]:
    """The app served by uvicorn in a background thread, on a socket bound once (the same
    process: the server reads the test's application clock)."""
    with running(create_app(db, settings), lifespan="off") as url:
        yield url


PASSWORD = "correct horse battery"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh English desktop context; a module sets DESKTOP for another viewport."""
    viewport = getattr(request.module, "DESKTOP", {"width": 1280, "height": 900})
    context = browser.new_context(viewport=viewport, locale="en-US")
    yield context.new_page()
    context.close()


def sign_in(page: Page, base_url: str, next_path: str = "/", *, username: str = "alice") -> None:
    """Open a console page, get sent to the login, sign in and land back on the page."""
    page.goto(base_url + next_path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(base_url + next_path)


def visit(page: Page, url: str, shows: str, language: str | None = None) -> None:
    """Open a page for a screenshot and check it is that page: a 200 (an error page has a
    `lang` too) and an element only that page has (`shows`, a CSS selector)."""
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, (url, response.status)
    expect(page.locator(shows).first).to_be_attached()
    if language is not None:
        expect(page.locator("html")).to_have_attribute("lang", language)
