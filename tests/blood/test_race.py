"""Races between connections on PostgreSQL: two stations check the same donor in and record a
donation at the same moment; two hospitals take the rest of one certificate at once. Exactly one
wins; the loser gets a clear Vietnamese message (409 through the API), never a 500.

Real threads (one database connection each) released together by a barrier. SQLite serialises
writers on one file and cannot show these races: skipped there, run in CI on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from nhandao.blood import services
from nhandao.blood.models import BloodDonation, BloodDonor, TransfusionUse
from nhandao.core.errors import ApplicationError
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.blood.b1_fixtures import TODAY, make_desk
from tests.browser.conftest import seed_roles
from tests.conftest import actor
from tests.races import POSTGRES_RACE
from tests.races import race as _race

pytestmark = POSTGRES_RACE


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Each transactional test starts from a flushed database: put back the seeded roles before
    the tree and its users are made (the thresholds fall back to their defaults)."""
    seed_roles()


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


def _record(user: Any, desk: Any, kind: str = "whole_blood", volume: int = 350) -> Callable:
    data = services.DonationData(kind=kind, volume_ml=volume, weight_kg="60")
    return lambda: services.donation_record(
        actor=actor(user), donor=desk.an, session=desk.session, data=data
    )


def test_two_stations_record_the_same_donor_at_once_one_donation(desk, people):
    results = _race(_record(people.clerk, desk), _record(people.hn_officer, desk, "plasma", 500))
    won = [r for r in results if isinstance(r, BloodDonation)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "không ghi lần thứ hai" in lost[0].message
    assert BloodDonation.objects.filter(donor=desk.an).count() == 1
    assert BloodDonor.objects.get(pk=desk.an.pk).donation_count == 1


def test_without_the_lock_the_unique_index_still_decides(desk, people, monkeypatch):
    """Both stations pass every check before either inserts (the lock and the pre-check are
    made to see nothing): the one-a-day index alone leaves one donation and a clear message."""
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kw: self)
    real = services._already_today
    calls = {"n": 0}

    def first_sees_nothing(donor: Any, on: Any) -> Any:
        calls["n"] += 1
        return None if calls["n"] <= 2 else real(donor, on)

    monkeypatch.setattr(services, "_already_today", first_sees_nothing)
    monkeypatch.setattr(services, "donor_facts", _facts_without_history)
    results = _race(*[_record(u, desk) for u in (people.clerk, people.hn_officer)])
    won = [r for r in results if isinstance(r, BloodDonation)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "không ghi lần thứ hai" in lost[0].message
    assert BloodDonation.objects.filter(donor=desk.an).count() == 1


def _facts_without_history(*, donor: Any, on: Any, weight_kg: Any = None) -> Any:
    from nhandao.blood.eligibility import DonorFacts

    person = donor.person
    return DonorFacts(person.birth_date, person.birth_precision, person.sex, weight_kg)


def test_many_stations_unpatched(desk, people):
    who = [people.clerk, people.hn_officer, people.hn_admin, people.clerk]
    results = _race(*[_record(u, desk) for u in who])
    assert sum(isinstance(r, BloodDonation) for r in results) == 1, results
    assert all(isinstance(r, BloodDonation | ApplicationError) for r in results), results
    assert BloodDonation.objects.filter(donor=desk.an).count() == 1


def _bearer(user: Any) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="race")
    return {"Authorization": f"Bearer {raw}"}


def test_two_api_stations_201_and_409(desk, people):
    url = f"/api/v1/blood/sessions/{desk.session.pk}/donations"

    def post(user: Any, certificate: str) -> Callable[[], Any]:
        headers = _bearer(user)
        body = {"donor_id": desk.an.pk, "volume_ml": 350, "weight_kg": 60}
        body["certificate_no"] = certificate
        return lambda: Client().post(url, body, content_type="application/json", headers=headers)

    results = _race(post(people.clerk, "R-1"), post(people.hn_officer, "R-2"))
    assert sorted(r.status_code for r in results) == [201, 409], [r.content for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert "không ghi lần thứ hai" in loser.json()["detail"]


def test_two_hospitals_take_the_rest_of_one_certificate_at_once(desk, people):
    donation = services.donation_record(
        actor=actor(people.hn_officer),
        donor=desk.an,
        session=desk.session,
        data=services.DonationData(volume_ml=350, weight_kg="60", certificate_no="C-1"),
    )

    def use(user: Any, hospital: str) -> Callable[[], Any]:
        return lambda: services.transfusion_use_record(
            actor=actor(user), donation=donation, used_on=TODAY, volume_ml=250, hospital=hospital
        )

    results = _race(use(people.clerk, "BV Bạch Mai"), use(people.hn_officer, "BV Việt Đức"))
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(lost) == 1 and "chỉ còn 100 ml" in lost[0].message, results
    assert TransfusionUse.objects.filter(donation=donation).count() == 1
