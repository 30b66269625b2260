"""Recording humanitarian addresses: checks, warnings, groups, verification, consent, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.beneficiaries import services
from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.people.models import Person
from nhandao.people.services import PersonData, person_check
from tests.conftest import actor

pytestmark = pytest.mark.django_db


def test_register_normalises_and_keys_the_person(register):
    b = register(
        "  nguyễn   thị  hoa ",
        birth="5/3/1950",
        sex="female",
        id_number="001 150 012 345",
        phone="+84 912 345 678",
        groups=["poor"],
    )
    p = b.person
    assert (p.full_name, p.family_name, p.middle_name, p.given_name) == (
        "Nguyễn Thị Hoa",
        "Nguyễn",
        "Thị",
        "Hoa",
    )
    assert p.birth_date == dt.date(1950, 3, 5) and p.birth_precision == "day"
    assert p.id_number == "001150012345" and p.phone == "0912345678"
    assert p.name_key == "nguyen thi hoa" and p.key_name_year == "nguyen thi hoa|1950"
    membership = b.memberships.get()
    assert (membership.group_id, membership.year, membership.standard) == (
        "poor",
        2025,
        "2022–2025",
    )
    assert AuditEvent.objects.filter(object_type="people.person", action="create").count() == 1
    assert AuditEvent.objects.filter(object_type="beneficiaries.beneficiary").count() == 1


def test_birth_year_only_keeps_its_precision(register):
    p = register("Trần Văn Bảy", birth="1948").person
    assert p.birth_precision == "year" and p.birth_display == "1948"


def test_id_number_mismatch_is_a_warning_not_a_fix():
    checked = person_check(
        PersonData(full_name="Lê Văn An", birth="1990", sex="male", id_number="001185012345")
    )
    assert checked.values["id_number"] == "001185012345"
    assert checked.warnings  # born 1990 but the ID says 1985


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "00118501234", "12 chữ số"),
        ("phone", "0123", "10 chữ số \\(đang có 4\\)"),
        ("birth", "31/02/1990", "Ngày 31/02/1990 không tồn tại"),
    ],
)
def test_hard_errors_stop_the_write(register, field, value, message):
    before = Person.objects.count()
    with pytest.raises(ApplicationError, match=message) as exc:
        register("Lê Văn An", **{field: value})
    assert exc.value.field == field
    assert Person.objects.count() == before and Beneficiary.objects.count() == 0


def test_poverty_groups_need_their_year(tree, people):
    with pytest.raises(ApplicationError, match="năm xác định"):
        services.beneficiary_register(
            actor=actor(people.hn_officer),
            unit=tree.hoan_kiem,
            person=PersonData(full_name="Phạm Văn Tư"),
            profile=services.ProfileData(groups=[services.GroupEntry("poor")]),
        )
    assert Person.objects.count() == 0


def test_no_writes_outside_scope_or_without_permission(tree, people, register):
    with pytest.raises(ApplicationError):
        register("Phạm Văn Tư", unit=tree.vinh_linh)
    viewer_like = people.outsider  # officer in Quảng Trị, not Hà Nội
    with pytest.raises(ApplicationError):
        register("Phạm Văn Tư", by=viewer_like)
    assert Person.objects.count() == 0


def test_update_verify_and_consent_are_audited(tree, people, register):
    b = register("Đỗ Thị Lan", birth="1960", circumstances="Chồng mất, nuôi hai cháu")
    officer = actor(people.hn_officer)
    services.beneficiary_update(
        actor=officer,
        beneficiary=b,
        person=PersonData(full_name="Đỗ Thị Lan", birth="1961"),
        profile=services.ProfileData(circumstances="Nuôi hai cháu mồ côi", status="active"),
    )
    services.beneficiary_verify(actor=officer, beneficiary=b, result="verified")
    consent = services.consent_record(
        actor=officer,
        beneficiary=b,
        purpose="Công khai danh sách nhận quà Tết",
        given_on=dt.date(2026, 1, 10),
        method="paper",
    )
    services.consent_withdraw(actor=officer, consent=consent, on=dt.date(2026, 2, 1))
    b.refresh_from_db()
    assert b.verification == "verified" and b.verified_by_id == people.hn_officer.pk
    events = AuditEvent.objects.filter(object_id=str(b.pk), object_type="beneficiaries.beneficiary")
    changes = [e.changes for e in events]
    assert {"verification": ["pending", "verified"]} in changes
    assert any("consent" in c for c in changes)
    assert all("Nuôi" not in str(c) for c in changes)  # sensitive text never in the trail
    person_events = AuditEvent.objects.filter(object_type="people.person", action="update")
    assert person_events.get().changes["birth_date"] == ["1960-01-01", "1961-01-01"]


def test_consent_cannot_be_dated_in_the_future(register, people):
    b = register("Đỗ Thị Lan")
    with pytest.raises(ApplicationError, match="tương lai"):
        services.consent_record(
            actor=actor(people.hn_officer),
            beneficiary=b,
            purpose="Công khai danh sách",
            given_on=dt.date(2999, 1, 1),
            method="paper",
        )


def test_an_unknown_ward_code_is_refused(register):
    with pytest.raises(ApplicationError, match="không có trong danh mục") as exc:
        register("Lê Văn An", ward_id=150)
    assert exc.value.field == "ward" and Person.objects.count() == 0
