"""Finding 16: var/orderflow.db (and -wal/-shm), keys and printed PDFs are private:
files 0600, directories 0700."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import orderflow
from orderflow import files


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_migrate_makes_a_private_var_dir_and_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFLOW_")}
    env["ORDERFLOW_VAR_DIR"] = str(var)
    env["PYTHONPATH"] = str(Path(orderflow.__file__).resolve().parents[1])  # this checkout
    old = os.umask(0o022)  # a permissive shell umask: the command narrows its own
    try:
        subprocess.run([sys.executable, "-m", "orderflow.cli", "migrate"], env=env, check=True,
                       capture_output=True, cwd=tmp_path)
    finally:
        os.umask(old)
    with sqlite3.connect(var / "orderflow.db") as conn:  # what a later process creates
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS probe (x)")

    assert _mode(var) == 0o700
    assert _mode(var / "orderflow.db") == 0o600
    assert _mode(var / "secret.key") == 0o600


def test_the_private_umask_covers_sqlite_wal_and_shm(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        files.private_umask()
        with sqlite3.connect(tmp_path / "x.db") as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE t (x)")
            modes = {p.name: _mode(p) for p in tmp_path.iterdir()}
    finally:
        os.umask(old)

    assert modes == {"x.db": 0o600, "x.db-wal": 0o600, "x.db-shm": 0o600}


def test_printed_pdfs_are_written_0600_even_over_a_readable_file(tmp_path: Path) -> None:
    pdf = tmp_path / "labels.pdf"
    pdf.write_bytes(b"old")
    pdf.chmod(0o644)

    files.write_private(pdf, b"%PDF-1.7 new")

    assert _mode(pdf) == 0o600
    assert pdf.read_bytes() == b"%PDF-1.7 new"
