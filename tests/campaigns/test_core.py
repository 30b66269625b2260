"""The campaign core: Tết naming, coverage live and frozen, overlap refused, targets split."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.aid import services as aid
from nhandao.campaigns import selectors, services
from nhandao.core.errors import ApplicationError
from tests.campaigns.conftest import make_campaign
from tests.conftest import actor

pytestmark = pytest.mark.django_db

GIFT = aid.AidData(value=500_000, given_on=dt.date(2026, 11, 20))


def test_tet_campaign_is_named_and_dated_from_the_lunar_calendar(tree, people):
    campaign = make_campaign(people, tree, launch=False)
    assert campaign.name == "Tết Nhân ái Xuân Đinh Mùi 2027"
    assert campaign.starts_on == dt.date(2027, 1, 15)  # Tết 6/2/2027 minus 22 days
    assert campaign.ends_on == dt.date(2027, 1, 30)
    assert campaign.year == 2027 and campaign.lunar_year == 2027


def test_coverage_counts_households_and_shrinks_with_each_gift(tet, tree, people):
    cov = selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)
    by_unit = {r.unit.pk: (r.eligible, r.covered) for r in cov.rows}
    assert by_unit == {tree.hoan_kiem.pk: (2, 0), tree.ba_dinh.pk: (1, 0)}
    aid.aid_record(actor=actor(people.clerk), campaign=tet.campaign, person=tet.an_wife, data=GIFT)
    cov = selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)
    assert {r.unit.pk: r.covered for r in cov.rows} == {tree.hoan_kiem.pk: 1, tree.ba_dinh.pk: 0}
    page = selectors.uncovered_list(campaign=tet.campaign, unit=tree.hoan_kiem)
    assert page.total == 1 and [p.full_name for p in page.people] == ["Lê Văn Bình"]


def test_a_second_gift_to_the_same_household_is_refused(tet, people):
    aid.aid_record(actor=actor(people.clerk), campaign=tet.campaign, person=tet.an, data=GIFT)
    with pytest.raises(ApplicationError, match="đã nhận Quà ngày 20/11/2026"):
        aid.aid_record(
            actor=actor(people.hn_officer), campaign=tet.campaign, person=tet.an_wife, data=GIFT
        )


def test_an_officer_may_allow_a_second_gift_with_a_reason(tet, people):
    aid.aid_record(actor=actor(people.clerk), campaign=tet.campaign, person=tet.an, data=GIFT)
    second = aid.AidData(value=500_000, given_on=dt.date(2026, 11, 21), override_reason="Hộ đông")
    with pytest.raises(ApplicationError, match="được phân quyền"):
        aid.aid_record(actor=actor(people.clerk), campaign=tet.campaign, person=tet.an, data=second)
    record = aid.aid_record(
        actor=actor(people.hn_officer), campaign=tet.campaign, person=tet.an, data=second
    )
    assert record.override_no == 1


def test_frozen_list_does_not_move_when_the_registry_changes(tet, tree, people, register):
    assert services.campaign_freeze(actor=actor(people.hn_officer), campaign=tet.campaign) == 3
    register("Vũ Thị Mới", groups=["poor"])
    tet.campaign.refresh_from_db()
    assert selectors.coverage(campaign=tet.campaign, unit=tree.hanoi).eligible == 3


def test_gift_outside_the_window_or_below_the_minimum_is_refused(tet, people):
    late = aid.AidData(value=500_000, given_on=dt.date(2027, 2, 1))
    with pytest.raises(ApplicationError, match="ngoài thời gian"):
        aid.aid_record(actor=actor(people.clerk), campaign=tet.campaign, person=tet.binh, data=late)
    cheap = aid.AidData(value=100_000, given_on=dt.date(2026, 11, 20))
    with pytest.raises(ApplicationError, match="thấp hơn mức tối thiểu"):
        aid.aid_record(
            actor=actor(people.clerk), campaign=tet.campaign, person=tet.binh, data=cheap
        )


def test_targets_split_in_proportion_to_eligible_households(tet, tree, people):
    services.targets_split(
        actor=actor(people.hn_officer),
        campaign=tet.campaign,
        parent=tree.hanoi,
        metric="gifts",
        total=300,
    )
    targets = {t.unit_id: t.value for t in tet.campaign.targets.all()}
    assert targets == {tree.hanoi.pk: 300, tree.hoan_kiem.pk: 200, tree.ba_dinh.pk: 100}


def test_targets_that_do_not_sum_are_refused(tet, tree, people):
    rows = [
        services.TargetRow(unit=tree.hanoi, metric="gifts", value=100),
        services.TargetRow(unit=tree.hoan_kiem, metric="gifts", value=60),
        services.TargetRow(unit=tree.ba_dinh, metric="gifts", value=30),
    ]
    with pytest.raises(ApplicationError, match="cộng lại 90"):
        services.targets_set(
            actor=actor(people.hn_officer), campaign=tet.campaign, parent=tree.hanoi, rows=rows
        )
    assert not tet.campaign.targets.exists()


def test_a_target_for_an_unknown_group_is_refused_with_a_message(tet, tree, people):
    rows = [services.TargetRow(unit=tree.hanoi, metric="gifts", value=10, group="khong-co")]
    with pytest.raises(ApplicationError, match="Không có đối tượng: khong-co"):
        services.targets_set(
            actor=actor(people.hn_officer), campaign=tet.campaign, parent=tree.hanoi, rows=rows
        )
