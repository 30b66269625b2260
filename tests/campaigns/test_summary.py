"""The campaign's summary: one refresh per campaign; the nation's and a province's coverage and
dashboard read it (identical to the live figures right after a refresh), a stale one asks for a
refresh (once), communes stay live; the pages show its time and a "Cập nhật ngay" button."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import services as aid
from nhandao.campaigns import selectors, summary
from nhandao.campaigns import services as campaigns
from nhandao.campaigns.models import CoverageSummary
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _give(people, campaign, person, value=500_000):
    data = aid.AidData(value=value, given_on=dt.date(2026, 11, 20))
    return aid.aid_record(
        actor=actor(people.hn_officer), campaign=campaign, person=person, data=data
    )


def _figures(campaign, unit):
    cov = selectors.coverage(campaign=campaign, unit=unit)
    return {
        "coverage": sorted((r.unit.pk, r.own, r.eligible, r.covered) for r in cov.rows),
        "children": selectors.results_by_child(campaign=campaign, parent=unit),
        "progress": sorted(
            (r.unit.pk, r.own, r.metric, r.target or 0, r.result)
            for r in selectors.progress(campaign=campaign, unit=unit)
        ),
        "groups": selectors.results_by_group(campaign=campaign, unit=unit),
        "summary": cov.computed_at,
    }


@pytest.fixture(autouse=True)
def _forget_asked(monkeypatch):
    monkeypatch.setattr(summary, "MIN_SIZE", 0)  # the fixture's campaign is tiny
    summary._asked.clear()
    yield
    summary._asked.clear()


@pytest.mark.parametrize("frozen", [False, True])
def test_summary_figures_equal_the_live_ones_for_nation_and_province(tree, people, tet, frozen):
    _give(people, tet.campaign, tet.an_wife, value=700_000)  # covers the An household
    _give(people, tet.campaign, tet.cuc)
    voided = _give(people, tet.campaign, tet.binh)
    aid.aid_void(actor=actor(people.hn_officer), record=voided, reason="Ghi nhầm")
    if frozen:
        campaigns.campaign_freeze(actor=actor(people.hn_officer), campaign=tet.campaign)
        tet.campaign.refresh_from_db()
    live = {u.pk: _figures(tet.campaign, u) for u in (tree.root, tree.hanoi)}
    assert all(f["summary"] is None for f in live.values())  # no summary yet: live
    assert live[tree.hanoi.pk]["coverage"] == [
        (tree.hoan_kiem.pk, False, 2, 1),
        (tree.ba_dinh.pk, False, 1, 1),
    ]

    written = summary.refresh(campaign=tet.campaign)
    assert written == CoverageSummary.objects.filter(campaign=tet.campaign).count() > 0
    for unit in (tree.root, tree.hanoi):
        got = _figures(tet.campaign, unit)
        assert got.pop("summary") is not None  # read from the summary
        want = dict(live[unit.pk])
        want.pop("summary")
        assert got == want

    # A commune stays live, so it sees a gift recorded after the refresh; the province does not.
    _give(people, tet.campaign, tet.binh)
    commune = selectors.coverage(campaign=tet.campaign, unit=tree.hoan_kiem)
    assert commune.computed_at is None and commune.covered == 2
    assert selectors.coverage(campaign=tet.campaign, unit=tree.hanoi).covered == 2
    summary.refresh(campaign=tet.campaign)
    assert selectors.coverage(campaign=tet.campaign, unit=tree.hanoi).covered == 3


def test_a_stale_summary_is_read_and_asks_for_one_refresh(
    tree, people, tet, django_capture_on_commit_callbacks
):
    _give(people, tet.campaign, tet.cuc)
    with django_capture_on_commit_callbacks() as asked:
        selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)  # none yet: live, and asks
        selectors.progress(campaign=tet.campaign, unit=tree.hanoi)
    assert len(asked) == 1
    summary.refresh(campaign=tet.campaign)
    summary._asked.clear()
    with django_capture_on_commit_callbacks() as asked:
        selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)  # fresh: nothing asked
    assert asked == []
    old = timezone.now() - summary.FRESH_FOR - dt.timedelta(minutes=1)
    CoverageSummary.objects.filter(campaign=tet.campaign).update(computed_at=old)
    _give(people, tet.campaign, tet.an)
    with django_capture_on_commit_callbacks(execute=True) as asked:
        cov = selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)
        selectors.results_by_group(campaign=tet.campaign, unit=tree.hanoi)
    assert len(asked) == 1
    assert cov.computed_at == old and cov.covered == 1  # the stale figures, with their time
    cov = selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)  # the job ran (inline)
    assert cov.computed_at > old and cov.covered == 2


def test_a_small_campaign_stays_live(tree, people, tet, monkeypatch):
    monkeypatch.setattr(summary, "MIN_SIZE", 5)  # 3 eligible households and a gift
    _give(people, tet.campaign, tet.cuc)
    summary.refresh(campaign=tet.campaign)
    _give(people, tet.campaign, tet.an)
    cov = selectors.coverage(campaign=tet.campaign, unit=tree.hanoi)
    assert cov.computed_at is None and cov.covered == 2  # the gift just recorded shows


def test_pages_show_the_summary_time_and_a_refresh_button(
    client, tree, people, tet, django_capture_on_commit_callbacks
):
    _give(people, tet.campaign, tet.cuc)
    summary.refresh(campaign=tet.campaign)
    login(client, people.hn_officer)
    for name in ("campaign_coverage", "campaign_detail"):
        response = client.get(reverse(name, args=[tet.campaign.pk]))
        html = response.content.decode()
        assert "Số liệu lúc" in html and 'id="summary-refresh"' in html
        ctx = response.context
        at = (
            ctx["coverage"].computed_at if "coverage" in ctx else ctx["report"].coverage.computed_at
        )
        stamp = timezone.localtime(at)
        assert stamp.strftime("%H:%M %d/%m/%Y") in html
    # A commune's page is live: no time, no button.
    response = client.get(
        reverse("campaign_coverage", args=[tet.campaign.pk]), {"unit": tree.hoan_kiem.pk}
    )
    assert "Số liệu lúc" not in response.content.decode()

    url = reverse("campaign_summary_refresh", args=[tet.campaign.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks() as asked:
        response = client.post(url, {"back": "coverage"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("campaign_coverage", args=[tet.campaign.pk]))
    assert len(asked) == 1

    login(client, people.clerk)  # no campaign.manage
    assert client.post(url, {"unit": tree.hoan_kiem.pk}).status_code in (403, 404)
