"""A commune clerk imports the commune's Tết list, reviews the preview, commits it, and finds the
people in the registry; then records one more person while the duplicate check watches."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nhandao.geo.services import geo_load_official
from nhandao.people.models import Person
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser
SAMPLE = Path(__file__).resolve().parents[3] / "shared/samples/qua_tet_2025_xa_hoa_an.xlsx"


def test_clerk_imports_the_sample_list_and_finds_it(page, people):
    geo_load_official()
    sign_in(page, "clerk")
    page.locator("#main-menu").get_by_role("link", name="Nhập danh sách").click()
    page.locator("#upload-form input[type=file]").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_text("Dòng tiêu đề: dòng 7")).to_be_visible()
    page.get_by_role("button", name="Xác nhận và kiểm tra từng dòng").click()
    expect(page.locator("#counts")).to_contain_text("Hợp lệ: 5")
    expect(page.locator("#counts")).to_contain_text("Trùng trong tệp: 1")
    expect(page.locator("#problem-rows")).to_contain_text("cùng người với dòng 11")
    assert Person.objects.count() == 0
    page.get_by_role("button", name="Ghi vào sổ").click()
    expect(page.locator("#counts")).to_contain_text("Đã ghi: 5")
    page.locator("#main-menu").get_by_role("link", name="Địa chỉ nhân đạo").click()
    page.locator("#filters input[name=q]").fill("huynh van loi")
    page.locator("#filters").get_by_role("button", name="Lọc").click()
    rows = page.locator("#beneficiaries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Huỳnh Văn Lợi")
    expect(rows.first).to_contain_text("Xã Hòa An")


def test_duplicate_check_while_typing(page, people, register):
    register("Nguyễn Văn Đức", birth="1950")
    sign_in(page, "clerk")
    page.locator("#main-menu").get_by_role("link", name="Địa chỉ nhân đạo").click()
    page.get_by_role("link", name="Thêm mới").click()
    # htmx binds its triggers once the page has loaded; typing before that sends nothing.
    page.wait_for_load_state("networkidle")
    page.locator("#id_full_name").fill("nguyen van duc")
    page.locator("#id_birth").fill("1950")
    page.locator("#id_birth").dispatch_event("change")
    expect(page.locator("#match-list")).to_contain_text("Nguyễn Văn Đức")
    expect(page.locator("#match-list")).to_contain_text(re.compile("trùng (năm sinh|họ tên)"))


def test_a_long_lists_workbook_and_commit_run_in_the_background(page, people, settings, tmp_path):
    """Every list counts as long here: its results workbook is built by a background job (run
    at once by the test settings' task backend) and downloaded from its page, and its commit is
    handed to a background job too."""
    from python_calamine import CalamineWorkbook

    settings.NHANDAO_IMPORT_WORKBOOK_INLINE_ROWS = 2
    settings.NHANDAO_IMPORT_COMMIT_INLINE_ROWS = 2
    geo_load_official()
    sign_in(page, "clerk")
    page.locator("#main-menu").get_by_role("link", name="Nhập danh sách").click()
    page.locator("#upload-form input[type=file]").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    page.get_by_role("button", name="Xác nhận và kiểm tra từng dòng").click()
    expect(page.locator("#counts")).to_contain_text("Hợp lệ: 5")
    page.locator("#workbook-form").get_by_role("button").click()
    expect(page.locator("h1")).to_have_text("Tệp kết quả kiểm tra")
    with page.expect_download() as caught:
        page.locator("#workbook-ready").get_by_role("link").click()
    saved = tmp_path / "ket-qua.xlsx"
    caught.value.save_as(saved)
    assert caught.value.suggested_filename.startswith("ket-qua-kiem-tra-")
    rows = CalamineWorkbook.from_path(str(saved)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "Lỗi và cảnh báo" and len(rows) == 7  # the header and six rows
    assert any("Trùng với dòng 11" in str(row[-1]) for row in rows[1:])
    page.get_by_role("link", name="Quay lại lượt nhập").click()
    expect(page.locator("#counts")).to_contain_text("Hợp lệ: 5")
    expect(page.get_by_role("link", name=re.compile("Tải tệp kết quả kiểm tra"))).to_be_visible()
    page.get_by_role("button", name="Ghi vào sổ").click()
    expect(page.locator("#counts")).to_contain_text("Đã ghi: 5")
    assert Person.objects.count() == 5
    # The workbook of the checked list is out of date once it is written: offered again.
    expect(page.locator("#workbook-form")).to_be_visible()
