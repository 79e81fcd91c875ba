from __future__ import annotations

from collections.abc import Iterator

import pytest

from orderflow.aftersales.refunds import providers


@pytest.fixture(autouse=True)
def _simulated_refunds(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refunds go to the simulated provider unless a test puts another one in place."""
    monkeypatch.setenv("ORDERFLOW_REFUND_PROVIDER", "simulated")
    yield
    for name in providers.KNOWN:
        providers.use(name, None)
