"""API of sponsorships (mounted in nhandao/api.py): the same services and scoped selectors as the
pages. /api/v1/sponsorships: list, create, read, record or void a fulfilment, end;
/api/v1/beneficiaries/unsponsored: the active addresses still without a sponsor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from nhandao.beneficiaries import selectors as beneficiaries
from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.core.scoping import get_visible_or_404
from nhandao.orgs import selectors as orgs
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.permissions import can

from . import sponsorships as sp
from .models import Donation, Donor, SponsorshipFulfilment

router = Router(tags=["sponsorships"])

MAX_ID = 2**63 - 1
BIG = 10**18
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class SponsorshipOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    donor_id: int
    donor_name: str
    beneficiary_id: int
    beneficiary_name: str
    commitment: str
    goods: bool
    amount: int
    frequency: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    note: str
    periods_planned: int | None
    periods_due: int
    periods_covered: int
    periods_overdue: int
    expected: int
    given: int
    overdue: bool
    next_due_on: dt.date | None
    sponsor_path: str


class FulfilmentOut(Schema):
    id: int
    sponsorship_id: int
    given_on: dt.date
    amount: int
    description: str
    donation_id: int | None
    voided: bool
    void_reason: str


class SponsorshipDetailOut(SponsorshipOut):
    fulfilments: list[FulfilmentOut]


class SponsorshipIn(Schema):
    donor_id: int = Field(..., ge=1, le=MAX_ID)
    beneficiary_id: int = Field(..., ge=1, le=MAX_ID)
    commitment: str = Field(..., max_length=255)
    goods: bool = False
    amount: int = Field(..., ge=-BIG, le=BIG, description="Đồng, số nguyên dương")
    frequency: str = Field(..., max_length=10, description="once, monthly, quarterly, yearly")
    starts_on: dt.date
    ends_on: dt.date | None = None
    note: str = Field("", max_length=255)


class FulfilmentIn(Schema):
    given_on: dt.date
    amount: int = Field(..., ge=-BIG, le=BIG)
    description: str = Field("", max_length=255)
    donation_id: int | None = Field(None, ge=1, le=MAX_ID)


class FulfilmentVoidIn(Schema):
    reason: str = Field(..., max_length=255)


class EndIn(Schema):
    status: str = Field(..., max_length=10, description="ended (hoàn thành) hoặc cancelled (dừng)")
    on: dt.date
    reason: str = Field(..., max_length=255)


class UnsponsoredOut(Schema):
    id: int
    person_id: int
    full_name: str
    birth_year: int | None
    ward_code: int | None
    ward_name: str
    unit_id: int
    unit_name: str
    groups: list[str]


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


def _out(s: Any) -> SponsorshipOut:
    p = getattr(s, "progress", None) or sp.progress(s)
    return SponsorshipOut(**_fields(s, p))


def _fields(s: Any, p: sp.Progress) -> dict[str, Any]:
    return {
        "id": s.pk,
        "unit_id": s.unit_id,
        "unit_name": s.unit.name,
        "donor_id": s.donor_id,
        "donor_name": s.donor.name,
        "beneficiary_id": s.beneficiary_id,
        "beneficiary_name": s.beneficiary.person.full_name,
        "commitment": s.commitment,
        "goods": s.goods,
        "amount": s.amount,
        "frequency": s.frequency,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "status": s.status,
        "note": s.note,
        "periods_planned": p.periods_planned,
        "periods_due": p.periods_due,
        "periods_covered": p.periods_covered,
        "periods_overdue": p.periods_overdue,
        "expected": p.expected,
        "given": p.given,
        "overdue": p.overdue,
        "next_due_on": p.next_due_on,
        "sponsor_path": f"/cong-khai/bao-tro/{s.token}/",
    }


def _fulfilment_out(f: SponsorshipFulfilment) -> FulfilmentOut:
    return FulfilmentOut(
        id=f.pk,
        sponsorship_id=f.sponsorship_id,
        given_on=f.given_on,
        amount=f.amount,
        description=f.description,
        donation_id=f.donation_id,
        voided=f.voided,
        void_reason=f.void_reason,
    )


def _detail(user: Any, pk: int) -> SponsorshipDetailOut:
    s = sp.sponsorship_get(user=user, pk=pk)
    p = sp.progress(s)
    return SponsorshipDetailOut(
        **_fields(s, p), fulfilments=[_fulfilment_out(f) for f in sp.fulfilments_of(s)]
    )


@router.get(
    "/sponsorships",
    response={200: list[SponsorshipOut], **READ},
    summary="Danh sách gắn kết địa chỉ nhân đạo (lọc đơn vị, trạng thái, quá hạn, nhà tài trợ)",
)
@paginate(Pages, page_size=100)
def sponsorship_list(
    request: HttpRequest,
    unit: int | None = Query(None, ge=1, le=MAX_ID),
    status: str = Query("", max_length=10),
    overdue: bool = False,
    q: str = Query("", max_length=100),
    donor: int | None = Query(None, ge=1, le=MAX_ID),
) -> Any:
    user = _user(request)
    filters = sp.ListFilters(
        unit=orgs.unit_get(user=user, pk=unit) if unit else None,
        status=status,
        overdue=overdue,
        query=q,
    )
    qs = sp.sponsorship_list(user=user, filters=filters)
    if donor:
        qs = qs.filter(donor=get_visible_or_404(Donor.objects.all(), user, pk=donor))
    if overdue:
        return [_out(s) for s in sp.overdue_only(qs[:5000])]
    return PageSource(qs, lambda rows: [_out(s) for s in sp.with_progress(rows)])


@router.post(
    "/sponsorships",
    response={201: SponsorshipDetailOut, **WRITE},
    summary="Gắn nhà tài trợ với một địa chỉ nhân đạo (cam kết: nội dung, số tiền, tần suất)",
)
def sponsorship_create(request: HttpRequest, body: SponsorshipIn) -> Any:
    user = _user(request)
    beneficiary = beneficiaries.beneficiary_get(user=user, pk=body.beneficiary_id)
    donor = get_visible_or_404(Donor.objects.all(), user, pk=body.donor_id)
    s = sp.sponsorship_create(
        actor=user,
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=beneficiary,
            commitment=body.commitment,
            amount=body.amount,
            frequency=body.frequency,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            goods=body.goods,
            note=body.note,
        ),
    )
    return 201, _detail(user, s.pk)


@router.get(
    "/sponsorships/{sponsorship_id}",
    response={200: SponsorshipDetailOut, **READ},
    summary="Một gắn kết: cam kết, số kỳ đến hạn và đã trao, các lần thực hiện",
)
def sponsorship_get(request: HttpRequest, sponsorship_id: int) -> Any:
    return _detail(_user(request), sponsorship_id)


@router.post(
    "/sponsorships/{sponsorship_id}/fulfilments",
    response={201: FulfilmentOut, **WRITE},
    summary="Ghi một lần thực hiện cam kết (có thể gắn khoản ủng hộ chỉ định cho địa chỉ này)",
)
def sponsorship_fulfil(request: HttpRequest, sponsorship_id: int, body: FulfilmentIn) -> Any:
    user = _user(request)
    s = sp.sponsorship_get(user=user, pk=sponsorship_id)
    donation = None
    if body.donation_id:
        donation = Donation.objects.filter(pk=body.donation_id).first()
        if donation is None or not sp.eligible_donations(s).filter(pk=donation.pk).exists():
            raise ApplicationError(
                _("Khoản ủng hộ này không phải của nhà tài trợ chỉ định cho địa chỉ này."),
                field="donation_id",
            )
    f = sp.fulfilment_record(
        actor=user,
        sponsorship=s,
        given_on=body.given_on,
        amount=body.amount,
        description=body.description,
        donation=donation,
    )
    return 201, _fulfilment_out(f)


@router.post(
    "/sponsorships/{sponsorship_id}/fulfilments/{fulfilment_id}/void",
    response={200: FulfilmentOut, **WRITE},
    summary="Hủy một lần thực hiện ghi nhầm (giữ lại, có lý do)",
)
def sponsorship_fulfilment_void(
    request: HttpRequest, sponsorship_id: int, fulfilment_id: int, body: FulfilmentVoidIn
) -> Any:
    user = _user(request)
    s = sp.sponsorship_get(user=user, pk=sponsorship_id)
    found = (
        SponsorshipFulfilment.objects.filter(sponsorship=s, pk=fulfilment_id).first()
        if 0 < fulfilment_id <= MAX_ID
        else None
    )
    if found is None:
        raise Http404
    f = found
    return 200, _fulfilment_out(sp.fulfilment_void(actor=user, fulfilment=f, reason=body.reason))


@router.post(
    "/sponsorships/{sponsorship_id}/end",
    response={200: SponsorshipOut, **WRITE},
    summary="Kết thúc (ended) hoặc dừng (cancelled) một cam kết, có ngày và lý do",
)
def sponsorship_end(request: HttpRequest, sponsorship_id: int, body: EndIn) -> Any:
    user = _user(request)
    s = sp.sponsorship_get(user=user, pk=sponsorship_id)
    sp.sponsorship_end(
        actor=user, sponsorship=s, status=body.status, on=body.on, reason=body.reason
    )
    return 200, _out(sp.sponsorship_get(user=user, pk=s.pk))


@router.get(
    "/beneficiaries/unsponsored",
    response={200: list[UnsponsoredOut], **READ},
    summary="Địa chỉ nhân đạo đang hỗ trợ chưa có nhà tài trợ gắn kết",
)
@paginate(Pages, page_size=100)
def beneficiary_unsponsored(
    request: HttpRequest,
    unit: int | None = Query(None, ge=1, le=MAX_ID),
    group: str = Query("", max_length=30),
) -> Any:
    user = _user(request)
    chosen = orgs.unit_get(user=user, pk=unit) if unit else None
    ids = sp.unsponsored_ids(user=user, unit=chosen, group=group)

    def convert(page: list[Any]) -> list[UnsponsoredOut]:
        rows = sp.unsponsored_rows(page)
        return [
            UnsponsoredOut(
                id=b.pk,
                person_id=b.person_id,
                full_name=b.person.full_name,
                birth_year=b.person.birth_date.year if b.person.birth_date else None,
                ward_code=b.person.ward_id,
                ward_name=b.person.ward.name if b.person.ward is not None else "",
                unit_id=b.unit_id,
                unit_name=b.unit.name,
                groups=[
                    m.group.name
                    for m in b.memberships.all()
                    if not m.group.sensitive or can(user, "pii.view", b.unit)
                ],
            )
            for b in rows
        ]

    return PageSource(ids, convert)
