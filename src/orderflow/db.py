"""The database kernel: declarative base, engine setup, and the one place that commits.

Use cases open exactly one transaction with `db.transaction()` (writes) or
`db.read()` (reads). On SQLite a write transaction starts with BEGIN IMMEDIATE, so
two writers queue on the lock instead of failing on a read-to-write upgrade.
"""

from __future__ import annotations

import enum
import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from orderflow.config import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """An enum stored as a string with a CHECK: same on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, pool_size=pool_size, max_overflow=40, pool_timeout=60)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=pool_size, max_overflow=40, pool_pre_ping=True)


class _WriteGate:
    """SQLite has one writer at a time. Writers queue for it here, threads of this
    process on a lock and processes on an flock() of `<database>-writelock`, where a
    release wakes the next writer at once, instead of in SQLite's busy handler, which
    sleeps and retries (1, 2, 5, 10 ... 100 ms) and lets a writer wait far longer than
    the transaction it waits for. Re-entrant: a nested write transaction in the same
    thread behaves as before (it waits in the busy handler). The busy timeout still
    covers writers that do not come through here (migrations, other tools)."""

    def __init__(self, database: str | None):
        self._threads = threading.RLock()
        self._path = f"{database}-writelock" if database and database != ":memory:" else None
        self._fd: int | None = None
        self._depth = 0

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            outermost = self._depth == 0
            self._depth += 1
            fd = self._file() if outermost else None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self._depth -= 1

    def close(self) -> None:
        with self._threads:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def _file(self) -> int | None:
        if self._fd is None and self._path is not None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only directory: only threads queue
                self._path = None
        return self._fd


class Db:
    """The transaction factory handed to every use case."""

    def __init__(self, url: str, *, pool_size: int = 10):
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        reader_engine = self.engine.execution_options(sqlite_begin="DEFERRED")
        self._reader = sessionmaker(reader_engine, expire_on_commit=False)
        self._write_gate = (
            _WriteGate(self.engine.url.database) if self.dialect == "sqlite" else None
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._write_gate.hold() if self._write_gate else nullcontext():
            session = self._writer()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._reader()
        try:
            yield session
        finally:
            session.close()  # the pool rolls the connection back; loaded objects stay readable

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_gate is not None:
            self._write_gate.close()


_db: Db | None = None


def get_db() -> Db:
    """The process-wide Db for entry points (web, worker, CLI)."""
    global _db
    if _db is None:
        _db = Db(get_settings().database_url)
    return _db


def set_db(db: Db | None) -> None:
    global _db
    _db = db
