"""API of donors, donations, receipts and pledges (mounted in nhandao/api.py under /api/v1/).

The same services and scoped selectors as the pages: a donor, donation or pledge out of the
user's scope answers 404 like a missing one; a broken rule answers 400 with its Vietnamese
message. Recording a donation names the fund by its code or id and the donor by id or by name.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from nhandao.core.audit import audited_filters
from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.core.signals import client_ip
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.permissions import can

from . import pledges as pledge_services
from . import privacy, receipts, services
from . import selectors_donations as sel
from .ledger import Earmark
from .models import Donation, Donor, Pledge

router = Router(tags=["donations"])

MAX_ID = 2**63 - 1
MAX_VND = 2**62
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class DonorIn(Schema):
    kind: str = Field(..., max_length=12, description="individual, organisation, business, …")
    name: str = Field("", max_length=255)
    tax_code: str = Field("", max_length=20)
    id_number: str = Field("", max_length=12)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=255)
    country: str = Field("", max_length=100)
    public_name: bool = True
    note: str = Field("", max_length=2000)


class DonorOut(Schema):
    id: int
    kind: str
    name: str
    tax_code: str
    id_number: str = Field(..., description="Che bớt khi không có quyền xem số định danh")
    phone: str
    email: str
    address: str
    country: str
    public_name: bool
    note: str
    unit_id: int
    merged_into_id: int | None


class DonorQuery(Schema):
    q: str = Field("", max_length=200, description="Tên (không dấu cũng được), MST, điện thoại")
    kind: str = Field("", max_length=12)


class DonationEarmarkIn(Schema):
    kind: str = Field("", max_length=12, description="'', campaign, area, beneficiary")
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    beneficiary_id: int | None = Field(None, ge=1, le=MAX_ID)


class ItemIn(Schema):
    description: str = Field(..., max_length=255)
    measure: str = Field(..., max_length=30)
    quantity: int = Field(..., ge=-MAX_VND, le=MAX_VND)
    unit_value: int = Field(..., ge=-MAX_VND, le=MAX_VND)


class FundDonationIn(Schema):
    fund: str = Field(..., max_length=20, description="Mã quỹ (ví dụ BAO3HN) hoặc mã số")
    amount: int = Field(..., ge=-MAX_VND, le=MAX_VND, description="Đồng")
    received_on: dt.date | None = Field(None, description="Mặc định hôm nay")
    method: str = Field("cash", max_length=10, description="cash, transfer, in_kind")
    donor_id: int | None = Field(None, ge=1, le=MAX_ID)
    donor_name: str = Field("", max_length=255)
    new_donor_kind: str = Field(
        "", max_length=12, description="Lập hồ sơ nhà hảo tâm mới với tên donor_name"
    )
    anonymous: bool | None = None
    earmark: DonationEarmarkIn = Field(default_factory=DonationEarmarkIn)  # type: ignore[arg-type]
    items: list[ItemIn] = Field(default_factory=list, max_length=200)
    valued_by: str = Field("", max_length=255)
    pledge_id: int | None = Field(None, ge=1, le=MAX_ID)
    note: str = Field("", max_length=255)
    receipt_number: int | None = Field(None, ge=-MAX_VND, le=MAX_VND)
    issue_receipt: bool = True
    email_receipt: bool = False


class FundDonationOut(Schema):
    id: int
    reference: str
    fund_id: int
    fund_code: str
    unit_id: int
    donor_id: int | None
    donor_name: str
    anonymous: bool
    method: str
    amount: int
    received_on: dt.date
    status: str
    earmark_kind: str
    earmark_campaign_id: int | None
    earmark_unit_id: int | None
    earmark_beneficiary_id: int | None
    pledge_id: int | None
    note: str
    receipt_code: str | None
    receipt_emailed_to: str
    reversed_reason: str


class DonationQuery(Schema):
    fund: str = Field("", max_length=20, description="Mã quỹ hoặc mã số")
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    method: str = Field("", max_length=10)
    status: str = Field("", max_length=10)
    q: str = Field("", max_length=200, description="Tên nhà hảo tâm hoặc mã tham chiếu")
    donor_id: int | None = Field(None, ge=1, le=MAX_ID)


class DonationReverseIn(Schema):
    reason: str = Field(..., max_length=255)


class InstalmentIn(Schema):
    due_on: dt.date
    amount: int = Field(..., ge=-MAX_VND, le=MAX_VND)


class InstalmentOut(Schema):
    id: int
    due_on: dt.date
    amount: int
    paid: int
    outstanding: int
    overdue: bool
    reminded_at: dt.datetime | None


class PledgeIn(Schema):
    donor_id: int = Field(..., ge=1, le=MAX_ID)
    fund: str = Field(..., max_length=20, description="Mã quỹ hoặc mã số")
    amount: int = Field(..., ge=-MAX_VND, le=MAX_VND)
    pledged_on: dt.date | None = None
    earmark: DonationEarmarkIn = Field(default_factory=DonationEarmarkIn)  # type: ignore[arg-type]
    note: str = Field("", max_length=255)
    count: int | None = Field(None, ge=-1000, le=1000, description="Số đợt chia đều hằng tháng")
    first_due: dt.date | None = None
    instalments: list[InstalmentIn] = Field(default_factory=list, max_length=200)


class PledgeOut(Schema):
    id: int
    donor_id: int
    donor_name: str
    fund_id: int
    fund_code: str
    unit_id: int
    amount: int
    pledged_on: dt.date
    status: str
    paid: int
    outstanding: int
    note: str
    instalments: list[InstalmentOut]


class PledgeQuery(Schema):
    status: str = Field("", max_length=10)
    due_within: int | None = Field(None, ge=0, le=3660)
    donor_id: int | None = Field(None, ge=1, le=MAX_ID)


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


def _recorder(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "donation.record"):
        raise HttpError(403, _("Bạn không có quyền ghi nhận ủng hộ."))
    return user


def _unit(user: Any) -> Any:
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise HttpError(403, _("Bạn chưa được phân công ở đơn vị nào."))
    return assignment.unit


def _donor_out(donor: Donor, user: Any) -> DonorOut:
    return DonorOut(
        id=donor.pk,
        kind=donor.kind,
        name=donor.name,
        tax_code=donor.tax_code,
        id_number=privacy.id_number_for(user, donor),
        phone=privacy.phone_for(user, donor),
        email=donor.email,
        address=donor.address,
        country=donor.country,
        public_name=donor.public_name,
        note=donor.note,
        unit_id=donor.unit_id,
        merged_into_id=donor.merged_into_id,
    )


def _donation_out(x: Donation) -> FundDonationOut:
    receipt = _receipt_of(x)
    return FundDonationOut(
        id=x.pk,
        reference=x.reference,
        fund_id=x.fund_id,
        fund_code=x.fund.code,
        unit_id=x.unit_id,
        donor_id=x.donor_id,
        donor_name=x.donor_name,
        anonymous=x.anonymous,
        method=x.method,
        amount=x.amount,
        received_on=x.received_on,
        status=x.status,
        earmark_kind=x.earmark_kind,
        earmark_campaign_id=x.earmark_campaign_id,
        earmark_unit_id=x.earmark_unit_id,
        earmark_beneficiary_id=x.earmark_beneficiary_id,
        pledge_id=x.pledge_id,
        note=x.note,
        receipt_code=receipt.code if receipt is not None else None,
        receipt_emailed_to=receipt.emailed_to if receipt is not None else "",
        reversed_reason=x.reversed_reason,
    )


def _pledge_out(view: sel.PledgeView) -> PledgeOut:
    p = view.pledge
    return PledgeOut(
        id=p.pk,
        donor_id=p.donor_id,
        donor_name=p.donor.name,
        fund_id=p.fund_id,
        fund_code=p.fund.code,
        unit_id=p.unit_id,
        amount=p.amount,
        pledged_on=p.pledged_on,
        status=p.status,
        paid=view.paid,
        outstanding=view.outstanding,
        note=p.note,
        instalments=[
            InstalmentOut(
                id=i.instalment.pk,
                due_on=i.due_on,
                amount=i.amount,
                paid=i.paid,
                outstanding=i.outstanding,
                overdue=i.overdue,
                reminded_at=i.instalment.reminded_at,
            )
            for i in view.instalments
        ],
    )


def _earmark(user: Any, body: DonationEarmarkIn) -> Earmark:
    """The earmark named in a body; its target read through the user's scope (404 outside)."""
    kind = body.kind or ""
    if not kind:
        return Earmark()
    if kind == "campaign":
        from nhandao.campaigns import selectors as campaigns

        pk = body.campaign_id
        return Earmark(
            "campaign", campaign_id=campaigns.campaign_get(user=user, pk=pk).pk if pk else None
        )
    if kind == "area":
        from nhandao.orgs import selectors as orgs

        pk = body.unit_id
        return Earmark("area", unit_id=orgs.unit_get(user=user, pk=pk).pk if pk else None)
    if kind == "beneficiary":
        from nhandao.beneficiaries import selectors as beneficiaries

        pk = body.beneficiary_id
        return Earmark(
            "beneficiary",
            beneficiary_id=beneficiaries.beneficiary_get(user=user, pk=pk).pk if pk else None,
        )
    raise ApplicationError(_("Chỉ định không hợp lệ."), field="earmark")


# --- donors ----------------------------------------------------------------------------------


@router.get(
    "/funds/donors",
    response={200: list[DonorOut], **ERRORS},
    summary="Danh sách nhà hảo tâm trong phạm vi (tìm theo tên, MST, điện thoại)",
)
@paginate(Pages, page_size=100)
def donor_list(request: HttpRequest, filters: Query[DonorQuery]) -> Any:
    user = _user(request)
    qs = sel.donor_list(user=user, query=filters.q, kind=filters.kind)

    def page(rows: list[Donor]) -> list[DonorOut]:
        # One event per page served with a phone or an ID number in full: how many, which filters.
        if any(privacy.holds_unmasked(user, x) for x in rows):
            assignment = getattr(user, "active_assignment", None)
            privacy.donors_listed(
                actor=user,
                unit_path=assignment.unit.path if assignment else "",
                what=f"{request.method} {request.path}",
                records=len(rows),
                filters=audited_filters(
                    q=filters.q, kind=filters.kind, page=request.GET.get("page", "1")[:6]
                ),
                ip=client_ip(request),
            )
        return [_donor_out(x, user) for x in rows]

    return PageSource(qs, page)


@router.post("/funds/donors", response={201: DonorOut, **ERRORS}, summary="Thêm nhà hảo tâm")
def donor_create(request: HttpRequest, body: DonorIn) -> Any:
    user = _recorder(request)
    donor = services.donor_create(
        actor=user, unit=_unit(user), data=services.DonorData(**body.dict())
    )
    return Status(201, _donor_out(donor, user))


@router.get(
    "/funds/donors/{donor_id}", response={200: DonorOut, **ERRORS}, summary="Một nhà hảo tâm"
)
def donor_get(request: HttpRequest, donor_id: int) -> Any:
    user = _user(request)
    donor = sel.donor_get(user=user, pk=donor_id)
    _audit_one(request, user, donor)
    return _donor_out(donor, user)


def _audit_one(request: HttpRequest, user: Any, donor: Donor) -> None:
    if privacy.holds_unmasked(user, donor):
        privacy.donor_viewed(
            actor=user, donor=donor, ip=client_ip(request), what=f"{request.method} {request.path}"
        )


@router.put(
    "/funds/donors/{donor_id}", response={200: DonorOut, **ERRORS}, summary="Sửa nhà hảo tâm"
)
def donor_update(request: HttpRequest, donor_id: int, body: DonorIn) -> Any:
    user = _recorder(request)
    donor = sel.donor_get(user=user, pk=donor_id)
    if donor.merged_into_id:
        raise ApplicationError(_("Hồ sơ này đã được hợp nhất; hãy sửa hồ sơ được giữ."))
    data = body.dict()
    if not can(user, "pii.view", donor.unit):
        data["id_number"] = donor.id_number  # a masked value is never written back
    data["phone"] = privacy.phone_kept(user, donor, data["phone"])
    donor = services.donor_update(actor=user, donor=donor, data=services.DonorData(**data))
    _audit_one(request, user, donor)
    return _donor_out(donor, user)


# --- donations -------------------------------------------------------------------------------


@router.get(
    "/funds/donations",
    response={200: list[FundDonationOut], **ERRORS},
    summary="Danh sách khoản ủng hộ trong phạm vi",
)
@paginate(Pages, page_size=100)
def donation_list(request: HttpRequest, filters: Query[DonationQuery]) -> Any:
    user = _user(request)
    fund = sel.fund_by_code_or_id(user=user, value=filters.fund) if filters.fund else None
    donor = sel.donor_get(user=user, pk=filters.donor_id) if filters.donor_id else None
    qs = sel.donation_list(
        user=user,
        filters=sel.DonationFilters(
            fund=fund,
            date_from=filters.date_from,
            date_to=filters.date_to,
            method=filters.method,
            status=filters.status,
            query=filters.q,
            donor=donor,
        ),
    )

    return PageSource(qs, lambda rows: [_donation_out(x) for x in rows])


def _receipt_of(x: Donation) -> Any:
    """The donation's receipt or None (read with the row when the list selected it)."""
    try:
        return x.receipt
    except Donation.receipt.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


@router.post(
    "/funds/donations",
    response={201: FundDonationOut, **ERRORS},
    summary="Ghi nhận một khoản ủng hộ (kèm giấy xác nhận có số)",
)
def donation_create(request: HttpRequest, body: FundDonationIn) -> Any:
    user = _recorder(request)
    fund = sel.fund_by_code_or_id(user=user, value=body.fund)
    unit = sel.receiving_unit(user=user, fund=fund)
    earmark = _earmark(user, body.earmark)
    with transaction.atomic():
        donor = None
        if body.donor_id:
            donor = sel.donor_get(user=user, pk=body.donor_id)
        elif body.new_donor_kind:
            donor = services.donor_create(
                actor=user,
                unit=unit,
                data=services.DonorData(
                    kind=body.new_donor_kind,
                    name=body.donor_name,
                    public_name=not body.anonymous,
                ),
            )
        pledge = sel.pledge_get(user=user, pk=body.pledge_id) if body.pledge_id else None
        donation = services.donation_record(
            actor=user,
            unit=unit,
            data=services.DonationData(
                fund=fund,
                amount=body.amount,
                received_on=body.received_on or timezone.localdate(),
                method=body.method,
                donor=donor,
                donor_name=body.donor_name,
                anonymous=body.anonymous,
                note=body.note,
                earmark=earmark,
                items=[services.ItemData(**i.dict()) for i in body.items],
                valued_by=body.valued_by,
                pledge=pledge,
                issue_receipt=body.issue_receipt,
                receipt_number=body.receipt_number,
            ),
        )
        if pledge is not None:
            pledge_services.pledge_refresh(pledge, actor=user)
    receipt = sel.donation_receipt(donation)
    if body.email_receipt and receipt is not None and receipts.receipt_address(receipt):
        receipts.receipt_email(actor=user, receipt=receipt)
    return Status(201, _donation_out(donation))


@router.get(
    "/funds/donations/{donation_id}",
    response={200: FundDonationOut, **ERRORS},
    summary="Một khoản ủng hộ",
)
def donation_get(request: HttpRequest, donation_id: int) -> Any:
    user = _user(request)
    return _donation_out(sel.donation_get(user=user, pk=donation_id))


@router.post(
    "/funds/donations/{donation_id}/reverse",
    response={200: FundDonationOut, **ERRORS},
    summary="Hủy khoản ủng hộ bằng bút toán đảo (có lý do)",
)
def donation_reverse(request: HttpRequest, donation_id: int, body: DonationReverseIn) -> Any:
    user = _recorder(request)
    donation = sel.donation_get(user=user, pk=donation_id)
    with transaction.atomic():
        donation = services.donation_reverse(actor=user, donation=donation, reason=body.reason)
        if donation.pledge is not None:
            pledge_services.pledge_refresh(donation.pledge, actor=user)
    return _donation_out(sel.donation_get(user=user, pk=donation.pk))


@router.get(
    "/funds/donations/{donation_id}/receipt",
    response={200: None, **ERRORS},
    summary="Giấy xác nhận ủng hộ (.docx)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp Word",
                "content": {receipts.DOCX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def receipt_get(request: HttpRequest, donation_id: int) -> Any:
    user = _user(request)
    receipt = sel.receipt_get(user=user, donation_pk=donation_id)
    response = HttpResponse(receipts.receipt_docx(receipt), content_type=receipts.DOCX)
    name = receipts.receipt_file_name(receipt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/funds/donations/{donation_id}/receipt.pdf",
    response={200: None, **ERRORS},
    summary="Giấy xác nhận ủng hộ (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "Tệp PDF",
                "content": {receipts.PDF: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def receipt_get_pdf(request: HttpRequest, donation_id: int) -> Any:
    from .receipt_pdf import receipt_pdf

    user = _user(request)
    receipt = sel.receipt_get(user=user, donation_pk=donation_id)
    response = HttpResponse(receipt_pdf(receipt), content_type=receipts.PDF)
    name = receipts.receipt_file_name(receipt, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- pledges ---------------------------------------------------------------------------------


@router.get(
    "/funds/pledges",
    response={200: list[PledgeOut], **ERRORS},
    summary="Danh sách cam kết ủng hộ (lọc theo trạng thái, đợt đến hạn trong N ngày)",
)
@paginate(Pages, page_size=100)
def pledge_list(request: HttpRequest, filters: Query[PledgeQuery]) -> Any:
    user = _user(request)
    donor = sel.donor_get(user=user, pk=filters.donor_id) if filters.donor_id else None
    qs = sel.pledge_list(
        user=user, status=filters.status, due_within=filters.due_within, donor=donor
    )
    return PageSource(qs, lambda rows: [_pledge_out(v) for v in sel.pledge_views(rows)])


@router.post(
    "/funds/pledges",
    response={201: PledgeOut, **ERRORS},
    summary="Ghi cam kết ủng hộ với các đợt (chia đều hằng tháng hoặc từng đợt)",
)
def pledge_create(request: HttpRequest, body: PledgeIn) -> Any:
    user = _recorder(request)
    fund = sel.fund_by_code_or_id(user=user, value=body.fund)
    donor = sel.donor_get(user=user, pk=body.donor_id)
    pledge = pledge_services.pledge_create(
        actor=user,
        unit=sel.receiving_unit(user=user, fund=fund),
        data=pledge_services.PledgeData(
            donor=donor,
            fund=fund,
            amount=body.amount,
            pledged_on=body.pledged_on or timezone.localdate(),
            earmark=_earmark(user, body.earmark),
            note=body.note,
            instalments=[(i.due_on, i.amount) for i in body.instalments],
            count=body.count,
            first_due=body.first_due,
        ),
    )
    return Status(201, _pledge_out(sel.pledge_view(sel.pledge_get(user=user, pk=pledge.pk))))


@router.get(
    "/funds/pledges/{pledge_id}", response={200: PledgeOut, **ERRORS}, summary="Một cam kết"
)
def pledge_get(request: HttpRequest, pledge_id: int) -> Any:
    user = _user(request)
    pledge: Pledge = sel.pledge_get(user=user, pk=pledge_id)
    return _pledge_out(sel.pledge_view(pledge))
