"""Security fixtures: a real `orderflow serve` process on the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from orderflow.db import Db
from tests.support.server import free_port
from tests.web.conftest import app, catalog, client, staff  # noqa: F401  (console fixtures)


@pytest.fixture
def served(db: Db, tmp_path: Path) -> Iterator[str]:
    """`orderflow serve` (access log on, masking on) on the test database; its base URL."""
    port = free_port()
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": db.url, "ORDERFLOW_VAR_DIR": str(tmp_path),
           "ORDERFLOW_SECRET_KEY": "s" * 48, "ORDERFLOW_TRACKING_SIMULATED_SECRET": "sim-test"}
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "orderflow.cli", "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "serve.log").read_text()[-2000:])
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
