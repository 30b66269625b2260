"""Tết Nhân ái end to end in a real browser: the province launches it, a commune clerk records
gifts from a distribution's list, the coverage list shrinks to the last household, and that
household gets a fair voucher that a stall redeems on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.aid.models import AidRecord, Voucher
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def _day(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def test_province_launches_commune_records_coverage_shrinks_voucher_redeemed(
    page, tree, people, register
):
    today = timezone.localdate()
    register("Nguyễn Văn An", groups=["poor"], birth="1950")
    register("Lê Văn Bình", groups=["near_poor"], birth="1960")
    register("Trần Văn Cường", groups=["poor"], birth="1948")
    register("Đỗ Văn Dũng", groups=["disabled"], birth="1970")  # not in the campaign's groups

    # The province launches Tết Nhân ái for poor and near-poor households.
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Phong trào").click()
    page.get_by_role("link", name="Tạo phong trào").click()
    page.wait_for_load_state()
    page.get_by_label("Năm âm lịch (Tết Nhân ái)").fill("2027")
    page.get_by_role("button", name="Điền theo lịch").click()
    expect(page.get_by_label("Tên phong trào")).to_have_value("Tết Nhân ái Xuân Đinh Mùi 2027")
    page.wait_for_load_state("networkidle")  # every htmx refill has landed before we type
    page.get_by_label("Từ ngày").fill(_day(today - dt.timedelta(days=3)))
    page.get_by_label("Đến ngày").fill(_day(today + dt.timedelta(days=30)))
    page.get_by_label("Hộ nghèo", exact=True).check()
    page.get_by_label("Hộ cận nghèo", exact=True).check()
    page.get_by_label("Giá trị tối thiểu mỗi suất (đồng)").fill("500.000")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Phát động").click()
    expect(page.locator("#status")).to_have_text("Đã phát động")
    page.get_by_role("button", name="Đăng xuất").click()

    # The commune clerk sees it, plans a distribution for every household not yet reached and
    # ticks two names on the returned acknowledgement list.
    sign_in(page, "clerk")
    expect(page.get_by_text("Tết Nhân ái Xuân Đinh Mùi 2027").first).to_be_visible()
    page.goto("/campaigns/")
    page.get_by_role("link", name="Tết Nhân ái Xuân Đinh Mùi 2027").click()
    page.get_by_role("link", name="Độ phủ").click()
    expect(page.locator("#uncovered tbody tr")).to_have_count(3)
    page.go_back()
    page.get_by_role("link", name="Đợt trao").click()
    page.get_by_role("link", name="Lập đợt trao").click()
    page.get_by_label("Tên đợt trao").fill("Trao quà Tết tổ dân phố số 1")
    page.get_by_label("Ngày trao").fill(_day(today))
    page.get_by_label("Giá trị mỗi suất (đồng)").fill("500.000")
    page.get_by_role("button", name="Lưu").click()
    page.get_by_role("button", name="Thêm mọi hộ chưa nhận quà").click()
    expect(page.locator("#planned tbody tr")).to_have_count(3)
    page.get_by_role("checkbox", name="Nguyễn Văn An").check()
    page.get_by_role("checkbox", name="Lê Văn Bình").check()
    page.get_by_role(
        "button", name="Ghi nhận những người đã đánh dấu (theo danh sách ký nhận)"
    ).click()
    expect(page.locator("#totals")).to_contain_text("Đã trao 2 / 3")
    assert AidRecord.objects.filter(voided_at__isnull=True).count() == 2

    # The coverage list is down to the last household.
    page.goto("/campaigns/")
    page.get_by_role("link", name="Tết Nhân ái Xuân Đinh Mùi 2027").click()
    page.get_by_role("link", name="Độ phủ").click()
    expect(page.locator("#uncovered tbody tr")).to_have_count(1)
    expect(page.locator("#uncovered")).to_contain_text("Trần Văn Cường")
    page.get_by_role("button", name="Đăng xuất").click()

    # The province holds a fair: the last household gets a voucher, redeemed at a stall.
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Hội chợ").click()
    page.get_by_role("link", name="Tạo hội chợ").click()
    page.get_by_label("Tên hội chợ").fill("Hội chợ Vui Tết Hoàn Kiếm")
    page.get_by_label("Từ ngày").fill(_day(today))
    page.get_by_label("Đến ngày").fill(_day(today + dt.timedelta(days=2)))
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#issue-form")).to_contain_text("1 hộ trong danh sách chưa nhận")
    page.get_by_label("Tên gian hàng").fill("Gian gạo, dầu ăn")
    page.get_by_role("button", name="Thêm gian hàng").click()
    page.get_by_role("button", name="Phát phiếu").click()
    expect(page.get_by_role("alert")).to_contain_text("Đã phát 1 phiếu")
    voucher = Voucher.objects.get()
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Nhận phiếu").click()
    page.get_by_label("Quét mã QR hoặc gõ mã phiếu").fill(voucher.code)
    page.get_by_role("button", name="Nhận phiếu").click()
    expect(page.locator("#redeem-ok")).to_contain_text("500.000 đ")
    voucher.refresh_from_db()
    assert voucher.status == "redeemed"
    # Every eligible household has now been reached.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/campaigns/")
    page.get_by_role("link", name="Tết Nhân ái Xuân Đinh Mùi 2027").click()
    expect(page.locator("#coverage-summary")).to_contain_text("100%")
