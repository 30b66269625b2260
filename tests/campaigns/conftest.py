"""Fixtures for campaigns and aid: a launched Tết Nhân ái in Hà Nội with poor households in two
communes (shared by tests/campaigns and tests/aid)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from nhandao.campaigns import services as campaigns
from nhandao.people import services as people_services
from tests.conftest import actor


@dataclass
class TetSetup:
    campaign: Any
    # Hoàn Kiếm: the An household (two poor members), Bình alone; Ba Đình: Cúc.
    an: Any
    an_wife: Any
    binh: Any
    cuc: Any
    household: Any


def make_campaign(people, tree, *, launch=True, **kw):
    data = campaigns.CampaignData(
        kind=kw.pop("kind", "tet"),
        lunar_year=kw.pop("lunar_year", 2027),
        groups=kw.pop("groups", ["poor", "near_poor"]),
        min_gift_value=kw.pop("min_gift_value", 500_000),
        **kw,
    )
    campaign = campaigns.campaign_create(actor=actor(people.hn_officer), unit=tree.hanoi, data=data)
    if launch:
        campaign = campaigns.campaign_launch(actor=actor(people.hn_officer), campaign=campaign)
    return campaign


@pytest.fixture
def tet(tree, people, register) -> TetSetup:
    an = register("Nguyễn Văn An", groups=["poor"], birth="1950").person
    an_wife = register("Trần Thị Ân", groups=["poor"], birth="1952").person
    binh = register("Lê Văn Bình", groups=["near_poor"], birth="1960").person
    cuc = register("Phạm Thị Cúc", unit=tree.ba_dinh, groups=["poor"], birth="1945").person
    register("Đỗ Văn Dũng", groups=["disabled"], birth="1970")  # not in the campaign's groups
    household = people_services.household_create(
        actor=actor(people.hn_officer), unit=tree.hoan_kiem, head=an
    )
    people_services.household_add_member(
        actor=actor(people.hn_officer), household=household, person=an_wife
    )
    for p in (an, an_wife):
        p.refresh_from_db()
    campaign = make_campaign(people, tree, starts_on=dt.date(2026, 11, 1))
    return TetSetup(campaign, an, an_wife, binh, cuc, household)
