"""On a phone: a commune officer scans or types codes on the quick-record page of a distribution
and records each recipient in one tap; a second gift is refused with the offer to allow it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.aid import services
from nhandao.aid.models import AidRecord
from nhandao.campaigns.models import Campaign
from tests.browser.conftest import sign_in
from tests.campaigns.conftest import TetSetup, make_campaign, tet  # noqa: F401
from tests.conftest import actor

pytestmark = pytest.mark.browser

TODAY = timezone.localdate()


@pytest.fixture
def distribution(tet, people, tree):  # noqa: F811
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    d = services.distribution_create(
        actor=actor(people.hn_officer),
        campaign=tet.campaign,
        unit=tree.hoan_kiem,
        data=services.DistributionData(
            title="Trao quà Tết tổ 1", held_on=TODAY, unit_value=500_000
        ),
    )
    services.planned_add(actor=actor(people.hn_officer), distribution=d, people=[tet.an, tet.binh])
    return d, tet


def test_quick_record_on_a_phone(browser, site, distribution, people):
    d, setup = distribution
    context = browser.new_context(
        base_url=site, locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        sign_in(page, "hn_officer")
        page.goto(f"/aid/distributions/{d.pk}/record/")
        box = page.get_by_role("searchbox", name="Mã hoặc họ tên người nhận")
        box.fill(f"P{setup.binh.pk}")
        card = page.locator(".recipient")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Lê Văn Bình")
        card.get_by_role("button", name="Ghi nhận đã trao").click()
        expect(page.locator("#recorded")).to_contain_text("Lê Văn Bình")
        assert AidRecord.objects.filter(person=setup.binh, distribution=d).count() == 1
        expect(box).to_have_value("")  # ready for the next recipient
        expect(box).to_be_focused()
        expect(card).to_have_count(0)

        # The same person again: the card says when it was given; an officer may still give
        # more, through the refusal that asks why.
        box.fill("binh")
        expect(card.locator(".given")).to_have_count(1)
        expect(card.get_by_role("button", name="Ghi nhận đã trao")).to_have_count(0)
        card.get_by_role("button", name="Trao thêm…").click()
        expect(page.locator("#record-error")).to_contain_text("đã nhận")
        page.get_by_label("Cho phép trao thêm: lý do").fill("Nhà bị cháy, cần thêm")
        page.get_by_role("button", name="Cho phép trao thêm").click()
        expect(page.locator("#recorded")).to_be_visible()
        assert AidRecord.objects.filter(person=setup.binh, override_no=1).count() == 1
        # No sideways scrolling on a phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
    assert not errors
