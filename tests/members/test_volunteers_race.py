"""Races between connections on PostgreSQL: two desks log hours of the same volunteer for the same
day beyond 24 hours; two officers record overlapping terms of the same person; two officers
confirm the same application. Exactly one wins; the other gets a clear Vietnamese message.

Real threads (one database connection each) released together by a barrier; SQLite serialises
writers and cannot show these races: skipped there, run in CI on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.members import applications, staff, volunteers
from nhandao.members.models import Application, ServiceHours, StaffPosition, Volunteer
from nhandao.people.services import PersonData
from tests.browser.conftest import seed_roles
from tests.conftest import actor
from tests.races import POSTGRES_RACE
from tests.races import race as _race

pytestmark = POSTGRES_RACE
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    seed_roles()


def _one_won(results: list[Any], kind: type) -> ApplicationError:
    won = [r for r in results if isinstance(r, kind)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    return lost[0]


def test_two_desks_cannot_log_more_than_24_hours_for_one_day(tree, people):
    v = volunteers.volunteer_register(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        person=PersonData(full_name="Nguyễn Văn An", birth="1990"),
        data=volunteers.VolunteerData(joined_on=TODAY - dt.timedelta(days=3)),
    )

    def log(user: Any) -> Callable[[], Any]:
        return lambda: volunteers.hours_log(
            actor=actor(user), volunteer=v, served_on=TODAY, hours=15, activity="Trực lũ"
        )

    lost = _one_won(_race(log(people.hn_officer), log(people.clerk)), ServiceHours)
    assert "quá 24 giờ" in lost.message
    assert ServiceHours.objects.count() == 1


def test_two_officers_cannot_record_overlapping_terms(tree, people):
    s = staff.staff_add(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        person=PersonData(full_name="Lê Thị Thu", birth="1980"),
        data=staff.StaffData(
            position="Phó Chủ tịch",
            employment="full_time",
            basis="elected",
            term_from=dt.date(2021, 1, 1),
            term_to=dt.date(2025, 12, 31),
        ),
    )

    def add(user: Any, start: dt.date) -> Callable[[], Any]:
        data = staff.StaffData(
            position="Chủ tịch", employment="full_time", basis="elected", term_from=start
        )
        return lambda: staff.staff_add(
            actor=actor(user), unit=tree.hoan_kiem, person=s.person, data=data
        )

    results = _race(
        add(people.hn_officer, dt.date(2026, 1, 1)), add(people.clerk, dt.date(2027, 1, 1))
    )
    lost = _one_won(results, StaffPosition)
    assert "trùng với nhiệm kỳ" in lost.message
    assert StaffPosition.objects.filter(position="Chủ tịch").count() == 1


def test_two_officers_confirm_one_application_once(tree, people):
    app = applications.application_submit(
        data=applications.ApplicationData(
            kind="volunteer",
            unit_id=tree.hk_branch.pk,
            full_name="Đỗ Minh Khoa",
            birth="15/08/2000",
            phone="0987654321",
        ),
        ip=None,
    )

    def confirm(user: Any) -> Callable[[], Any]:
        return lambda: applications.application_confirm(actor=actor(user), application=app)

    lost = _one_won(_race(confirm(people.hn_officer), confirm(people.hn_admin)), Application)
    assert "đã được xử lý" in lost.message
    assert Volunteer.objects.count() == 1
