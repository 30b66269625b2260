"""Races between connections on PostgreSQL: two stations record the same household's gift at the
same moment, two stalls redeem the same voucher at the same moment. Exactly one wins; the loser
gets the Vietnamese message (a 409 through the API), never a 500.

Each test runs real threads (one database connection each) released together by a barrier.
SQLite serialises writers on one file and cannot show these races: skipped there, run in CI on
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nhandao.aid import services as aid
from nhandao.aid import vouchers
from nhandao.aid.models import AidRecord, Voucher
from nhandao.campaigns.models import Campaign
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.browser.conftest import seed_roles
from tests.campaigns.conftest import tet  # noqa: F401
from tests.conftest import actor
from tests.races import POSTGRES_RACE
from tests.races import race as _race

pytestmark = POSTGRES_RACE

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Each transactional test starts from a flushed database: put back what the data
    migrations seed (roles, beneficiary groups) before the tree and its users are made."""
    seed_roles()


@pytest.fixture
def running(tet):  # noqa: F811
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    return tet


def _bearer(user: Any) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="race")
    return {"Authorization": f"Bearer {raw}"}


def test_two_stations_record_the_same_household_at_once_one_record(running, people, monkeypatch):
    """Both stations pass the check before either inserts (the check is made to see nothing, as
    when both read at the same instant): the partial unique index alone decides."""
    gift = aid.AidData(value=500_000, given_on=TODAY)

    def record(user: Any, person: Any) -> Callable[[], Any]:
        return lambda: aid.aid_record(
            actor=actor(user), campaign=running.campaign, person=person, data=gift
        )

    monkeypatch.setattr(aid, "existing_gifts", lambda **kw: [])
    results = _race(record(people.clerk, running.an), record(people.hn_officer, running.an_wife))
    won = [r for r in results if isinstance(r, AidRecord)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "vừa được ghi nhận nhận quà ở nơi khác" in lost[0].message
    assert lost[0].extra.get("overlap") is True
    assert AidRecord.objects.filter(household=running.household).count() == 1


def test_two_api_requests_for_the_same_household_201_and_409(running, people, monkeypatch):
    url = f"/api/v1/campaigns/{running.campaign.pk}/aid"

    def post(user: Any, person: Any) -> Callable[[], Any]:
        headers = _bearer(user)
        body = {"person_id": person.pk, "kind": "gift", "value": 500_000}
        return lambda: Client().post(url, body, content_type="application/json", headers=headers)

    monkeypatch.setattr(aid, "existing_gifts", lambda **kw: [])
    results = _race(post(people.clerk, running.an), post(people.hn_officer, running.an_wife))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201, 409], [r.content for r in results]
    loser = next(r for r in results if r.status_code == 409)
    assert "nơi khác" in loser.json()["detail"]
    assert AidRecord.objects.filter(household=running.household).count() == 1


def test_the_same_household_recorded_by_many_stations_unpatched(running, people):
    """Without help: four stations at once, the check and the constraint together leave one."""
    gift = aid.AidData(value=500_000, given_on=TODAY)
    who = [people.clerk, people.hn_officer, people.hn_admin, people.clerk]
    members = [running.an, running.an_wife, running.an, running.an_wife]
    results = _race(
        *[
            (
                lambda u=u, p=p: aid.aid_record(
                    actor=actor(u), campaign=running.campaign, person=p, data=gift
                )
            )
            for u, p in zip(who, members, strict=True)
        ]
    )
    assert sum(isinstance(r, AidRecord) for r in results) == 1, results
    assert all(isinstance(r, AidRecord | ApplicationError) for r in results), results
    assert AidRecord.objects.filter(household=running.household).count() == 1


def test_two_stalls_redeem_one_voucher_at_once_one_redemption(running, tree, people):
    officer = actor(people.hn_officer)
    fair = vouchers.fair_create(
        actor=officer,
        campaign=running.campaign,
        unit=tree.hanoi,
        data=vouchers.FairData("Hội chợ Vui Tết", TODAY, TODAY, 500_000),
    )
    a = vouchers.stall_add(actor=officer, fair=fair, name="Gian A")
    b = vouchers.stall_add(actor=officer, fair=fair, name="Gian B")
    v = vouchers.voucher_issue(actor=officer, fair=fair, people=[running.binh])[0]

    def redeem(user: Any, stall: Any) -> Callable[[], Any]:
        return lambda: vouchers.voucher_redeem(
            actor=actor(user), fair=fair, stall=stall, code=v.code
        )

    results = _race(redeem(people.hn_officer, a), redeem(people.hn_admin, b))
    won = [r for r in results if isinstance(r, Voucher)]
    lost = [r for r in results if isinstance(r, ApplicationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "đã được sử dụng lúc" in lost[0].message
    v.refresh_from_db()
    assert v.status == "redeemed" and v.stall_id == won[0].stall_id
    redeemed = AuditEvent.objects.filter(object_type="aid.voucher", object_id=str(v.pk))
    assert redeemed.count() == 1


def test_two_stalls_redeem_through_the_api_200_and_409(running, tree, people):
    officer = actor(people.hn_officer)
    fair = vouchers.fair_create(
        actor=officer,
        campaign=running.campaign,
        unit=tree.hanoi,
        data=vouchers.FairData("Hội chợ Vui Tết", TODAY, TODAY, 500_000),
    )
    stalls = [vouchers.stall_add(actor=officer, fair=fair, name=n) for n in ("Gian A", "Gian B")]
    v = vouchers.voucher_issue(actor=officer, fair=fair, people=[running.cuc])[0]

    def post(user: Any, stall: Any) -> Callable[[], Any]:
        headers = _bearer(user)
        body = {"stall_id": stall.pk, "code": vouchers.code_display(v.code)}
        return lambda: Client().post(
            "/api/v1/vouchers/redeem", body, content_type="application/json", headers=headers
        )

    results = _race(post(people.hn_officer, stalls[0]), post(people.hn_admin, stalls[1]))
    assert sorted(r.status_code for r in results) == [200, 409], [r.content for r in results]
    assert Voucher.objects.filter(pk=v.pk, status="redeemed").count() == 1
