"""Races between connections on PostgreSQL: two clerks issue cards in one branch at once (two
numbers, one after the other); two clerks record the same member's dues of a year at once (one
row, the other told so in Vietnamese). SQLite serialises writers: skipped there, run in CI on
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.members import services
from nhandao.members.models import Dues
from nhandao.people.services import PersonData
from tests.browser.conftest import seed_roles
from tests.conftest import actor
from tests.races import POSTGRES_RACE
from tests.races import race as _race

pytestmark = POSTGRES_RACE

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    seed_roles()


def _member(people, unit, name):
    return services.member_register(
        actor=actor(people.hn_admin),
        unit=unit,
        person=PersonData(full_name=name, birth="1980"),
        joined_on=dt.date(YEAR - 2, 1, 1),
    )


def test_two_cards_at_once_take_two_numbers(tree, people):
    a = _member(people, tree.hk_branch, "Nguyễn Thị Lan")
    b = _member(people, tree.hk_branch, "Trần Văn Bình")
    results = _race(
        lambda: services.card_issue(actor=actor(people.hn_admin), member=a),
        lambda: services.card_issue(actor=actor(people.clerk), member=b),
    )
    prefix = services.card_prefix(tree.hk_branch)
    assert sorted(r.card_no for r in results) == [f"{prefix}000001", f"{prefix}000002"], results


def test_the_same_dues_twice_at_once_one_row(tree, people):
    m = _member(people, tree.hk_branch, "Nguyễn Thị Lan")
    data = services.DuesData(year=YEAR, amount=24_000)
    results = _race(
        lambda: services.dues_record(actor=actor(people.hn_admin), member=m, data=data),
        lambda: services.dues_record(actor=actor(people.clerk), member=m, data=data),
    )
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(lost) == 1 and "đã được ghi" in lost[0].message, results
    assert Dues.objects.count() == 1
