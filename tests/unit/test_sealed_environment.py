"""The test session is sealed from the shell (tests/conftest.py): no ORDERFLOW_* variable
but the test infrastructure's reaches the code, the var directory is a temporary one, and
settings read through `get_settings()` are forgotten between tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from orderflow.config import get_settings
from tests.conftest import TEST_INFRA_VARIABLES

REPO = Path(__file__).resolve().parents[2]


def test_only_the_test_infrastructure_variables_and_the_temporary_var_dir_are_set() -> None:
    leaked = {n for n in os.environ if n.startswith("ORDERFLOW_")
              and not n.startswith(TEST_INFRA_VARIABLES) and n != "ORDERFLOW_VAR_DIR"}

    assert leaked == set()
    var_dir = Path(os.environ["ORDERFLOW_VAR_DIR"]).resolve()
    assert var_dir.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert not var_dir.is_relative_to(REPO)


def test_settings_read_in_a_test_come_from_defaults_and_write_no_key_into_the_repo() -> None:
    settings = get_settings()

    assert (settings.timezone, settings.reserve_at, settings.clock_at) == (
        "Asia/Shanghai", "placement", None)
    assert (settings.var_dir / "secret.key").exists()  # written where the session said
    assert not settings.var_dir.resolve().is_relative_to(REPO)


def test_a_variable_a_test_sets_is_forgotten_by_the_next_one_first(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_TIMEZONE", "America/New_York")
    get_settings.cache_clear()

    assert get_settings().timezone == "America/New_York"


def test_a_variable_a_test_sets_is_forgotten_by_the_next_one_second() -> None:
    assert get_settings().timezone == "Asia/Shanghai"


def test_clock_at_is_honoured_only_in_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_CLOCK_AT", "2026-12-05T04:00:00Z")
    get_settings.cache_clear()
    production = get_settings().clock_at
    monkeypatch.setenv("ORDERFLOW_TEST_MODE", "1")
    get_settings.cache_clear()

    assert (production, get_settings().clock_at) == (None, "2026-12-05T04:00:00Z")
