"""A reader holding a table keeps a large load from setting its indexes aside: the load waits
no longer than ``NHANDAO_IMPORT_INDEX_LOCK_MS`` and goes on the usual way (PostgreSQL only)."""

from __future__ import annotations

from django.db import connection, transaction

from nhandao.imports import sql
from nhandao.people.models import Person
from tests.imports.test_indexes import _indexes
from tests.races import POSTGRES_RACE

pytestmark = POSTGRES_RACE


def test_a_table_held_by_a_reader_keeps_its_indexes_and_the_load_goes_on(db, settings):
    settings.NHANDAO_IMPORT_REBUILD_MIN_ROWS = 1
    settings.NHANDAO_IMPORT_INDEX_LOCK_MS = 100
    table = Person._meta.db_table
    before = _indexes(table)
    reader = connection.get_new_connection(connection.get_connection_params())
    try:
        reader.autocommit = False
        reader.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - holds the table until it ends
        with transaction.atomic(), connection.cursor() as cursor:
            with sql.indexes_set_aside(cursor, [table], 10) as aside:
                assert aside == []
                cursor.execute("SELECT 1")  # the transaction is still usable
            cursor.execute("SELECT current_setting('lock_timeout')")
            assert cursor.fetchone()[0] == "0"  # the short wait applied to the drop only
    finally:
        reader.close()
    assert _indexes(table) == before
