"""The few vendor differences of the set-based import SQL (PostgreSQL and SQLite), and loading
many rows at once: COPY on PostgreSQL, executemany in large batches on SQLite.

Table and column names passed here are the pipeline's own constants, never user input."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

EXECUTEMANY_BATCH = 20_000


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def bulk_load(
    cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` into ``table``: one COPY on PostgreSQL, executemany batches on SQLite, all
    in one transaction (a savepoint inside the caller's), so that a load that fails half-way
    leaves none of its rows and the caller's transaction usable, with Django's own exception
    (``IntegrityError`` …). On SQLite in autocommit mode each row of an executemany was a
    transaction of its own: 20 µs a row into a temporary table, ten times slower."""
    names = ", ".join(columns)
    if is_pg():
        with (
            transaction.atomic(),
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
    batch: list[Sequence[Any]] = []
    with transaction.atomic():
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


@contextmanager
def rows_in_parallel() -> Iterator[None]:
    """PostgreSQL: let the statements inside read a large table with parallel workers although
    they hand every row they read on (``parallel_tuple_cost`` a tenth of its default, until the
    end of the block). Casting 775,000 staged rows' JSON for a commit: 5.0 s alone, 3.4 s with
    two workers; the default cost of passing each row back from a worker keeps the planner from
    that plan. Elsewhere nothing changes. The setting is changed through a cursor of its own, so
    the caller's cursor still tells what its last statement did (``rowcount``) after the block."""
    if not is_pg():
        yield
        return
    with connection.cursor() as own:
        own.execute(
            "SELECT current_setting('parallel_tuple_cost'), "
            "set_config('parallel_tuple_cost', '0.01', true)"
        )
        before = own.fetchone()[0]
        try:
            yield
        finally:
            own.execute("SELECT set_config('parallel_tuple_cost', %s, true)", [before])


def temp_table(cursor: Any, name: str, columns: str) -> None:
    """A fresh temporary table (one left by an interrupted run of this connection is dropped)."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")


def drop(cursor: Any, *names: str) -> None:
    for name in names:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def analyze(cursor: Any, table: str) -> None:
    cursor.execute(f"ANALYZE {table}")


def json_text(column: str, *path: str | int) -> str:
    """The text at ``path`` inside a JSON column (NULL when absent): a name is a key of an
    object, a number a position in an array."""
    if is_pg():
        return f"({column} #>> '{{{','.join(map(str, path))}}}')"
    steps = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return f"json_extract({column}, '${steps}')"


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


def _secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes of ``table`` that neither enforce anything (no
    primary key, no unique index) nor were made by hand outside the schema's own statements."""
    if is_pg():
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = CAST(%s AS regclass) AND NOT x.indisunique "
            "AND NOT x.indisprimary AND x.indisvalid AND x.indisready ORDER BY c.relname",
            [table],
        )
    else:
        cursor.execute(
            "SELECT m.name, m.sql FROM pragma_index_list(%s) l "
            "JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name "
            "WHERE l.\"unique\" = 0 AND l.origin = 'c' AND m.sql IS NOT NULL ORDER BY m.name",
            [table],
        )
    return list(cursor.fetchall())


def _holds_fewer(cursor: Any, table: str, rows: int) -> bool:
    """Does ``table`` hold fewer than ``rows`` rows? (Counts no further than that.)"""
    cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [rows])  # noqa: S608
    return int(cursor.fetchone()[0]) < rows


@contextmanager
def indexes_set_aside(cursor: Any, tables: Sequence[str], adding: int) -> Iterator[list[str]]:
    """A load of ``adding`` rows into each of ``tables`` with the secondary indexes of those that
    hold fewer rows than that dropped first and built again at the end (ADR 9): a b-tree built
    from sorted rows costs a fraction of keeping it up to date row by row, so once a load is
    larger than what a table holds (a first load of a province or of the country), rebuilding
    wins. Inside the caller's transaction: if the load fails, the rollback brings the indexes
    back as they were. Primary keys and unique indexes are kept, so every uniqueness is still
    enforced row by row.

    On PostgreSQL a dropped index holds the table locked against readers until the transaction
    ends; the drop waits at most ``NHANDAO_IMPORT_INDEX_LOCK_MS`` for the table (a long reader
    holding it) and otherwise leaves the indexes in place and loads the usual way. Below
    ``NHANDAO_IMPORT_REBUILD_MIN_ROWS`` rows nothing is set aside. Yields the tables set aside."""
    floor = int(getattr(settings, "NHANDAO_IMPORT_REBUILD_MIN_ROWS", 100_000))
    aside: list[tuple[str, list[tuple[str, str]]]] = []
    if adding >= max(1, floor):
        for table in tables:
            indexes = _secondary_indexes(cursor, table)
            if not indexes or not _holds_fewer(cursor, table, adding):
                continue
            try:
                with transaction.atomic():  # a savepoint: a lock not had in time drops nothing
                    if is_pg():
                        wait = int(getattr(settings, "NHANDAO_IMPORT_INDEX_LOCK_MS", 3000))
                        cursor.execute(
                            "SELECT current_setting('lock_timeout'), "
                            "set_config('lock_timeout', %s, true)",
                            [f"{wait}ms"],
                        )
                        before = cursor.fetchone()[0]
                    for name, _definition in indexes:
                        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                    if is_pg():
                        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
            except DatabaseError:
                continue
            aside.append((table, indexes))
    yield [table for table, _indexes in aside]
    if not aside:
        return
    if is_pg():
        # An index cannot be built over rows whose deferred checks are still queued: run them
        # now (a failing one fails the load here), then defer again as Django's constraints are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for _table, indexes in aside:
        for _name, definition in indexes:
            cursor.execute(definition)
