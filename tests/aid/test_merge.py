"""A person merge never crashes on gifts both records got: the aid app renumbers the merged
record's clashing gifts first ("received twice"), audited, and drops a doubled planned line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.aid import services
from nhandao.aid.models import AidRecord, PlannedRecipient
from nhandao.campaigns.models import Campaign
from nhandao.core.models import AuditEvent
from nhandao.people.services import person_merge
from tests.campaigns.conftest import TetSetup, make_campaign, tet  # noqa: F401
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def running(tet):  # noqa: F811
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    return tet


def _give(campaign, person, people, distribution=None, **kw):
    return services.aid_record(
        actor=actor(people.hn_officer),
        campaign=campaign,
        person=person,
        data=services.AidData(value=500_000, given_on=TODAY, **kw),
        distribution=distribution,
    )


def test_merge_of_two_records_that_both_received_a_gift(running, people, register):
    twin = register("Lê Van Binh", groups=["near_poor"], birth="1960").person
    kept = _give(running.campaign, running.binh, people)
    doubled = _give(running.campaign, twin, people)
    other_kind = _give(running.campaign, twin, people, kind="cash")
    survivor = person_merge(actor=actor(people.hn_officer), survivor=running.binh, merged=twin)
    doubled.refresh_from_db()
    kept.refresh_from_db()
    other_kind.refresh_from_db()
    assert doubled.person_id == survivor.pk == kept.person_id
    assert (kept.override_no, doubled.override_no) == (0, 1)
    assert doubled.override_reason == "Gộp hồ sơ trùng: đã nhận hai lần"
    assert (other_kind.person_id, other_kind.override_no) == (survivor.pk, 0)
    event = AuditEvent.objects.get(
        object_type="aid.aidrecord", object_id=str(doubled.pk), action="update"
    )
    assert event.changes["override_no"] == [0, 1]
    assert AidRecord.objects.live().filter(person=survivor).count() == 3


def test_merge_keeps_numbers_free_after_an_earlier_override(running, people, register):
    twin = register("Lê Van Binh", groups=["near_poor"], birth="1960").person
    _give(running.campaign, running.binh, people)
    _give(running.campaign, running.binh, people, override_reason="Hộ bị cháy nhà")
    doubled = _give(running.campaign, twin, people)
    person_merge(actor=actor(people.hn_officer), survivor=running.binh, merged=twin)
    doubled.refresh_from_db()
    assert doubled.override_no == 2


def test_merge_drops_a_doubled_planned_line(running, people, tree, register):
    twin = register("Lê Van Binh", groups=["near_poor"], birth="1960").person
    d = services.distribution_create(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        unit=tree.hoan_kiem,
        data=services.DistributionData(title="Trao quà", held_on=TODAY, unit_value=500_000),
    )
    services.planned_add(
        actor=actor(people.hn_officer), distribution=d, people=[running.binh, twin]
    )
    person_merge(actor=actor(people.hn_officer), survivor=running.binh, merged=twin)
    assert list(
        PlannedRecipient.objects.filter(distribution=d).values_list("person_id", flat=True)
    ) == [running.binh.pk]


def test_merge_without_clash_changes_nothing_but_the_person(running, people, register):
    twin = register("Lê Van Binh", groups=["near_poor"], birth="1960").person
    record = _give(running.campaign, twin, people)
    person_merge(actor=actor(people.hn_officer), survivor=running.binh, merged=twin)
    record.refresh_from_db()
    assert (record.person_id, record.override_no, record.override_reason) == (
        running.binh.pk,
        0,
        "",
    )


def test_household_merge_of_two_households_that_both_received_a_gift(running, people, tree):
    from nhandao.people.services import household_create, household_merge

    other = household_create(actor=actor(people.hn_officer), unit=tree.hoan_kiem, head=running.binh)
    running.binh.refresh_from_db()
    kept = _give(running.campaign, running.an, people)
    doubled = _give(running.campaign, running.binh, people)
    household_merge(actor=actor(people.hn_officer), survivor=running.household, merged=other)
    doubled.refresh_from_db()
    kept.refresh_from_db()
    assert doubled.household_id == running.household.pk == kept.household_id
    assert (kept.override_no, doubled.override_no) == (0, 1)
    assert doubled.override_reason == "Gộp hồ sơ trùng: đã nhận hai lần"
    assert AuditEvent.objects.filter(
        object_type="aid.aidrecord", object_id=str(doubled.pk), action="update"
    ).exists()
