"""A load larger than what its tables hold sets their secondary indexes aside and builds them
again at its end, in its own transaction (ADR 9); a smaller load, a failed one or a table held by
a reader leaves them as they were."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from nhandao.beneficiaries.models import Beneficiary, GroupMembership
from nhandao.imports import services, sql
from nhandao.imports.models import ImportResult, JobStatus
from nhandao.people.models import Person
from tests.conftest import actor
from tests.imports.test_bulk import _list, _run

pytestmark = pytest.mark.django_db

TABLES = [m._meta.db_table for m in (Person, Beneficiary, GroupMembership, ImportResult)]


@pytest.fixture(autouse=True)
def geo(db):
    from nhandao.geo.services import geo_load_official

    geo_load_official()


def _indexes(table: str) -> dict[str, tuple]:
    """Every index of ``table`` as the database describes it (read through Django's
    introspection, not the code under test): name -> (columns, unique, primary, type)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: (tuple(c["columns"]), c["unique"], c["primary_key"], c.get("type"))
        for name, c in found.items()
        if c["index"]
    }


def _secondary(table: str) -> set[str]:
    return {name for name, (_c, unique, primary, _t) in _indexes(table).items() if not unique}


def _statements(queries: CaptureQueriesContext, verb: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(verb)]


def test_a_first_load_builds_the_indexes_again_as_they_were(tree, people, settings):
    settings.NHANDAO_IMPORT_REBUILD_MIN_ROWS = 50
    before = {t: _indexes(t) for t in TABLES}
    assert all(_secondary(t) for t in TABLES)  # each table has some to set aside
    job = _run(people.hn_admin, tree.hanoi, _list(300))
    with CaptureQueriesContext(connection) as queries:
        job = services.import_commit(actor=actor(people.hn_admin), job=job)
    assert job.status == JobStatus.COMMITTED and job.counts["written"] > 50
    dropped = _statements(queries, "DROP INDEX")
    assert len(dropped) == sum(len(_secondary(t)) for t in TABLES)
    assert len(_statements(queries, "CREATE INDEX")) == len(dropped)
    assert {t: _indexes(t) for t in TABLES} == before
    # The rebuilt indexes serve the look-ups they are for.
    person = Person.objects.exclude(id_number="").order_by("pk").first()
    assert Person.objects.filter(id_number=person.id_number).count() == 1
    assert Person.objects.filter(name_key=person.name_key).filter(pk=person.pk).exists()
    assert job.results.count() == job.counts["written"] == Beneficiary.objects.count()


def test_a_load_smaller_than_the_table_or_the_floor_keeps_the_indexes(tree, people, settings):
    settings.NHANDAO_IMPORT_REBUILD_MIN_ROWS = 100_000
    with CaptureQueriesContext(connection) as queries:
        services.import_commit(
            actor=actor(people.hn_admin), job=_run(people.hn_admin, tree.hanoi, _list(200))
        )
    assert not _statements(queries, "DROP INDEX")  # under the floor
    settings.NHANDAO_IMPORT_REBUILD_MIN_ROWS = 5
    stored = Person.objects.count()
    job = _run(people.hn_admin, tree.hanoi, _list(60, seed=11))
    with CaptureQueriesContext(connection) as queries:
        job = services.import_commit(actor=actor(people.hn_admin), job=job)
    assert 5 <= job.counts["written"] < stored  # over the floor, but fewer than each table holds
    assert not _statements(queries, "DROP INDEX")
    assert Person.objects.count() == stored + job.counts["written"]


def test_a_failed_load_leaves_the_indexes_as_they_were(db, settings):
    settings.NHANDAO_IMPORT_REBUILD_MIN_ROWS = 1
    table = Person._meta.db_table
    before = _indexes(table)
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        connection.cursor() as cursor,
        sql.indexes_set_aside(cursor, [table], 10) as aside,
    ):
        assert aside == [table]
        assert not _secondary(table)  # gone for the load
        raise RuntimeError("the load failed")
    assert _indexes(table) == before


def test_a_long_validation_leaves_the_statistics_of_its_rows(tree, people, settings):
    """PostgreSQL: the commit's plans see how many rows the job has (the statistics taken after
    the load), so that it reads them with a scan, not through the (job, row) index as if there
    were one. SQLite plans without statistics: nothing is analysed there."""
    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 100
    with CaptureQueriesContext(connection) as queries:
        job = _run(people.hn_admin, tree.hanoi, _list(300))
    assert job.status == JobStatus.VALIDATED and job.counts["total"] == 300
    analysed = [s for s in _statements(queries, "ANALYZE") if "imports_importrow" in s]
    if not sql.is_pg():
        assert analysed == []
        return
    assert len(analysed) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'imports_importrow'")
        assert cursor.fetchone()[0] == 300
    settings.NHANDAO_IMPORT_PARALLEL_MIN_ROWS = 1000  # a short list: nothing analysed
    with CaptureQueriesContext(connection) as queries:
        _run(people.hn_admin, tree.hanoi, _list(50, seed=3))
    assert not [s for s in _statements(queries, "ANALYZE") if "imports_importrow" in s]


def test_rows_in_parallel_lowers_the_cost_of_a_row_from_a_worker_inside_only(db):
    with connection.cursor() as cursor:
        if not sql.is_pg():
            with CaptureQueriesContext(connection) as queries, sql.rows_in_parallel():
                pass
            assert queries.captured_queries == []
            return

        def cost() -> float:
            cursor.execute("SELECT current_setting('parallel_tuple_cost')")
            return float(cursor.fetchone()[0])

        with transaction.atomic():
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.2")
            with sql.rows_in_parallel():
                assert cost() == 0.01
            assert cost() == 0.2
