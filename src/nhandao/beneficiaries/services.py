"""Writes to the registry of humanitarian addresses: register, update, verify, consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import nfc
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from .groups import POVERTY_GROUPS
from .models import Beneficiary, BeneficiaryGroup, Consent, GroupMembership, Status, Verification

A = AuditEvent.Action


@dataclass
class GroupEntry:
    code: str
    year: int | None = None
    standard: str = ""


@dataclass
class ProfileData:
    groups: list[GroupEntry] = field(default_factory=list)
    circumstances: str = ""
    status: str = Status.ACTIVE


def _check_profile(profile: ProfileData) -> None:
    known = set(BeneficiaryGroup.objects.values_list("code", flat=True))
    for entry in profile.groups:
        if entry.code not in known:
            raise ApplicationError(
                _("Đối tượng «%s» không có trong danh mục.") % entry.code, field="groups"
            )
        if entry.code in POVERTY_GROUPS and not entry.year:
            raise ApplicationError(
                _("Hộ nghèo/cận nghèo phải ghi năm xác định (và chuẩn nghèo áp dụng)."),
                field="groups",
            )
    if profile.status not in Status.values:
        raise ApplicationError(_("Tình trạng không hợp lệ."), field="status")
    if len(profile.circumstances) > 5000:
        raise ApplicationError(_("Hoàn cảnh tối đa 5.000 ký tự."), field="circumstances")


def _set_groups(beneficiary: Beneficiary, entries: list[GroupEntry]) -> None:
    GroupMembership.objects.filter(beneficiary=beneficiary).delete()
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(
                beneficiary=beneficiary, group_id=e.code, year=e.year, standard=nfc(e.standard)[:40]
            )
            for e in entries
        ]
    )


def _group_summary(entries: list[GroupEntry]) -> list[str]:
    return sorted(f"{e.code}{' ' + str(e.year) if e.year else ''}" for e in entries)


@transaction.atomic
def beneficiary_register(
    *,
    actor: Any,
    unit: Any,
    person: people.PersonData,
    profile: ProfileData,
    photo: tuple[str, bytes] | None = None,
) -> Beneficiary:
    """Record a person in difficulty: the person (registry) and their profile, in one step."""
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    _check_profile(profile)
    checked = people.person_check(person)
    record = people.person_create(actor=actor, unit=unit, checked=checked)
    beneficiary = Beneficiary.objects.create(
        person=record,
        unit=unit,
        circumstances=nfc(profile.circumstances),
        status=profile.status,
    )
    _set_groups(beneficiary, profile.groups)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=beneficiary,
        unit_path=unit.path,
        changes={
            "groups": [None, _group_summary(profile.groups)],
            "status": [None, profile.status],
            "circumstances": [None, "***" if profile.circumstances else ""],
        },
    )
    if photo is not None:
        beneficiary_set_photo(actor=actor, beneficiary=beneficiary, name=photo[0], data=photo[1])
    return beneficiary


@transaction.atomic
def beneficiary_add_existing(*, actor: Any, person: Any, profile: ProfileData) -> Beneficiary:
    """Give an existing registry person a beneficiary profile (instead of a duplicate)."""
    if not can(actor, "data.edit", person.unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    if Beneficiary.objects.filter(person=person).exists():
        raise ApplicationError(_("Người này đã là địa chỉ nhân đạo."))
    _check_profile(profile)
    beneficiary = Beneficiary.objects.create(
        person=person,
        unit=person.unit,
        circumstances=nfc(profile.circumstances),
        status=profile.status,
    )
    _set_groups(beneficiary, profile.groups)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=beneficiary,
        unit_path=person.unit.path,
        changes={"groups": [None, _group_summary(profile.groups)]},
    )
    return beneficiary


@transaction.atomic
def beneficiary_update(
    *,
    actor: Any,
    beneficiary: Beneficiary,
    person: people.PersonData,
    profile: ProfileData,
    photo: tuple[str, bytes] | None = None,
) -> Beneficiary:
    beneficiary = (
        Beneficiary.objects.select_for_update()
        .select_related("person", "unit")
        .get(pk=beneficiary.pk)
    )
    if not can(actor, "data.edit", beneficiary.unit):
        raise ApplicationError(_("Bạn không có quyền sửa dữ liệu tại đơn vị này."))
    _check_profile(profile)
    people.person_update(
        actor=actor, person=beneficiary.person, checked=people.person_check(person)
    )
    before_groups = _group_summary(
        [GroupEntry(m.group_id, m.year, m.standard) for m in beneficiary.memberships.all()]
    )
    changes: dict[str, list[Any]] = {}
    if before_groups != _group_summary(profile.groups):
        changes["groups"] = [before_groups, _group_summary(profile.groups)]
        _set_groups(beneficiary, profile.groups)
    if beneficiary.status != profile.status:
        changes["status"] = [beneficiary.status, profile.status]
    if beneficiary.circumstances != nfc(profile.circumstances):
        changes["circumstances"] = ["***", "***"]  # sensitive: the trail says it changed, not how
    beneficiary.status = profile.status
    beneficiary.circumstances = nfc(profile.circumstances)
    beneficiary.save()
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=beneficiary,
            unit_path=beneficiary.unit.path,
            changes=changes,
        )
    if photo is not None:
        beneficiary_set_photo(actor=actor, beneficiary=beneficiary, name=photo[0], data=photo[1])
    return beneficiary


@transaction.atomic
def beneficiary_verify(*, actor: Any, beneficiary: Beneficiary, result: str) -> Beneficiary:
    if not can(actor, "data.edit", beneficiary.unit):
        raise ApplicationError(_("Bạn không có quyền xác minh tại đơn vị này."))
    if result not in Verification.values or result == Verification.PENDING:
        raise ApplicationError(_("Kết quả xác minh không hợp lệ."))
    before = beneficiary.verification
    beneficiary.verification = result
    beneficiary.verified_by = actor
    beneficiary.verified_at = timezone.now()
    beneficiary.save(update_fields=["verification", "verified_by", "verified_at", "updated_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        changes={"verification": [before, result]},
    )
    return beneficiary


@transaction.atomic
def consent_record(
    *, actor: Any, beneficiary: Beneficiary, purpose: str, given_on: dt.date, method: str
) -> Consent:
    if not can(actor, "data.edit", beneficiary.unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    purpose = nfc(purpose)
    if len(purpose) < 5:
        raise ApplicationError(_("Hãy ghi rõ mục đích công khai."), field="purpose")
    if method not in Consent.Method.values:
        raise ApplicationError(_("Hình thức đồng ý không hợp lệ."), field="method")
    if given_on > timezone.localdate():
        raise ApplicationError(_("Ngày đồng ý không thể ở tương lai."), field="given_on")
    consent = Consent.objects.create(
        beneficiary=beneficiary,
        purpose=purpose[:255],
        given_on=given_on,
        method=method,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        changes={"consent": [None, f"{purpose} ({given_on:%d/%m/%Y})"]},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: Any, consent: Consent, on: dt.date) -> Consent:
    beneficiary = consent.beneficiary
    if not can(actor, "data.edit", beneficiary.unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    if consent.withdrawn_on is not None:
        raise ApplicationError(_("Sự đồng ý này đã được rút lại."))
    consent.withdrawn_on = on
    consent.save(update_fields=["withdrawn_on"])
    audit_record(
        actor=actor,
        action=A.REVOKE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        changes={"consent": [consent.purpose, None]},
    )
    return consent


def record_sensitive_view(*, actor: Any, beneficiary: Beneficiary, ip: str | None) -> None:
    """Every view of sensitive fields (circumstances, health groups, ID) is logged."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        ip_address=ip,
    )


def merge_profiles(*, survivor_profile: Beneficiary, merged_profile: Beneficiary) -> None:
    """Both merged persons were humanitarian addresses: the survivor's profile takes the other's
    groups and consents; the other profile is then removed (its person keeps the history)."""
    have = set(survivor_profile.memberships.values_list("group_id", flat=True))
    GroupMembership.objects.filter(beneficiary=merged_profile).exclude(group_id__in=have).update(
        beneficiary=survivor_profile
    )
    Consent.objects.filter(beneficiary=merged_profile).update(beneficiary=survivor_profile)
    if not survivor_profile.circumstances and merged_profile.circumstances:
        survivor_profile.circumstances = merged_profile.circumstances
        survivor_profile.save(update_fields=["circumstances", "updated_at"])
    audit_record(
        actor=None,
        action=A.MERGE,
        obj=survivor_profile,
        unit_path=survivor_profile.unit.path,
        changes={"merged_profile": [None, merged_profile.pk]},
    )
    merged_profile.delete()


PHOTO_MAX = 5 * 1024 * 1024
PHOTO_MAGIC = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp"}


@transaction.atomic
def beneficiary_set_photo(
    *, actor: Any, beneficiary: Beneficiary, name: str, data: bytes
) -> Beneficiary:
    """An optional photo (JPEG, PNG or WebP up to 5 MB), served only through the scoped view."""
    from django.core.files.base import ContentFile

    if not can(actor, "data.edit", beneficiary.unit):
        raise ApplicationError(_("Bạn không có quyền sửa dữ liệu tại đơn vị này."))
    if len(data) > PHOTO_MAX:
        raise ApplicationError(_("Ảnh «%s» lớn hơn 5 MB.") % name, field="photo")
    kind = next((ext for magic, ext in PHOTO_MAGIC.items() if data.startswith(magic)), None)
    if kind is None or (kind == "webp" and data[8:12] != b"WEBP"):
        raise ApplicationError(
            _("Tệp «%s» không phải ảnh JPEG, PNG hay WebP.") % name, field="photo"
        )
    if beneficiary.photo:
        beneficiary.photo.delete(save=False)
    beneficiary.photo.save(f"{beneficiary.pk}.{kind}", ContentFile(data), save=True)
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        changes={"photo": [None, kind]},
    )
    return beneficiary
