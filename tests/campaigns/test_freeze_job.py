"""Freezing the eligible list runs as a background job, one part of the tree at a time: the page
shows its progress, a stopped job resumes without duplicates, and an unfinished one can be
rolled back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.campaigns import services
from nhandao.campaigns.models import Campaign, EligibleEntry
from nhandao.people import services as people_services
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _entries(campaign):
    return sorted(
        EligibleEntry.objects.filter(campaign=campaign).values_list("person_id", flat=True)
    )


def test_the_page_freezes_in_the_background_and_shows_it(
    client, tet, people, django_capture_on_commit_callbacks
):
    login(client, people.hn_officer)
    url = reverse("campaign_freeze", kwargs={"pk": tet.campaign.pk})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the job was enqueued after the commit, not run in the request
    campaign = Campaign.objects.get(pk=tet.campaign.pk)
    assert campaign.frozen_at is not None
    assert campaign.freeze_done == campaign.freeze_total >= 2
    # one entry per household (An and his wife are one) and per single person
    assert len(_entries(campaign)) == 3
    progress = client.get(reverse("campaign_freeze_progress", kwargs={"pk": campaign.pk}))
    assert "Đã chốt danh sách lúc" in progress.content.decode()


def test_a_stopped_freeze_resumes_where_it_stopped(
    client, tet, tree, people, django_capture_on_commit_callbacks
):
    officer = actor(people.hn_officer)
    # A household split over two parts of the tree must still be on the list once.
    split = people_services.household_create(actor=officer, unit=tree.ba_dinh, head=tet.cuc)
    people_services.household_add_member(actor=officer, household=split, person=tet.binh)
    campaign = services.campaign_freeze_start(actor=officer, campaign=tet.campaign)
    parts = services._freeze_parts(campaign)
    # The job took the first two parts, then the worker died.
    for path, exact in parts[:2]:
        services._freeze_part(campaign, path, exact, officer.pk, campaign.freeze_started_at)
    Campaign.objects.filter(pk=campaign.pk).update(freeze_done=2, freeze_error="worker lost")
    login(client, people.hn_officer)
    page = client.get(reverse("campaign_detail", kwargs={"pk": campaign.pk})).content.decode()
    assert "Tiếp tục chốt" in page and "Hủy lần chốt" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaign_freeze", kwargs={"pk": campaign.pk}))
    campaign.refresh_from_db()
    assert campaign.frozen_at is not None and campaign.freeze_error == ""
    households = list(
        EligibleEntry.objects.filter(campaign=campaign, household__isnull=False).values_list(
            "household_id", flat=True
        )
    )
    assert len(households) == len(set(households)) == 2  # An's and the split one, once each
    assert len(_entries(campaign)) == 2


def test_an_unfinished_freeze_can_be_rolled_back(client, tet, people):
    officer = actor(people.hn_officer)
    campaign = services.campaign_freeze_start(actor=officer, campaign=tet.campaign)
    path, exact = services._freeze_parts(campaign)[1]
    services._freeze_part(campaign, path, exact, officer.pk, campaign.freeze_started_at)
    assert _entries(campaign)
    login(client, people.hn_officer)
    client.post(reverse("campaign_freeze_cancel", kwargs={"pk": campaign.pk}))
    campaign.refresh_from_db()
    assert _entries(campaign) == []
    assert campaign.freeze_started_at is None and campaign.frozen_at is None
    # and a fresh freeze gives the same list as if nothing had happened
    assert services.campaign_freeze(actor=officer, campaign=campaign) == 3


def test_a_finished_freeze_cannot_be_cancelled_or_repeated(tet, people):
    officer = actor(people.hn_officer)
    services.campaign_freeze(actor=officer, campaign=tet.campaign)
    with pytest.raises(Exception, match="đã chốt"):
        services.campaign_freeze_cancel(actor=officer, campaign=tet.campaign)
    with pytest.raises(Exception, match="đã được chốt"):
        services.campaign_freeze(actor=officer, campaign=tet.campaign)
