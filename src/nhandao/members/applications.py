"""The public self-registration form and its confirmation by the branch.

An application is plain text kept apart from the registry. Confirming runs the duplicate check
(``people.selectors.person_matches``, shown to the officer), then with the officer's choice creates
the Person (if new) and the Member or Volunteer role. Nothing enters the registry unconfirmed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import nfc
from nhandao.orgs.models import Unit, UnitKind
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from . import volunteers
from .models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Skill,
    VolunteerKind,
)
from .services import member_register

A = AuditEvent.Action


def application_sensitive_viewed(*, actor: Any, app: Application, ip: str | None) -> None:
    """An application's page shown with the applicant's phone in full is logged."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=app,
        unit_path=app.unit.path,
        changes={"viewed": [None, "application_page"]},
        ip_address=ip,
    )


JOINABLE_KINDS = (UnitKind.COMMUNE, UnitKind.BRANCH)
MESSAGE_MAX = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ApplicationData:
    kind: str
    unit_id: int | None
    full_name: str
    birth: str
    phone: str
    email: str = ""
    sex: str = ""
    address_detail: str = ""
    skills: list[str] = field(default_factory=list)
    message: str = ""


def _plain(text: str, limit: int, what: str, name: str) -> str:
    """Plain text only: control characters dropped, trimmed, length-limited (it is shown escaped
    anyway, never as HTML)."""
    value = _CONTROL.sub("", nfc(text or "")).strip()
    if len(value) > limit:
        raise ApplicationError(
            _("%(what)s dài %(n)d ký tự, tối đa %(max)d.")
            % {"what": what, "n": len(value), "max": limit},
            field=name,
        )
    return value


def joinable_unit(unit_id: Any) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, is_active=True, kind__in=JOINABLE_KINDS).first()
    if unit is None:
        raise ApplicationError(
            _("Hãy chọn một Hội Chữ thập đỏ xã/phường hoặc chi hội đang hoạt động."), field="unit"
        )
    return unit


def application_submit(*, data: ApplicationData, ip: str | None) -> Application:
    """Keep an application from the public form (no user). Checked as the registry checks a
    person, without writing to it."""
    if data.kind not in ApplicationKind.values:
        raise ApplicationError(
            _("Hãy chọn đăng ký làm hội viên, tình nguyện viên hoặc cộng tác viên."), field="kind"
        )
    unit = joinable_unit(data.unit_id)
    if not (data.birth or "").strip():
        raise ApplicationError(_("Cần ghi ngày sinh."), field="birth")
    if not (data.phone or "").strip():
        raise ApplicationError(_("Cần ghi số điện thoại để chi hội liên hệ."), field="phone")
    checked = people.person_check(
        people.PersonData(
            full_name=_plain(data.full_name, 150, _("Họ và tên"), "full_name"),
            birth=_plain(data.birth, 10, _("Ngày sinh"), "birth"),
            phone=_plain(data.phone, 15, _("Điện thoại"), "phone"),
            sex=data.sex,
        )
    ).values
    if data.kind == ApplicationKind.VOLUNTEER:
        volunteers.check_adult(
            checked["birth_date"], checked["birth_precision"], timezone.localdate()
        )
    email = _plain(data.email, 254, _("Thư điện tử"), "email")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ApplicationError(_("Địa chỉ thư điện tử không đúng."), field="email") from exc
    codes = sorted(set(data.skills))
    names = list(Skill.objects.filter(code__in=codes).values_list("code", flat=True))
    if len(names) != len(codes):
        raise ApplicationError(_("Có kỹ năng không có trong danh mục."), field="skills")
    app = Application.objects.create(
        kind=data.kind,
        unit=unit,
        full_name=checked["full_name"],
        birth=_plain(data.birth, 10, _("Ngày sinh"), "birth"),
        sex=checked["sex"],
        phone=checked["phone"],
        email=email,
        address_detail=_plain(data.address_detail, 255, _("Địa chỉ"), "address_detail"),
        skills=",".join(codes)[:255],
        message=_plain(data.message, MESSAGE_MAX, _("Lời nhắn"), "message"),
        ip_address=ip,
    )
    audit_record(
        actor=None,
        action=A.CREATE,
        obj=app,
        unit_path=unit.path,
        ip_address=ip,
        changes={"kind": [None, app.kind], "unit": [None, unit.name]},
    )
    return app


def application_person_data(app: Application) -> people.PersonData:
    return people.PersonData(
        full_name=app.full_name,
        birth=app.birth or None,
        sex=app.sex,
        phone=app.phone,
        address_detail=app.address_detail,
    )


def _pending(app: Application) -> Application:
    app = Application.objects.select_for_update().select_related("unit").get(pk=app.pk)
    if app.status != ApplicationStatus.PENDING:
        raise ApplicationError(_("Đơn này đã được xử lý (%s).") % app.get_status_display())
    return app


@transaction.atomic
def application_confirm(
    *, actor: Any, application: Application, person: Any = None, role_unit: Any = None
) -> Application:
    """Confirm: ``person`` is the existing record the officer picked as "same person", or None
    for a new one. Creates the Person (if new) and the Member or Volunteer role, all or nothing,
    in ``role_unit`` when given (a branch other than the one the applicant chose). The officer
    needs the right to edit both the application's unit and the role's."""
    app = _pending(application)
    if not can(actor, "data.edit", app.unit):
        raise ApplicationError(_("Bạn không có quyền xác nhận đơn ở đơn vị này."))
    unit = role_unit or app.unit
    if unit.pk != app.unit_id and not can(actor, "data.edit", unit):
        raise ApplicationError(
            _("Bạn không có quyền ghi hội viên, tình nguyện viên vào %(unit)s.")
            % {"unit": unit.name},
            field="role_unit",
        )
    who: Any = person if person is not None else application_person_data(app)
    if app.kind == ApplicationKind.MEMBER:
        member = member_register(actor=actor, unit=unit, person=who, joined_on=timezone.localdate())
        created_person = member.person
    else:
        kind = (
            VolunteerKind.VOLUNTEER
            if app.kind == ApplicationKind.VOLUNTEER
            else VolunteerKind.COLLABORATOR
        )
        data = volunteers.VolunteerData(kind=kind, skills=[s for s in app.skills.split(",") if s])
        volunteer = volunteers.volunteer_register(actor=actor, unit=unit, person=who, data=data)
        created_person = volunteer.person
    app.status = ApplicationStatus.CONFIRMED
    app.person = created_person
    app.decided_by = actor
    app.decided_at = timezone.now()
    app.save(update_fields=["status", "person", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=app,
        unit_path=app.unit.path,
        changes={
            "status": [ApplicationStatus.PENDING, app.status],
            "person": [None, created_person.pk],
            "same_person": [None, person is not None],
        },
    )
    return app


@transaction.atomic
def application_reject(*, actor: Any, application: Application) -> Application:
    app = _pending(application)
    if not can(actor, "data.edit", app.unit):
        raise ApplicationError(_("Bạn không có quyền xử lý đơn ở đơn vị này."))
    app.status = ApplicationStatus.REJECTED
    app.decided_by = actor
    app.decided_at = timezone.now()
    app.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=app,
        unit_path=app.unit.path,
        changes={"status": [ApplicationStatus.PENDING, app.status]},
    )
    return app
