"""Gaps of issues 6 and 7 in the members app: ``Member.last_dues_year`` kept by the dues services
and ``Member.name_key`` kept by registration and the people services (both filled by their
migration and the bench's builder), so "dues not recorded" and a typed name read the members'
indexes; the filters give exactly what they gave before; confirming an application into another
branch (``role_unit``); links from member and volunteer pages to the training record."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone

from bench import _members_db as members_db
from bench import _people_db as bench_db
from nhandao.core.errors import ApplicationError
from nhandao.members import applications, selectors, services
from nhandao.members.models import Application, Dues, Member, Volunteer
from nhandao.members.volunteers import VolunteerData, volunteer_register
from nhandao.people.services import PersonData, person_check, person_merge, person_update
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def make_member(people, unit, name, birth="12/03/1980"):
    return services.member_register(
        actor=actor(people.hn_admin),
        unit=unit,
        person=PersonData(full_name=name, birth=birth),
        joined_on=dt.date(YEAR - 5, 5, 1),
    )


def pay(people, member, year, status="paid"):
    amount = 24_000 if status == "paid" else 0
    data = services.DuesData(year=year, status=status, amount=amount)
    return services.dues_record(actor=actor(people.hn_admin), member=member, data=data)


def last_year(member):
    return Member.objects.get(pk=member.pk).last_dues_year


def test_dues_record_keeps_the_latest_year(tree, people):
    m = make_member(people, tree.hk_branch, "Nguyễn Thị Lan")
    assert last_year(m) is None
    pay(people, m, YEAR - 1)
    assert last_year(m) == YEAR - 1
    pay(people, m, YEAR + 1)  # paid ahead
    assert last_year(m) == YEAR + 1
    pay(people, m, YEAR, status="exempt")  # an earlier year later: the latest stays
    assert last_year(m) == YEAR + 1


@pytest.fixture
def registry(tree, people):
    """Members each with another history of dues, named for it."""
    histories = {
        "Nguyễn Văn Không": [],
        "Trần Thị Năm Trước": [YEAR - 1],
        "Lê Văn Năm Nay": [YEAR - 1, YEAR],
        "Phạm Thị Đóng Trước": [YEAR + 1],  # next year paid ahead, this year not
        "Hoàng Văn Đủ Cả": [YEAR, YEAR + 1],
        "Vũ Thị Cũ": [YEAR - 3],
    }
    out = {}
    for i, (name, years) in enumerate(histories.items()):
        m = make_member(people, tree.hk_branch, name, birth=f"0{i + 1}/01/1980")
        for y in years:
            pay(people, m, y, status="exempt" if y == YEAR - 3 else "paid")
        out[name] = m
    return out


def _old_filter(year):
    """What the list asked before ``last_dues_year``: no dues row for the year."""
    return ~Exists(Dues.objects.filter(member=OuterRef("pk"), year=year))


@pytest.mark.parametrize("offset", [-3, -2, -1, 0, 1])
def test_not_recorded_equals_no_dues_row_for_every_year(registry, people, offset):
    year = YEAR + offset
    f = selectors.MemberFilters(dues_year=year, dues="none")
    found = set(selectors.member_list(people.hn_admin, f).values_list("pk", flat=True))
    expected = set(Member.objects.filter(_old_filter(year)).values_list("pk", flat=True))
    assert found == expected
    assert found  # every year has someone without dues


def test_not_recorded_this_year_by_name(registry, people):
    f = selectors.MemberFilters(dues_year=YEAR, dues="none", status="active")
    names = [m.person.full_name for m in selectors.member_list(people.hn_admin, f)]
    assert sorted(names) == sorted(
        ["Nguyễn Văn Không", "Trần Thị Năm Trước", "Phạm Thị Đóng Trước", "Vũ Thị Cũ"]
    )
    paid = selectors.MemberFilters(dues_year=YEAR, dues="paid")
    assert {m.person.full_name for m in selectors.member_list(people.hn_admin, paid)} == {
        "Lê Văn Năm Nay",
        "Hoàng Văn Đủ Cả",
    }


def test_the_member_list_page_filters_on_it(client, registry, people):
    login(client, people.hn_admin)
    page = client.get(reverse("member_list"), {"dues": "none", "year": YEAR}).content.decode()
    assert "Phạm Thị Đóng Trước" in page and "Nguyễn Văn Không" in page
    assert "Lê Văn Năm Nay" not in page and "Hoàng Văn Đủ Cả" not in page


def test_the_migration_fills_it_from_the_dues(registry):
    Member.objects.update(last_dues_year=None, name_key="")
    migration = importlib.import_module("nhandao.members.migrations.0004_member_list_keys")
    migration.backfill(None, SimpleNamespace(connection=connection))
    for m in Member.objects.annotate(latest=Max("dues__year")).select_related("person"):
        assert m.last_dues_year == m.latest
        assert m.name_key == m.person.name_key != ""
    assert Member.objects.filter(last_dues_year=YEAR + 1).count() == 2


def test_a_merge_keeps_the_latest_year_of_both(tree, people):
    a = make_member(people, tree.hk_branch, "Nguyễn Văn Hải", birth="12/03/1980")
    b = make_member(people, tree.hk_branch, "Nguyen Van Hai", birth="1980")
    pay(people, a, YEAR - 1)
    pay(people, b, YEAR)
    person_merge(actor=actor(people.hn_officer), survivor=a.person, merged=b.person)
    survivor = Member.objects.get(person=a.person)
    assert survivor.last_dues_year == YEAR
    assert sorted(survivor.dues.values_list("year", flat=True)) == [YEAR - 1, YEAR]


def test_the_bench_builder_stores_them_as_the_services_keep_them(db):
    tree = bench_db.build_tree((44,))
    built = members_db.build(tree, n=600, seed=3, today=TODAY)
    assert built.dues > 0
    for m in Member.objects.annotate(latest=Max("dues__year")).select_related("person"):
        assert m.last_dues_year == m.latest
        assert m.name_key == m.person.name_key != ""


# --- the name's search key copied on the member ----------------------------------------------


def _names(user, query):
    f = selectors.MemberFilters(query=query)
    return [m.person.full_name for m in selectors.member_list(user, f)]


def test_the_list_finds_a_name_from_the_copy(tree, people):
    lan = make_member(people, tree.hk_branch, "Nguyễn Thị Lan")
    make_member(people, tree.hk_branch, "Trần Văn Bình", birth="01/01/1975")
    assert lan.name_key == "nguyen thi lan" == Member.objects.get(pk=lan.pk).name_key
    assert _names(people.hn_admin, "thi lan") == ["Nguyễn Thị Lan"]
    assert _names(people.hn_admin, "VĂN") == ["Trần Văn Bình"]
    assert _names(people.outsider, "thi lan") == []


def test_a_corrected_name_is_found_under_its_new_spelling(tree, people):
    m = make_member(people, tree.hk_branch, "Nguyễn Thị Lan")
    checked = person_check(PersonData(full_name="Nguyễn Thị Lanh", birth="12/03/1980"))
    person_update(actor=actor(people.hn_admin), person=m.person, checked=checked)
    assert Member.objects.get(pk=m.pk).name_key == "nguyen thi lanh"
    assert _names(people.hn_admin, "lanh") == ["Nguyễn Thị Lanh"]


def test_a_membership_moved_by_a_merge_takes_the_survivors_name(tree, people, register):
    survivor = register("Nguyễn Văn Hải", birth="12/03/1980").person
    m = make_member(people, tree.hk_branch, "Nguyen Van Hai", birth="1980")
    person_merge(actor=actor(people.hn_officer), survivor=survivor, merged=m.person)
    moved = Member.objects.get(pk=m.pk)
    assert moved.person_id == survivor.pk and moved.name_key == survivor.name_key


# --- confirming an application into another branch -------------------------------------------


def _application(tree, kind="member", unit=None):
    return applications.application_submit(
        data=applications.ApplicationData(
            kind=kind,
            unit_id=(unit or tree.hoan_kiem).pk,
            full_name="Đỗ Minh Khoa",
            birth="15/08/2000",
            phone="0987654321",
        ),
        ip=None,
    )


def test_confirm_into_a_branch_below_the_chosen_unit(tree, people):
    app = _application(tree)
    applications.application_confirm(
        actor=actor(people.clerk), application=app, role_unit=tree.hk_branch
    )
    member = Member.objects.get(person__full_name="Đỗ Minh Khoa")
    assert member.unit == tree.hk_branch
    app.refresh_from_db()
    assert app.status == "confirmed" and app.person_id == member.person_id
    assert app.unit == tree.hoan_kiem  # the application keeps what the applicant chose


def test_confirm_a_volunteer_into_another_branch(tree, people):
    app = _application(tree, kind="volunteer")
    applications.application_confirm(
        actor=actor(people.hn_officer), application=app, role_unit=tree.ba_dinh
    )
    assert Volunteer.objects.get(person__full_name="Đỗ Minh Khoa").unit == tree.ba_dinh


def test_confirm_into_a_unit_out_of_reach_is_refused(tree, people):
    app = _application(tree)
    with pytest.raises(ApplicationError, match="không có quyền ghi hội viên") as exc:
        applications.application_confirm(
            actor=actor(people.clerk), application=app, role_unit=tree.ba_dinh
        )
    assert exc.value.field == "role_unit"
    assert not Member.objects.exists()
    assert Application.objects.get(pk=app.pk).status == "pending"


def test_a_role_unit_in_reach_does_not_open_an_application_out_of_reach(tree, people):
    app = _application(tree, unit=tree.ba_dinh)
    with pytest.raises(ApplicationError, match="không có quyền xác nhận đơn"):
        applications.application_confirm(
            actor=actor(people.clerk), application=app, role_unit=tree.hk_branch
        )
    assert not Member.objects.exists()


# --- links to the training record ------------------------------------------------------------


def test_member_and_volunteer_pages_link_to_the_training_record(client, tree, people):
    m = make_member(people, tree.hk_branch, "Nguyễn Thị Lan")
    v = volunteer_register(
        actor=actor(people.hn_admin),
        unit=tree.hk_branch,
        person=PersonData(full_name="Trần Văn Bình", birth="01/02/1990"),
        data=VolunteerData(kind="volunteer"),
    )
    login(client, people.hn_officer)
    for url, person in (
        (reverse("member_detail", args=[m.pk]), m.person),
        (reverse("volunteer_detail", args=[v.pk]), v.person),
    ):
        page = client.get(url).content.decode()
        link = reverse("training_person", args=[person.pk])
        assert f'href="{link}"' in page
        assert client.get(link).status_code == 200
