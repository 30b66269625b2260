"""In a real browser: a province creates Tết Nhân ái with the form filled from the lunar calendar
(htmx), launches it, and the campaign page draws its three charts from our own Chart.js with no
Content-Security-Policy or JavaScript error; a commune sees it on its dashboard."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from nhandao.aid import services as aid
from nhandao.campaigns.models import Campaign
from tests.browser.conftest import sign_in
from tests.conftest import actor

pytestmark = pytest.mark.browser


def test_province_creates_and_launches_tet_and_the_page_draws_its_charts(
    page,
    tree,
    people,
    register,
):
    an = register("Nguyễn Văn An", groups=["poor"], birth="1950").person
    register("Phạm Thị Cúc", unit=tree.ba_dinh, groups=["poor"], birth="1945")
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Phong trào").click()
    expect(page).to_have_url(re.compile(r"/campaigns/$"))
    page.get_by_role("link", name="Tạo phong trào").click()
    expect(page).to_have_url(re.compile(r"/campaigns/new/$"))
    page.wait_for_load_state()  # htmx is ready before the kind is changed

    with page.expect_response(re.compile(r"/campaigns/new/\?")):
        page.get_by_label("Loại phong trào").select_option("humanitarian_month")
    expect(page.get_by_label("Từ ngày")).to_have_value(re.compile(r"^01/05/\d{4}$"))
    expect(page.get_by_label("Cao điểm từ")).to_have_value(re.compile(r"^08/05/\d{4}$"))
    expect(page.get_by_label("Năm âm lịch (Tết Nhân ái)")).to_be_hidden()
    with page.expect_response(re.compile(r"/campaigns/new/\?")):
        page.get_by_label("Loại phong trào").select_option("tet")
    expect(page.get_by_label("Năm âm lịch (Tết Nhân ái)")).to_be_visible()
    page.get_by_label("Năm âm lịch (Tết Nhân ái)").fill("2028")
    page.get_by_role("button", name="Điền theo lịch").click()
    expect(page.get_by_label("Tên phong trào")).to_have_value("Tết Nhân ái Xuân Mậu Thân 2028")
    expect(page.get_by_label("Từ ngày")).to_have_value("04/01/2028")  # 22 days before Tết
    page.get_by_label("Từ ngày").fill("01/11/2026")
    page.get_by_label("Giá trị tối thiểu mỗi suất (đồng)").fill("500.000")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tết Nhân ái Xuân Mậu Thân 2028")

    page.get_by_role("button", name="Phát động").click()
    expect(page.locator("#status")).to_have_text("Đã phát động")
    campaign = Campaign.objects.get()
    aid.aid_record(
        actor=actor(people.hn_officer),
        campaign=campaign,
        person=an,
        data=aid.AidData(value=500_000, given_on=dt.date(2026, 11, 20)),
    )
    page.reload()
    for chart in ("#chart-units", "#chart-groups", "#chart-days"):
        expect(page.locator(chart)).to_have_attribute("style", re.compile("display: block"))
    expect(page.locator("#coverage-summary")).to_contain_text("50%")

    page.get_by_role("link", name="Độ phủ").click()
    expect(page.locator("#coverage tbody tr")).to_have_count(2)
    page.get_by_role("link", name=tree.ba_dinh.name).click()
    expect(page.locator("#uncovered")).to_contain_text("Phạm Thị Cúc")
