"""Races between connections on PostgreSQL: two desks issue certificates of one unit at the same
moment (each gets its own number of the year's sequence); two desks issue for the same person
(one certificate; the other is told its number). Real threads, one connection each, released
together. SQLite serialises writers and cannot show these races: skipped there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.training import services
from nhandao.training.models import Participant
from tests.browser.conftest import seed_roles
from tests.conftest import actor
from tests.races import POSTGRES_RACE
from tests.races import race as _race

from .conftest import first_aid, make_person, passed

pytestmark = POSTGRES_RACE


@pytest.fixture
def seeded(transactional_db):
    seed_roles()


def test_two_desks_number_their_certificates_apart(seeded, tree, people):
    course = first_aid(people.hn_officer, tree.hoan_kiem)
    names = ("Trần Thị Hoa", "Lê Văn Minh", "Phạm Thị Lan", "Võ Văn Tâm")
    ps = [
        passed(people.hn_officer, course, make_person(people.hn_officer, tree.hoan_kiem, n))
        for n in names
    ]
    day = dt.date(2026, 3, 3)

    def issue(p: Participant) -> Callable[[], Any]:
        return lambda: services.certificate_issue(
            actor=actor(people.hn_officer), participant=p, issued_on=day
        )

    results = _race(*(issue(p) for p in ps))
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(Participant.objects.values_list("certificate_no", flat=True))
    suffix = f"/2026/CN-HCTĐ-{tree.hoan_kiem.pk}"
    assert numbers == sorted(f"{i}{suffix}" for i in range(1, 5))


def test_two_desks_issue_for_the_same_person_once(seeded, tree, people):
    course = first_aid(people.hn_officer, tree.hoan_kiem)
    p = passed(
        people.hn_officer, course, make_person(people.hn_officer, tree.hoan_kiem, "Trần Thị Hoa")
    )

    def issue() -> Any:
        fresh = Participant.objects.select_related("course__unit", "person").get(pk=p.pk)
        return services.certificate_issue(actor=actor(people.hn_officer), participant=fresh)

    results = _race(issue, issue)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ApplicationError), results
    assert "đã được cấp chứng nhận số" in errors[0].message
    assert Participant.objects.exclude(certificate_no="").count() == 1
