"""The language menu, and switching between the roles of a user with two assignments."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from nhandao.orgs.models import Role, RoleAssignment
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_switch_language_to_english_and_back(page, people):
    sign_in(page, "hn_officer")
    page.goto("/units/?q=hoan+kiem")
    html = page.locator("html")
    language = page.locator("#lang-form select[name=language]")
    expect(html).to_have_attribute("lang", "vi")
    expect(language).to_have_value("vi")

    language.select_option("en")  # submits on change
    expect(html).to_have_attribute("lang", "en")
    expect(language).to_have_value("en")
    # Back on the same page, still signed in; the choice is remembered in a cookie.
    expect(page).to_have_url(re.compile(r"/units/\?q=hoan(\+|%20)kiem$"))
    expect(page.locator("#search-results > li")).to_have_count(1)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "en"
    page.goto("/")
    expect(html).to_have_attribute("lang", "en")

    page.locator("#lang-form select[name=language]").select_option("vi")
    expect(html).to_have_attribute("lang", "vi")
    expect(page.locator("#lang-form select[name=language]")).to_have_value("vi")
    expect(page.locator("#main-menu").get_by_role("link", name="Tổng quan")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Tổng quan · Hội Chữ thập đỏ Việt Nam$"))


def test_language_can_be_chosen_before_signing_in(page, tree, people):
    page.goto("/accounts/login/")
    page.locator("#lang-form select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    # The labels may be in English now (if translated): fill the fields by their ids.
    page.locator("#id_username").fill("hn_officer")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tree.hanoi.name)
    expect(page.locator("html")).to_have_attribute("lang", "en")  # kept across sign-in
    expect(page.locator("#lang-form select[name=language]")).to_have_value("en")


def test_user_with_two_assignments_switches_the_active_one(page, tree, people):
    two_hats = make_user("two_hats", tree.hanoi, Role.OFFICER, "Đặng Thị Hoa")
    second = RoleAssignment.objects.create(user=two_hats, unit=tree.quang_tri, role_id=Role.VIEWER)
    first = RoleAssignment.objects.get(user=two_hats, unit=tree.hanoi)

    sign_in(page, "two_hats")
    heading = page.get_by_role("heading", level=1)
    switch = page.locator("#switch-form select[name=assignment]")
    expect(heading).to_have_text(tree.hanoi.name)  # the higher role comes first
    expect(switch).to_have_value(str(first.pk))
    expect(switch.locator("option")).to_have_text(
        [f"Cán bộ nghiệp vụ · {tree.hanoi.name}", f"Chỉ xem · {tree.quang_tri.name}"]
    )
    expect(page.locator("#level-counts")).to_contain_text("Hội CTĐ xã/phường/đặc khu")

    switch.select_option(str(second.pk))  # submits on change
    expect(page.get_by_role("alert")).to_have_text(
        f"Đang làm việc với vai trò: Chỉ xem · {tree.quang_tri.name}"
    )
    expect(heading).to_have_text(tree.quang_tri.name)
    expect(page.locator("#switch-form select[name=assignment]")).to_have_value(str(second.pk))
    children = page.locator("main ul.list-inline")
    expect(children.get_by_role("link")).to_have_text([tree.vinh_linh.name])

    # The choice holds for the session and narrows the scope: the tree now starts at Quảng Trị.
    page.goto("/units/")
    expect(page.locator(".tree > ul > li > a")).to_have_text([tree.quang_tri.name])
    page.problems.expect_status(404, f"/units/{tree.hoan_kiem.pk}/")
    answer = page.goto(f"/units/{tree.hoan_kiem.pk}/")  # Hà Nội's, out of this role's scope
    assert answer is not None and answer.status == 404
    expect(page.locator("main")).to_have_text("Không tìm thấy trang hoặc dữ liệu này.")
    expect(page.get_by_text(tree.hoan_kiem.name)).to_have_count(0)
