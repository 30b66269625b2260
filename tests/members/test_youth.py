"""Youth Red Cross in schools: register by school year, move up a year in bulk, activities, the
school's dashboard; a unit that is not a school is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.members import selectors, services
from nhandao.members.models import YouthMember
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Unit, UnitKind
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(tree):
    unit = Unit(name="Chi hội Trường THCS Hoàn Kiếm", kind=UnitKind.BRANCH, category="school")
    return orgs.unit_bulk_add_children(parent=tree.hoan_kiem, units=[unit])[0]


def add(people, school, name, class_name, year="2025-2026"):
    return services.youth_register(
        actor=actor(people.hn_admin),
        unit=school,
        person=PersonData(full_name=name, birth="2012"),
        school_year=year,
        class_name=class_name,
    )


def test_register_and_refusals(people, school, tree):
    y = add(people, school, "Lê Minh Anh", "7A")
    assert (y.school_year, y.class_name) == ("2025-2026", "7A")
    with pytest.raises(ApplicationError, match="đã là thanh thiếu niên"):
        services.youth_register(
            actor=actor(people.hn_admin),
            unit=school,
            person=y.person,
            school_year="2025-2026",
            class_name="7B",
        )
    with pytest.raises(ApplicationError, match="không đúng dạng"):
        add(people, school, "Phạm Thu Hà", "8B", year="2025-2027")
    with pytest.raises(ApplicationError, match="không phải chi hội trường học"):
        add(people, tree.hk_branch, "Phạm Thu Hà", "8B")


def test_move_up_a_school_year(people, school):
    add(people, school, "Lê Minh Anh", "7A")
    add(people, school, "Phạm Thu Hà", "12C")
    n = services.youth_promote(actor=actor(people.hn_admin), unit=school, school_year="2025-2026")
    assert n == 1
    assert list(
        YouthMember.objects.filter(school_year="2026-2027").values_list("class_name", flat=True)
    ) == ["8A"]
    # again: nobody is moved twice
    assert (
        services.youth_promote(actor=actor(people.hn_admin), unit=school, school_year="2025-2026")
        == 0
    )


def test_school_dashboard(people, school):
    add(people, school, "Lê Minh Anh", "7A")
    add(people, school, "Phạm Thu Hà", "7A")
    add(people, school, "Đỗ Văn An", "8B")
    services.youth_activity_create(
        actor=actor(people.hn_admin),
        unit=school,
        held_on=dt.date(2025, 11, 20),
        title="Tập huấn sơ cấp cứu",
        participants=40,
    )
    d = selectors.school_dashboard(unit=school, school_year="2025-2026")
    assert d.by_class == [("7A", 2), ("8B", 1)]
    assert d.by_year == [("2025-2026", 3)]
    assert [a.title for a in d.activities] == ["Tập huấn sơ cấp cứu"]
    assert d.total == 3


def test_school_pages(client, people, school, as_user):
    add(people, school, "Lê Minh Anh", "7A")
    c = as_user(people.hn_officer)
    r = c.get(f"/members/schools/{school.pk}/?school_year=2025-2026")
    assert r.status_code == 200
    assert "Lê Minh Anh" in r.content.decode()
    r = c.get("/members/schools/")
    assert school.name in r.content.decode()
    r = c.get(f"/members/schools/{school.pk}/youth/export.xlsx?school_year=2025-2026")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    admin = as_user(people.hn_admin)
    r = admin.post(f"/members/schools/{school.pk}/promote/", {"school_year": "2025-2026"})
    assert r.status_code == 302
    assert YouthMember.objects.filter(school_year="2026-2027").count() == 1
