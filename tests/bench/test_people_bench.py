"""bench/_members_db.py and bench/people.py: the people bench's builder makes what it says at a
tiny size (roles in their shares, dues only of active members, youth of school age, keys the app
would store), the tables keep their indexes, and the measuring step answers for a province and a
commune through the members' selectors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from bench import _members_db as members_db
from bench import _people_db as bulk
from bench import people as bench
from nhandao.members.models import Dues, Member, Volunteer, YouthMember
from nhandao.people.models import Person
from nhandao.people.services import person_keys

PROVINCE = 44  # Quảng Trị: its commune chapters only, to keep the tree small
TODAY = dt.date(2026, 11, 30)


def _indexes() -> dict[str, set[str]]:
    out = {}
    with connection.cursor() as cursor:
        for table in members_db.TABLES:
            out[table] = {
                ",".join(c["columns"]) + ("+" if c.get("unique") else "")
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] or c["foreign_key"]
            }
    return out


@pytest.fixture
def built(db):
    tree = bulk.build_tree((PROVINCE,))
    before = _indexes()
    result = members_db.build(tree, n=2000, seed=5, today=TODAY)
    assert _indexes() == before  # dropped for the load and rebuilt the same
    return tree, result


def test_builder_makes_people_with_their_roles(built):
    _tree, b = built
    assert Person.objects.count() == b.people == 2000
    assert Member.objects.count() == b.members and 1350 <= b.members <= 1650
    assert Volunteer.objects.count() == b.volunteers and 150 <= b.volunteers <= 330
    assert YouthMember.objects.count() == b.youth and 220 <= b.youth <= 380
    assert Dues.objects.count() == b.dues
    assert not Dues.objects.exclude(member__status="active").exists()
    assert Member.objects.filter(status="active").count() == b.active
    assert not Member.objects.filter(status="active", status_since__isnull=False).exists()
    assert not Member.objects.exclude(status="active").filter(status_since__isnull=True).exists()
    assert set(YouthMember.objects.values_list("school_year", flat=True)) == {"2026-2027"}
    for m in Member.objects.select_related("person")[:200]:
        assert m.unit_id == m.person.unit_id and m.joined_on <= TODAY
        assert (TODAY - m.person.birth_date).days >= 18 * 365
    for y in YouthMember.objects.select_related("person")[:100]:
        assert 9 * 365 < (TODAY - y.person.birth_date).days < 19 * 365
    for p in Person.objects.all()[:100]:
        values = {
            "full_name": p.full_name,
            "family_name": p.family_name,
            "middle_name": p.middle_name,
            "given_name": p.given_name,
            "birth_date": p.birth_date,
            "birth_precision": p.birth_precision,
            "ward_id": p.ward_id,
        }
        keys = person_keys(values)
        assert (p.name_key, p.sort_key) == (keys["name_key"], keys["sort_key"])


def test_the_measures_run_for_a_province_and_a_commune(built):
    figures = bench.measure(TODAY.year, repeat=1, explain=False)
    assert set(figures) == {"province", "commune"}
    for row in figures.values():
        assert set(row) == {
            "counts",
            "list_active",
            "list_dues_unpaid",
            "list_name",
            "list_full_name",
        }
