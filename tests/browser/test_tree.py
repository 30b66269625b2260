"""Browsing the chapter tree: lazy expansion with htmx, and search with or without diacritics."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_expand_nodes_loads_children_with_htmx(page, tree, people):
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Cây tổ chức").click()
    expect(page).to_have_url(re.compile(r"/units/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cây tổ chức Hội")

    # Only the officer's own province is a root; other provinces are out of scope.
    hanoi = page.locator(f"#node-{tree.hanoi.pk}")
    expect(hanoi.get_by_role("link", name=tree.hanoi.name, exact=True)).to_be_visible()
    expect(page.get_by_text(tree.quang_tri.name)).to_have_count(0)
    expect(page.get_by_text(tree.root.name)).to_have_count(0)

    kids = page.locator(f"#kids-{tree.hanoi.pk}")
    expect(kids.locator("li")).to_have_count(0)  # children are not in the page yet

    toggle = hanoi.locator(":scope > button.toggle")
    expect(toggle).to_have_text("+")
    expect(toggle).to_have_accessible_name("Mở rộng")
    with page.expect_response(re.compile(rf"/units/{tree.hanoi.pk}/children/$")) as answer:
        toggle.click()
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(kids.locator(":scope > li")).to_have_count(2)
    expect(kids.get_by_role("link", name=tree.hoan_kiem.name)).to_be_visible()
    expect(kids.get_by_role("link", name=tree.ba_dinh.name)).to_be_visible()
    expect(toggle).to_be_disabled()  # no second load

    # One level further: the branch under Hoàn Kiếm; Ba Đình has no children, so no "+".
    expect(page.locator(f"#node-{tree.ba_dinh.pk} > button")).to_have_count(0)
    page.locator(f"#node-{tree.hoan_kiem.pk}").get_by_role("button", name="Mở rộng").click()
    branch = page.locator(f"#kids-{tree.hoan_kiem.pk}").get_by_role(
        "link", name=tree.hk_branch.name
    )
    expect(branch).to_be_visible()
    expect(page.locator(f"#kids-{tree.hoan_kiem.pk}")).to_contain_text("Chi hội")

    branch.click()
    expect(page).to_have_url(re.compile(rf"/units/{tree.hk_branch.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.hk_branch.name)


def test_search_by_name_with_or_without_diacritics(page, tree, people):
    sign_in(page, "hn_officer")
    page.goto("/units/")
    for query in ["hoan kiem", "Hoàn Kiếm", "HOÀN  KIẾM"]:
        search = page.get_by_role("searchbox", name="Tìm đơn vị")
        search.fill(query)
        search.press("Enter")

        # Wait for this search's page, not the previous one (same headings, same result).
        expect(page).to_have_url(re.compile(re.escape("/units/?" + urlencode({"q": query})) + "$"))
        results = page.locator("#search-results > li")
        expect(page.get_by_role("heading", name="1 kết quả")).to_be_visible()
        expect(results).to_have_count(1)
        expect(results.first.get_by_role("link")).to_have_text(tree.hoan_kiem.name)
        expect(results.first).to_contain_text(tree.hanoi.name)  # its place in the tree
        expect(page.get_by_role("searchbox", name="Tìm đơn vị")).to_have_value(query)

    page.locator("#search-results a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.hoan_kiem.name)


def test_search_stays_inside_the_users_scope(page, tree, people):
    sign_in(page, "hn_officer")
    page.goto("/units/?q=vinh+linh")  # a commune of another province
    expect(page.locator("#search-results")).to_contain_text("Không có đơn vị nào khớp.")
    expect(page.get_by_text(tree.vinh_linh.name)).to_have_count(0)

    page.goto("/units/?q=chi+hoi")  # both branches match by name; only Hà Nội's is shown
    expect(page.locator("#search-results > li")).to_have_count(1)
    expect(page.locator("#search-results")).to_contain_text(tree.hk_branch.name)
