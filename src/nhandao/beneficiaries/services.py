"""Writes to the registry of humanitarian addresses: register, update, verify, consent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_list_view, audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import nfc
from nhandao.imports import sql
from nhandao.orgs.permissions import can
from nhandao.people import bulk as people_bulk
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


# What a user without ``pii.view`` does not see of a record (on the edit form, in the API): an
# update from them that leaves these empty keeps the stored values; a new value replaces them.
HIDDEN_PERSON = ("id_number", "legacy_id", "phone")


def hidden_kept(
    *, actor: Any, beneficiary: Beneficiary, person: people.PersonData, profile: ProfileData
) -> tuple[people.PersonData, ProfileData]:
    """The update's values with what the actor could not see put back, when the actor may not
    see personal identifiers at the record's unit: the hidden fields left empty take their
    stored values, and the sensitive (health-related) groups, which are not shown to them, are
    kept. Unchanged for a user who sees everything."""
    if can(actor, "pii.view", beneficiary.unit):
        return person, profile
    stored = beneficiary.person
    kept = {
        name: getattr(stored, name)
        for name in HIDDEN_PERSON
        if not str(getattr(person, name) or "").strip()
    }
    groups = list(profile.groups)
    codes = {g.code for g in groups}
    groups += [
        GroupEntry(m.group_id, m.year, m.standard)
        for m in beneficiary.memberships.select_related("group")
        if m.group.sensitive and m.group_id not in codes
    ]
    circumstances = profile.circumstances.strip() or beneficiary.circumstances
    return (
        replace(person, **kept),
        replace(profile, groups=groups, circumstances=circumstances),
    )


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
    person, profile = hidden_kept(
        actor=actor, beneficiary=beneficiary, person=person, profile=profile
    )
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


def record_sensitive_view(
    *, actor: Any, beneficiary: Beneficiary, ip: str | None, what: str = ""
) -> None:
    """Every view of sensitive fields (circumstances, health groups, ID) is logged; ``what``
    names the view when it is not the record's page (the edit form, an API answer)."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=beneficiary,
        unit_path=beneficiary.unit.path,
        changes={"viewed": [None, what]} if what else None,
        ip_address=ip,
    )


def record_sensitive_list_view(**kwargs: Any) -> None:
    """A list of humanitarian addresses served with unmasked sensitive data (a page, a
    workbook, a page of the API), logged once (``core.audit.audit_list_view``)."""
    audit_list_view(object_type=Beneficiary._meta.label_lower, **kwargs)


def before_person_merge(*, actor: Any, survivor: Any, merged: Any) -> None:
    """``people.person_merge`` hook, before references are repointed: when both persons are
    humanitarian addresses their profiles are merged here, where the merge's actor is known,
    so the trail says who merged them."""
    profiles = {
        b.person_id: b
        for b in Beneficiary.objects.select_related("unit").filter(
            person_id__in=[survivor.pk, merged.pk]
        )
    }
    if len(profiles) == 2:
        merge_profiles(
            actor=actor, survivor_profile=profiles[survivor.pk], merged_profile=profiles[merged.pk]
        )


def merge_profiles(
    *, survivor_profile: Beneficiary, merged_profile: Beneficiary, actor: Any = None
) -> None:
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
        actor=actor,
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


# --------------------------------------------------------------------------------------------
# Set-based, for the import pipeline (see beneficiaries.importers)


def beneficiary_existing_keys(cursor: Any, *, unit_path: str, keys_table: str) -> set[str]:
    """The import natural keys of ``keys_table`` (column ``nk``: "ref:<source ref>",
    "id:<citizen ID>" or "nb:<name key>|<birth date>|<ward>") that a humanitarian address under
    ``unit_path`` already carries. Two statements, whatever the number of keys."""
    split = "people_bulk_existing"
    pos = "strpos" if sql.is_pg() else "instr"
    sql.drop(cursor, split)
    cursor.execute(
        f"CREATE TEMP TABLE {split} AS SELECT nk, "  # noqa: S608
        "CASE WHEN nk LIKE 'ref:%%' THEN substr(nk, 5) END AS ref, "
        "CASE WHEN nk LIKE 'id:%%' THEN substr(nk, 4) END AS idn, "
        f"CASE WHEN nk LIKE 'nb:%%' THEN substr(nk, 4, {pos}(nk, '|') - 4) END AS nb_name "
        f"FROM {keys_table} WHERE nk <> %s",
        [""],
    )
    try:
        base = (
            f"SELECT k.nk FROM {split} k JOIN people_person p ON {{on}} "  # noqa: S608
            "JOIN beneficiaries_beneficiary b ON b.person_id = p.id "
            "JOIN orgs_unit u ON u.id = p.unit_id WHERE u.path LIKE %s"
        )
        same_nb = (
            "p.name_key = k.nb_name AND k.nk = 'nb:' || p.name_key || '|' || "
            "COALESCE(CAST(p.birth_date AS text), '') || '|' || "
            "COALESCE(CAST(p.ward_id AS text), '')"
        )
        parts = [
            base.format(on="p.source_ref = k.ref"),
            base.format(on="p.id_number = k.idn"),
            base.format(on=same_nb),
        ]
        cursor.execute(" UNION ".join(parts), [unit_path + "%"] * 3)
        return {nk for (nk,) in cursor.fetchall()}
    finally:
        sql.drop(cursor, split)


# What :func:`beneficiaries_insert_bulk` adds to besides the people (for the import's indexes).
BULK_TABLES = (Beneficiary._meta.db_table, GroupMembership._meta.db_table)


def beneficiaries_insert_bulk(
    cursor: Any, *, actor: Any, unit: Any, rows_table: str, results_table: str
) -> int:
    """Register every row of the import staging table ``rows_table`` (``row_id``,
    ``row_number``, ``v`` the row's values as JSON: ``person``: ``person_check``'s values,
    ``groups``, ``circumstances``) as a person with a humanitarian-address profile and its groups;
    add (``row_id``, new profile id) to ``results_table``. Set-based (one statement per table);
    call it inside the caller's transaction. The caller audits the import as a whole."""
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))
    ids = "beneficiaries_bulk_ids"
    sql.drop(cursor, ids)
    cursor.execute(
        f"CREATE TEMP TABLE {ids} AS SELECT row_id, "  # noqa: S608
        f"{sql.next_ids('people_person', 'row_number')} AS person_id, "
        f"{sql.next_ids('beneficiaries_beneficiary', 'row_number')} AS ben_id "
        f"FROM {rows_table}"
    )
    sql.analyze(cursor, ids)
    rows = f"{ids} w JOIN {rows_table} r ON r.row_id = w.row_id"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    written = people_bulk.insert_people(
        cursor,
        table=rows,
        json_column="r.v",
        path=("person",),
        id_column="w.person_id",
        unit_id=unit.pk,
        created_by_id=actor.pk if getattr(actor, "is_authenticated", False) else None,
        now=now,
        fallback_ref="r.source_file || ' #' || CAST(r.row_number AS TEXT)",
    )
    cursor.execute(
        "INSERT INTO beneficiaries_beneficiary (id, person_id, unit_id, circumstances, "  # noqa: S608
        "status, verification, photo, created_at, updated_at) "
        "SELECT w.ben_id, w.person_id, %s, "
        f"COALESCE({sql.json_text('r.v', 'circumstances')}, ''), %s, %s, '', %s, %s FROM {rows}",
        [unit.pk, Status.ACTIVE, Verification.PENDING, now, now],
    )
    if sql.is_pg():
        groups = (
            "SELECT w.ben_id, g ->> 'code', CAST(g ->> 'year' AS integer), "  # noqa: S608
            f"COALESCE(g ->> 'standard', '') FROM {rows}, "
            "jsonb_array_elements(CAST(r.v AS jsonb) -> 'groups') g"
        )
    else:
        groups = (
            "SELECT w.ben_id, json_extract(g.value, '$.code'), "  # noqa: S608
            "json_extract(g.value, '$.year'), "
            "COALESCE(json_extract(g.value, '$.standard'), '') "
            f"FROM {rows}, json_each(r.v, '$.groups') g"
        )
    cursor.execute(
        "INSERT INTO beneficiaries_groupmembership (beneficiary_id, group_id, year, "
        f"standard) {groups}"
    )
    cursor.execute(
        f"INSERT INTO {results_table} (row_id, result_id) SELECT row_id, ben_id FROM {ids}"  # noqa: S608
    )
    sql.drop(cursor, ids)
    return written
