"""The API of this app under /api/v1/: the same services and scoped selectors as the pages.

The check-in lookup (a donor found by citizen ID, phone, card code or name, with the eligibility
answer), and recording a donation or a deferral at a session. A donation refused because another
station recorded the donor's donation of the day first answers 409 with when and where.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from nhandao.core.errors import ApplicationError
from nhandao.orgs.api import ErrorOut
from nhandao.orgs.permissions import can

from . import checkin, services
from .models import DonationKind
from .selectors import donor_get, session_get

router = Router(tags=["blood"])

MAX_ID = 2**63 - 1


class CheckinQuery(Schema):
    q: str = Field(..., max_length=200, description="Số CCCD, điện thoại, mã thẻ hoặc họ tên")
    session_id: int | None = Field(None, ge=1, le=MAX_ID)
    kind: str = Field(DonationKind.WHOLE_BLOOD.value, max_length=12)


class DonorCheckinOut(Schema):
    id: int
    person_id: int
    card_code: str
    full_name: str
    birth: str
    sex: str
    blood_group: str
    unit_id: int
    donation_count: int
    last_donation_on: dt.date | None
    last_donation_kind: str
    weight_kg: Decimal | None
    weighed_on: dt.date | None
    eligible: bool
    reasons: list[str]
    next_date: dt.date | None
    max_volume_ml: int | None
    allowed_volumes: list[int]


class CheckinOut(Schema):
    on: dt.date
    session_id: int | None
    kind: str
    donors: list[DonorCheckinOut]


class DonationIn(Schema):
    donor_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(DonationKind.WHOLE_BLOOD.value, max_length=12)
    volume_ml: int = Field(..., ge=-32768, le=32767)
    # A number in the schema (a Decimal with max_digits would answer an undocumented 422);
    # rounded to 0.1 kg here, and an impossible weight gets the service's 400 message.
    weight_kg: float = Field(..., ge=0, le=1000)
    certificate_no: str = Field("", max_length=40)
    health_notes: str = Field("", max_length=2000)
    gift_value: int = Field(0, ge=0, le=MAX_ID)
    travel_value: int = Field(0, ge=0, le=MAX_ID)
    meal_value: int = Field(0, ge=0, le=MAX_ID)


class DonationOut(Schema):
    id: int
    donor_id: int
    session_id: int | None
    unit_id: int
    donated_on: dt.date
    kind: str
    volume_ml: int
    weight_kg: Decimal | None
    certificate_no: str
    gift_value: int
    travel_value: int
    meal_value: int
    first_time: bool
    donation_count: int


class DeferralIn(Schema):
    donor_id: int = Field(..., ge=1, le=MAX_ID)
    reason_code: str = Field(..., max_length=30)
    reason_text: str = Field("", max_length=255)
    until: dt.date | None = None
    days: int | None = Field(None, ge=-100000, le=100000)
    permanent: bool = False


class DeferralOut(Schema):
    id: int
    donor_id: int
    session_id: int | None
    deferred_on: dt.date
    reason_code: str
    until: dt.date | None


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not can(user, "data.view"):
        raise HttpError(403, _("Bạn không có quyền xem dữ liệu này."))
    return user


@router.get(
    "/blood/checkin",
    response={200: CheckinOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Tiếp nhận: tìm người hiến máu và cho biết có được hiến hôm nay không",
)
def blood_checkin(request: HttpRequest, filters: Query[CheckinQuery]) -> Any:
    user = _user(request)
    session = session_get(user=user, pk=filters.session_id) if filters.session_id else None
    if filters.kind not in DonationKind.values:
        raise ApplicationError(_("Loại hiến máu không hợp lệ."), field="kind")
    on = session.held_on if session is not None else timezone.localdate()
    rows = checkin.checkin_lookup(user=user, query=filters.q, on=on, kind=filters.kind)
    return CheckinOut(
        on=on,
        session_id=session.pk if session is not None else None,
        kind=filters.kind,
        donors=[
            DonorCheckinOut(
                id=r.donor.pk,
                person_id=r.donor.person_id,
                card_code=r.donor.card_code,
                full_name=r.donor.person.full_name,
                birth=r.donor.person.birth_display,
                sex=r.donor.person.sex,
                blood_group=r.donor.blood_group,
                unit_id=r.donor.unit_id,
                donation_count=r.donor.donation_count,
                last_donation_on=r.donor.last_donation_on,
                last_donation_kind=r.donor.last_donation_kind,
                weight_kg=r.weight_kg,
                weighed_on=r.weighed_on,
                eligible=r.decision.eligible,
                reasons=r.decision.reasons,
                next_date=r.decision.next_date,
                max_volume_ml=r.decision.max_volume_ml,
                allowed_volumes=r.decision.allowed_volumes,
            )
            for r in rows
        ],
    )


@router.post(
    "/blood/sessions/{session_id}/donations",
    response={201: DonationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Ghi nhận một lần hiến máu tại buổi hiến (xét lại điều kiện khi ghi)",
)
def blood_donation_create(request: HttpRequest, session_id: int, body: DonationIn) -> Any:
    user = _user(request)
    session = session_get(user=user, pk=session_id)
    donor = donor_get(user=user, pk=body.donor_id)
    data = services.DonationData(
        kind=body.kind,
        volume_ml=body.volume_ml,
        weight_kg=Decimal(str(round(body.weight_kg, 1))),
        certificate_no=body.certificate_no,
        health_notes=body.health_notes,
        gift_value=body.gift_value,
        travel_value=body.travel_value,
        meal_value=body.meal_value,
    )
    try:
        d = services.donation_record(actor=user, donor=donor, session=session, data=data)
    except ApplicationError as exc:
        if exc.extra.get("duplicate"):
            return Status(409, {"detail": exc.message, "field": exc.field})
        raise
    return Status(
        201,
        DonationOut(
            id=d.pk,
            donor_id=d.donor_id,
            session_id=d.session_id,
            unit_id=d.unit_id,
            donated_on=d.donated_on,
            kind=d.kind,
            volume_ml=d.volume_ml,
            weight_kg=d.weight_kg,
            certificate_no=d.certificate_no,
            gift_value=d.gift_value,
            travel_value=d.travel_value,
            meal_value=d.meal_value,
            first_time=d.first_time,
            donation_count=d.donor.donation_count,
        ),
    )


@router.post(
    "/blood/sessions/{session_id}/deferrals",
    response={201: DeferralOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Ghi tạm hoãn hiến máu (lý do là dữ liệu nhạy cảm)",
)
def blood_deferral_create(request: HttpRequest, session_id: int, body: DeferralIn) -> Any:
    user = _user(request)
    session = session_get(user=user, pk=session_id)
    donor = donor_get(user=user, pk=body.donor_id)
    data = services.DeferralData(
        reason_code=body.reason_code,
        reason_text=body.reason_text,
        until=body.until,
        days=body.days,
        permanent=body.permanent,
    )
    x = services.deferral_record(actor=user, donor=donor, session=session, data=data)
    return Status(
        201,
        DeferralOut(
            id=x.pk,
            donor_id=x.donor_id,
            session_id=x.session_id,
            deferred_on=x.deferred_on,
            reason_code=x.reason_code,
            until=x.until,
        ),
    )
