"""Training services: courses (first aid valid 24 months by default), enrolment from the registry,
attendance and results, certificates numbered per unit and year and never twice, all audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.training import services
from nhandao.training.models import Participant
from tests.conftest import actor

from .conftest import first_aid, make_person, passed

pytestmark = pytest.mark.django_db


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert services.add_months(dt.date(2026, 3, 3), 24) == dt.date(2028, 3, 3)
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2027, 12, 15), 1) == dt.date(2028, 1, 15)


def test_a_first_aid_course_gives_certificates_valid_24_months_unless_told(tree, people):
    assert first_aid(people.hn_officer, tree.hoan_kiem).certificate_valid_months == 24
    other = services.course_create(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        data=services.CourseData(
            topic="policy",
            title="Luật Hoạt động chữ thập đỏ",
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 4, 1),
        ),
    )
    assert other.certificate_valid_months == 0
    told = first_aid(people.hn_officer, tree.hoan_kiem, title="SCC 12", certificate_valid_months=12)
    assert told.certificate_valid_months == 12
    assert AuditEvent.objects.filter(object_type="training.course", action="create").count() == 3


def test_a_course_that_ends_before_it_starts_is_refused(tree, people):
    with pytest.raises(ApplicationError, match="trước ngày bắt đầu"):
        first_aid(
            people.hn_officer,
            tree.hoan_kiem,
            starts_on=dt.date(2026, 3, 5),
            ends_on=dt.date(2026, 3, 2),
        )


def test_a_person_is_enrolled_once(course, people):
    services.participant_add(
        actor=actor(people.hn_officer), course=course.course, person=course.hoa
    )
    with pytest.raises(ApplicationError, match="đã có trong danh sách lớp"):
        services.participant_add(
            actor=actor(people.hn_officer), course=course.course, person=course.hoa
        )
    assert (
        AuditEvent.objects.filter(object_type="training.participant", action="create").count() == 1
    )


def test_attendance_is_bounded_by_the_course_days_and_the_score_by_ten(course, people):
    p = services.participant_add(
        actor=actor(people.hn_officer), course=course.course, person=course.hoa
    )
    with pytest.raises(ApplicationError, match="từ 0 đến 2"):
        services.participant_record(
            actor=actor(people.hn_officer), participant=p, attended_days=3, result="", score=None
        )
    with pytest.raises(ApplicationError, match="Điểm phải từ 0 đến 10"):
        services.participant_record(
            actor=actor(people.hn_officer),
            participant=p,
            attended_days=2,
            result="passed",
            score=Decimal("11"),
        )
    with pytest.raises(ApplicationError, match="chưa tham dự buổi nào"):
        services.participant_record(
            actor=actor(people.hn_officer),
            participant=p,
            attended_days=0,
            result="passed",
            score=None,
        )
    p = services.participant_record(
        actor=actor(people.hn_officer),
        participant=p,
        attended_days=2,
        result="passed",
        score=Decimal("8.5"),
    )
    event = AuditEvent.objects.get(object_type="training.participant", action="update")
    assert event.changes["result"] == ["", "passed"]


def test_certificates_are_numbered_per_unit_and_year_and_expire_with_the_course(
    course, people, tree
):
    officer = actor(people.hn_officer)
    a = services.certificate_issue(
        actor=officer,
        participant=passed(people.hn_officer, course.course, course.hoa),
        issued_on=dt.date(2026, 3, 3),
    )
    b = services.certificate_issue(
        actor=officer,
        participant=passed(people.hn_officer, course.course, course.minh),
        issued_on=dt.date(2026, 3, 3),
    )
    suffix = f"/2026/CN-HCTĐ-{tree.hoan_kiem.pk}"
    assert (a.certificate_no, b.certificate_no) == (f"1{suffix}", f"2{suffix}")
    assert a.certificate_expires_on == dt.date(2028, 3, 3)
    assert AuditEvent.objects.filter(changes__has_key="certificate_no").count() == 2


def test_a_certificate_numbered_twice_is_refused_with_the_holder_named(course, people):
    officer = actor(people.hn_officer)
    services.certificate_issue(
        actor=officer,
        participant=passed(people.hn_officer, course.course, course.hoa),
        number="12/2026/CN-HCTĐ",
    )
    second = passed(people.hn_officer, course.course, course.minh)
    with pytest.raises(ApplicationError) as caught:
        services.certificate_issue(actor=officer, participant=second, number=" 12/2026/CN-HCTĐ ")
    assert "đã cấp cho Trần Thị Hoa" in caught.value.message
    assert "không cấp trùng số" in caught.value.message
    assert Participant.objects.get(pk=second.pk).certificate_no == ""


def test_only_a_passed_participant_gets_a_certificate_and_only_once(course, people):
    officer = actor(people.hn_officer)
    p = services.participant_add(actor=officer, course=course.course, person=course.hoa)
    with pytest.raises(ApplicationError, match="chưa được đánh giá «Đạt»"):
        services.certificate_issue(actor=officer, participant=p)
    p = passed(people.hn_officer, course.course, course.minh)
    services.certificate_issue(actor=officer, participant=p, issued_on=dt.date(2026, 3, 3))
    with pytest.raises(ApplicationError, match="đã được cấp chứng nhận số"):
        services.certificate_issue(actor=officer, participant=p)
    with pytest.raises(ApplicationError, match="không thể đổi kết quả"):
        services.participant_record(
            actor=officer, participant=p, attended_days=2, result="failed", score=None
        )


def test_a_user_without_edit_rights_writes_nothing(course, people, tree):
    outsider = make_person(people.outsider, tree.vinh_linh, "Hồ Văn Tư")
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.participant_add(
            actor=actor(people.outsider), course=course.course, person=outsider
        )
