"""API of funds, appeals and the ledger (mounted in nhandao/api.py under /api/v1/).

Funds with their balances (now or at the end of a day), appeals (create, extend, close), the
entries of a fund, and the fund-manage actions: allocate, transfer, spend, reverse; the yearly
receipts-and-use statement. Entries are read-only: no path edits or deletes one (PUT, PATCH and
DELETE answer 405). Every object named in a path or a body goes through a scoped getter: out of
scope answers 404, as missing.
"""

# No ``from __future__ import annotations`` here: the paginated operations' parameters are read
# by django-ninja in another module, where string annotations such as "Query[...]" cannot resolve.
import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

import nhandao.core.converters  # noqa: F401  (the signedid path converter)
from nhandao.aid import selectors as aid_selectors
from nhandao.campaigns import selectors as campaign_selectors
from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.models import Unit
from nhandao.orgs.permissions import can
from nhandao.orgs.selectors import unit_get

from . import selectors, services, spending
from .annual import annual_statement
from .ledger import Earmark
from .models import Entry, EntryKind, Fund, FundKind

router = Router(tags=["funds"])


MAX_ID = 2**63 - 1
MAX_VND = 10**16
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- schemas ---------------------------------------------------------------------------------


class FundOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    unit_id: int
    unit_name: str
    campaign_id: int | None
    status: str
    purpose: str
    bank_name: str
    bank_bin: str
    account_no: str
    account_name: str
    opens_on: dt.date
    receiving_ends_on: dt.date | None
    distribution_ends_on: dt.date | None
    is_public: bool
    on: dt.date | None = Field(None, description="Số dư cuối ngày này (trống: hiện tại)")
    partial: bool = Field(False, description="Chỉ phần quỹ thuộc phạm vi người dùng")
    balance_money: int
    balance_goods: int
    received: int
    spent: int
    allocated_in: int
    allocated_out: int
    transferred_in: int
    transferred_out: int
    donations_count: int
    warnings: list[str]


class AppealIn(Schema):
    name: str = Field(..., max_length=255)
    code: str = Field(..., max_length=16)
    opens_on: dt.date
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    purpose: str = Field("", max_length=5000)
    bank_name: str = Field("", max_length=120)
    bank_bin: str = Field("", max_length=6)
    account_no: str = Field(..., max_length=30)
    account_name: str = Field("", max_length=255)
    receiving_days: int | None = Field(None, ge=-100000, le=100000)
    is_public: bool = True


class ExtendIn(Schema):
    decision_no: str = Field(..., max_length=60)
    decided_on: dt.date
    receiving_ends_on: dt.date
    reason: str = Field(..., max_length=255)


class ExtensionOut(Schema):
    id: int
    fund_id: int
    decision_no: str
    decided_on: dt.date
    receiving_ends_on: dt.date
    distribution_ends_on: dt.date
    reason: str


class EntryOut(Schema):
    id: int
    fund_id: int
    unit_id: int
    unit_name: str
    pocket_id: int
    goods: bool
    earmark: str
    kind: str
    amount: int
    posted_on: dt.date
    description: str
    reason: str
    donation_id: int | None
    distribution_id: int | None
    counterpart_id: int | None
    reverses_id: int | None
    created_at: dt.datetime


class EntryFilter(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = Field("", max_length=16)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    goods: bool | None = None


class OnQuery(Schema):
    on: dt.date | None = Field(None, description="Số dư cuối ngày này (trống: hiện tại)")


class FundQuery(OnQuery):
    kind: str = Field("", max_length=10)
    status: str = Field("", max_length=8)
    q: str = Field("", max_length=100)


class LedgerEarmarkIn(Schema):
    earmark_kind: str = Field("", max_length=12)
    earmark_campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    earmark_unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    earmark_beneficiary_id: int | None = Field(None, ge=1, le=MAX_ID)


# Amounts are read as numbers and checked by the service, so that a fractional or negative
# amount gets the Vietnamese message (400), not a generic validation error.
Amount = int | float


class AllocationIn(LedgerEarmarkIn):
    from_unit_id: int = Field(..., ge=1, le=MAX_ID)
    to_unit_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Amount
    posted_on: dt.date
    goods: bool = False
    description: str = Field("", max_length=255)


class FundTransferIn(Schema):
    to_fund_id: int = Field(..., ge=1, le=MAX_ID)
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Amount
    posted_on: dt.date
    reason: str = Field(..., max_length=255)
    goods: bool = False


class SpendingIn(LedgerEarmarkIn):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Amount
    posted_on: dt.date
    description: str = Field(..., max_length=255)
    goods: bool = False
    distribution_id: int | None = Field(None, ge=1, le=MAX_ID)
    aid_record_ids: list[int] = Field(default_factory=list, max_length=1000)


class EntryReverseIn(Schema):
    reason: str = Field(..., max_length=255)


class LabelAmount(Schema):
    label: str
    amount: int


class AnnualOut(Schema):
    fund_id: int
    fund_name: str
    year: int
    unit_id: int | None
    opening: int
    receipts_money: int
    receipts_goods: int
    receipts_by_kind: list[LabelAmount]
    allocated_in: int
    allocated_out: int
    transferred_in: int
    transferred_out: int
    spent: int
    spent_by_distribution: list[LabelAmount]
    reversed: int
    closing: int
    balanced: bool


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


def _own_unit(user: Any) -> Any:
    assignment = getattr(user, "active_assignment", None)
    if assignment is None:
        raise ApplicationError(_("Khóa API chưa gắn với đơn vị nào."))
    return assignment.unit


def _amount(value: Any) -> int:
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_VND):
        raise ApplicationError(_("Số tiền quá lớn; hãy kiểm tra lại."), field="amount")
    if isinstance(value, float):
        if value != int(value):
            raise ApplicationError(
                _("Số tiền phải là số đồng nguyên, không có phần lẻ."), field="amount"
            )
        return int(value)
    return int(value)


def _day(value: dt.date, field: str) -> dt.date:
    """A decision or launch day far outside any appeal's life is a typing error."""
    if not 2000 <= value.year <= 2100:
        raise ApplicationError(_("Ngày không hợp lệ (năm từ 2000 đến 2100)."), field=field)
    return value


def _earmark(body: LedgerEarmarkIn) -> Earmark:
    kind = body.earmark_kind
    if kind not in ("", "campaign", "area", "beneficiary"):
        raise ApplicationError(_("Loại chỉ định không hợp lệ."), field="earmark_kind")
    earmark = Earmark(
        kind,
        body.earmark_campaign_id if kind == "campaign" else None,
        body.earmark_unit_id if kind == "area" else None,
        body.earmark_beneficiary_id if kind == "beneficiary" else None,
    )
    earmark.key  # noqa: B018 - raises when the target is missing
    return earmark


def _fund_out(fund: Fund, fig: selectors.Figures, *, partial: bool, on: dt.date | None) -> FundOut:
    return FundOut(
        id=fund.pk,
        kind=fund.kind,
        name=fund.name,
        code=fund.code,
        unit_id=fund.unit_id,
        unit_name=fund.unit.name,
        campaign_id=fund.campaign_id,
        status=fund.status,
        purpose=fund.purpose,
        bank_name=fund.bank_name,
        bank_bin=fund.bank_bin,
        account_no=fund.account_no,
        account_name=fund.account_name,
        opens_on=fund.opens_on,
        receiving_ends_on=fund.receiving_ends_on,
        distribution_ends_on=fund.distribution_ends_on,
        is_public=fund.is_public,
        on=on,
        partial=partial,
        balance_money=fig.balance_money,
        balance_goods=fig.balance_goods,
        received=fig.received,
        spent=fig.spent,
        allocated_in=fig.allocated_in,
        allocated_out=fig.allocated_out,
        transferred_in=fig.transferred_in,
        transferred_out=fig.transferred_out,
        donations_count=fund.donations_count,
        warnings=services.deadline_warnings(fund),
    )


def _one(user: Any, fund: Fund, on: dt.date | None = None) -> FundOut:
    paths = selectors.fund_paths(user=user, fund=fund)
    fig = selectors.fund_figures(fund=fund, paths=paths, on=on)
    return _fund_out(fund, fig, partial=paths is not None, on=on)


def _entry_out(e: Entry) -> EntryOut:
    return EntryOut(
        id=e.pk,
        fund_id=e.fund_id,
        unit_id=e.unit_id,
        unit_name=e.unit.name,
        pocket_id=e.pocket_id,
        goods=e.pocket.goods,
        earmark=e.pocket.key,
        kind=e.kind,
        amount=e.amount,
        posted_on=e.posted_on,
        description=e.description,
        reason=e.reason,
        donation_id=e.donation_id,
        distribution_id=e.distribution_id,
        counterpart_id=e.counterpart_id,
        reverses_id=e.reverses_id,
        created_at=e.created_at,
    )


def _target_unit(user: Any, fund: Fund, from_unit: Unit, pk: int) -> Unit:
    """A unit money may go to: one in scope, or one above ``from_unit`` inside the fund (a
    commune forwarding up to its province, which it cannot otherwise see)."""
    above = Unit.objects.filter(pk=pk).first()
    if (
        above is not None
        and from_unit.path.startswith(above.path)
        and above.path.startswith(fund.unit.path)
    ):
        return above
    return unit_get(user=user, pk=pk)


# --- funds and appeals -----------------------------------------------------------------------


@router.get(
    "/funds",
    response={200: list[FundOut], 401: ErrorOut, 403: ErrorOut},
    summary="Các quỹ và cuộc vận động trong phạm vi, kèm số dư (?on=yyyy-mm-dd: cuối ngày đó)",
)
@paginate(Pages, page_size=50)
def fund_list(request: HttpRequest, filters: Query[FundQuery]) -> Any:
    user = _user(request)
    qs = selectors.fund_list(user=user, kind=filters.kind, status=filters.status, query=filters.q)
    return PageSource(qs, lambda rows: [_one(user, fund, filters.on) for fund in rows])


@router.get(
    "/funds/{signedid:fund_id}", response={200: FundOut, **ERRORS}, summary="Một quỹ, kèm số dư"
)
def fund_get(request: HttpRequest, fund_id: int, filters: Query[OnQuery]) -> Any:
    user = _user(request)
    return _one(user, selectors.fund_get(user=user, pk=fund_id), filters.on)


@router.post(
    "/funds/appeals",
    response={201: FundOut, **ERRORS},
    summary="Mở cuộc vận động với tài khoản riêng (hạn tiếp nhận theo quy định)",
)
def appeal_create(request: HttpRequest, body: AppealIn) -> Any:
    user = _user(request)
    unit = unit_get(user=user, pk=body.unit_id) if body.unit_id else _own_unit(user)
    campaign = (
        campaign_selectors.campaign_get(user=user, pk=body.campaign_id)
        if body.campaign_id
        else None
    )
    fund = services.appeal_create(
        actor=user,
        unit=unit,
        data=services.AppealData(
            name=body.name,
            code=body.code,
            opens_on=_day(body.opens_on, "opens_on"),
            bank_name=body.bank_name,
            bank_bin=body.bank_bin,
            account_no=body.account_no,
            account_name=body.account_name,
            purpose=body.purpose,
            campaign=campaign,
            receiving_days=body.receiving_days,
            is_public=body.is_public,
        ),
    )
    return Status(201, _one(user, selectors.fund_get(user=user, pk=fund.pk)))


@router.post(
    "/funds/{signedid:fund_id}/extend",
    response={201: ExtensionOut, **ERRORS},
    summary="Ghi quyết định gia hạn tiếp nhận (hạn phân phối dời theo)",
)
def appeal_extend(request: HttpRequest, fund_id: int, body: ExtendIn) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    ext = services.appeal_extend(
        actor=user,
        fund=fund,
        decision_no=body.decision_no,
        decided_on=_day(body.decided_on, "decided_on"),
        receiving_ends_on=_day(body.receiving_ends_on, "receiving_ends_on"),
        reason=body.reason,
    )
    return Status(
        201,
        ExtensionOut(
            id=ext.pk,
            fund_id=fund.pk,
            decision_no=ext.decision_no,
            decided_on=ext.decided_on,
            receiving_ends_on=ext.receiving_ends_on,
            distribution_ends_on=ext.distribution_ends_on,
            reason=ext.reason,
        ),
    )


@router.post(
    "/funds/{signedid:fund_id}/close",
    response={200: FundOut, **ERRORS},
    summary="Kết thúc cuộc vận động (không nhận thêm ủng hộ, không nhận tiền chuyển đến)",
)
def appeal_close(request: HttpRequest, fund_id: int) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    if fund.kind != FundKind.APPEAL:
        raise ApplicationError(_("Quỹ hoạt động của đơn vị không đóng được."))
    services.fund_close(actor=user, fund=fund)
    return _one(user, selectors.fund_get(user=user, pk=fund.pk))


# --- entries ---------------------------------------------------------------------------------


@router.get(
    "/funds/{signedid:fund_id}/entries",
    response={200: list[EntryOut], **ERRORS},
    summary="Sổ quỹ: các bút toán của quỹ trong phạm vi, cũ trước",
)
@paginate(Pages, page_size=100)
def entry_list(request: HttpRequest, fund_id: int, filters: Query[EntryFilter]) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    if filters.kind and filters.kind not in EntryKind.values:
        raise ApplicationError(_("Loại bút toán không hợp lệ."), field="kind")
    unit = unit_get(user=user, pk=filters.unit_id) if filters.unit_id else None
    f = selectors.LedgerFilter(
        date_from=filters.date_from,
        date_to=filters.date_to,
        kind=filters.kind,
        unit=unit,
        goods=filters.goods,
    )
    qs = selectors.entry_list(user=user, fund=fund, f=f)
    return PageSource(qs, lambda rows: [_entry_out(e) for e in rows])


@router.get(
    "/funds/entries/{signedid:entry_id}",
    response={200: EntryOut, **ERRORS},
    summary="Một bút toán (chỉ đọc: sổ quỹ không sửa, không xóa)",
)
def entry_get(request: HttpRequest, entry_id: int) -> Any:
    return _entry_out(selectors.entry_get(user=_user(request), pk=entry_id))


@router.post(
    "/funds/entries/{signedid:entry_id}/reverse",
    response={201: list[EntryOut], **ERRORS},
    summary="Ghi bút toán đảo (có lý do); một khoản thu được hủy cùng khoản ủng hộ",
)
def entry_reverse(request: HttpRequest, entry_id: int, body: EntryReverseIn) -> Any:
    user = _user(request)
    entry = selectors.entry_get(user=user, pk=entry_id)
    made = spending.entry_reverse(actor=user, entry=entry, reason=body.reason)
    ids = [e.pk for e in made]
    rows = Entry.objects.filter(pk__in=ids).select_related("unit", "pocket").order_by("pk")
    return Status(201, [_entry_out(e) for e in rows])


def _pair_out(pair: tuple[Entry, Entry]) -> list[EntryOut]:
    ids = [e.pk for e in pair]
    rows = Entry.objects.filter(pk__in=ids).select_related("unit", "pocket").order_by("pk")
    return [_entry_out(e) for e in rows]


@router.post(
    "/funds/{signedid:fund_id}/allocations",
    response={201: list[EntryOut], **ERRORS},
    summary="Phân bổ cho đơn vị cấp dưới hoặc chuyển lên cấp trên (chỉ định đi theo tiền)",
)
def allocation_create(request: HttpRequest, fund_id: int, body: AllocationIn) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    from_unit = unit_get(user=user, pk=body.from_unit_id)
    to_unit = _target_unit(user, fund, from_unit, body.to_unit_id)
    pair = spending.allocation_make(
        actor=user,
        fund=fund,
        from_unit=from_unit,
        to_unit=to_unit,
        amount=_amount(body.amount),
        posted_on=body.posted_on,
        earmark=_earmark(body),
        goods=body.goods,
        description=body.description,
    )
    return Status(201, _pair_out(pair))


@router.post(
    "/funds/{signedid:fund_id}/transfers",
    response={201: list[EntryOut], **ERRORS},
    summary="Chuyển tiền không chỉ định sang quỹ khác tại cùng đơn vị (có lý do)",
)
def transfer_create(request: HttpRequest, fund_id: int, body: FundTransferIn) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    unit = unit_get(user=user, pk=body.unit_id)
    to_fund = Fund.objects.select_related("unit").filter(pk=body.to_fund_id).first()
    # The target is the unit's own fund or one held above it (the unit need not see it).
    if to_fund is None or not unit.path.startswith(to_fund.unit.path):
        to_fund = selectors.fund_get(user=user, pk=body.to_fund_id)
    pair = spending.transfer_make(
        actor=user,
        from_fund=fund,
        to_fund=to_fund,
        unit=unit,
        amount=_amount(body.amount),
        posted_on=body.posted_on,
        reason=body.reason,
        goods=body.goods,
    )
    return Status(201, _pair_out(pair))


@router.post(
    "/funds/{signedid:fund_id}/spendings",
    response={201: EntryOut, **ERRORS},
    summary="Ghi khoản chi (gắn đợt trao, lần trao; đúng chỉ định, trong hạn phân phối)",
)
def spending_create(request: HttpRequest, fund_id: int, body: SpendingIn) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    unit = unit_get(user=user, pk=body.unit_id)
    distribution = (
        aid_selectors.distribution_get(user=user, pk=body.distribution_id)
        if body.distribution_id
        else None
    )
    records = [aid_selectors.aid_get(user=user, pk=pk) for pk in dict.fromkeys(body.aid_record_ids)]
    entry = spending.spend(
        actor=user,
        fund=fund,
        unit=unit,
        amount=_amount(body.amount),
        posted_on=body.posted_on,
        description=body.description,
        earmark=_earmark(body),
        goods=body.goods,
        distribution=distribution,
        aid_records=records,
    )
    return Status(201, _entry_out(selectors.entry_get(user=user, pk=entry.pk)))


# --- the yearly statement --------------------------------------------------------------------


@router.get(
    "/funds/{signedid:fund_id}/annual",
    response={200: AnnualOut, **ERRORS},
    summary="Báo cáo thu, chi quỹ trong năm (đầu năm + phát sinh = cuối năm)",
)
def annual_get(
    request: HttpRequest,
    fund_id: int,
    year: int | None = Query(None, ge=2000, le=2100, description="Năm (trống: năm nay)"),
    unit_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> Any:
    user = _user(request)
    fund = selectors.fund_get(user=user, pk=fund_id)
    unit = unit_get(user=user, pk=unit_id) if unit_id else None
    if unit is None and selectors.fund_paths(user=user, fund=fund) is not None:
        unit = _own_unit(user)
    if unit is not None and not unit.path.startswith(fund.unit.path):
        raise ApplicationError(_("Đơn vị không thuộc phạm vi của quỹ."), field="unit_id")
    st = annual_statement(fund, year or timezone.localdate().year, unit=unit)
    return AnnualOut(
        fund_id=fund.pk,
        fund_name=fund.name,
        year=st.year,
        unit_id=unit.pk if unit is not None else None,
        opening=st.opening,
        receipts_money=st.receipts_money,
        receipts_goods=st.receipts_goods,
        receipts_by_kind=[LabelAmount(label=k, amount=v) for k, v in st.receipts_by_kind],
        allocated_in=st.allocated_in,
        allocated_out=st.allocated_out,
        transferred_in=st.transferred_in,
        transferred_out=st.transferred_out,
        spent=st.spent,
        spent_by_distribution=[LabelAmount(label=k, amount=v) for k, v in st.spent_by_distribution],
        reversed=st.reversed,
        closing=st.closing,
        balanced=st.balanced,
    )
