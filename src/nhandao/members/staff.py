"""Writes of staff positions (cán bộ Hội): a person in a position of a unit for a term, with the
HR fields the Red Cross keeps. Two terms of the same person in the same position and unit may not
overlap. Each one checked, atomic and audited; views of the sensitive fields are logged."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import fold, nfc
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from .models import Employment, StaffBasis, StaffPosition

A = AuditEvent.Action
SENSITIVE = ("insurance_no", "salary_grade")
TEXT_FIELDS = {
    "position": 120,
    "education": 120,
    "political_theory": 60,
    "state_management": 60,
    "insurance_no": 20,
    "salary_grade": 40,
}
_TERM = re.compile(r"^\s*(\d{4})\s*[-–—/]\s*(\d{4})\s*$")


def d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


@dataclass
class StaffData:
    position: str
    employment: str
    basis: str
    term_from: dt.date
    term_to: dt.date | None = None
    education: str = ""
    political_theory: str = ""
    state_management: str = ""
    insurance_no: str = ""
    salary_grade: str = ""


def parse_term(text: str) -> tuple[dt.date, dt.date]:
    """ "2026–2031" (a congress term) → 1/1/2026 … 31/12/2031."""
    match = _TERM.match(text or "")
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ApplicationError(
            _("Nhiệm kỳ «%s» không đúng dạng (ví dụ 2026–2031).") % text, field="term"
        )
    return dt.date(int(match.group(1)), 1, 1), dt.date(int(match.group(2)), 12, 31)


def _clean(data: StaffData) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = nfc(getattr(data, name) or "").strip()
        if len(value) > limit:
            raise ApplicationError(_("Trường này tối đa %(n)d ký tự.") % {"n": limit}, field=name)
        values[name] = value
    if not values["position"]:
        raise ApplicationError(_("Cần ghi chức vụ."), field="position")
    if values["insurance_no"] and not values["insurance_no"].isdigit():
        raise ApplicationError(_("Số sổ bảo hiểm xã hội chỉ gồm chữ số."), field="insurance_no")
    if data.employment not in Employment.values:
        raise ApplicationError(_("Chọn chế độ chuyên trách hoặc kiêm nhiệm."), field="employment")
    if data.basis not in StaffBasis.values:
        raise ApplicationError(_("Chọn hình thức bầu cử hoặc tuyển dụng."), field="basis")
    if data.term_to and data.term_to < data.term_from:
        raise ApplicationError(
            _("Nhiệm kỳ kết thúc %(to)s trước khi bắt đầu %(from)s.")
            % {"to": d(data.term_to), "from": d(data.term_from)},
            field="term_to",
        )
    values.update(
        employment=data.employment,
        basis=data.basis,
        term_from=data.term_from,
        term_to=data.term_to,
    )
    return values


def _refuse_overlap(person: Any, unit: Any, values: dict[str, Any], exclude_pk: Any) -> None:
    start, end = values["term_from"], values["term_to"]
    qs = StaffPosition.objects.filter(person=person, unit=unit).exclude(pk=exclude_pk)
    qs = qs.filter(Q(term_to__isnull=True) | Q(term_to__gte=start))
    if end is not None:
        qs = qs.filter(term_from__lte=end)
    key = fold(values["position"])
    for other in qs:
        if fold(other.position) == key:
            raise ApplicationError(
                _(
                    "%(name)s đã giữ chức vụ «%(pos)s» tại %(unit)s trong nhiệm kỳ %(from)s – "
                    "%(to)s, trùng với nhiệm kỳ này."
                )
                % {
                    "name": person.full_name,
                    "pos": other.position,
                    "unit": unit.name,
                    "from": d(other.term_from),
                    "to": d(other.term_to),
                },
                field="term_from",
            )


def _may_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi dữ liệu cán bộ ở đơn vị này."))


def _audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Sensitive values are not copied into the trail: only that they changed."""
    changes: dict[str, Any] = {}
    for key in after:
        if before.get(key) != after[key]:
            if key in SENSITIVE:
                changes[key] = ["***" if before.get(key) else "", "***" if after[key] else ""]
            else:
                changes[key] = [before.get(key), after[key]]
    return changes


@transaction.atomic
def staff_add(
    *, actor: Any, unit: Any, person: people.PersonData | Any, data: StaffData
) -> StaffPosition:
    _may_edit(actor, unit)
    values = _clean(data)
    if isinstance(person, people.PersonData):
        person = people.person_create(actor=actor, unit=unit, checked=people.person_check(person))
    else:
        type(person).objects.select_for_update().filter(pk=person.pk).first()  # serialise terms
    _refuse_overlap(person, unit, values, exclude_pk=None)
    staff = StaffPosition.objects.create(person=person, unit=unit, **values)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=staff,
        unit_path=unit.path,
        object_repr=f"{person.full_name}: {staff.position}"[:255],
        changes=_audit_changes({}, values),
    )
    return staff


@transaction.atomic
def staff_update(*, actor: Any, staff: StaffPosition, data: StaffData) -> StaffPosition:
    staff = (
        StaffPosition.objects.select_for_update().select_related("unit", "person").get(pk=staff.pk)
    )
    _may_edit(actor, staff.unit)
    values = _clean(data)
    type(staff.person).objects.select_for_update().filter(pk=staff.person_id).first()
    _refuse_overlap(staff.person, staff.unit, values, exclude_pk=staff.pk)
    before = {k: getattr(staff, k) for k in values}
    for key, value in values.items():
        setattr(staff, key, value)
    staff.save()
    changes = _audit_changes(before, values)
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=staff,
            unit_path=staff.unit.path,
            object_repr=f"{staff.person.full_name}: {staff.position}"[:255],
            changes=changes,
        )
    return staff


def staff_sensitive_viewed(*, actor: Any, unit: Any, ip: str | None, what: str) -> None:
    """Every view of insurance numbers and salary grades is logged (a page, a list, a file)."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        object_type="members.staffposition",
        object_repr=what[:255],
        unit_path=unit.path,
        ip_address=ip,
    )
