"""In the browser: an officer plans a session from the blood pages, registers a donor in
advance through the search, then records the decision for a pending honour on the ceremony list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.blood.honours import honours_after_donation
from nhandao.blood.models import BloodRules, HonourRule, SessionRegistration
from nhandao.blood.rules_seed import PERSON_HONOURS
from tests.blood.b2_factories import make_donor
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def donor(tree, people):
    BloodRules.objects.get_or_create(valid_from=dt.date(2013, 8, 12))
    for threshold, award, body in PERSON_HONOURS:  # a flushed database lost the seeded rules
        HonourRule.objects.get_or_create(
            scope="person", threshold=threshold, defaults={"award": award, "awarding_body": body}
        )
    donor = make_donor(tree.hoan_kiem, "Phạm Văn Hùng", phone="0912345678")
    donor.donation_count = 5
    donor.last_donation_on = timezone.localdate() - dt.timedelta(days=100)
    donor.save()
    honours_after_donation(donor=donor)
    return donor


def test_plan_register_and_award(page, donor, people):
    sign_in(page, "hn_officer")
    page.goto("/blood/sessions/")
    page.get_by_role("link", name="Lập buổi hiến máu").click()
    day = (timezone.localdate() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    page.get_by_label("Ngày").fill(day)
    page.get_by_label("Địa điểm").fill("Trường THPT Việt Đức")
    page.get_by_label("Chỉ tiêu (đơn vị máu)").fill("120")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trường THPT Việt Đức")
    page.wait_for_load_state("networkidle")  # htmx listens before anything is typed

    page.get_by_label("Tìm người hiến máu").fill("hung")
    expect(page.locator("#register-results")).to_contain_text("Phạm Văn Hùng")
    page.locator("#register-results").get_by_role("button", name="Đăng ký").click()
    expect(page.locator("#registrations")).to_contain_text("Phạm Văn Hùng")
    assert SessionRegistration.objects.filter(donor=donor).exists()

    page.locator("#blood-menu").get_by_role("link", name="Tôn vinh").click()
    row = page.locator("table.honours tr", has_text="Phạm Văn Hùng")
    row.get_by_label("Số quyết định").fill("12/QĐ-BCĐ")
    row.get_by_role("button", name="Đã khen").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi quyết định khen thưởng.")
    expect(page.locator("table.honours")).to_contain_text("12/QĐ-BCĐ")
