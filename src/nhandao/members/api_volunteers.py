"""The API of volunteers and staff under /api/v1/: the same services and scoped selectors as the
pages. Staff insurance numbers and salary grades are masked without ``pii.view``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from nhandao.campaigns import selectors as campaigns
from nhandao.core.masking import mask_id
from nhandao.orgs import selectors as orgs
from nhandao.orgs.api import ErrorOut
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from . import selectors_volunteers as selectors
from . import staff, volunteers
from .models import VolunteerKind

router = Router(tags=["volunteers"])
MAX_ID = 2**63 - 1
PAGE_MAX = 500


def _no_nul(value: Any) -> Any:
    """NUL and other control characters never reach the database (PostgreSQL refuses NUL)."""
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n")
    if isinstance(value, list):
        return [_no_nul(v) for v in value]
    return value


class CleanText(Schema):
    @field_validator("*", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return _no_nul(value)


class VolunteerOut(Schema):
    id: int
    person_id: int
    full_name: str
    birth: str
    unit_id: int
    kind: str
    skills: list[str]
    availability: str
    rank: str
    joined_on: dt.date
    left_on: dt.date | None
    active: bool | None


class VolunteerIn(CleanText):
    full_name: str = Field(..., max_length=150)
    birth: str = Field(..., max_length=10)
    sex: str = Field("", max_length=6)
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=20)
    address_detail: str = Field("", max_length=255)
    kind: str = Field(VolunteerKind.VOLUNTEER, max_length=12)
    skills: list[str] = Field(default_factory=list, max_length=50)
    availability: str = Field("", max_length=255)
    rank: str = Field("", max_length=60)
    joined_on: dt.date | None = None
    person_id: int | None = Field(None, ge=1, le=MAX_ID, description="Hồ sơ có sẵn (đã kiểm trùng)")


class HoursIn(CleanText):
    served_on: dt.date
    hours: float = Field(..., gt=0, le=24)
    activity: str = Field(..., max_length=255)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)


class HoursOut(Schema):
    id: int
    volunteer_id: int
    served_on: dt.date
    hours: Decimal
    activity: str
    campaign_id: int | None


class StaffOut(Schema):
    id: int
    person_id: int
    full_name: str
    unit_id: int
    position: str
    employment: str
    basis: str
    term_from: dt.date
    term_to: dt.date | None
    education: str
    political_theory: str
    state_management: str
    insurance_no: str
    salary_grade: str


class ListFilters(CleanText):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=100)
    kind: str = Field("", max_length=12)
    skill: str = Field("", max_length=30)
    active: str = Field("", max_length=4)
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=PAGE_MAX)


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, "Không có quyền.")
    return user


def _home(user: Any) -> Any:
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise HttpError(403, "Không có quyền.")
    return assignment.unit


def volunteer_out(v: Any, active: bool | None) -> VolunteerOut:
    return VolunteerOut(
        id=v.pk,
        person_id=v.person_id,
        full_name=v.person.full_name,
        birth=v.person.birth_display,
        unit_id=v.unit_id,
        kind=v.kind,
        skills=sorted(s.code for s in v.skills.all()),
        availability=v.availability,
        rank=v.rank,
        joined_on=v.joined_on,
        left_on=v.left_on,
        active=active,
    )


@router.get(
    "/volunteers",
    response={200: list[VolunteerOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Danh sách tình nguyện viên, cộng tác viên (lọc theo đơn vị, loại, kỹ năng, tích cực)",
)
def volunteer_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    user = _user(request)
    unit = orgs.unit_get(user=user, pk=filters.unit_id) if filters.unit_id else _home(user)
    f = selectors.Filters(
        query=filters.q, kind=filters.kind, skill=filters.skill, active=filters.active
    )
    qs = selectors.volunteer_list(user=user, unit=unit, filters=f).prefetch_related("skills")
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    flags = selectors.active_flags(rows)
    return [volunteer_out(v, flags.get(v.pk)) for v in rows]


@router.get(
    "/volunteers/{volunteer_id}",
    response={200: VolunteerOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Một tình nguyện viên",
)
def volunteer_read(request: HttpRequest, volunteer_id: int) -> Any:
    user = _user(request)
    v = selectors.volunteer_get(user=user, pk=volunteer_id)
    return volunteer_out(v, selectors.active_flags([v]).get(v.pk))


@router.post(
    "/volunteers",
    response={201: VolunteerOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Đăng ký tình nguyện viên, cộng tác viên (người mới hoặc hồ sơ có sẵn)",
)
def volunteer_create(request: HttpRequest, body: VolunteerIn) -> Any:
    user = _user(request)
    unit = _home(user)
    person: Any = people.PersonData(
        full_name=body.full_name,
        birth=body.birth,
        sex=body.sex,
        phone=body.phone,
        id_number=body.id_number,
        address_detail=body.address_detail,
    )
    if body.person_id:
        from nhandao.people import selectors as people_selectors

        person = people_selectors.person_get(user=user, pk=body.person_id)
    data = volunteers.VolunteerData(
        kind=body.kind,
        skills=body.skills,
        availability=body.availability,
        rank=body.rank,
        joined_on=body.joined_on,
    )
    v = volunteers.volunteer_register(actor=user, unit=unit, person=person, data=data)
    v = selectors.volunteer_get(user=user, pk=v.pk)
    return Status(201, volunteer_out(v, selectors.active_flags([v]).get(v.pk)))


@router.post(
    "/volunteers/{volunteer_id}/hours",
    response={201: HoursOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Ghi giờ tình nguyện (0 < số giờ ≤ 24, không ở tương lai)",
)
def volunteer_hours(request: HttpRequest, volunteer_id: int, body: HoursIn) -> Any:
    user = _user(request)
    v = selectors.volunteer_get(user=user, pk=volunteer_id)
    campaign = campaigns.campaign_get(user=user, pk=body.campaign_id) if body.campaign_id else None
    entry = volunteers.hours_log(
        actor=user,
        volunteer=v,
        served_on=body.served_on,
        hours=str(body.hours),
        activity=body.activity,
        campaign=campaign,
    )
    return Status(
        201,
        HoursOut(
            id=entry.pk,
            volunteer_id=v.pk,
            served_on=entry.served_on,
            hours=entry.hours,
            activity=entry.activity,
            campaign_id=entry.campaign_id,
        ),
    )


class StaffFilters(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    current: bool = False
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(100, ge=1, le=PAGE_MAX)


@router.get(
    "/staff",
    response={200: list[StaffOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Danh sách cán bộ Hội của một đơn vị (số BHXH, ngạch lương che nếu không có quyền)",
)
def staff_list(request: HttpRequest, filters: Query[StaffFilters]) -> Any:
    user = _user(request)
    unit = orgs.unit_get(user=user, pk=filters.unit_id) if filters.unit_id else _home(user)
    current = timezone.localdate() if filters.current else None
    qs = selectors.staff_list(user=user, unit=unit, current_on=current)
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    show = can(user, "pii.view", unit)
    if show and rows:
        staff.staff_sensitive_viewed(actor=user, unit=unit, ip=None, what="API /staff")
    return [
        StaffOut(
            id=s.pk,
            person_id=s.person_id,
            full_name=s.person.full_name,
            unit_id=s.unit_id,
            position=s.position,
            employment=s.employment,
            basis=s.basis,
            term_from=s.term_from,
            term_to=s.term_to,
            education=s.education,
            political_theory=s.political_theory,
            state_management=s.state_management,
            insurance_no=s.insurance_no if show else mask_id(s.insurance_no),
            salary_grade=s.salary_grade if show else ("***" if s.salary_grade else ""),
        )
        for s in rows
    ]
