"""bench/_people_db.py: the bulk loader stores exactly what the services would store."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import _people_db as bulk
from bench.gen_people import generate
from nhandao.core.errors import ApplicationError
from nhandao.orgs.models import Role, Unit
from nhandao.people.models import Person
from nhandao.people.services import PersonData, person_check, person_create

PROVINCE = 44  # Quảng Trị: its commune chapters only, to keep the tree small
N = 160
SEED = 5
COMPARED = [*bulk.COLUMNS, "unit_id"]


def _data(rec) -> PersonData:
    return PersonData(
        full_name=rec.full_name,
        birth=rec.birth,
        sex=rec.sex,
        id_number=rec.id_number,
        legacy_id=rec.legacy_id,
        phone=rec.phone,
        ward_id=rec.ward_code,
        address_original=rec.address_text,
        source_ref=rec.ref,
    )


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return {
            c["columns"][0] + ("+" if c.get("unique") else "")
            for c in connection.introspection.get_constraints(cursor, "people_person").values()
            if c["index"] or c["foreign_key"]
        }


@pytest.mark.django_db
def test_bulk_rows_equal_what_the_services_store():
    tree = bulk.build_tree((PROVINCE,))
    indexes_before = _indexes()
    result = bulk.load_people(tree, N, seed=SEED, provinces=(PROVINCE,), use_cache=False)
    expected: list[dict] = []
    datas: list[PersonData] = []
    rejected = 0
    for rec in generate(N, seed=SEED, province_codes=[PROVINCE]):
        try:
            values = person_check(_data(rec)).values  # the real check: ward looked up in the db
        except ApplicationError:
            rejected += 1
            continue
        datas.append(_data(rec))
        expected.append(values | {"unit_id": tree.unit_by_ward[rec.ward_code]})
    assert result.rows == len(expected) == Person.objects.count()
    assert sum(result.rejected.values()) == rejected
    stored = list(Person.objects.order_by("pk").values("pk", *COMPARED))
    assert [row["pk"] for row in stored] == list(range(1, len(expected) + 1))
    for row, want in zip(stored, expected, strict=True):
        assert {k: row[k] for k in COMPARED} == {k: want[k] for k in COMPARED}, row["pk"]
    # The unit is the commune chapter of the person's ward.
    units = Unit.objects.in_bulk([row["unit_id"] for row in stored])
    assert all(units[row["unit_id"]].ward_id == row["ward_id"] for row in stored)
    # Same indexes and foreign keys after the load as before (dropped for speed, rebuilt).
    assert _indexes() == indexes_before
    assert {"name_key", "key_name_year", "key_given_ward", "id_number", "phone"} <= _indexes()
    # Keys the entry check relies on are filled.
    assert all(row["key_name_year"].startswith(row["name_key"] + "|") for row in stored)
    assert result.duplicates > 0 and len(result.entity) == result.rows

    # A sample stored again through person_create gives the same row.
    user = bulk.make_user("loader", tree.root_pk, Role.OFFICER)
    sample = [1, result.rows // 2, result.rows]
    for pk in sample:
        data = datas[pk - 1]
        loaded = Person.objects.get(pk=pk)
        created = person_create(
            actor=user, unit=Unit.objects.get(pk=loaded.unit_id), checked=person_check(data)
        )
        made = Person.objects.values(*COMPARED).get(pk=created.pk)
        assert made == {k: getattr(loaded, k) for k in COMPARED}
    # The sequence was moved past the loaded keys: new people get fresh ones.
    assert Person.objects.count() == result.rows + len(sample)
