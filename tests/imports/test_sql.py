"""Loading many rows at once (``imports.sql.bulk_load``): all or nothing, on both databases."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from nhandao.imports import sql

pytestmark = pytest.mark.django_db


def test_a_load_that_fails_half_way_leaves_none_of_its_rows(monkeypatch):
    monkeypatch.setattr(sql, "EXECUTEMANY_BATCH", 2)  # SQLite: several batches before the bad row
    rows = [(f"k{i}",) for i in range(7)] + [(None,)]
    with connection.cursor() as cursor:
        sql.temp_table(cursor, "test_bulk_keys", "nk text NOT NULL")
        try:
            with pytest.raises(IntegrityError):
                sql.bulk_load(cursor, "test_bulk_keys", ("nk",), rows)
            cursor.execute("SELECT count(*) FROM test_bulk_keys")
            assert cursor.fetchone()[0] == 0
            sql.bulk_load(cursor, "test_bulk_keys", ("nk",), rows[:7])
            cursor.execute("SELECT count(*) FROM test_bulk_keys")
            assert cursor.fetchone()[0] == 7
        finally:
            sql.drop(cursor, "test_bulk_keys")
