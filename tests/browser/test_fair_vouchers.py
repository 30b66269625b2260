"""In the browser: a province officer opens a fair, adds a stall, issues vouchers to the households
not yet reached, prints the sheet, redeems one on the phone page (typed as the camera keyboard
would fill it) and sees the second scan refused, then reconciles."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.aid import vouchers
from nhandao.aid.models import Voucher
from nhandao.campaigns.models import Campaign
from tests.browser.conftest import sign_in
from tests.campaigns.conftest import tet  # noqa: F401

pytestmark = pytest.mark.browser


def test_issue_print_redeem_and_reconcile_vouchers(page, tet, people):  # noqa: F811
    today = timezone.localdate()
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=30)
    )
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Hội chợ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội chợ - Tặng quà - Vui Tết")
    page.get_by_role("link", name="Tạo hội chợ").click()
    page.get_by_label("Phong trào").select_option(str(tet.campaign.pk))
    page.get_by_label("Tên hội chợ").fill("Hội chợ Vui Tết phường")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa phường")
    page.get_by_label("Từ ngày").fill(today.strftime("%d/%m/%Y"))
    page.get_by_label("Đến ngày").fill((today + dt.timedelta(days=2)).strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội chợ Vui Tết phường")
    expect(page.locator("#issue-form")).to_contain_text("3 hộ trong danh sách chưa nhận")

    page.get_by_label("Tên gian hàng").fill("Gian gạo, dầu ăn")
    page.get_by_role("button", name="Thêm gian hàng").click()
    page.get_by_role("button", name="Phát phiếu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã phát 3 phiếu")
    expect(page.locator("#tally")).to_contain_text("1.500.000 đ")

    page.get_by_role("link", name="In phiếu").click()
    expect(page.locator(".voucher-card")).to_have_count(3)
    expect(page.locator(".voucher-card svg")).to_have_count(3)
    expect(page.locator(".voucher-cards")).to_contain_text("500.000 đ")
    voucher = Voucher.objects.order_by("pk").first()
    assert voucher is not None
    shown = vouchers.code_display(voucher.code)
    expect(page.locator(".voucher-cards")).to_contain_text(shown)

    page.get_by_role("link", name="Quay lại").click()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone at the stall
    page.get_by_role("link", name="Nhận phiếu").click()
    expect(page).to_have_url(re.compile(r"/redeem/$"))
    page.get_by_label("Quét mã QR hoặc gõ mã phiếu").fill(shown.lower())
    page.get_by_role("button", name="Nhận phiếu").click()
    expect(page.locator("#redeem-ok")).to_contain_text("Đã nhận phiếu · 500.000 đ")
    page.problems.expect_status(400, page.url.removeprefix(page.problems.site))
    page.get_by_label("Quét mã QR hoặc gõ mã phiếu").fill(shown)
    page.get_by_role("button", name="Nhận phiếu").click()
    expect(page.locator("#redeem-error")).to_contain_text("đã được sử dụng lúc")
    expect(page.locator("#redeem-error")).to_contain_text("Gian gạo, dầu ăn")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Về trang hội chợ").click()
    page.get_by_role("link", name="Đối soát").click()
    expect(page.locator("#by-stall")).to_contain_text("Gian gạo, dầu ăn")
    expect(page.locator("#by-stall")).to_contain_text("500.000 đ")
    expect(page.locator("#totals")).to_contain_text("1.000.000 đ")  # still valid, not yet used
