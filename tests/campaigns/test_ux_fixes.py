"""The dashboard line of a running campaign reads naturally: "còn N hộ chưa được hỗ trợ" with
the share already reached, and once every household is reached it says so, never "Còn 0/4 …
(100%)"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import services as aid
from nhandao.campaigns.selectors import Coverage, CoverageRow
from tests.campaigns.conftest import make_campaign
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _running(people, tree):
    today = timezone.localdate()
    return make_campaign(
        people,
        tree,
        kind="custom",
        lunar_year=None,
        name="Xuân yêu thương",
        starts_on=today - dt.timedelta(days=2),
        ends_on=today + dt.timedelta(days=20),
    )


def _give(people, tree, campaign, person):
    d = aid.distribution_create(
        actor=actor(people.hn_officer),
        campaign=campaign,
        unit=tree.hoan_kiem,
        data=aid.DistributionData(
            title="Trao quà", held_on=timezone.localdate(), unit_value=500_000
        ),
    )
    aid.aid_record(
        actor=actor(people.hn_officer),
        campaign=campaign,
        person=person,
        data=aid.distribution_aid_data(d),
        distribution=d,
    )


def test_the_widget_says_everyone_is_reached_instead_of_none_left(client, tree, people, register):
    an = register("Nguyễn Văn An", groups=["poor"], birth="1950").person
    campaign = _running(people, tree)
    _give(people, tree, campaign, an)
    login(client, people.clerk)
    fragment = client.get(reverse("campaign_dashboard_widget")).content.decode()
    assert "Xuân yêu thương" in fragment
    assert "Đã hỗ trợ đủ <strong>1</strong>/1 hộ thuộc diện (100%)" in fragment
    assert "Còn <strong>0</strong>" not in fragment and "chưa được hỗ trợ" not in fragment


def test_the_widget_shows_what_is_left_with_the_share_reached(client, tree, people, register):
    an = register("Nguyễn Văn An", groups=["poor"], birth="1950").person
    register("Lê Văn Bình", groups=["near_poor"], birth="1960")
    campaign = _running(people, tree)
    _give(people, tree, campaign, an)
    login(client, people.clerk)
    fragment = client.get(reverse("campaign_dashboard_widget")).content.decode()
    assert "Còn <strong>1</strong>/2 hộ thuộc diện chưa được hỗ trợ (đã hỗ trợ 50%)" in fragment
    assert "Đã hỗ trợ đủ" not in fragment


def test_the_share_reached_reads_100_only_when_nobody_is_left():
    almost = Coverage(
        unit=None, rows=[CoverageRow(unit=None, own=True, eligible=1000, covered=999)]
    )
    assert almost.percent_done == 99
    done = Coverage(unit=None, rows=[CoverageRow(unit=None, own=True, eligible=4, covered=4)])
    assert done.percent_done == 100
    assert Coverage(unit=None).percent_done == 100


def test_a_campaigns_default_name_is_stored_in_vietnamese_whatever_the_users_language():
    """A campaign created by a user who switched to English is named in Vietnamese: others
    read the name later, in print and on the public portal."""
    from django.utils import translation

    from nhandao.campaigns.services import CampaignData, campaign_defaults

    with translation.override("en"):
        tet = campaign_defaults(CampaignData(kind="tet", lunar_year=2027))
        month = campaign_defaults(CampaignData(kind="humanitarian_month", year=2027))
    assert tet.name.startswith("Tết") and "Đinh Mùi" in tet.name
    assert month.name == "Tháng Nhân đạo năm 2027"
