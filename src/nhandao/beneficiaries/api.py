"""JSON API of the humanitarian-address registry: list/search, read, create, update, match."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

import nhandao.core.converters  # noqa: F401  (the signedid path converter)
from nhandao.core.errors import ApplicationError
from nhandao.core.masking import mask_id, mask_phone
from nhandao.core.pagination import PageSource
from nhandao.core.signals import client_ip
from nhandao.orgs.api import ERRORS, ErrorOut, Pages
from nhandao.orgs.permissions import can
from nhandao.people import selectors as people_selectors
from nhandao.people import services as people

from . import selectors, services
from .models import Beneficiary

router = Router(tags=["beneficiaries"])
READ_ERRORS = {**ERRORS, 403: ErrorOut}


def _reader(request: HttpRequest) -> Any:
    """The caller, if they may read business data (403 otherwise, as elsewhere in the API)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


def _served(request: HttpRequest, user: Any, b: Beneficiary) -> BeneficiaryOut:
    """One record as answered to a write: its unmasked sensitive data, if any, is logged."""
    if can(user, "pii.view", b.unit) and selectors.holds_sensitive(b, shown=selectors.API_SHOWS):
        services.record_sensitive_view(
            actor=user,
            beneficiary=b,
            ip=client_ip(request),
            what=f"{request.method} {request.path}",
        )
    return _out(b, user)


class GroupOut(Schema):
    code: str
    name: str
    year: int | None
    standard: str


class BeneficiaryOut(Schema):
    id: int
    person_id: int
    unit_id: int
    full_name: str
    birth: str
    birth_precision: str
    sex: str
    id_number: str
    phone: str
    ward_code: int | None
    address_detail: str
    source_ref: str
    groups: list[GroupOut]
    status: str
    verification: str
    circumstances: str | None
    masked: bool


class GroupIn(Schema):
    code: str
    year: int | None = None
    standard: str = ""


class BeneficiaryIn(Schema):
    full_name: str = Field(..., max_length=200)
    birth: str = Field("", max_length=20)
    sex: str = Field("", max_length=6)
    id_number: str = Field("", max_length=20)
    legacy_id: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    ward_code: int | None = Field(None, ge=1, le=2_000_000)
    address_detail: str = Field("", max_length=255)
    source_ref: str = Field("", max_length=120)
    groups: list[GroupIn] = Field(default_factory=list, max_length=20)
    circumstances: str = Field("", max_length=5000)
    status: str = "active"
    confirm_warnings: bool = False


class WarningsOut(Schema):
    detail: str
    warnings: list[str]


class MatchOut(Schema):
    person_id: int
    beneficiary_id: int | None
    full_name: str
    birth: str
    unit_name: str
    score: float
    reasons: list[str]


class MatchesOut(Schema):
    matches: list[MatchOut]
    outside_scope: int


def _out(b: Beneficiary, user: Any) -> BeneficiaryOut:
    p = b.person
    show = can(user, "pii.view", b.unit)
    return BeneficiaryOut(
        id=b.pk,
        person_id=p.pk,
        unit_id=b.unit_id,
        full_name=p.full_name,
        birth=p.birth_display,
        birth_precision=p.birth_precision,
        sex=p.sex,
        id_number=p.id_number if show else mask_id(p.id_number),
        phone=p.phone if show else mask_phone(p.phone),
        ward_code=p.ward_id,
        address_detail=p.address_detail,
        source_ref=p.source_ref,
        groups=[
            GroupOut(code=m.group_id, name=m.group.name, year=m.year, standard=m.standard)
            for m in b.memberships.all()
            if show or not m.group.sensitive
        ],
        status=b.status,
        verification=b.verification,
        circumstances=b.circumstances if show else None,
        masked=not show,
    )


def _person(body: BeneficiaryIn) -> people.PersonData:
    return people.PersonData(
        full_name=body.full_name,
        birth=body.birth or None,
        sex=body.sex,
        id_number=body.id_number,
        legacy_id=body.legacy_id,
        phone=body.phone,
        ward_id=body.ward_code,
        address_detail=body.address_detail,
        source_ref=body.source_ref,
    )


def _profile(body: BeneficiaryIn) -> services.ProfileData:
    return services.ProfileData(
        groups=[services.GroupEntry(g.code, g.year, g.standard) for g in body.groups],
        circumstances=body.circumstances,
        status=body.status,
    )


def _warnings(body: BeneficiaryIn) -> list[str]:
    return [] if body.confirm_warnings else people.person_check(_person(body)).warnings


@router.get(
    "/beneficiaries",
    response={200: list[BeneficiaryOut], **READ_ERRORS},
    summary="Danh sách địa chỉ nhân đạo (tìm theo tên, CCCD, điện thoại; lọc)",
)
@paginate(Pages, page_size=100)
def beneficiary_list(
    request: HttpRequest,
    q: str = "",
    ward: int | None = Query(None, ge=1, le=2_000_000),
    group: str = "",
    status: str = "",
    verification: str = "",
) -> Any:
    user = _reader(request)
    if not selectors.group_filter_allowed(user=user, code=group):
        raise HttpError(403, str(selectors.SENSITIVE_GROUP_FILTER))
    filters = selectors.Filters(
        query=q[:100], ward=ward, group=group, status=status, verification=verification
    )
    qs = selectors.beneficiary_list(user=user, filters=filters)

    def page(rows: list[Beneficiary]) -> list[BeneficiaryOut]:
        # One event per page served with unmasked sensitive data: how many, which filters.
        if any(
            can(user, "pii.view", b.unit)
            and selectors.holds_sensitive(b, shown=selectors.API_SHOWS)
            for b in rows
        ):
            assignment = getattr(user, "active_assignment", None)
            services.record_sensitive_list_view(
                actor=user,
                unit_path=assignment.unit.path if assignment else "",
                what=f"{request.method} {request.path}",
                records=len(rows),
                filters={
                    **selectors.filters_summary(filters),
                    "page": request.GET.get("page", "1")[:6],
                },
                ip=client_ip(request),
            )
        return [_out(b, user) for b in rows]

    return PageSource(qs, page)


@router.get(
    "/beneficiaries/{signedid:beneficiary_id}",
    response={200: BeneficiaryOut, **READ_ERRORS},
    summary="Một địa chỉ nhân đạo",
)
def beneficiary_detail(request: HttpRequest, beneficiary_id: int) -> Any:
    user = _reader(request)
    b = selectors.beneficiary_get(user=user, pk=beneficiary_id)
    if can(user, "pii.view", b.unit):
        services.record_sensitive_view(actor=user, beneficiary=b, ip=client_ip(request))
    return _out(b, user)


@router.post(
    "/beneficiaries",
    response={201: BeneficiaryOut, 400: ErrorOut, 401: ErrorOut, 409: WarningsOut},
    summary="Ghi địa chỉ nhân đạo mới (tại đơn vị của khóa API)",
)
def beneficiary_create(request: HttpRequest, body: BeneficiaryIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise ApplicationError("Khóa API chưa gắn với đơn vị nào.")
    warnings = _warnings(body)
    if warnings:
        return 409, WarningsOut(
            detail="Cần xác nhận cảnh báo (confirm_warnings=true).", warnings=warnings
        )
    b = services.beneficiary_register(
        actor=user, unit=assignment.unit, person=_person(body), profile=_profile(body)
    )
    return 201, _served(request, user, selectors.beneficiary_get(user=user, pk=b.pk))


@router.put(
    "/beneficiaries/{signedid:beneficiary_id}",
    response={200: BeneficiaryOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: WarningsOut},
    summary="Sửa địa chỉ nhân đạo",
)
def beneficiary_update(request: HttpRequest, beneficiary_id: int, body: BeneficiaryIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    b = selectors.beneficiary_get(user=user, pk=beneficiary_id)
    warnings = _warnings(body)
    if warnings:
        return 409, WarningsOut(
            detail="Cần xác nhận cảnh báo (confirm_warnings=true).", warnings=warnings
        )
    services.beneficiary_update(
        actor=user, beneficiary=b, person=_person(body), profile=_profile(body)
    )
    return 200, _served(request, user, selectors.beneficiary_get(user=user, pk=b.pk))


class DraftIn(Schema):
    full_name: str = Field(..., max_length=200)
    birth: str = Field("", max_length=20)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    ward_code: int | None = Field(None, ge=1, le=2_000_000)


@router.post(
    "/people/match",
    response={200: MatchesOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Kiểm tra trùng: hồ sơ đã có giống người đang nhập",
)
def person_match(request: HttpRequest, body: DraftIn) -> Any:
    """For the data-entry forms: only for users who may enter data."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.edit"):
        raise HttpError(403, _("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    checked = people.person_check(
        people.PersonData(
            full_name=body.full_name,
            birth=body.birth or None,
            id_number=body.id_number,
            phone=body.phone,
            ward_id=body.ward_code,
        )
    )
    result = people_selectors.person_matches(user=user, values=checked.values)
    return MatchesOut(
        outside_scope=result.outside_scope,
        matches=[
            MatchOut(
                person_id=m.person.pk,
                beneficiary_id=getattr(getattr(m.person, "beneficiary", None), "pk", None),
                full_name=m.person.full_name,
                birth=m.person.birth_display,
                unit_name=m.person.unit.name,
                score=round(m.score, 3),
                reasons=m.reasons,
            )
            for m in result.matches
        ],
    )
