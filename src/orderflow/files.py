"""Private files: the database, keys and printed PDFs are readable by their owner only.

`private_umask()` runs at the start of every `orderflow` command, so whatever it creates
(var/, the SQLite file and its -wal/-shm, PDFs, keys) is mode 0600 / dirs 0700;
`write_private` does the same for one file whatever the process's umask."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    os.umask(PRIVATE_UMASK)


def write_private(path: Path, content: bytes) -> None:
    """Write `content` to `path` as mode 0600 (an existing file is narrowed too)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(content)


def make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)


def tighten_sqlite(database_url: str) -> None:
    """An SQLite database made before the umask (or by another tool): narrow it and its
    -wal/-shm to 0600."""
    if not database_url.startswith("sqlite:///"):
        return
    base = Path(database_url.removeprefix("sqlite:///"))
    for path in (base, Path(f"{base}-wal"), Path(f"{base}-shm")):
        if path.exists():
            path.chmod(0o600)
