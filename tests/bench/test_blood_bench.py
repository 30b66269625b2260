"""bench/_blood_db.py: the check-in bench's data builder makes what it says at a tiny size (donors
whose counters agree with their donations, intervals the rules allow, valid citizen IDs), the
tables keep their indexes, and the look-ups the desks ask find the donors they name."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.db import connection

from bench import _blood_db as blood_db
from bench import _people_db as bulk
from bench import blood_checkin
from nhandao.blood.models import (
    BloodDonation,
    BloodDonor,
    BloodRules,
    Deferral,
    HonourRule,
    WeightRecord,
)
from nhandao.blood.rules_seed import PERSON_HONOURS
from nhandao.core.idnumber import check_citizen_id
from nhandao.core.phone import normalize_phone
from nhandao.people.models import Person
from nhandao.people.services import person_keys

PROVINCE = 44  # Quảng Trị: its commune chapters only, to keep the tree small
TODAY = dt.date(2026, 11, 30)


def _indexes() -> dict[str, set[str]]:
    out = {}
    with connection.cursor() as cursor:
        for table in blood_db.TABLES:
            out[table] = {
                ",".join(c["columns"]) + ("+" if c.get("unique") else "")
                for c in connection.introspection.get_constraints(cursor, table).values()
                if c["index"] or c["foreign_key"]
            }
    return out


@pytest.fixture
def built(db):
    tree = bulk.build_tree((PROVINCE,))
    BloodRules.objects.all().delete()  # as the bench's flush does
    HonourRule.objects.all().delete()
    before = _indexes()
    result = blood_db.build(tree, donors=300, donations=1500, seed=3, today=TODAY)
    assert _indexes() == before  # dropped for the load and rebuilt the same
    return tree, result


def test_builder_counts_and_histories(built):
    tree, b = built
    assert Person.objects.count() == BloodDonor.objects.count() == b.donors == 300
    assert BloodDonation.objects.count() == b.donations
    assert 1300 <= b.donations <= 1700  # the mean asked for, give or take the dates
    assert WeightRecord.objects.count() == 300
    assert Deferral.objects.count() == b.deferrals
    assert b.deferred_now <= b.deferrals
    assert BloodRules.objects.count() == 1  # seeded again after the flush
    assert HonourRule.objects.filter(scope="person").count() == len(PERSON_HONOURS)

    history = defaultdict(list)
    for donor_id, day, kind, volume, first in BloodDonation.objects.values_list(
        "donor_id", "donated_on", "kind", "volume_ml", "first_time"
    ).order_by("donor_id", "donated_on"):
        history[donor_id].append((day, kind, volume, first))
    for donor in BloodDonor.objects.select_related("person"):
        rows = history[donor.pk]
        assert donor.donation_count == len(rows) >= 1
        assert (donor.last_donation_on, donor.last_donation_kind) == rows[-1][:2]
        assert [first for *_, first in rows] == [True] + [False] * (len(rows) - 1)
        assert rows[-1][0] < TODAY
        for (day, kind, _, _), (after, _, _, _) in pairwise(rows):
            assert (after - day).days >= blood_db.INTERVAL[kind], donor.pk
        assert donor.card_code == blood_db.card_code(donor.pk)
        assert donor.unit_id == donor.person.unit_id
        assert tree.unit_by_ward[donor.person.ward_id] == donor.unit_id
    kinds = Counter(BloodDonation.objects.values_list("kind", flat=True))
    assert kinds.most_common(1)[0][0] == "whole_blood"
    assert set(kinds) <= set(blood_db.INTERVAL)


def test_people_are_valid(built):
    ids = list(Person.objects.values_list("id_number", flat=True))
    assert len(set(ids)) == len(ids) == 300
    phones = [p for p in Person.objects.values_list("phone", flat=True) if p]
    assert len(phones) > 250
    assert all(normalize_phone(p) == p for p in phones)
    for p in Person.objects.all()[:60]:
        check = check_citizen_id(p.id_number, birth_date=p.birth_date, sex=p.sex)
        assert not check.errors, (p.id_number, check.errors)
        assert not check.warnings, (p.id_number, check.warnings)
        keys = person_keys(
            {
                "full_name": p.full_name,
                "family_name": p.family_name,
                "middle_name": p.middle_name,
                "given_name": p.given_name,
                "birth_date": p.birth_date,
                "ward_id": p.ward_id,
            }
        )
        assert keys == {k: getattr(p, k) for k in keys}, p.pk


def test_lookups_name_their_donors(built):
    lookups = blood_checkin.make_lookups(300, 1, 400)
    kinds = Counter(x.kind for x in lookups)
    assert set(kinds) == {"citizen_id", "phone", "card", "unknown"}
    assert kinds["citizen_id"] > kinds["phone"] > kinds["card"] > kinds["unknown"]
    for x in lookups:
        if x.kind == "unknown":
            assert x.card == ""
            assert not Person.objects.filter(id_number=x.q).exists()
            continue
        donors = BloodDonor.objects.filter(card_code=x.card)
        field = {"citizen_id": "person__id_number", "phone": "person__phone", "card": "card_code"}
        assert donors.filter(**{field[x.kind]: x.q}).exists(), x
