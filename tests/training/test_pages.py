"""Training pages: open a course, enrol from the registry, record results, issue and print a
certificate with its QR, check it by number; who is trained in what; expiring certificates as a
page and as .xlsx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nhandao.training import services
from nhandao.training.models import Participant, TrainingPlan
from tests.conftest import actor, login

from .conftest import first_aid, passed

pytestmark = pytest.mark.django_db


def test_a_plan_and_a_course_are_created_from_the_pages(client, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("training_plan_list"), {"year": 2026, "title": "Kế hoạch tập huấn năm 2026"}
    )
    assert response.status_code == 302
    plan = TrainingPlan.objects.get()
    response = client.post(
        reverse("training_course_create"),
        {
            "topic": "first_aid",
            "title": "Sơ cấp cứu cho tình nguyện viên",
            "starts_on": "02/03/2026",
            "ends_on": "03/03/2026",
            "plan": plan.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "Chứng nhận có giá trị 24 tháng" in page
    assert (
        "Sơ cấp cứu cho tình nguyện viên" in client.get(reverse("training_home")).content.decode()
    )


def test_a_course_ending_before_it_starts_is_shown_the_reason(client, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("training_course_create"),
        {
            "topic": "disaster",
            "title": "Ứng phó bão",
            "starts_on": "05/03/2026",
            "ends_on": "02/03/2026",
        },
    )
    assert response.status_code == 200
    assert "trước ngày bắt đầu" in response.content.decode()


def test_people_are_found_and_enrolled_in_scope(client, course, people):
    login(client, people.clerk)
    url = reverse("training_course_detail", args=[course.course.pk])
    page = client.get(url, {"q": "Hoa"}).content.decode()
    assert "Trần Thị Hoa" in page and "Thêm vào lớp" in page
    add = reverse("training_participant_add", args=[course.course.pk])
    assert client.post(add, {"person": course.hoa.pk}).status_code == 302
    assert Participant.objects.filter(course=course.course, person=course.hoa).exists()
    again = client.post(add, {"person": course.hoa.pk}, follow=True).content.decode()
    assert "đã có trong danh sách lớp" in again


def test_result_certificate_print_and_verification(client, course, people):
    login(client, people.hn_officer)
    p = services.participant_add(
        actor=actor(people.hn_officer), course=course.course, person=course.hoa
    )
    edit = reverse("training_participant_edit", args=[p.pk])
    r = client.post(edit, {"record": "1", "attended_days": 2, "result": "passed", "score": "9"})
    assert r.status_code == 302
    r = client.post(edit, {"issue": "1", "issued_on": "03/03/2026", "number": ""})
    p.refresh_from_db()
    assert r["Location"] == reverse("training_certificate", args=[p.pk])
    assert p.certificate_no.startswith("1/2026/CN-HCTĐ")
    page = client.get(r["Location"]).content.decode()
    assert "GIẤY CHỨNG NHẬN" in page and "Trần Thị Hoa" in page and p.certificate_no in page
    assert "size: A4 landscape" in page and "<svg" in page and "CHỦ TỊCH" in page
    assert "03/03/2028" in page
    verdict = client.get(reverse("training_certificate_verify"), {"no": p.certificate_no})
    assert "còn giá trị đến" in verdict.content.decode()


def test_a_number_given_twice_is_shown_beside_the_field(client, course, people):
    login(client, people.hn_officer)
    first = passed(people.hn_officer, course.course, course.hoa)
    services.certificate_issue(actor=actor(people.hn_officer), participant=first, number="7/2026/X")
    second = passed(people.hn_officer, course.course, course.minh)
    r = client.post(
        reverse("training_participant_edit", args=[second.pk]),
        {"issue": "1", "issued_on": "03/03/2026", "number": "7/2026/X"},
    )
    assert r.status_code == 200
    assert "đã cấp cho Trần Thị Hoa" in r.content.decode()


def test_the_verification_does_not_show_certificates_out_of_scope(client, course, people):
    p = passed(people.hn_officer, course.course, course.hoa)
    services.certificate_issue(actor=actor(people.hn_officer), participant=p, number="9/2026/HN")
    login(client, people.outsider)
    page = client.get(reverse("training_certificate_verify"), {"no": "9/2026/HN"}).content.decode()
    assert "Không tìm thấy chứng nhận" in page and "Trần Thị Hoa" not in page


def test_who_is_trained_in_what(client, course, people, tree):
    p = passed(people.hn_officer, course.course, course.hoa)
    services.certificate_issue(
        actor=actor(people.hn_officer), participant=p, issued_on=dt.date(2026, 3, 3)
    )
    login(client, people.hn_officer)
    page = client.get(reverse("training_person", args=[course.hoa.pk])).content.decode()
    assert "Sơ cấp cứu ban đầu 2026" in page and p.certificate_no in page
    stats = client.get(reverse("training_stats"), {"year": 2026}).content.decode()
    assert "1 / 1 / 1" in stats


def _expiring_soon(course, people):
    p = passed(people.hn_officer, course.course, course.hoa)
    services.certificate_issue(actor=actor(people.hn_officer), participant=p)
    soon = timezone.localdate() + dt.timedelta(days=20)
    Participant.objects.filter(pk=p.pk).update(certificate_expires_on=soon)
    return p


def test_certificates_expiring_soon_page_masks_phones_without_the_right(client, course, people):
    _expiring_soon(course, people)
    login(client, people.clerk)
    page = client.get(reverse("training_expiring"), {"days": 30}).content.decode()
    assert "Trần Thị Hoa" in page and "091****678" in page
    none = client.get(reverse("training_expiring"), {"days": 10}).content.decode()
    assert "Trần Thị Hoa" not in none


def test_certificates_expiring_soon_as_xlsx(client, course, people, django_assert_max_num_queries):
    p = _expiring_soon(course, people)
    login(client, people.hn_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training_expiring_export"), {"days": 30})
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    sheet = book.get_sheet_by_index(0).to_python()
    cells = [c for row in sheet for c in row if c]
    assert "DANH SÁCH CHỨNG NHẬN SẮP HẾT HẠN" in cells
    assert "Trần Thị Hoa" in cells and p.certificate_no in cells and "0912345678" in cells
    assert "NGƯỜI LẬP BIỂU" in cells and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert sheet[0][0] == "TRUNG ƯƠNG HỘI CHỮ THẬP ĐỎ VIỆT NAM"  # the body above Hà Nội


def test_lists_read_in_a_fixed_number_of_queries(
    client, course, people, tree, django_assert_max_num_queries
):
    from .conftest import make_person

    for i, name in enumerate(("An", "Bình", "Chi", "Dũng", "Giang", "Hải")):
        person = make_person(people.hn_officer, tree.hoan_kiem, f"Phan Văn {name}", "1999")
        passed(people.hn_officer, course.course, person)
        first_aid(people.hn_officer, tree.hoan_kiem, title=f"Lớp {i}")
    login(client, people.hn_officer)
    for url in (
        reverse("training_home"),
        reverse("training_course_detail", args=[course.course.pk]),
        reverse("training_stats"),
        reverse("training_expiring"),
        reverse("training_person", args=[course.hoa.pk]),
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
