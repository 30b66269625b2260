"""API of bank statements (mounted in nhandao/api.py): import a statement of a fund's account, list
the statements, the lines waiting for a donation, and the queue's actions. The same services and
scoped selectors as the pages; a statement is imported inline whatever its size."""

# No ``from __future__ import annotations``: django-ninja reads the paginated operations'
# parameters in another module, where string annotations cannot resolve.
import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.orgs.api import ErrorOut, Pages
from nhandao.orgs.permissions import can

from . import bank_layouts as layouts
from . import statements
from .models import Donation, Donor, MatchStatus, Statement, StatementLine

router = Router(tags=["statements"])

MAX_ID = 2**63 - 1
MAX_UPLOAD = 100 * 1024 * 1024


class StatementOut(Schema):
    id: int
    fund_id: int
    file_name: str
    layout: str
    account_no: str
    period_from: dt.date | None
    period_to: dt.date | None
    lines_total: int
    lines_new: int
    lines_duplicate: int
    matched_auto: int
    imported_at: dt.datetime


class LineOut(Schema):
    id: int
    statement_id: int
    row: int
    posted_on: dt.date
    amount: int
    description: str
    counterparty: str
    counterparty_account: str
    bank_ref: str
    status: str
    donation_id: int | None
    donation_reference: str | None
    match_note: str


class LineQuery(Schema):
    status: str = Field(MatchStatus.UNMATCHED.value, max_length=10)
    q: str = Field("", max_length=100)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount: int | None = Field(None, ge=1, le=MAX_ID)
    statement_id: int | None = Field(None, ge=1, le=MAX_ID)


class MatchIn(Schema):
    donation_id: int = Field(..., ge=1, le=MAX_ID)


class LineRecordIn(Schema):
    donor_id: int | None = Field(None, ge=1, le=MAX_ID)
    donor_name: str = Field("", max_length=255)
    anonymous: bool = False


class IgnoreIn(Schema):
    reason: str = Field(..., max_length=255)


class RematchOut(Schema):
    matched: int


def _user(request: HttpRequest, perm: str = "data.view") -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, perm):
        raise HttpError(403, _("Bạn không có quyền thực hiện việc này."))
    return user


def _statement_out(s: Statement) -> StatementOut:
    return StatementOut(
        id=s.pk,
        fund_id=s.fund_id,
        file_name=s.file_name,
        layout=s.layout,
        account_no=s.account_no,
        period_from=s.period_from,
        period_to=s.period_to,
        lines_total=s.lines_total,
        lines_new=s.lines_new,
        lines_duplicate=s.lines_duplicate,
        matched_auto=s.matched_auto,
        imported_at=s.imported_at,
    )


def _line_out(line: StatementLine) -> LineOut:
    return LineOut(
        id=line.pk,
        statement_id=line.statement_id,
        row=line.row,
        posted_on=line.posted_on,
        amount=line.amount,
        description=line.description,
        counterparty=line.counterparty,
        counterparty_account=line.counterparty_account,
        bank_ref=line.bank_ref,
        status=line.status,
        donation_id=line.donation_id,
        donation_reference=line.donation.reference if line.donation is not None else None,
        match_note=line.match_note,
    )


def _line(request: HttpRequest, fund_id: int, line_id: int) -> tuple[Any, StatementLine]:
    user = _user(request, "donation.record")
    fund = statements.fund_get(user=user, pk=fund_id)
    return user, statements.line_get(user=user, pk=line_id, fund=fund)


@router.post(
    "/funds/{fund_id}/statements",
    response={201: StatementOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Nhập một sao kê (.xlsx/.csv) của tài khoản quỹ và đối chiếu tự động",
)
def statement_import(
    request: HttpRequest,
    fund_id: int,
    file: File[UploadedFile | None] = None,
    layout: Form[str] = layouts.AUTO,
    mapping: Form[str] = "",
    header_row: Form[str] = "",
) -> Any:
    """``layout``: auto, vietcombank, vietinbank, bidv, techcombank or generic; ``mapping``:
    "date=A,credit=E,description=C" or a JSON object of the same; ``header_row``: 1-based."""
    user = _user(request, "donation.record")
    fund = statements.fund_get(user=user, pk=fund_id)
    if file is None:
        raise ApplicationError(_("Chưa gửi tệp sao kê (trường «file»)."), field="file")
    if file.size and file.size > MAX_UPLOAD:
        raise ApplicationError(_("Tệp lớn quá 100 MB; hãy tách sao kê theo tháng."), field="file")
    spec: Any = mapping
    if mapping.strip().startswith("{"):
        try:
            spec = json.loads(mapping)
        except ValueError as exc:
            raise ApplicationError(
                _("Cách ghép cột không phải JSON hợp lệ."), field="mapping"
            ) from exc
    row: int | None = None
    if header_row.strip() and header_row.strip().lower() != "null":
        if not header_row.strip().isdigit() or not 1 <= int(header_row) <= 100_000:
            raise ApplicationError(_("Dòng tiêu đề phải là số dòng (từ 1)."), field="header_row")
        row = int(header_row)
    statement = statements.statement_import(
        actor=user,
        fund=fund,
        data=file.read(),
        filename=file.name or "saoke.csv",
        layout=layout,
        mapping=spec,
        header_row=row,
    )
    return Status(201, _statement_out(statement))


@router.get(
    "/funds/{fund_id}/statements",
    response={200: list[StatementOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Các sao kê đã nhập của một quỹ",
)
@paginate(Pages, page_size=100)
def statement_list(request: HttpRequest, fund_id: int) -> Any:
    user = _user(request)
    fund = statements.fund_get(user=user, pk=fund_id)
    return PageSource(
        statements.statement_list(user=user, fund=fund),
        lambda rows: [_statement_out(s) for s in rows],
    )


@router.get(
    "/funds/{fund_id}/statements/lines",
    response={200: list[LineOut], 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Các dòng sao kê của quỹ (mặc định: khoản ghi có chưa khớp)",
)
@paginate(Pages, page_size=100)
def statement_line_list(request: HttpRequest, fund_id: int, filters: Query[LineQuery]) -> Any:
    user = _user(request)
    fund = statements.fund_get(user=user, pk=fund_id)
    if filters.status and filters.status not in MatchStatus.values:
        raise ApplicationError(_("Trạng thái không hợp lệ."), field="status")
    qs = statements.queue_lines(
        user=user,
        fund=fund,
        filters=statements.QueueFilter(
            status=filters.status,
            q=filters.q,
            date_from=filters.date_from,
            date_to=filters.date_to,
            amount=filters.amount,
            statement_id=filters.statement_id,
        ),
    )
    return PageSource(qs, lambda rows: [_line_out(line) for line in rows])


@router.post(
    "/funds/{fund_id}/statements/match",
    response={200: RematchOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Khớp lại tự động các khoản ghi có còn trong hàng chờ",
)
def statement_match_run(request: HttpRequest, fund_id: int) -> Any:
    user = _user(request, "donation.record")
    fund = statements.fund_get(user=user, pk=fund_id)
    return RematchOut(matched=statements.statement_rematch(actor=user, fund=fund))


@router.post(
    "/funds/{fund_id}/statements/lines/{line_id}/match",
    response={200: LineOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Khớp một dòng ghi có với một khoản ủng hộ (thủ công)",
)
def statement_line_match(request: HttpRequest, fund_id: int, line_id: int, body: MatchIn) -> Any:
    user, line = _line(request, fund_id, line_id)
    donation = Donation.objects.visible_to(user).filter(pk=body.donation_id).first()
    if donation is None:
        raise ApplicationError(_("Không tìm thấy khoản ủng hộ."), field="donation_id")
    return _line_out(statements.line_match(actor=user, line=line, donation=donation))


@router.post(
    "/funds/{fund_id}/statements/lines/{line_id}/donation",
    response={201: LineOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Ghi một dòng ghi có thành khoản ủng hộ mới (chuyển khoản)",
)
def statement_line_record(
    request: HttpRequest, fund_id: int, line_id: int, body: LineRecordIn
) -> Any:
    user, line = _line(request, fund_id, line_id)
    donor = None
    if body.donor_id is not None:
        donor = Donor.objects.visible_to(user).filter(pk=body.donor_id).first()
        if donor is None:
            raise ApplicationError(_("Không tìm thấy nhà hảo tâm."), field="donor_id")
    done = statements.line_record(
        actor=user,
        line=line,
        data=statements.RecordData(
            donor=donor, donor_name=body.donor_name, anonymous=body.anonymous
        ),
    )
    return Status(201, _line_out(done))


@router.post(
    "/funds/{fund_id}/statements/lines/{line_id}/ignore",
    response={200: LineOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Đánh dấu một dòng ghi có không phải khoản ủng hộ (kèm lý do)",
)
def statement_line_ignore(request: HttpRequest, fund_id: int, line_id: int, body: IgnoreIn) -> Any:
    user, line = _line(request, fund_id, line_id)
    return _line_out(statements.line_ignore(actor=user, line=line, reason=body.reason))


@router.post(
    "/funds/{fund_id}/statements/lines/{line_id}/unmatch",
    response={200: LineOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Hoàn tác việc khớp (hoặc bỏ qua) một dòng: đưa lại hàng chờ",
)
def statement_line_unmatch(request: HttpRequest, fund_id: int, line_id: int) -> Any:
    user, line = _line(request, fund_id, line_id)
    return _line_out(statements.line_unmatch(actor=user, line=line))
