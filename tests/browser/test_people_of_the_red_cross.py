"""In the browser, the path of a volunteer through issue 7: a visitor registers as a volunteer on
the public form, the commune officer confirms the application, adds the volunteer to the
first-aid team, logs hours, enrols them in a first-aid course, marks them attended and passed,
issues the certificate and opens it for printing."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.members.models import Application, ServiceHours, Skill, TeamMembership, Volunteer
from nhandao.orgs.models import Role, Unit, UnitKind
from nhandao.orgs.services import unit_bulk_add_children
from nhandao.training.models import Participant
from tests.browser.conftest import sign_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def commune(tree):
    """The officer of phường Hoàn Kiếm and its first-aid team (the seeded skills again: the
    live server's database was flushed)."""
    Skill.objects.get_or_create(code="first_aid", defaults={"name": "Sơ cấp cứu"})
    team = Unit(name="Đội sơ cấp cứu phường Hoàn Kiếm", kind=UnitKind.TEAM, category="first_aid")
    unit_bulk_add_children(parent=tree.hoan_kiem, units=[team])
    make_user("hk_officer", tree.hoan_kiem, Role.OFFICER, "Ngô Thị Duyên")
    return tree


def test_a_volunteer_from_the_public_form_to_a_printed_certificate(page, commune):
    today = timezone.localdate().strftime("%d/%m/%Y")

    # A visitor, not signed in, registers as a volunteer.
    page.goto("/tham-gia/")
    started = page.evaluate("Date.now()")
    page.get_by_label("Tình nguyện viên").check()
    page.get_by_label("Đơn vị muốn tham gia").fill("to dan pho so 1")
    page.locator("#unit-list").get_by_label("Chi hội Tổ dân phố số 1").check()
    page.get_by_label("Họ và tên").fill("Đỗ Minh Khoa")
    page.get_by_label("Ngày sinh").fill("15/08/2000")
    page.get_by_label("Điện thoại").fill("0987654321")
    page.get_by_label("Sơ cấp cứu").check()
    page.wait_for_timeout(max(0, 3300 - (page.evaluate("Date.now()") - started)))
    page.get_by_role("button", name="Gửi đăng ký").click()
    page.wait_for_load_state()
    assert Application.objects.filter(full_name="Đỗ Minh Khoa", status="pending").exists()
    assert not Volunteer.objects.exists()  # nothing enters the registry unconfirmed

    # The commune officer confirms it.
    sign_in(page, "hk_officer")
    page.goto("/members/applications/")
    page.get_by_role("link", name="Đỗ Minh Khoa").click()
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Đã xác nhận đơn của Đỗ Minh Khoa")
    volunteer = Volunteer.objects.get(person__full_name="Đỗ Minh Khoa")

    # Adds the volunteer to the first-aid team and logs hours.
    page.goto("/members/volunteers/")
    page.get_by_role("link", name="Đỗ Minh Khoa").click()
    team_form = page.locator("#team-form")
    team_form.locator("select[name=team]").select_option(label="Đội sơ cấp cứu phường Hoàn Kiếm")
    team_form.get_by_label("Vai trò trong đội").fill("Đội viên")
    team_form.get_by_role("button", name="Thêm vào đội").click()
    expect(page.locator("#teams")).to_contain_text("Đội sơ cấp cứu phường Hoàn Kiếm")
    hours_form = page.locator("#hours-form")
    hours_form.locator("input[name=served_on]").fill(today)
    hours_form.get_by_label("Số giờ").fill("4")
    hours_form.get_by_label("Hoạt động").fill("Trực sơ cấp cứu giải chạy phố cổ")
    hours_form.get_by_role("button", name="Ghi giờ").click()
    expect(page.locator("#hours")).to_contain_text("Trực sơ cấp cứu giải chạy phố cổ")
    assert TeamMembership.objects.filter(volunteer=volunteer).exists()
    assert ServiceHours.objects.filter(volunteer=volunteer).count() == 1

    # Opens a first-aid course and enrols the volunteer from the registry.
    page.get_by_role("link", name="Tập huấn").first.click()
    page.get_by_role("link", name="Mở lớp tập huấn").click()
    page.get_by_label("Chủ đề").select_option(label="Sơ cấp cứu")
    page.get_by_label("Tên lớp").fill("Sơ cấp cứu ban đầu cho tình nguyện viên")
    page.get_by_label("Từ ngày").fill(today)
    page.get_by_label("Đến ngày").fill(today)
    page.get_by_label("Địa điểm").fill("Nhà văn hóa phường Hoàn Kiếm")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sơ cấp cứu ban đầu")
    expect(page.get_by_text("Chứng nhận có giá trị 24 tháng")).to_be_visible()
    page.get_by_label("Tìm người").fill("khoa")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.locator("#found").get_by_role("button", name="Thêm vào lớp").click()
    expect(page.locator("#participants")).to_contain_text("Đỗ Minh Khoa")

    # Marks attended and passed, then issues the certificate and opens it to print.
    page.locator("#participants").get_by_role("link", name="Điểm danh, kết quả").click()
    record = page.locator("#record-form")
    record.get_by_label("Số buổi tham dự").fill("1")
    record.get_by_label("Kết quả").select_option(label="Đạt")
    record.get_by_label("Điểm").fill("9")
    record.get_by_role("button", name="Ghi kết quả").click()
    # Back on the trainee's page, where the certificate is issued at once.
    expect(page.get_by_role("alert")).to_contain_text("Có thể cấp chứng nhận ngay")
    page.locator("#issue-form").get_by_role("button", name="Cấp chứng nhận").click()
    participant = Participant.objects.get(person=volunteer.person)
    assert participant.certificate_no.startswith("1/")
    certificate = page.locator("#certificate")
    expect(certificate).to_contain_text("GIẤY CHỨNG NHẬN")
    expect(certificate).to_contain_text("Đỗ Minh Khoa")
    expect(page.locator("#certificate-no")).to_have_text(participant.certificate_no)
    expect(certificate.locator("svg")).to_be_visible()  # the QR of the verification page
    expect(page.get_by_role("button", name="In chứng nhận")).to_be_visible()
