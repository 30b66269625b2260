"""The API of this app under /api/v1/: the same services and scoped selectors as the pages.

Voiding a mistaken aid record, and redeeming a voucher at a stall (a redeemed voucher answers
409 with when and where it was used)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from nhandao.core.errors import ApplicationError
from nhandao.orgs.api import ErrorOut

from . import selectors, services, vouchers

router = Router(tags=["aid"])

MAX_ID = 2**63 - 1


class VoidIn(Schema):
    reason: str = Field(..., max_length=255)


class RedeemIn(Schema):
    stall_id: int = Field(..., ge=1, le=MAX_ID)
    code: str = Field(..., max_length=200)


class VoucherOut(Schema):
    id: int
    code: str
    fair_id: int
    stall_id: int | None
    value: int
    status: str
    valid_from: dt.date
    valid_until: dt.date
    redeemed_at: dt.datetime | None
    recipient: str


class AidOut(Schema):
    id: int
    campaign_id: int
    person_id: int
    household_id: int | None
    unit_id: int
    recorded_unit_id: int
    partner_id: int | None
    distribution_id: int | None
    kind: str
    value: int
    given_on: dt.date
    source: str
    donor_name: str
    acknowledgement: str
    override_no: int
    override_reason: str
    voided_at: dt.datetime | None
    void_reason: str


def aid_out(r: Any) -> AidOut:
    return AidOut(
        id=r.pk,
        campaign_id=r.campaign_id,
        person_id=r.person_id,
        household_id=r.household_id,
        unit_id=r.unit_id,
        recorded_unit_id=r.recorded_unit_id,
        partner_id=r.partner_id,
        distribution_id=r.distribution_id,
        kind=r.kind,
        value=r.value,
        given_on=r.given_on,
        source=r.source,
        donor_name=r.donor_name,
        acknowledgement=r.acknowledgement,
        override_no=r.override_no,
        override_reason=r.override_reason,
        voided_at=r.voided_at,
        void_reason=r.void_reason,
    )


@router.post(
    "/aid/{record_id}/void",
    response={200: AidOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Hủy một bản ghi hỗ trợ nhập nhầm (giữ lại, có lý do)",
)
def aid_void(request: HttpRequest, record_id: int, body: VoidIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    record = selectors.aid_get(user=user, pk=record_id)
    record = services.aid_void(actor=user, record=record, reason=body.reason)
    return aid_out(record)


@router.post(
    "/vouchers/redeem",
    response={200: VoucherOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Nhận phiếu quà tặng tại một gian hàng (mỗi phiếu một lần)",
)
def voucher_redeem(request: HttpRequest, body: RedeemIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    stall = vouchers.stall_get_visible(user=user, pk=body.stall_id)
    try:
        v = vouchers.voucher_redeem(actor=user, fair=stall.fair, stall=stall, code=body.code)
    except ApplicationError as exc:
        if exc.extra.get("redeemed"):
            return Status(409, {"detail": exc.message, "field": exc.field})
        raise
    return VoucherOut(
        id=v.pk,
        code=vouchers.code_display(v.code),
        fair_id=v.fair_id,
        stall_id=v.stall_id,
        value=v.value,
        status=v.status,
        valid_from=v.valid_from,
        valid_until=v.valid_until,
        redeemed_at=v.redeemed_at,
        recipient=v.aid_record.person.full_name,
    )
