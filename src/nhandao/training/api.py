"""The API of this app under /api/v1/: the same services and scoped selectors as the pages.

Courses (list, open one, read one), their participants (list, add a person of the registry,
record attendance and result), certificates (issue, list by number or name) and the certificates
that expire soon."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.permissions import can
from nhandao.people import selectors as people

from . import selectors, services
from .models import Course, Participant, Topic

router = Router(tags=["training"])
MAX_ID = 2**63 - 1
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, **ERRORS}


class CourseOut(Schema):
    id: int
    unit_id: int
    plan_id: int | None
    topic: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    place: str
    trainers: str
    certificate_valid_months: int


class CourseIn(Schema):
    topic: str = Field(..., max_length=16)
    title: str = Field(..., max_length=255)
    starts_on: dt.date
    ends_on: dt.date
    place: str = Field("", max_length=255)
    trainers: str = Field("", max_length=255)
    certificate_valid_months: int | None = Field(None, ge=0, le=240)


class ParticipantOut(Schema):
    id: int
    course_id: int
    person_id: int
    full_name: str
    attended_days: int
    result: str
    score: Decimal | None
    certificate_no: str
    certificate_issued_on: dt.date | None
    certificate_expires_on: dt.date | None


class ParticipantIn(Schema):
    person_id: int = Field(..., ge=1, le=MAX_ID)


class RecordIn(Schema):
    attended_days: int = Field(..., ge=0, le=366)
    result: str = Field("", max_length=6)
    # A number in the schema (a Decimal with max_digits would answer an undocumented 422);
    # rounded to one decimal here, and the service answers 400 outside 0-10.
    score: float | None = Field(None, ge=-1000, le=1000)


class IssueIn(Schema):
    issued_on: dt.date | None = None
    number: str = Field("", max_length=40)


def _course(c: Course) -> dict[str, Any]:
    fields = ("id", "unit_id", "plan_id", "topic", "title", "starts_on", "ends_on", "place")
    out = {f: getattr(c, f) for f in fields}
    out.update(trainers=c.trainers, certificate_valid_months=c.certificate_valid_months)
    return out


def _participant(p: Participant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "course_id": p.course_id,
        "person_id": p.person_id,
        "full_name": p.person.full_name,
        "attended_days": p.attended_days,
        "result": p.result,
        "score": p.score,
        "certificate_no": p.certificate_no,
        "certificate_issued_on": p.certificate_issued_on,
        "certificate_expires_on": p.certificate_expires_on,
    }


def _user(request: HttpRequest) -> Any:
    """The caller, if they may read business data (403 otherwise, as elsewhere in the API);
    writes are checked again by the services (``data.edit`` at the course's unit)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


def _unit(user: Any) -> Any:
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise ApplicationError("Khóa API chưa gắn với đơn vị nào.")
    return assignment.unit


@router.get(
    "/training/courses",
    response={200: list[CourseOut], **ERRORS},
    summary="Danh sách lớp tập huấn (lọc theo năm, chủ đề)",
)
@paginate(Pages, page_size=100)
def course_list(
    request: HttpRequest, year: int | None = Query(None, ge=1990, le=2100), topic: str = ""
) -> Any:
    user = _user(request)
    filters = selectors.CourseFilters(year=year, topic=topic[:16])
    return PageSource(
        selectors.course_list(user=user, filters=filters), lambda rows: [_course(c) for c in rows]
    )


@router.post(
    "/training/courses",
    response={201: CourseOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Mở lớp tập huấn (tại đơn vị của khóa API)",
)
def course_create(request: HttpRequest, body: CourseIn) -> Any:
    user = _user(request)
    data = services.CourseData(**body.dict())
    return Status(201, _course(services.course_create(actor=user, unit=_unit(user), data=data)))


@router.get(
    "/training/courses/{course_id}", response={200: CourseOut, **ERRORS}, summary="Một lớp tập huấn"
)
def course_detail(request: HttpRequest, course_id: int) -> Any:
    user = _user(request)
    return _course(selectors.course_get(user=user, pk=course_id))


@router.get(
    "/training/courses/{course_id}/participants",
    response={200: list[ParticipantOut], **ERRORS},
    summary="Học viên của một lớp",
)
def participant_list(request: HttpRequest, course_id: int) -> Any:
    user = _user(request)
    course = selectors.course_get(user=user, pk=course_id)
    return [_participant(p) for p in selectors.course_participants(course=course)]


@router.post(
    "/training/courses/{course_id}/participants",
    response={201: ParticipantOut, **WRITE_ERRORS},
    summary="Thêm một người trong sổ người vào lớp",
)
def participant_add(request: HttpRequest, course_id: int, body: ParticipantIn) -> Any:
    user = _user(request)
    course = selectors.course_get(user=user, pk=course_id)
    person = people.person_get(user=user, pk=body.person_id)
    return Status(
        201, _participant(services.participant_add(actor=user, course=course, person=person))
    )


@router.post(
    "/training/participants/{participant_id}/result",
    response={200: ParticipantOut, **WRITE_ERRORS},
    summary="Ghi số buổi tham dự, kết quả và điểm",
)
def participant_record(request: HttpRequest, participant_id: int, body: RecordIn) -> Any:
    user = _user(request)
    p = selectors.participant_get(user=user, pk=participant_id)
    score = None if body.score is None else Decimal(str(round(body.score, 1)))
    p = services.participant_record(
        actor=user,
        participant=p,
        attended_days=body.attended_days,
        result=body.result,
        score=score,
    )
    return _participant(p)


@router.post(
    "/training/participants/{participant_id}/certificate",
    response={201: ParticipantOut, **WRITE_ERRORS},
    summary="Cấp chứng nhận (số tiếp theo của đơn vị nếu không ghi số)",
)
def certificate_issue(request: HttpRequest, participant_id: int, body: IssueIn) -> Any:
    user = _user(request)
    p = selectors.participant_get(user=user, pk=participant_id)
    p = services.certificate_issue(actor=user, participant=p, **body.dict())
    return Status(201, _participant(p))


@router.get(
    "/training/certificates",
    response={200: list[ParticipantOut], **ERRORS},
    summary="Chứng nhận đã cấp (tìm theo số hoặc họ tên)",
)
@paginate(Pages, page_size=100)
def certificate_list(request: HttpRequest, q: str = "") -> Any:
    user = _user(request)
    qs = selectors.certificate_list(user=user, query=q[:100])
    return PageSource(qs, lambda rows: [_participant(p) for p in rows])


@router.get(
    "/training/expiring",
    response={200: list[ParticipantOut], **ERRORS},
    summary="Chứng nhận hết hạn trong N ngày tới (mặc định: sơ cấp cứu, 90 ngày)",
)
@paginate(Pages, page_size=100)
def expiring_list(
    request: HttpRequest, days: int = Query(90, ge=1, le=3650), topic: str = Topic.FIRST_AID
) -> Any:
    user = _user(request)
    qs = selectors.expiring_list(
        user=user, unit=_unit(user), today=timezone.localdate(), days=days, topic=topic[:16]
    )
    return PageSource(qs, lambda rows: [_participant(p) for p in rows])
