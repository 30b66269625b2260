"""In the browser: an officer opens the members from the menu, registers a new member, sees the
dues of a year before joining refused in words, records this year's dues, issues the card and
opens the printable card with its number and QR code."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TODAY = timezone.localdate()


def test_register_dues_and_card(page, tree, people):
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Hội viên").click()
    page.get_by_role("link", name="Kết nạp hội viên").first.click()
    page.get_by_label("Họ và tên").fill("nguyễn thị hoa")
    page.get_by_label("Ngày sinh").fill("12/03/1985")
    page.get_by_label("Giới tính").select_option("female")
    page.get_by_label("Chi hội").select_option(str(tree.hk_branch.pk))
    page.get_by_label("Ngày vào Hội").fill(f"01/02/{TODAY.year - 1}")
    page.get_by_role("button", name="Kết nạp").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Hoa")

    member_path = urlparse(page.url).path  # /members/<pk>/
    page.problems.expect_status(400, f"{member_path}dues/")
    page.get_by_role("link", name="Ghi hội phí").click()
    page.get_by_label("Năm").fill(str(TODAY.year - 3))
    page.get_by_label("Số tiền (đồng)").fill("24.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("form[novalidate]")).to_contain_text("trước năm vào Hội")
    page.get_by_label("Năm").fill(str(TODAY.year))
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#dues")).to_contain_text("24.000")

    page.get_by_role("link", name="Cấp thẻ").click()
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("link", name="In thẻ").click()
    card = page.locator("#member-card")
    expect(card).to_contain_text("Nguyễn Thị Hoa")
    expect(card).to_contain_text("000001")
    expect(card.locator("svg")).to_have_count(1)
