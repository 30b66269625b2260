"""Sessions (buổi hiến máu): plan, change, register donors in advance. Every change audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record, diff
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from .models import BloodDonor, BloodSession, SessionRegistration, SessionStatus

A = AuditEvent.Action

MAX_PER_SESSION = 100_000


@dataclass
class SessionData:
    held_on: dt.date
    place: str
    host: str = ""
    collecting_facility: str = ""
    expected_donors: int = 0
    target_units: int = 0
    campaign: Any = None
    status: str = SessionStatus.PLANNED


def _values(data: SessionData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data)}


def _may_edit(actor: Any, unit: Any) -> None:
    from nhandao.orgs.permissions import can

    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền lập buổi hiến máu ở đơn vị này."))


def _check(data: SessionData, unit: Any) -> SessionData:
    place = (data.place or "").strip()
    if not place:
        raise ApplicationError(_("Chưa ghi địa điểm hiến máu."), field="place")
    if data.held_on is None:
        raise ApplicationError(_("Chưa ghi ngày hiến máu."), field="held_on")
    for name, label in (
        ("expected_donors", _("Số người dự kiến")),
        ("target_units", _("Chỉ tiêu đơn vị máu")),
    ):
        value = getattr(data, name)
        if value is None or value < 0 or value > MAX_PER_SESSION:
            raise ApplicationError(
                _("%(label)s phải từ 0 đến %(max)s.") % {"label": label, "max": "100.000"},
                field=name,
            )
    if data.status not in SessionStatus.values:
        raise ApplicationError(_("Trạng thái buổi hiến máu không hợp lệ."), field="status")
    campaign = data.campaign
    if campaign is not None:
        if campaign.kind != "blood_drive":
            raise ApplicationError(
                _("«%s» không phải đợt vận động hiến máu.") % campaign.name, field="campaign"
            )
        if not unit.path.startswith(campaign.unit.path):
            raise ApplicationError(
                _("Đơn vị không thuộc địa bàn của đợt vận động «%s».") % campaign.name,
                field="campaign",
            )
    return SessionData(
        **{
            **_values(data),
            "campaign": campaign,
            "place": place[:255],
            "host": (data.host or "").strip()[:255],
            "collecting_facility": (data.collecting_facility or "").strip()[:255],
        }
    )


def _snapshot(session: BloodSession) -> dict[str, Any]:
    return {
        "held_on": session.held_on.isoformat() if session.held_on else None,
        "place": session.place,
        "host": session.host,
        "collecting_facility": session.collecting_facility,
        "expected_donors": session.expected_donors,
        "target_units": session.target_units,
        "campaign": session.campaign_id,
        "status": session.status,
    }


@transaction.atomic
def session_create(*, actor: Any, unit: Any, data: SessionData) -> BloodSession:
    _may_edit(actor, unit)
    clean = _check(data, unit)
    session = BloodSession.objects.create(
        unit=unit,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **_values(clean),
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=session,
        unit_path=unit.path,
        changes=diff({}, _snapshot(session)),
    )
    return session


@transaction.atomic
def session_update(*, actor: Any, session: BloodSession, data: SessionData) -> BloodSession:
    session = BloodSession.objects.select_for_update().select_related("unit").get(pk=session.pk)
    _may_edit(actor, session.unit)
    clean = _check(data, session.unit)
    before = _snapshot(session)
    for name, value in _values(clean).items():
        setattr(session, name, value)
    session.save()
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=session,
        unit_path=session.unit.path,
        changes=diff(before, _snapshot(session)),
    )
    return session


def registration_add(
    *, actor: Any, session: BloodSession, donor: BloodDonor
) -> SessionRegistration:
    """Register a donor in advance (once per session)."""
    _may_edit(actor, session.unit)
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise ApplicationError(_("Buổi hiến máu đã kết thúc hoặc bị hủy: không đăng ký thêm."))
    try:
        with transaction.atomic():
            registration = SessionRegistration.objects.create(session=session, donor=donor)
            audit_record(
                actor=actor,
                action=A.CREATE,
                obj=registration,
                unit_path=session.unit.path,
                object_repr=f"{donor} – {session}",
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("%s đã đăng ký buổi hiến máu này.") % donor.person.full_name
        ) from exc
    return registration


@transaction.atomic
def registration_remove(*, actor: Any, registration: SessionRegistration) -> None:
    session = registration.session
    _may_edit(actor, session.unit)
    if registration.checked_in_at is not None:
        raise ApplicationError(_("Người này đã đến hiến: không bỏ đăng ký được."))
    audit_record(
        actor=actor,
        action=A.DELETE,
        obj=registration,
        unit_path=session.unit.path,
        object_repr=f"{registration.donor} – {session}",
    )
    registration.delete()
