"""In the browser, on a phone: an officer opens the day's session from the menu, finds a donor by
citizen ID, sees "ĐƯỢC HIẾN HÔM NAY", records the donation (a volume too large for the weight is
refused first), lands on the certificate, and finds the donor's fifth-donation honour pending on
the ceremony list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nhandao.blood.models import (
    BloodDonation,
    BloodDonor,
    BloodSession,
    HonourRule,
    SessionStatus,
)
from nhandao.blood.rules_seed import PERSON_HONOURS
from tests.blood.b1_fixtures import TODAY, days_ago, make_donor
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def session_today(tree, people):
    for threshold, award, body in PERSON_HONOURS:  # a flushed database lost the seeded rules
        HonourRule.objects.get_or_create(
            scope="person", threshold=threshold, defaults={"award": award, "awarding_body": body}
        )
    session = BloodSession.objects.create(
        unit=tree.hoan_kiem,
        held_on=TODAY,
        place="Cung Văn hóa Hữu nghị",
        status=SessionStatus.OPEN,
    )
    donor = make_donor(
        people.hn_officer,
        tree.hoan_kiem,
        "Nguyễn Văn An",
        id_number="001090001234",
        weight_kg="48",
    )
    BloodDonation.objects.create(
        donor=donor,
        unit=tree.hoan_kiem,
        donated_on=days_ago(120),
        kind="whole_blood",
        volume_ml=350,
    )
    BloodDonor.objects.filter(pk=donor.pk).update(
        donation_count=4, last_donation_on=days_ago(120), last_donation_kind="whole_blood"
    )
    return session


def test_a_session_from_check_in_to_the_honour_list(page, session_today):
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Hiến máu").click()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone at the session
    page.get_by_role("link", name="Cung Văn hóa Hữu nghị").click()
    page.get_by_label("Tìm người hiến máu").fill("001090001234")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(".checkin-row .verdict")).to_have_text("ĐƯỢC HIẾN HÔM NAY")
    expect(page.locator(".checkin-row")).to_contain_text("250, 350 ml")
    page.get_by_role("link", name="Cân, ghi nhận hiến hoặc tạm hoãn").click()

    form = page.locator("#donation-form")
    form.get_by_label("Cân nặng hôm nay (kg)").fill("44")
    form.get_by_label("Thể tích (ml)").select_option("350")
    form.get_by_label("Số giấy chứng nhận").fill("HK-2026-0005")
    form.get_by_role("button", name="Ghi nhận đã hiến").click()
    expect(form).to_contain_text("Cân nặng 44 kg chưa đủ 45 kg để hiến máu toàn phần (nam).")

    form.get_by_label("Cân nặng hôm nay (kg)").fill("48")
    form.get_by_role("button", name="Ghi nhận đã hiến").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("HK-2026-0005")
    expect(page.locator(".remaining")).to_contain_text("còn 350 ml")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#main-menu").get_by_role("link", name="Hiến máu").click()
    page.get_by_role("link", name="Tôn vinh").click()
    expect(page.locator("body")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("body")).to_contain_text("Giấy khen tôn vinh người hiến máu 5 lần")
