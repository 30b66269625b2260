"""Name searches (issues 6 and 7): every one is ``name_key LIKE '%fragment%'``, which on
PostgreSQL the GIN trigram index ``person_name_trgm`` (migration 0004, ``pg_trgm``) serves; SQLite
has no such index and the migration leaves it alone. The searches find a fragment without
diacritics wherever it sits in the name, and a typed wildcard is no wildcard."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from nhandao.blood import checkin
from nhandao.blood.models import BloodDonor
from nhandao.members import selectors as members
from nhandao.people.models import Person
from nhandao.people.selectors import person_list, person_search_filter

pytestmark = pytest.mark.django_db

MIGRATION = "nhandao.people.migrations.0004_person_name_trigram"


def _index_definition() -> str | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'people_person' "
                "AND indexname = 'person_name_trgm'"
            )
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'person_name_trgm'"
            )
        row = cursor.fetchone()
    return row[0] if row else None


def test_the_trigram_index_exists_on_postgresql_only():
    definition = _index_definition()
    if connection.vendor == "postgresql":
        assert definition is not None
        assert "USING gin" in definition and "gin_trgm_ops" in definition
    else:
        assert definition is None


def test_the_migration_goes_back_and_forth():
    migration = importlib.import_module(MIGRATION)
    editor = SimpleNamespace(connection=connection)
    migration.drop(None, editor)
    assert _index_definition() is None
    migration.create(None, editor)
    migration.create(None, editor)  # twice: nothing more
    assert (_index_definition() is not None) == (connection.vendor == "postgresql")


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    off = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan")
    with connection.cursor() as cursor:
        # A tiny table is read whole (or through any index, in order) whatever serves the
        # pattern: leave PostgreSQL bitmap scans alone, which need an index for the LIKE itself.
        for name in off:
            cursor.execute(f"SET LOCAL {name} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
        for name in off:
            cursor.execute(f"SET LOCAL {name} = on")
    return plan


def test_the_searches_as_django_writes_them_can_use_the_index(register, people):
    register("Nguyễn Thị Lan", birth="12/03/1980")
    fragment = Person.objects.filter(person_search_filter("thi lan"))
    donors = BloodDonor.objects.filter(checkin.donor_filter("thuy trang"))
    for qs in (fragment, donors):
        sql = str(qs.query)
        assert '"people_person"."name_key"' in sql and "LIKE" in sql
        if connection.vendor == "postgresql":
            assert "person_name_trgm" in _plan(qs)
    # The member list filters on the copy of the key on the member (its own index), not here.
    roles = members.member_list(people.national, members.MemberFilters(query="van an"))
    where = str(roles.query).split(" WHERE ", 1)[1]
    assert '"name_key"' in where and '"people_person"."name_key"' not in where


def test_a_fragment_without_diacritics_finds_the_name(register, people):
    lan = register("Nguyễn Thị Lan", birth="12/03/1980").person
    register("Trần Văn Bình", birth="01/01/1975")
    assert list(person_list(user=people.hn_officer, query="thi lan")) == [lan]
    assert list(person_list(user=people.hn_officer, query="NGUYEN")) == [lan]
    assert list(person_list(user=people.hn_officer, query="Thị La")) == [lan]
    assert list(person_list(user=people.hn_officer, query="lan nguyen")) == []
    assert list(person_list(user=people.hn_officer, query="lan%bin")) == []  # no wildcard
    assert list(person_list(user=people.outsider, query="thi lan")) == []  # scope
