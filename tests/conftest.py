"""Test fixtures: every database test runs on SQLite AND PostgreSQL.

The schema comes from `alembic upgrade head`, so the migrations are tested on both
engines every run. PostgreSQL tests are skipped (and say so) when no server is
reachable, except under CI, where a missing server fails the run.

The session is sealed from the shell: every ORDERFLOW_* variable but the test
infrastructure's own is removed before any test runs, the var directory is a temporary
one, and the settings cache is cleared around every test. Date-sensitive tests carry the
`clock` marker and run at the --clock-at instant (`make test-clocks` runs them at five).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from orderflow import clock, migrate
from orderflow.config import Settings, get_settings
from orderflow.db import Base, Db
from orderflow.notify import prefs
from orderflow.orders.numbering import reset_allocators

PG_ADMIN = os.environ.get(
    "ORDERFLOW_TEST_PG_ADMIN", "host=127.0.0.1 port=5432 dbname=test user=postgres"
)
PG_HOST = os.environ.get("ORDERFLOW_TEST_PG_HOST", "postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_pg_skip_reason: str | None = None

# Variables the test infrastructure itself reads; every other ORDERFLOW_* is scrubbed.
TEST_INFRA_VARIABLES = ("ORDERFLOW_TEST_PG_", "ORDERFLOW_CHROMIUM", "ORDERFLOW_SCREENSHOTS",
                        "ORDERFLOW_CRASH_ORDERS")
_session_var_dir: str | None = None

# Hypothesis: `dev` by default, `ci` (fixed seed, bounded) under CI, `long` on demand with
# HYPOTHESIS_PROFILE=long. Tests that take the `db` fixture reuse it across examples on
# purpose (each example cleans up or checks invariants that hold for any history).
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
hypothesis_settings.register_profile("dev", deadline=None, suppress_health_check=_HEALTH)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, max_examples=50,
                                     suppress_health_check=_HEALTH, print_blob=True)
hypothesis_settings.register_profile("long", deadline=None, max_examples=2000,
                                     suppress_health_check=_HEALTH)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def pg_available() -> bool:
    global _pg_skip_reason
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except psycopg.Error as exc:
        _pg_skip_reason = f"PostgreSQL not reachable ({PG_ADMIN}): {exc}".splitlines()[0]
        return False


def base_settings(url: str, tmp: Path) -> Settings:
    return Settings(
        database_url=url,
        secret_key="test-secret-key-not-for-production",
        test_mode=True,
        var_dir=tmp,
    )


DEFAULT_CLOCK_AT = "2026-12-07T06:30:00Z"  # a Monday, 14:30 in Shanghai: a working day


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-at",
        default=DEFAULT_CLOCK_AT,
        help="the application's clock for tests marked `clock` (ISO instant with a zone)",
    )
    parser.addoption(
        "--clock-all",
        action="store_true",
        help="apply --clock-at to every test, marked or not (finds tests that depend on "
        "'now' but lack the `clock` marker)",
    )


@pytest.fixture(autouse=True)
def _app_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests marked `clock` run at the instant given by --clock-at (the application's
    clock, not the process's); a test about one moment names it, `clock(at="...")`, and
    runs there whatever --clock-at says. Every test leaves the clock as it found it."""
    marker = request.node.get_closest_marker("clock")
    if marker is not None or request.config.getoption("--clock-all"):
        at = (marker.kwargs.get("at") if marker is not None else None) \
            or request.config.getoption("--clock-at")
        clock.set_now(clock.parse_instant(at))
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Whatever a test or the code it calls read through `get_settings()` is forgotten."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _no_default_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped default holds SMS from 21:00 to 08:00 in the merchant's zone; a test
    must not pass or fail with the time of day it runs at, so tests start without quiet
    hours and the ones about quiet hours set their own windows."""
    monkeypatch.setitem(prefs.DEFAULTS, "quiet_hours", {})
    monkeypatch.setitem(prefs.DEFAULTS, "holiday_quiet_hours", {})


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if not pg_available():
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {_pg_skip_reason}")
        pytest.skip(f"SKIPPED PostgreSQL tests: {_pg_skip_reason}")
    name = f"orderflow_test_{_worker()}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://{PG_HOST}/{name}"
    migrate.upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_db(pg_url: str) -> Iterator[Db]:
    db = Db(pg_url, pool_size=20)
    yield db
    db.dispose()


def _truncate(db: Db) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Db]:
    """A migrated, empty database: SQLite (a copy of the template) or PostgreSQL (truncated)."""
    reset_allocators()
    if request.param == "sqlite":
        path = tmp_path / "orderflow.db"
        shutil.copy(sqlite_template, path)
        database = Db(f"sqlite:///{path}", pool_size=20)
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_db")
        _truncate(database)
        yield database
    reset_allocators()


@pytest.fixture
def settings(db: Db, tmp_path: Path) -> Settings:
    return base_settings(db.url, tmp_path)


@pytest.fixture
def payment_settings(settings: Settings) -> Settings:
    return replace(settings, reserve_at="payment")


def _seal_environment() -> None:
    """No ORDERFLOW_* from the shell reaches the code under test; the var directory (and the
    secret.key the settings may write there) is a temporary one, never the repository's."""
    global _session_var_dir
    for name in [n for n in os.environ if n.startswith("ORDERFLOW_")]:
        if not name.startswith(TEST_INFRA_VARIABLES):
            del os.environ[name]
    _session_var_dir = tempfile.mkdtemp(prefix="orderflow-test-var-")
    os.environ["ORDERFLOW_VAR_DIR"] = _session_var_dir
    get_settings.cache_clear()


def pytest_configure(config: pytest.Config) -> None:
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    _seal_environment()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _session_var_dir:
        shutil.rmtree(_session_var_dir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _pg_skip_reason and not IN_CI:
        terminalreporter.write_line(
            f"NOTE: PostgreSQL tests were SKIPPED: {_pg_skip_reason}", yellow=True, bold=True
        )
