"""Every write of training: plans, courses, participants (added from the person registry),
attendance and results, and numbered certificates. Each is atomic and audited.

A certificate number is unique across the country (the database refuses a second one). The
numbers a unit gives run per year: "12/2026/CN-HCTĐ-HN" is the twelfth certificate the unit "HN"
issued in 2026 (units without a short code use their number in the tree)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record, diff
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can

from .models import Course, Participant, Result, Topic, TrainingPlan

FIRST_AID_VALID_MONTHS = 24
CERTIFICATE_MARK = "CN-HCTĐ"
A = AuditEvent.Action
_LEADING_NUMBER = re.compile(r"^(\d{1,9})/")


def _check_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi dữ liệu của đơn vị «%s».") % unit.name)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of a shorter month when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- plans -----------------------------------------------------------------------------------


def plan_create(*, actor: Any, unit: Any, year: int, title: str, note: str = "") -> TrainingPlan:
    _check_edit(actor, unit)
    title = title.strip()
    if not title:
        raise ApplicationError(_("Chưa ghi tên kế hoạch."), field="title")
    if not 1990 <= year <= 2100:
        raise ApplicationError(_("Năm %(y)s không hợp lệ.") % {"y": year}, field="year")
    if TrainingPlan.objects.filter(unit=unit, year=year, title=title).exists():
        raise ApplicationError(
            _("Đơn vị đã có kế hoạch «%(t)s» năm %(y)s.") % {"t": title, "y": year}, field="title"
        )
    with transaction.atomic():
        plan = TrainingPlan.objects.create(unit=unit, year=year, title=title, note=note)
        audit_record(
            actor=actor,
            action=A.CREATE,
            obj=plan,
            unit_path=unit.path,
            changes={"year": year, "title": title},
        )
    return plan


# --- courses ---------------------------------------------------------------------------------


@dataclass
class CourseData:
    topic: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    place: str = ""
    trainers: str = ""
    certificate_valid_months: int | None = None  # None: 24 for first aid, else no expiry
    plan: TrainingPlan | None = None


def _check_course(unit: Any, data: CourseData) -> int:
    if data.topic not in Topic.values:
        raise ApplicationError(
            _("Chủ đề «%s» không có trong danh mục.") % data.topic, field="topic"
        )
    if not data.title.strip():
        raise ApplicationError(_("Chưa ghi tên lớp."), field="title")
    if data.ends_on < data.starts_on:
        raise ApplicationError(
            _("Ngày kết thúc (%(e)s) trước ngày bắt đầu (%(s)s).")
            % {"e": data.ends_on.strftime("%d/%m/%Y"), "s": data.starts_on.strftime("%d/%m/%Y")},
            field="ends_on",
        )
    if data.plan is not None and data.plan.unit_id != unit.pk:
        raise ApplicationError(_("Kế hoạch này thuộc đơn vị khác."), field="plan")
    months = data.certificate_valid_months
    if months is None:
        months = FIRST_AID_VALID_MONTHS if data.topic == Topic.FIRST_AID else 0
    if not 0 <= months <= 240:
        raise ApplicationError(
            _("Thời hạn chứng nhận phải từ 0 đến 240 tháng."), field="certificate_valid_months"
        )
    return months


def course_create(*, actor: Any, unit: Any, data: CourseData) -> Course:
    _check_edit(actor, unit)
    months = _check_course(unit, data)
    with transaction.atomic():
        course = Course.objects.create(
            unit=unit,
            plan=data.plan,
            topic=data.topic,
            title=data.title.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            place=data.place.strip(),
            trainers=data.trainers.strip(),
            certificate_valid_months=months,
        )
        audit_record(
            actor=actor,
            action=A.CREATE,
            obj=course,
            unit_path=unit.path,
            changes={"topic": data.topic, "starts_on": data.starts_on, "ends_on": data.ends_on},
        )
    return course


# --- participants ----------------------------------------------------------------------------


def participant_add(*, actor: Any, course: Course, person: Any) -> Participant:
    """Enrol a person of the registry (the caller fetched them through the user's scope)."""
    _check_edit(actor, course.unit)
    if getattr(person, "merged_into_id", None):
        raise ApplicationError(_("Hồ sơ này đã được gộp vào hồ sơ khác; hãy chọn hồ sơ còn lại."))
    if Participant.objects.filter(course=course, person=person).exists():
        raise ApplicationError(
            _("%(name)s đã có trong danh sách lớp «%(c)s».")
            % {"name": person.full_name, "c": course.title}
        )
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                course=course, person=person, unit=course.unit, recorded_by=actor
            )
            audit_record(
                actor=actor,
                action=A.CREATE,
                obj=participant,
                unit_path=course.unit.path,
                changes={"course": course.title, "person": person.full_name},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("%(name)s đã có trong danh sách lớp «%(c)s».")
            % {"name": person.full_name, "c": course.title}
        ) from exc
    return participant


def course_days(course: Course) -> int:
    return (course.ends_on - course.starts_on).days + 1


def participant_record(
    *,
    actor: Any,
    participant: Participant,
    attended_days: int,
    result: str,
    score: Decimal | None,
) -> Participant:
    """Attendance (days attended) and the result (passed or failed, with a score out of 10)."""
    course = participant.course
    _check_edit(actor, course.unit)
    days = course_days(course)
    if not 0 <= attended_days <= days:
        raise ApplicationError(
            _("Số buổi tham dự phải từ 0 đến %(n)d (lớp học %(n)d ngày).") % {"n": days},
            field="attended_days",
        )
    if result not in Result.values:
        raise ApplicationError(_("Kết quả «%s» không hợp lệ.") % result, field="result")
    if score is not None and not Decimal(0) <= score <= Decimal(10):
        raise ApplicationError(_("Điểm phải từ 0 đến 10."), field="score")
    if result == Result.PASSED and attended_days == 0:
        raise ApplicationError(
            _("Học viên chưa tham dự buổi nào thì không thể đánh giá «Đạt»."), field="result"
        )
    if participant.certificate_no and result != Result.PASSED:
        raise ApplicationError(
            _("Đã cấp chứng nhận số %s: không thể đổi kết quả thành chưa đạt.")
            % participant.certificate_no,
            field="result",
        )
    old = {"attended_days": participant.attended_days, "result": participant.result}
    old["score"] = participant.score
    with transaction.atomic():
        participant.attended_days = attended_days
        participant.result = result
        participant.score = score
        participant.recorded_by = actor
        participant.save(update_fields=["attended_days", "result", "score", "recorded_by"])
        new = {"attended_days": attended_days, "result": result, "score": score}
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=participant,
            unit_path=course.unit.path,
            changes=diff(old, new),
        )
    return participant


# --- certificates ----------------------------------------------------------------------------


def certificate_suffix(unit: Any, year: int) -> str:
    code = unit.short_code or str(unit.pk)
    return f"/{year}/{CERTIFICATE_MARK}-{code}"


def next_certificate_no(unit: Any, year: int) -> str:
    """The next number of the unit's yearly sequence (the highest given so far, plus one)."""
    suffix = certificate_suffix(unit, year)
    numbers = Participant.objects.filter(certificate_no__endswith=suffix).values_list(
        "certificate_no", flat=True
    )
    highest = 0
    for number in numbers:
        match = _LEADING_NUMBER.match(number)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{highest + 1}{suffix}"


def _taken_message(number: str) -> str:
    holder = (
        Participant.objects.filter(certificate_no=number).select_related("person", "course").first()
    )
    if holder is None:
        return _("Số chứng nhận «%s» đã được cấp.") % number
    return _("Số chứng nhận «%(no)s» đã cấp cho %(name)s (lớp «%(c)s»): không cấp trùng số.") % {
        "no": number,
        "name": holder.person.full_name,
        "c": holder.course.title,
    }


def certificate_issue(
    *, actor: Any, participant: Participant, issued_on: dt.date | None = None, number: str = ""
) -> Participant:
    """Give a passed participant a certificate: the number typed, or the unit's next number.
    Its expiry follows the course's validity (none when the validity is 0)."""
    course = participant.course
    _check_edit(actor, course.unit)
    if participant.result != Result.PASSED:
        raise ApplicationError(
            _("%s chưa được đánh giá «Đạt»: chưa thể cấp chứng nhận.")
            % participant.person.full_name
        )
    if participant.certificate_no:
        raise ApplicationError(
            _("%(name)s đã được cấp chứng nhận số %(no)s.")
            % {"name": participant.person.full_name, "no": participant.certificate_no}
        )
    issued_on = issued_on or timezone.localdate()
    if issued_on < course.starts_on:
        raise ApplicationError(
            _("Ngày cấp (%(d)s) trước ngày khai giảng lớp (%(s)s).")
            % {"d": issued_on.strftime("%d/%m/%Y"), "s": course.starts_on.strftime("%d/%m/%Y")},
            field="issued_on",
        )
    number = " ".join(number.split())
    if len(number) > 40:
        raise ApplicationError(_("Số chứng nhận dài quá 40 ký tự."), field="number")
    typed = bool(number)
    expires = (
        add_months(issued_on, course.certificate_valid_months)
        if course.certificate_valid_months
        else None
    )
    for _attempt in range(5):
        candidate = number if typed else next_certificate_no(course.unit, issued_on.year)
        if Participant.objects.filter(certificate_no=candidate).exists():
            if typed:
                raise ApplicationError(_taken_message(candidate), field="number")
            continue
        try:
            with transaction.atomic():
                # The row locked: a second desk issuing for the same person waits, then sees
                # the number the first one gave.
                locked = Participant.objects.select_for_update().get(pk=participant.pk)
                if locked.certificate_no:
                    raise ApplicationError(
                        _("%(name)s đã được cấp chứng nhận số %(no)s.")
                        % {"name": participant.person.full_name, "no": locked.certificate_no}
                    )
                locked.certificate_no = candidate
                locked.certificate_issued_on = issued_on
                locked.certificate_expires_on = expires
                locked.save(
                    update_fields=[
                        "certificate_no",
                        "certificate_issued_on",
                        "certificate_expires_on",
                    ]
                )
                audit_record(
                    actor=actor,
                    action=A.UPDATE,
                    obj=locked,
                    unit_path=course.unit.path,
                    changes={"certificate_no": ["", candidate], "issued_on": [None, issued_on]},
                )
        except IntegrityError as exc:
            if typed:
                raise ApplicationError(_taken_message(candidate), field="number") from exc
            continue  # another desk took this number of the sequence at the same moment
        participant.certificate_no = candidate
        participant.certificate_issued_on = issued_on
        participant.certificate_expires_on = expires
        return participant
    raise ApplicationError(_("Không lấy được số chứng nhận; hãy thử lại."))
