"""Bulk INSERT at driver speed for the bulk importer.

SQLAlchemy's own executemany spends ~15 µs a row building and processing a
parameter dict per row. Here each column's value goes through the very bind
processor SQLAlchemy would use for this dialect (UTC datetimes, JSON, enums as
strings), once, in a tight loop, and the driver gets plain tuples: SQLite's
executemany, or PostgreSQL's COPY FROM STDIN (one stream instead of one INSERT per
row; ~4x less server time).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

Processor = Callable[[Any], Any] | None


@cache
def _plan(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, list[Processor]]:
    quote = dialect.identifier_preparer.quote
    names = f"{quote(table.name)} ({', '.join(quote(c) for c in columns)})"
    if dialect.name == "postgresql":
        sql = f"COPY {names} FROM STDIN"
    else:
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {names} VALUES ({', '.join(marker for _ in columns)})"
    processors = [_memo(table.c[c].type, dialect) for c in columns]
    return sql, processors


def _memo(type_: Any, dialect: Dialect) -> Processor:
    """The column's bind processor; for scalar types remembered per value (the bulk rows
    of a chunk share their timestamps, statuses and currencies)."""
    processor: Processor = type_.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or isinstance(type_, JSON):
        return processor
    seen: dict[Any, Any] = {}

    def process(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            result = seen[value] = processor(value)
            if len(seen) > 4096:
                seen.clear()
            return result

    return process


def insert_many(s: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row (all with the same keys) in one driver executemany."""
    if not rows:
        return
    conn = s.connection()
    columns = tuple(rows[0])
    sql, processors = _plan(table, columns, conn.dialect)
    pairs = list(zip(columns, processors, strict=True))
    params = [tuple(p(row[c]) if p else row[c] for c, p in pairs) for row in rows]
    if conn.dialect.name != "postgresql":
        conn.exec_driver_sql(sql, params)
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for values in params:
            copy.write_row(values)
