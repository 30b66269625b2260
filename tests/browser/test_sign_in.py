"""Signing in through the form, the dashboard a non-admin lands on, and what the menu offers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("username", "unit_name", "counts"),
    [
        # a commune user sees the commune and its branch
        (
            "clerk",
            "Hội Chữ thập đỏ phường Hoàn Kiếm",
            {"Hội CTĐ xã/phường/đặc khu": 1, "Chi hội": 1},
        ),
        # a province user sees the province, both communes and the branch under one of them
        (
            "hn_officer",
            "Hội Chữ thập đỏ thành phố Hà Nội",
            {"Hội CTĐ tỉnh/thành phố": 1, "Hội CTĐ xã/phường/đặc khu": 2, "Chi hội": 1},
        ),
    ],
)
def test_sign_in_lands_on_the_dashboard_of_the_users_unit(
    page, people, username, unit_name, counts
):
    sign_in(page, username)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title(re.compile(r"^Tổng quan"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(unit_name)

    cards = page.locator("#level-counts .card")
    expect(cards).to_have_count(len(counts))
    seen = {
        card.locator(".text-muted").first.inner_text(): int(card.locator(".fs-4").inner_text())
        for card in cards.all()
    }
    assert seen == counts

    menu = page.locator("#main-menu")
    expect(menu.get_by_role("link", name="Tổng quan")).to_be_visible()
    expect(menu.get_by_role("link", name="Cây tổ chức")).to_be_visible()
    expect(menu.get_by_role("link", name="Người dùng")).to_have_count(0)
    expect(menu.get_by_role("link", name="Nhật ký")).to_have_count(0)
    expect(page.locator("nav")).to_contain_text(username)

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_pages_are_styled_and_scripted(page, people):
    """Bootstrap, the project's stylesheet and htmx are served (static files via the finders)."""
    sign_in(page, "hn_officer")
    navbar = page.locator("nav.navbar")
    # Bootstrap's .bg-danger red and flex navbar; the project's own body font size (0.95rem).
    expect(navbar).to_have_css("background-color", "rgb(220, 53, 69)")
    expect(navbar).to_have_css("display", "flex")
    expect(page.locator("body")).to_have_css("font-size", "15.2px")
    assert page.evaluate("typeof window.htmx") == "object"


def test_wrong_password_shows_the_vietnamese_error(page, people):
    sign_in(page, "hn_officer", "khong-phai-mat-khau")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator(".alert-danger")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng.")
    # The user name is kept, the password is not; nobody is signed in.
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("hn_officer")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    expect(page.locator("#main-menu")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
