from __future__ import annotations

import datetime as dt

import pytest

from nhandao.blood.honours import honour_award, honours_after_donation
from nhandao.blood.models import Honour, HonourRule, HonourStatus
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.people.models import Household
from tests.blood.b2_factories import add_donation, make_donor
from tests.conftest import actor

D0 = dt.date(2025, 1, 6)


def _donate(donor, times: int, start: dt.date = D0):
    for i in range(times):
        add_donation(donor, start + dt.timedelta(days=90 * i))


def test_threshold_creates_pending_honour_once(tree, people):
    donor = make_donor(tree.hoan_kiem)
    _donate(donor, 4)
    assert honours_after_donation(donor=donor) == []
    _donate(donor, 1, start=dt.date(2026, 3, 1))
    created = honours_after_donation(donor=donor)
    assert [h.rule.threshold for h in created] == [5]
    honour = created[0]
    assert honour.status == HonourStatus.PENDING
    assert honour.unit == tree.hoan_kiem
    assert honour.reached_on == dt.date(2026, 3, 1)
    assert honour.count == 5
    assert honours_after_donation(donor=donor) == []  # idempotent
    assert Honour.objects.filter(donor=donor).count() == 1


def test_imported_history_reaches_several_thresholds_at_once(tree, people):
    donor = make_donor(tree.hoan_kiem)
    donor.donation_count = 21
    donor.last_donation_on = dt.date(2026, 1, 2)
    donor.save()
    created = honours_after_donation(donor=donor)
    assert sorted(h.rule.threshold for h in created) == [5, 10, 15, 20]


def test_inactive_rule_is_skipped(tree, people):
    HonourRule.objects.filter(scope="person", threshold=5).update(is_active=False)
    donor = make_donor(tree.hoan_kiem)
    donor.donation_count = 6
    donor.save()
    assert honours_after_donation(donor=donor) == []


def test_family_counts_every_member(tree, people):
    home = Household.objects.create(unit=tree.hoan_kiem)
    father = make_donor(tree.hoan_kiem, "Trần Văn Ba", household=home)
    mother = make_donor(tree.hoan_kiem, "Lê Thị Bốn", household=home)
    _donate(father, 2)
    assert [h for h in honours_after_donation(donor=father) if h.household_id] == []
    _donate(mother, 1)
    family = [h for h in honours_after_donation(donor=mother) if h.household_id]
    assert [(h.rule.threshold, h.count) for h in family] == [(3, 3)]
    assert honours_after_donation(donor=father) == []


def test_award_is_audited_and_checked(tree, people):
    donor = make_donor(tree.hoan_kiem)
    donor.donation_count = 5
    donor.last_donation_on = dt.date(2026, 1, 2)
    donor.save()
    honour = honours_after_donation(donor=donor)[0]
    with pytest.raises(ApplicationError) as err:
        honour_award(
            honour=honour, decision_no="", awarded_on=dt.date(2026, 2, 1), actor=people.hn_admin
        )
    assert err.value.field == "decision_no"
    with pytest.raises(ApplicationError):
        honour_award(
            honour=honour,
            decision_no="12/QĐ-HM",
            awarded_on=dt.date(2025, 12, 1),
            actor=people.hn_admin,
        )
    honour = honour_award(
        honour=honour,
        decision_no="12/QĐ-HM",
        awarded_on=dt.date(2026, 2, 1),
        actor=actor(people.hn_admin),
    )
    assert honour.status == HonourStatus.AWARDED
    assert AuditEvent.objects.filter(
        action="update", object_type="blood.honour", object_id=str(honour.pk)
    ).exists()
    with pytest.raises(ApplicationError):
        honour_award(
            honour=honour,
            decision_no="13/QĐ-HM",
            awarded_on=dt.date(2026, 2, 1),
            actor=people.hn_admin,
        )
