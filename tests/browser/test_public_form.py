"""In the browser: a visitor on a phone registers as a volunteer on the public form (finding the
branch by a name typed without diacritics), then the branch officer confirms the application
from the "Tình nguyện viên" menu, and the volunteer's page opens."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nhandao.members.models import Application, Skill, Volunteer
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def skills(tree):
    Skill.objects.get_or_create(code="first_aid", defaults={"name": "Sơ cấp cứu"})


def test_register_on_the_public_form_and_confirm(page, tree, people, skills, settings):
    settings.NHANDAO_PUBLIC_FORM_MIN_SECONDS = 0  # a robot types faster than a person
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/tham-gia/")
    form = page.locator("#join-form")
    form.get_by_label("Tình nguyện viên").check()
    form.get_by_label("Đơn vị muốn tham gia").fill("to dan pho so 1")
    form.get_by_label("Chi hội Tổ dân phố số 1").check()
    form.get_by_label("Họ và tên").fill("Đỗ Minh Khoa")
    form.get_by_label("Ngày sinh").fill("15/08/2000")
    form.get_by_label("Điện thoại").fill("0987654321")
    form.get_by_label("Sơ cấp cứu").check()
    form.get_by_label("Lời nhắn").fill("Em muốn tham gia đội sơ cấp cứu.")
    form.get_by_role("button", name="Gửi đăng ký").click()
    expect(page.locator("#thanks")).to_be_visible()
    assert Application.objects.get().status == "pending" and not Volunteer.objects.exists()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Tình nguyện viên").click()
    page.get_by_role("link", name="Đơn đăng ký").click()
    page.get_by_role("link", name="Đỗ Minh Khoa").click()
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page.locator("#app-status")).to_have_text("Đã xác nhận")
    page.get_by_role("link", name="Mở trang tình nguyện viên").click()
    expect(page.locator("#volunteer-info")).to_contain_text("Sơ cấp cứu")
