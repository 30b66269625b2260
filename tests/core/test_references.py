"""References the database does not check (ADR 4 and 8) are checked by ``check_references``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nhandao.core import references
from nhandao.people.models import Person
from nhandao.people.services import PersonData, person_check

pytestmark = pytest.mark.django_db


def test_the_import_hot_columns_are_among_the_unchecked_references():
    labels = {r.label for r in references.unchecked_references()}
    for expected in (
        "people_person.unit_id → orgs_unit.id",
        "people_person.ward_id → geo_ward.code",
        "people_person.created_by_id → orgs_user.id",
        "beneficiaries_beneficiary.person_id → people_person.id",
        "beneficiaries_groupmembership.group_id → beneficiaries_beneficiarygroup.code",
        "imports_importrow.job_id → imports_importjob.id",
        "linkage_candidatepair.a_id → people_person.id",
    ):
        assert expected in labels
    # A reference the database still checks is not listed.
    assert "people_person.household_id → people_household.id" not in labels


def test_a_registry_written_by_the_services_has_no_dangling_reference(tree, people, register):
    register("Nguyễn Thị Lành", groups=["poor"], birth="1938")
    register("Trần Văn Bình", birth="12/05/1956")
    out = StringIO()
    call_command("check_references", stdout=out)
    assert references.check_all() == []
    total = len(references.unchecked_references())
    assert f"Đã kiểm tra {total} tham chiếu" in out.getvalue()


def test_a_person_of_a_unit_that_does_not_exist_is_reported(tree, people, register):
    register("Nguyễn Thị Lành", birth="1938")
    values = person_check(PersonData(full_name="Lê Văn Mồ Côi", birth="1950")).values
    orphan = Person.objects.create(unit_id=987_654, **values)
    broken = references.check_all()
    assert [(d.reference.label, d.count, d.sample) for d in broken] == [
        ("people_person.unit_id → orgs_unit.id", 1, [orphan.pk])
    ]
    err = StringIO()
    with pytest.raises(CommandError, match="1 trong"):
        call_command("check_references", stdout=StringIO(), stderr=err)
    assert "people_person.unit_id → orgs_unit.id: 1 dòng" in err.getvalue()
    assert str(orphan.pk) in err.getvalue()
