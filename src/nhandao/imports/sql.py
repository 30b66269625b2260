"""The few vendor differences of the set-based import SQL (PostgreSQL and SQLite), and loading
many rows at once: COPY on PostgreSQL, executemany in large batches on SQLite.

Table and column names passed here are the pipeline's own constants, never user input."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection

EXECUTEMANY_BATCH = 20_000


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def bulk_load(
    cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` into ``table``: one COPY on PostgreSQL, executemany batches on SQLite."""
    names = ", ".join(columns)
    if is_pg():
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= EXECUTEMANY_BATCH:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


@contextmanager
def bulk_session(cursor: Any) -> Iterator[None]:
    """Session settings for statements over many rows: room for the hash joins and sorts of a
    set-based import (PostgreSQL: ``work_mem``, and no JIT compilation, back to the defaults
    afterwards; SQLite: a larger page cache, for this connection).

    JIT is off because the planner's row estimates for joins of staged keys run into the billions
    and would have every such statement compiled, inlined and optimised first: seconds of
    compilation (1.8 s of an 8 s registry join at 100,000 rows) for a plan that runs once."""
    if is_pg():
        local = not connection.get_autocommit()
        scope = "LOCAL " if local else ""
        cursor.execute(f"SET {scope}work_mem = '256MB'")
        cursor.execute(f"SET {scope}jit = off")
        try:
            yield
        finally:
            if not local:
                cursor.execute("RESET work_mem")
                cursor.execute("RESET jit")
        return
    cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, used as needed
    yield


def temp_table(cursor: Any, name: str, columns: str) -> None:
    """A fresh temporary table (one left by an interrupted run of this connection is dropped)."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")


def drop(cursor: Any, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def analyze(cursor: Any, table: str) -> None:
    cursor.execute(f"ANALYZE {table}")


def json_text(column: str, *path: str) -> str:
    """The text at ``path`` inside a JSON column (NULL when absent)."""
    if is_pg():
        return f"({column} #>> '{{{','.join(path)}}}')"
    return f"json_extract({column}, '$.{'.'.join(path)}')"


def year_of(column: str) -> str:
    if is_pg():
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"
    return f"CAST(strftime('%%Y', {column}) AS integer)"


def as_date(expr: str) -> str:
    return f"CAST(NULLIF({expr}, '') AS date)" if is_pg() else f"NULLIF({expr}, '')"


def as_json(expr: str) -> str:
    """JSON text as a value :func:`json_text` reads inside (PostgreSQL parses it once here;
    SQLite's JSON functions read text as it is)."""
    return f"CAST({expr} AS jsonb)" if is_pg() else expr


def as_int(expr: str) -> str:
    return f"CAST({expr} AS integer)"


def next_ids(table: str, order_by: str) -> str:
    """An expression giving each selected row a fresh primary key of ``table``: the sequence on
    PostgreSQL; on SQLite (one writer at a time) the row number above the largest id in use or
    ever handed out."""
    if is_pg():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
        return f"nextval('{sequence}'::regclass)"
    return (
        f"(SELECT MAX(m) FROM (SELECT COALESCE(MAX(id), 0) AS m FROM {table} UNION ALL "  # noqa: S608
        f"SELECT seq FROM sqlite_sequence WHERE name = '{table}')) + "
        f"ROW_NUMBER() OVER (ORDER BY {order_by})"
    )
