"""Volunteers and collaborators: 18 and over, skills, teams, hours, the "active" rule, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.members import selectors_volunteers as selectors
from nhandao.members import volunteers
from nhandao.members.models import ServiceHours, Volunteer
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Unit, UnitKind
from nhandao.people.models import Person
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def years_ago(n: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - n) - dt.timedelta(days=days)


def reg(tree, people, name="Nguyễn Thị Hoa", birth=None, unit=None, **kw):
    birth = birth or f"{years_ago(25):%d/%m/%Y}"
    return volunteers.volunteer_register(
        actor=actor(people.hn_officer),
        unit=unit or tree.hoan_kiem,
        person=PersonData(full_name=name, birth=birth, phone="0912345678"),
        data=volunteers.VolunteerData(**kw),
    )


def team(parent, name="Đội sơ cấp cứu Hoàn Kiếm"):
    unit = Unit(name=name, kind=UnitKind.TEAM, category="first_aid")
    return orgs.unit_bulk_add_children(parent=parent, units=[unit])[0]


def test_register_a_volunteer_with_skills_and_audit(tree, people):
    v = reg(tree, people, skills=["first_aid"], availability="Cuối tuần", rank="Hạng 2")
    assert v.kind == "volunteer" and v.joined_on == TODAY
    assert [s.code for s in v.skills.all()] == ["first_aid"]
    assert Person.objects.filter(pk=v.person_id, unit=tree.hoan_kiem).exists()
    assert AuditEvent.objects.filter(object_type="members.volunteer", object_id=str(v.pk)).exists()


def test_a_volunteer_under_18_on_the_day_they_join_is_refused(tree, people):
    birth = f"{years_ago(18, days=-1):%d/%m/%Y}"  # turns 18 tomorrow
    with pytest.raises(ApplicationError) as exc:
        reg(tree, people, birth=birth)
    assert "đủ 18 tuổi" in exc.value.message and "17 tuổi" in exc.value.message
    assert not Person.objects.exists()  # nothing half-written
    reg(tree, people, birth=f"{years_ago(18):%d/%m/%Y}")  # 18 today: accepted


def test_a_minor_may_be_a_collaborator_but_not_without_a_birth_as_volunteer(tree, people):
    v = reg(tree, people, birth=f"{years_ago(16):%d/%m/%Y}", kind="collaborator")
    assert v.kind == "collaborator"
    with pytest.raises(ApplicationError, match="ngày sinh"):
        volunteers.volunteer_register(
            actor=actor(people.hn_officer),
            unit=tree.hoan_kiem,
            person=PersonData(full_name="Lê Văn Nam"),
            data=volunteers.VolunteerData(),
        )


def test_a_birth_year_alone_is_refused_only_when_surely_younger(tree, people):
    reg(tree, people, birth=str(TODAY.year - 18), name="Lê Văn An")  # may be 18 already
    with pytest.raises(ApplicationError):
        reg(tree, people, birth=str(TODAY.year - 17), name="Lê Văn Bình")


def test_an_existing_person_becomes_a_volunteer_once(tree, people):
    v = reg(tree, people)
    with pytest.raises(ApplicationError, match="đã là tình nguyện viên"):
        volunteers.volunteer_register(
            actor=actor(people.hn_officer),
            unit=tree.hoan_kiem,
            person=v.person,
            data=volunteers.VolunteerData(),
        )


def test_unknown_skill_and_future_join_are_refused(tree, people):
    with pytest.raises(ApplicationError, match="Kỹ năng"):
        reg(tree, people, skills=["juggling"])
    with pytest.raises(ApplicationError, match="tương lai"):
        reg(tree, people, joined_on=TODAY + dt.timedelta(days=1))


def test_out_of_scope_unit_is_refused(tree, people):
    with pytest.raises(ApplicationError, match="không có quyền"):
        reg(tree, people, unit=tree.vinh_linh)


def test_teams_add_and_remove(tree, people):
    v = reg(tree, people)
    t = team(tree.hoan_kiem)
    m = volunteers.team_add(actor=actor(people.hn_officer), team=t, volunteer=v, role="Đội viên")
    with pytest.raises(ApplicationError, match="đã ở trong đội"):
        volunteers.team_add(actor=actor(people.hn_officer), team=t, volunteer=v)
    assert [x.volunteer for x in selectors.team_members(team=t)] == [v]
    volunteers.team_remove(actor=actor(people.hn_officer), membership=m)
    assert selectors.team_members(team=t) == []
    volunteers.team_add(actor=actor(people.hn_officer), team=t, volunteer=v)  # may rejoin
    with pytest.raises(ApplicationError, match="không phải là một đội"):
        volunteers.team_add(actor=actor(people.hn_officer), team=tree.ba_dinh, volunteer=v)


@pytest.mark.parametrize(
    ("hours", "message"),
    [("0", "lớn hơn 0"), ("24.5", "không quá 24"), ("-1", "lớn hơn 0"), ("abc", "không phải")],
)
def test_hours_out_of_range_are_refused(tree, people, hours, message):
    v = reg(tree, people, joined_on=TODAY - dt.timedelta(days=30))
    with pytest.raises(ApplicationError, match=message):
        volunteers.hours_log(
            actor=actor(people.hn_officer), volunteer=v, served_on=TODAY, hours=hours, activity="X"
        )


def test_hours_in_the_future_or_over_a_day_are_refused(tree, people):
    v = reg(tree, people, joined_on=TODAY - dt.timedelta(days=30))
    log = volunteers.hours_log
    who = actor(people.hn_officer)
    with pytest.raises(ApplicationError, match="tương lai"):
        log(actor=who, volunteer=v, served_on=TODAY + dt.timedelta(days=1), hours=2, activity="X")
    log(actor=who, volunteer=v, served_on=TODAY, hours="20", activity="Trực cấp cứu")
    with pytest.raises(ApplicationError, match="quá 24 giờ"):
        log(actor=who, volunteer=v, served_on=TODAY, hours="4,5", activity="Trực đêm")
    entry = log(actor=who, volunteer=v, served_on=TODAY, hours="4", activity="Trực đêm")
    assert entry.hours == Decimal("4.0")
    assert selectors.hours_total(volunteer=v) == Decimal("24.0")
    assert AuditEvent.objects.filter(object_type="members.servicehours").count() == 2


def _rule(tree, people, unit, hours, months=3):
    return volunteers.rule_set(
        actor=actor(people.national), unit=unit, min_hours=hours, period_months=months
    )


def test_active_flag_follows_the_nearest_rule(tree, people):
    a = reg(tree, people, name="Nguyễn Văn An", joined_on=TODAY - dt.timedelta(days=200))
    b = reg(tree, people, name="Nguyễn Văn Bình", unit=tree.ba_dinh, joined_on=a.joined_on)
    assert selectors.active_flags([a, b]) == {a.pk: None, b.pk: None}
    _rule(tree, people, tree.hanoi, "10")
    _rule(tree, people, tree.hoan_kiem, "2")
    who = actor(people.hn_officer)
    volunteers.hours_log(actor=who, volunteer=a, served_on=TODAY, hours=3, activity="Phát quà")
    volunteers.hours_log(actor=who, volunteer=b, served_on=TODAY, hours=3, activity="Phát quà")
    old = TODAY - dt.timedelta(days=150)  # outside the 3-month window
    volunteers.hours_log(actor=who, volunteer=b, served_on=old, hours=20, activity="Lũ")
    flags = selectors.active_flags([a, b])
    assert flags == {a.pk: True, b.pk: False}  # Hoàn Kiếm's rule (2 h), Hà Nội's (10 h)
    user = actor(people.hn_officer)

    def names(active):
        f = selectors.Filters(active=active)
        return [v.pk for v in selectors.volunteer_list(user=user, unit=tree.hanoi, filters=f)]

    assert names("yes") == [a.pk]
    assert names("no") == [b.pk]
    assert names("none") == []


def test_only_an_administrator_sets_the_rule(tree, people):
    with pytest.raises(ApplicationError, match="quản trị"):
        volunteers.rule_set(
            actor=actor(people.hn_officer), unit=tree.hanoi, min_hours="5", period_months=3
        )
    rule = volunteers.rule_set(
        actor=actor(people.hn_admin), unit=tree.hanoi, min_hours="5", period_months=3
    )
    assert selectors.rule_for(tree.hk_branch) == rule


def test_list_filters_by_kind_skill_and_team(tree, people):
    a = reg(tree, people, name="Nguyễn Văn An", skills=["first_aid"])
    b = reg(tree, people, name="Trần Văn Bình", kind="collaborator")
    t = team(tree.hoan_kiem)
    volunteers.team_add(actor=actor(people.hn_officer), team=t, volunteer=b)
    user = actor(people.hn_officer)

    def pks(**kw):
        f = selectors.Filters(**kw)
        return [v.pk for v in selectors.volunteer_list(user=user, unit=tree.hanoi, filters=f)]

    assert pks() == [a.pk, b.pk]
    assert pks(kind="collaborator") == [b.pk]
    assert pks(skill="first_aid") == [a.pk]
    assert pks(team=t) == [b.pk]
    assert pks(query="binh") == [b.pk]
    outsider = actor(people.outsider)
    assert not selectors.volunteer_list(user=outsider, unit=tree.quang_tri).exists()
    assert Volunteer.objects.count() == 2 and ServiceHours.objects.count() == 0
