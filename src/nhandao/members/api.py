"""The API of this app under /api/v1/: the same services and scoped selectors as the pages.

Members: list (filtered as the page filters), read, register (at the API key's unit or a unit
under it), dues, transfers, and the counts of a unit and its sub-units for a year."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from nhandao.core.errors import ApplicationError
from nhandao.core.pagination import PageSource
from nhandao.orgs import selectors as orgs
from nhandao.orgs.api import ERRORS, ErrorOut, Pages
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from . import selectors, services
from .models import Dues, Member, MemberStatus, MemberTransfer

router = Router(tags=["members"])

MAX_ID = 2**63 - 1
BAD = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


class MemberOut(Schema):
    id: int
    person_id: int
    full_name: str
    birth: str
    unit_id: int
    unit_name: str
    joined_on: dt.date
    card_no: str
    card_issued_on: dt.date | None
    status: str
    status_since: dt.date | None


class MemberIn(Schema):
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    full_name: str = Field("", max_length=150)
    birth: str = Field("", max_length=20)
    sex: str = Field("", max_length=6)
    id_number: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    joined_on: dt.date
    card_no: str = Field("", max_length=30)


class DuesIn(Schema):
    year: int = Field(..., ge=1900, le=2200)
    status: str = Field("paid", max_length=6)
    amount: int = Field(0, ge=-(2**62), le=2**62)
    paid_on: dt.date | None = None


class DuesOut(Schema):
    id: int
    member_id: int
    year: int
    status: str
    amount: int
    paid_on: dt.date | None


class TransferIn(Schema):
    to_unit_id: int = Field(..., ge=1, le=MAX_ID)
    transferred_on: dt.date
    reason: str = Field("", max_length=255)


class TransferOut(Schema):
    id: int
    member_id: int
    from_unit_id: int
    to_unit_id: int
    transferred_on: dt.date
    reason: str


class CountOut(Schema):
    unit_id: int | None
    unit_name: str
    new: int
    lapsed: int
    left: int
    active: int


class CountsOut(Schema):
    unit_id: int
    year: int
    own: CountOut
    sub_units: list[CountOut]
    total: CountOut


def _user(request: HttpRequest, perm: str = "data.view") -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, perm):
        raise HttpError(403, "Bạn không có quyền với dữ liệu này.")
    return user


def _out(m: Member) -> MemberOut:
    return MemberOut(
        id=m.pk,
        person_id=m.person_id,
        full_name=m.person.full_name,
        birth=m.person.birth_display,
        unit_id=m.unit_id,
        unit_name=m.unit.name,
        joined_on=m.joined_on,
        card_no=m.card_no,
        card_issued_on=m.card_issued_on,
        status=m.status,
        status_since=m.status_since,
    )


def _dues_out(d: Dues) -> DuesOut:
    return DuesOut(
        id=d.pk,
        member_id=d.member_id,
        year=d.year,
        status=d.status,
        amount=d.amount,
        paid_on=d.paid_on,
    )


def _transfer_out(t: MemberTransfer) -> TransferOut:
    return TransferOut(
        id=t.pk,
        member_id=t.member_id,
        from_unit_id=t.from_unit_id,
        to_unit_id=t.to_unit_id,
        transferred_on=t.transferred_on,
        reason=t.reason,
    )


@router.get(
    "/members",
    response={200: list[MemberOut], **ERRORS},
    summary="Danh sách hội viên (tìm theo tên không dấu, số thẻ; lọc tình trạng, đơn vị, hội phí)",
)
@paginate(Pages, page_size=100)
def member_list(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    unit: int | None = Query(None, ge=1, le=MAX_ID),
    dues_year: int | None = Query(None, ge=1900, le=2200),
    dues: str = "",
) -> Any:
    user = _user(request)
    filters = selectors.MemberFilters(
        query=q[:100],
        status=status if status in MemberStatus.values else "",
        unit=orgs.unit_get(user=user, pk=unit) if unit else None,
        dues_year=dues_year,
        dues=dues if dues in ("paid", "exempt", "none") else "",
    )
    qs = selectors.member_list(user, filters)
    return PageSource(qs, lambda rows: [_out(m) for m in rows])


@router.get("/members/counts", response={200: CountsOut, **BAD}, summary="Số liệu hội viên")
def member_counts(
    request: HttpRequest,
    unit: int | None = Query(None, ge=1, le=MAX_ID),
    year: int = Query(..., ge=1990, le=2100),
) -> Any:
    """New, lapsed, left and active members of a unit (default: the key's unit) and each of its
    sub-units for a year."""
    user = _user(request)
    if unit:
        chosen = orgs.unit_get(user=user, pk=unit)
    else:
        assignment = getattr(user, "active_assignment", None)
        if assignment is None:
            raise ApplicationError("Khóa API chưa gắn với đơn vị nào.")
        chosen = assignment.unit
    c = selectors.unit_counts(chosen, year)

    def row(r: Any) -> CountOut:
        return CountOut(
            unit_id=r.unit.pk if r.unit else None,
            unit_name=r.unit.name if r.unit else "",
            new=r.new,
            lapsed=r.lapsed,
            left=r.left,
            active=r.active,
        )

    return CountsOut(
        unit_id=chosen.pk,
        year=year,
        own=row(c.own),
        sub_units=[row(r) for r in c.rows],
        total=row(c.total),
    )


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS}, summary="Một hội viên")
def member_detail(request: HttpRequest, member_id: int) -> Any:
    user = _user(request)
    return _out(selectors.member_get(user=user, pk=member_id))


@router.post("/members", response={201: MemberOut, **BAD}, summary="Kết nạp hội viên")
def member_create(request: HttpRequest, body: MemberIn) -> Any:
    """A person already in the registry (``person_id``) or a new one (name, birth, …)."""
    user = _user(request, "data.edit")
    if body.unit_id:
        unit = orgs.unit_get(user=user, pk=body.unit_id)
    else:
        assignment = getattr(user, "active_assignment", None)
        if assignment is None:
            raise ApplicationError("Khóa API chưa gắn với đơn vị nào.")
        unit = assignment.unit
    person: Any
    if body.person_id:
        from nhandao.people.selectors import person_get

        person = person_get(user=user, pk=body.person_id)
    else:
        person = people.PersonData(
            full_name=body.full_name,
            birth=body.birth,
            sex=body.sex,
            id_number=body.id_number,
            phone=body.phone,
        )
    m = services.member_register(
        actor=user, unit=unit, person=person, joined_on=body.joined_on, card_no=body.card_no
    )
    return Status(201, _out(selectors.member_get(user=user, pk=m.pk)))


@router.get("/members/{member_id}/dues", response={200: list[DuesOut], **ERRORS}, summary="Hội phí")
def member_dues(request: HttpRequest, member_id: int) -> Any:
    member = selectors.member_get(user=_user(request), pk=member_id)
    return [_dues_out(d) for d in member.dues.order_by("-year")]


@router.post(
    "/members/{member_id}/dues", response={201: DuesOut, **BAD}, summary="Ghi hội phí một năm"
)
def member_dues_create(request: HttpRequest, member_id: int, body: DuesIn) -> Any:
    user = _user(request, "data.edit")
    member = selectors.member_get(user=user, pk=member_id)
    data = services.DuesData(
        year=body.year, status=body.status, amount=body.amount, paid_on=body.paid_on
    )
    return Status(201, _dues_out(services.dues_record(actor=user, member=member, data=data)))


@router.get(
    "/members/{member_id}/transfers",
    response={200: list[TransferOut], **ERRORS},
    summary="Lịch sử chuyển sinh hoạt",
)
def member_transfers(request: HttpRequest, member_id: int) -> Any:
    member = selectors.member_get(user=_user(request), pk=member_id)
    return [_transfer_out(t) for t in member.transfers.all()]


@router.post(
    "/members/{member_id}/transfers",
    response={201: TransferOut, **BAD},
    summary="Chuyển sinh hoạt sang đơn vị khác",
)
def member_transfer_create(request: HttpRequest, member_id: int, body: TransferIn) -> Any:
    user = _user(request, "data.edit")
    member = selectors.member_get(user=user, pk=member_id)
    to_unit = orgs.unit_get(user=user, pk=body.to_unit_id)
    t = services.member_transfer(
        actor=user, member=member, to_unit=to_unit, on=body.transferred_on, reason=body.reason
    )
    return Status(201, _transfer_out(t))
