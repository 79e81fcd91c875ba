from __future__ import annotations

import pytest

from tests.unit.shipping.vectors import summary_line


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_sep("-", summary_line())
