"""A person merge carries each app's one-to-one role over: both were blood donors, both were
members, both were volunteers. The survivor's role holds everything; nothing is lost or doubled."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.blood.models import BloodDonation, BloodDonor, Honour
from nhandao.core.errors import ApplicationError
from nhandao.members.models import Dues, Member, ServiceHours, Skill, Volunteer
from nhandao.people.services import person_merge
from tests.conftest import actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(register):
    a = register("Nguyễn Văn Hải", birth="12/03/1980").person
    b = register("Nguyen Van Hai", birth="1980").person
    return a, b


def _donor(person, code, days):
    donor = BloodDonor.objects.create(person=person, unit=person.unit, card_code=code, abo="")
    for i, day in enumerate(days):
        BloodDonation.objects.create(
            donor=donor,
            unit=person.unit,
            donated_on=day,
            kind="whole_blood",
            volume_ml=350,
            certificate_no=f"{code}-{i}",
        )
    donor.donation_count = len(days)
    donor.save()
    return donor


def test_blood_donors_merge_their_donations_and_reach_honours_together(twins, people):
    a, b = twins
    _donor(a, "HMA", [dt.date(2020 + i, 1, 5) for i in range(3)])
    other = _donor(b, "HMB", [dt.date(2020 + i, 6, 5) for i in range(2)])
    other.abo, other.rh = "O", "+"
    other.save()
    person_merge(actor=actor(people.hn_officer), survivor=a, merged=b)
    donor = BloodDonor.objects.get(person=a)
    assert donor.donation_count == 5 and donor.blood_group == "O+"
    assert donor.last_donation_on == dt.date(2022, 1, 5)
    assert not BloodDonor.objects.filter(person=b).exists()
    assert Honour.objects.filter(donor=donor, rule__threshold=5, status="pending").exists()


def test_two_donations_on_the_same_day_stop_the_merge(twins, people):
    a, b = twins
    _donor(a, "HMA", [dt.date(2024, 1, 5)])
    _donor(b, "HMB", [dt.date(2024, 1, 5)])
    with pytest.raises(ApplicationError, match="05/01/2024"):
        person_merge(actor=actor(people.hn_officer), survivor=a, merged=b)


def test_members_and_volunteers_merge(twins, people, tree):
    a, b = twins
    mine = Member.objects.create(person=a, unit=tree.hoan_kiem, joined_on=dt.date(2015, 1, 1))
    theirs = Member.objects.create(
        person=b, unit=tree.hoan_kiem, joined_on=dt.date(2010, 1, 1), card_no="HK-0001"
    )
    Dues.objects.create(member=mine, year=2024, status="paid", amount=24_000)
    Dues.objects.create(member=theirs, year=2024, status="paid", amount=24_000)
    Dues.objects.create(member=theirs, year=2023, status="exempt")
    v1 = Volunteer.objects.create(
        person=a, unit=tree.hoan_kiem, kind="volunteer", joined_on=dt.date(2020, 1, 1)
    )
    v2 = Volunteer.objects.create(
        person=b, unit=tree.hoan_kiem, kind="volunteer", joined_on=dt.date(2019, 1, 1)
    )
    v2.skills.add(Skill.objects.get(code="first_aid"))
    ServiceHours.objects.create(
        volunteer=v2, unit=tree.hoan_kiem, served_on=dt.date(2024, 5, 1), hours=4, activity="Trực"
    )
    person_merge(actor=actor(people.hn_officer), survivor=a, merged=b)
    member = Member.objects.get(person=a)
    assert member.joined_on == dt.date(2010, 1, 1) and member.card_no == "HK-0001"
    assert sorted(member.dues.values_list("year", flat=True)) == [2023, 2024]
    volunteer = Volunteer.objects.get(pk=v1.pk)
    assert volunteer.joined_on == dt.date(2019, 1, 1)
    assert list(volunteer.skills.values_list("code", flat=True)) == ["first_aid"]
    assert volunteer.hours.count() == 1
    assert not Member.objects.filter(person=b).exists()
    assert not Volunteer.objects.filter(person=b).exists()
