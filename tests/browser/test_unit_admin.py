"""A unit admin: the TOTP second factor, then adding a unit under their scope through the form."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from nhandao.orgs.models import Unit, UnitCategory, UnitKind
from tests.browser.conftest import confirmed_device, current_code, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

WRONG_CODE = "Mã xác thực không đúng hoặc đã hết hạn."


def pass_second_factor(page, device: TOTPDevice) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/otp/\?next="))
    page.get_by_label("Mã xác thực 6 số").fill(current_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert").filter(has_text="Đã xác thực hai lớp.")).to_be_visible()


def test_first_sign_in_enrols_an_authenticator_and_continues(page, tree, people):
    page.goto("/units/")  # anonymous: sent to the sign-in form, keeping where they were going
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/units/$"))
    page.get_by_label("Tên đăng nhập").fill("hn_admin")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    # The password is right, but a unit admin must pass the second factor first.
    expect(page).to_have_url(re.compile(r"/accounts/otp/\?next=%2Funits%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai lớp")
    expect(page.locator("svg")).to_have_count(1)  # the QR code to scan
    secret = page.locator("#otp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret

    # No way around it: any other page sends them back here.
    page.goto("/units/")
    expect(page).to_have_url(re.compile(r"/accounts/otp/\?next=%2Funits%2F$"))

    page.get_by_label("Mã xác thực 6 số").fill("000000" if _code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text(WRONG_CODE)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    page.wait_for_timeout(1100)  # django-otp refuses any code for 1 s after a wrong one

    # What the authenticator app shows after scanning the secret.
    page.get_by_label("Mã xác thực 6 số").fill(_code(secret))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(re.compile(r"/units/$"))
    expect(page.get_by_role("alert")).to_have_text("Đã xác thực hai lớp.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cây tổ chức Hội")
    # Admins have the user pages; the device is now confirmed.
    expect(page.locator("#main-menu").get_by_role("link", name="Người dùng")).to_be_visible()
    assert TOTPDevice.objects.get(user=people.hn_admin).confirmed


def test_unit_admin_adds_a_branch_under_a_commune(page, tree, people):
    device = confirmed_device(people.hn_admin)
    sign_in(page, "hn_admin")
    pass_second_factor(page, device)

    page.goto(f"/units/{tree.hoan_kiem.pk}/")
    page.get_by_role("link", name="Thêm đơn vị trực thuộc").click()
    expect(page).to_have_url(re.compile(rf"/units/{tree.hoan_kiem.pk}/add/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm đơn vị trực thuộc")
    expect(page.get_by_text(f"Trực thuộc: {tree.hoan_kiem.name}")).to_be_visible()

    kind = page.get_by_label("Cấp/loại")
    # Under a commune: a branch, a team or a club; never a province or another commune.
    expect(kind.locator("option")).to_have_text(["Chi hội", "Đội", "Câu lạc bộ"])
    page.get_by_label("Tên đơn vị").fill("  Chi hội   Tổ dân phố số 2 ")
    kind.select_option(label="Chi hội")
    page.get_by_label("Lĩnh vực/nơi sinh hoạt").select_option(
        label="Khu dân cư (thôn, ấp, bản, tổ dân phố)"
    )
    page.get_by_role("button", name="Lưu").click()

    created = "Chi hội Tổ dân phố số 2"  # spaces tidied by the service
    expect(page.get_by_role("alert")).to_have_text(f"Đã tạo đơn vị «{created}».")
    expect(page.get_by_role("heading", level=1)).to_have_text(created)
    expect(page.locator("dl")).to_contain_text("Chi hội · Khu dân cư (thôn, ấp, bản, tổ dân phố)")
    breadcrumb = page.get_by_role("navigation", name="breadcrumb")
    expect(breadcrumb.get_by_role("link")).to_have_text([tree.hanoi.name, tree.hoan_kiem.name])

    unit = Unit.objects.get(name=created)
    expect(page).to_have_url(re.compile(rf"/units/{unit.pk}/$"))
    assert unit.path[: -Unit.steplen] == tree.hoan_kiem.path  # a child of Hoàn Kiếm
    assert (unit.kind, unit.category) == (UnitKind.BRANCH, UnitCategory.RESIDENTIAL)

    # The parent now lists two children, the new one among them.
    breadcrumb.get_by_role("link", name=tree.hoan_kiem.name).click()
    expect(page.get_by_role("heading", name="Đơn vị trực thuộc (2)")).to_be_visible()
    expect(page.locator(".tree").get_by_role("link", name=created)).to_have_attribute(
        "href", f"/units/{unit.pk}/"
    )


def test_a_name_with_markup_is_refused_and_not_run(page, tree, people):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    device = confirmed_device(people.hn_admin)
    sign_in(page, "hn_admin")
    pass_second_factor(page, device)

    page.goto(f"/units/{tree.hoan_kiem.pk}/add/")
    bad = 'Chi hội <script>alert("xss")</script><img src=x onerror=alert(2)>'
    page.get_by_label("Tên đơn vị").fill(bad)
    page.get_by_label("Cấp/loại").select_option("branch")
    page.get_by_role("button", name="Lưu").click()

    expect(page).to_have_url(re.compile(rf"/units/{tree.hoan_kiem.pk}/add/$"))
    expect(page.locator(".field-error")).to_have_text(
        "Tên đơn vị không được chứa các ký tự < > { } hoặc ký tự điều khiển."
    )
    # The refused text comes back as typed, as text, not as markup.
    expect(page.get_by_label("Tên đơn vị")).to_have_value(bad)
    expect(page.locator("main script, main img")).to_have_count(0)
    page.wait_for_timeout(200)  # give an injected script every chance to run
    assert dialogs == []
    assert not Unit.objects.filter(name__contains="script").exists()
    assert Unit.objects.filter(path__startswith=tree.hoan_kiem.path).count() == 2


def _code(secret: str) -> str:
    return f"{totp(base64.b32decode(secret)):06d}"
