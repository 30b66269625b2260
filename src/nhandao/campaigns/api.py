"""The API of this app under /api/v1/: the same services and scoped selectors as the pages.

Campaigns, their coverage and uncovered list, targets, and the aid recorded in them. Every object
named in a path or a body goes through a scoped getter: out of scope answers 404, as missing.
A valid body naming an out-of-scope campaign, person or unit answers 404.

Reading needs ``data.view`` (403 otherwise), with two exceptions: the campaigns themselves and
their coverage counts (no person in them) are also open to ``report.view`` holders, as the
campaign reports are; the aid recorded in a campaign is also open to a partner organisation's
login, which sees and records only its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from nhandao.aid import selectors as aid_selectors
from nhandao.aid import services as aid
from nhandao.aid.api import AidOut, aid_out
from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.permissions import can
from nhandao.orgs.selectors import unit_get
from nhandao.people.selectors import person_get

from . import selectors, services
from .models import Campaign

router = Router(tags=["campaigns"])

MAX_VND = 10**15
MAX_ID = 2**63 - 1
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class CampaignOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    kind: str
    name: str
    theme: str
    area: str
    year: int
    lunar_year: int | None
    starts_on: dt.date
    ends_on: dt.date
    peak_from: dt.date | None
    peak_to: dt.date | None
    groups: list[str]
    gift_rule: str
    min_gift_value: int
    description: str
    status: str
    launched_at: dt.datetime | None
    frozen_at: dt.datetime | None


class CampaignIn(Schema):
    kind: str = Field(..., max_length=20)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    year: int | None = Field(None, ge=1900, le=2199)
    lunar_year: int | None = Field(None, ge=1900, le=2199)
    name: str = Field("", max_length=255)
    theme: str = Field("", max_length=255)
    area: str = Field("", max_length=12)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    peak_from: dt.date | None = None
    peak_to: dt.date | None = None
    groups: list[str] = Field(default_factory=list, max_length=30)
    gift_rule: str = Field("household", max_length=10)
    min_gift_value: int = Field(0, ge=0, le=MAX_VND)
    description: str = Field("", max_length=5000)


class CoverageRowOut(Schema):
    unit_id: int
    unit_name: str
    own: bool
    eligible: int
    covered: int
    uncovered: int
    percent: float


class CoverageOut(Schema):
    campaign_id: int
    unit_id: int
    unit_name: str
    eligible: int
    covered: int
    uncovered: int
    percent: float
    rows: list[CoverageRowOut]


class UncoveredItemOut(Schema):
    person_id: int
    household_id: int | None
    full_name: str
    birth: str
    unit_id: int
    unit_name: str
    address: str


class UncoveredOut(Schema):
    total: int
    limit: int
    offset: int
    items: list[UncoveredItemOut]


class TargetOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    group: str | None
    metric: str
    value: int


class TargetRowIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    metric: str = Field(..., max_length=12)
    value: int = Field(..., ge=0, le=MAX_VND)
    group: str | None = Field(None, max_length=40)


class TargetSplitIn(Schema):
    metric: str = Field(..., max_length=12)
    total: int = Field(..., ge=0, le=MAX_VND)
    group: str | None = Field(None, max_length=40)


class TargetsIn(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)  # the parent unit (the campaign's default)
    rows: list[TargetRowIn] = Field(default_factory=list, max_length=500)
    split: TargetSplitIn | None = None


class AidIn(Schema):
    person_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field("gift", max_length=12)
    value: int = Field(..., ge=0, le=MAX_VND)
    given_on: dt.date | None = None
    source: str = Field("campaign", max_length=10)
    donor_name: str = Field("", max_length=255)
    description: str = Field("", max_length=255)
    acknowledgement: str = Field("", max_length=12)
    distribution_id: int | None = Field(None, ge=1, le=MAX_ID)
    override_reason: str = Field("", max_length=255)


def _out(c: Campaign) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        unit_id=c.unit_id,
        unit_name=c.unit.name,
        kind=c.kind,
        name=c.name,
        theme=c.theme,
        area=c.area,
        year=c.year,
        lunar_year=c.lunar_year,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        peak_from=c.peak_from,
        peak_to=c.peak_to,
        groups=sorted(g.code for g in c.groups.all()),
        gift_rule=c.gift_rule,
        min_gift_value=c.min_gift_value,
        description=c.description,
        status=c.status,
        launched_at=c.launched_at,
        frozen_at=c.frozen_at,
    )


def _deny() -> HttpError:
    return HttpError(403, _("Bạn không có quyền xem dữ liệu này."))


def _user(request: HttpRequest) -> Any:
    """The caller, if they may read business data (403 otherwise)."""
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise _deny()
    return user


def _report_reader(request: HttpRequest) -> Any:
    """The caller, if they may read business data or reports: for answers without any person
    (the campaigns, their coverage counts), as the campaign reports are open to both."""
    user = request.auth  # type: ignore[attr-defined]
    if not (can(user, "data.view") or can(user, "report.view")):
        raise _deny()
    return user


def _aid_user(request: HttpRequest) -> Any:
    """The caller, if they may read business data or are a partner organisation's login (which
    reads and records only its own aid, see ``aid.selectors`` and ``aid.services``)."""
    user = request.auth  # type: ignore[attr-defined]
    if can(user, "data.view"):
        return user
    if can(user, "aid.partner") and aid.partner_of(user) is not None:
        return user
    raise _deny()


def _own_unit(user: Any) -> Any:
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise ApplicationError(_("Khóa API chưa gắn với đơn vị nào."))
    return assignment.unit


def _page_unit(user: Any, campaign: Campaign, unit_id: int | None) -> Any:
    """The unit a coverage read is about: the one asked for (in scope, else 404), or the user's
    own unit narrowed to the campaign's area."""
    if unit_id is not None:
        return unit_get(user=user, pk=unit_id)
    return selectors.focus_unit(campaign=campaign, unit=_own_unit(user))


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], 401: ErrorOut, 403: ErrorOut},
    summary="Phong trào, cuộc vận động trong phạm vi (phát động ở đơn vị mình hoặc cấp trên)",
)
@paginate(Pages, page_size=100)
def campaign_list(
    request: HttpRequest,
    kind: str = Query("", max_length=20),
    status: str = Query("", max_length=10),
    year: int | None = Query(None, ge=1900, le=2199),
) -> Any:
    user = _report_reader(request)
    qs = selectors.campaign_list(user=user, kind=kind, status=status, year=year)
    return PageSource(qs.prefetch_related("groups"), lambda rows: [_out(c) for c in rows])


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, summary="Tạo phong trào")
def campaign_create(request: HttpRequest, body: CampaignIn) -> Any:
    user = _user(request)
    unit = unit_get(user=user, pk=body.unit_id) if body.unit_id else _own_unit(user)
    data = services.CampaignData(**body.model_dump(exclude={"unit_id"}))
    campaign = services.campaign_create(actor=user, unit=unit, data=data)
    return Status(201, _out(selectors.campaign_get(user=user, pk=campaign.pk)))


@router.get(
    "/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS}, summary="Một phong trào"
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> Any:
    return _out(selectors.campaign_get(user=_report_reader(request), pk=campaign_id))


@router.post(
    "/campaigns/{campaign_id}/launch",
    response={200: CampaignOut, **ERRORS},
    summary="Phát động phong trào (xuống các đơn vị cấp dưới)",
)
def campaign_launch(request: HttpRequest, campaign_id: int) -> Any:
    user = _user(request)
    campaign = selectors.campaign_get_owned(user=user, pk=campaign_id)
    services.campaign_launch(actor=user, campaign=campaign)
    return _out(selectors.campaign_get(user=user, pk=campaign.pk))


@router.get(
    "/campaigns/{campaign_id}/coverage",
    response={200: CoverageOut, **ERRORS},
    summary="Độ phủ: số hộ đủ điều kiện, đã nhận, chưa nhận theo từng đơn vị trực thuộc",
)
def campaign_coverage(
    request: HttpRequest, campaign_id: int, unit_id: int | None = Query(None, ge=1, le=MAX_ID)
) -> Any:
    user = _report_reader(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    unit = _page_unit(user, campaign, unit_id)
    cov = selectors.coverage(campaign=campaign, unit=unit)
    return CoverageOut(
        campaign_id=campaign.pk,
        unit_id=unit.pk,
        unit_name=unit.name,
        eligible=cov.eligible,
        covered=cov.covered,
        uncovered=cov.uncovered,
        percent=round(cov.percent, 1),
        rows=[
            CoverageRowOut(
                unit_id=r.unit.pk,
                unit_name=r.unit.name,
                own=r.own,
                eligible=r.eligible,
                covered=r.covered,
                uncovered=r.uncovered,
                percent=round(r.percent, 1),
            )
            for r in cov.rows
        ],
    )


@router.get(
    "/campaigns/{campaign_id}/uncovered",
    response={200: UncoveredOut, **ERRORS},
    summary="Danh sách hộ (người) đủ điều kiện chưa nhận hỗ trợ nào trong phong trào",
)
def campaign_uncovered(
    request: HttpRequest,
    campaign_id: int,
    unit_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> Any:
    user = _user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    unit = _page_unit(user, campaign, unit_id)
    page = selectors.uncovered_list(campaign=campaign, unit=unit, limit=limit, offset=offset)
    items = [
        UncoveredItemOut(
            person_id=p.pk,
            household_id=p.household_id,
            full_name=p.full_name,
            birth=p.birth_display,
            unit_id=p.unit_id,
            unit_name=p.unit.name,
            address=", ".join(x for x in (p.address_detail, p.ward.name if p.ward else "") if x),
        )
        for p in page.people
    ]
    return UncoveredOut(total=page.total, limit=limit, offset=offset, items=items)


def _target_out(t: Any) -> TargetOut:
    return TargetOut(
        id=t.pk,
        unit_id=t.unit_id,
        unit_name=t.unit.name,
        group=t.group_id,
        metric=t.metric,
        value=t.value,
    )


@router.get(
    "/campaigns/{campaign_id}/targets",
    response={200: list[TargetOut], **ERRORS},
    summary="Chỉ tiêu của một đơn vị và các đơn vị trực thuộc",
)
def target_list(
    request: HttpRequest, campaign_id: int, unit_id: int | None = Query(None, ge=1, le=MAX_ID)
) -> Any:
    user = _user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    unit = _page_unit(user, campaign, unit_id)
    return [_target_out(t) for t in selectors.target_list(campaign=campaign, unit=unit)[:2000]]


@router.post(
    "/campaigns/{campaign_id}/targets",
    response={200: list[TargetOut], **ERRORS},
    summary="Giao chỉ tiêu cho đơn vị và các đơn vị trực thuộc (nhập tay hoặc chia theo tỷ lệ)",
)
def target_set(request: HttpRequest, campaign_id: int, body: TargetsIn) -> Any:
    user = _user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    parent = unit_get(user=user, pk=body.unit_id) if body.unit_id else campaign.unit
    if body.split is not None:
        _check_groups([body.split.group])
        services.targets_split(
            actor=user,
            campaign=campaign,
            parent=parent,
            metric=body.split.metric,
            total=body.split.total,
            group=body.split.group or None,
        )
    elif body.rows:
        rows = [
            services.TargetRow(
                unit=unit_get(user=user, pk=r.unit_id),
                metric=r.metric,
                value=r.value,
                group=r.group or None,
            )
            for r in body.rows
        ]
        _check_groups([r.group for r in rows])
        services.targets_set(actor=user, campaign=campaign, parent=parent, rows=rows)
    else:
        raise ApplicationError(_("Chưa có chỉ tiêu nào (rows hoặc split)."))
    return [_target_out(t) for t in selectors.target_list(campaign=campaign, unit=parent)[:2000]]


def _check_groups(codes: list[str | None]) -> None:
    from nhandao.beneficiaries.selectors import group_list

    wanted = {c for c in codes if c}
    unknown = sorted(wanted - set(group_list().values_list("code", flat=True)))
    if unknown:
        raise ApplicationError(
            _("Không có đối tượng: %(codes)s.") % {"codes": ", ".join(unknown)}, field="group"
        )


@router.post(
    "/campaigns/{campaign_id}/aid",
    response={201: AidOut, **ERRORS, 409: ErrorOut},
    summary="Ghi nhận hỗ trợ cho một người (trùng suất: 409)",
)
def aid_record(request: HttpRequest, campaign_id: int, body: AidIn) -> Any:
    user = _aid_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    person = person_get(user=user, pk=body.person_id)
    distribution = (
        aid_selectors.distribution_get(user=user, pk=body.distribution_id)
        if body.distribution_id
        else None
    )
    data = aid.AidData(
        kind=body.kind,
        value=body.value,
        given_on=body.given_on,
        source=body.source,
        donor_name=body.donor_name,
        description=body.description,
        acknowledgement=body.acknowledgement,
        override_reason=body.override_reason,
    )
    try:
        record = aid.aid_record(
            actor=user, campaign=campaign, person=person, data=data, distribution=distribution
        )
    except ApplicationError as exc:
        if exc.extra.get("overlap"):
            return Status(409, {"detail": exc.message, "field": exc.field})
        raise
    return Status(201, aid_out(record))


@router.get(
    "/campaigns/{campaign_id}/aid",
    response={200: list[AidOut], **ERRORS},
    summary="Hỗ trợ đã ghi nhận trong phong trào (trong phạm vi; tổ chức phối hợp: của mình)",
)
@paginate(Pages, page_size=100)
def aid_list(
    request: HttpRequest,
    campaign_id: int,
    unit_id: int | None = Query(None, ge=1, le=MAX_ID),
    person_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> Any:
    user = _aid_user(request)
    campaign = selectors.campaign_get(user=user, pk=campaign_id)
    unit = unit_get(user=user, pk=unit_id) if unit_id else None
    qs = aid_selectors.aid_list(user=user, campaign=campaign, unit=unit)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return PageSource(qs, lambda rows: [aid_out(r) for r in rows])
