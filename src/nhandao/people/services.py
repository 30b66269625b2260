"""Writes to the person registry: every one checked, normalised, keyed for matching, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record, diff
from nhandao.core.dates import InvalidDate, PartialDate, parse_date
from nhandao.core.errors import ApplicationError
from nhandao.core.idnumber import check_citizen_id, check_legacy_id
from nhandao.core.models import AuditEvent
from nhandao.core.phone import InvalidPhone, normalize_phone
from nhandao.core.text import fold, nfc, person_sort_key, split_name, title_name
from nhandao.geo import selectors as geo

from .models import Household, Person, Sex

A = AuditEvent.Action
NAME_MAX = 150
SEXES = frozenset(Sex.values)  # Sex.values builds a new list at every access


@dataclass
class PersonData:
    """What a form, an API call or an import row says about a person, before checking."""

    full_name: str
    birth: str | PartialDate | dt.date | None = None
    sex: str = ""
    id_number: str = ""
    legacy_id: str = ""
    phone: str = ""
    ward_id: int | None = None
    address_detail: str = ""
    address_original: str = ""
    source_ref: str = ""


@dataclass
class Checked:
    """Clean field values ready to store, and the warnings a user must confirm."""

    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _birth(value: str | PartialDate | dt.date | None) -> PartialDate | None:
    if value is None or value == "":
        return None
    if isinstance(value, PartialDate):
        return value
    try:
        return parse_date(value)
    except InvalidDate as exc:
        raise ApplicationError(str(exc), field="birth") from exc


def person_check(data: PersonData) -> Checked:
    """Normalise and check one person; hard errors raise ApplicationError, doubts are warnings.
    Every field is checked: the error raised is the first one found (its field and message), and
    ``extra["errors"]`` holds each failing field's message, for a form to show them all at once
    (a date of 31/02 and an ID of 11 digits in one go, not one per save)."""
    errors: dict[str, str] = {}
    full = title_name(nfc(data.full_name))
    if len(full) < 2:
        errors["full_name"] = _("Họ và tên phải có ít nhất 2 ký tự.")
    elif len(full) > NAME_MAX:
        errors["full_name"] = _("Họ và tên dài %(n)d ký tự, tối đa %(max)d.") % {
            "n": len(full),
            "max": NAME_MAX,
        }
    elif any(c in full for c in "<>{}") or any(c.isdigit() for c in full):
        errors["full_name"] = _("Họ và tên không được chứa chữ số hoặc ký tự < > { }.")
    try:
        birth = _birth(data.birth)
    except ApplicationError as exc:
        errors["birth"] = exc.message
        birth = None
    sex = data.sex if data.sex in SEXES else ""
    warnings: list[str] = []
    id_number = ""
    if data.id_number.strip():
        check = check_citizen_id(
            data.id_number,
            birth_date=birth.value if birth and birth.precision == "day" else None,
            birth_year=birth.year if birth and birth.precision != "day" else None,
            sex=sex or None,
        )
        if check.errors:
            errors["id_number"] = " ".join(check.errors)
        warnings += check.warnings
        id_number = check.normalized
    legacy_id = ""
    if data.legacy_id.strip():
        legacy = check_legacy_id(data.legacy_id)
        if legacy.errors:
            errors["legacy_id"] = " ".join(legacy.errors)
        legacy_id = legacy.normalized
    phone = ""
    if data.phone.strip():
        try:
            phone = normalize_phone(data.phone)
        except InvalidPhone as exc:
            errors["phone"] = str(exc)
    # The commune comes from a list of choices or a converted address: asked of the database
    # only for an otherwise good row (a list's rows refused for other reasons ask nothing).
    if data.ward_id is not None and not errors and not geo.ward_exists(data.ward_id):
        errors["ward"] = (
            _("Mã xã/phường %s không có trong danh mục 3.321 xã/phường.") % data.ward_id
        )
    if errors:
        field, message = next(iter(errors.items()))
        raise ApplicationError(message, field=field, extra={"errors": errors})
    parts = split_name(full)
    values = {
        "full_name": full,
        "family_name": parts.family,
        "middle_name": parts.middle,
        "given_name": parts.given,
        "birth_date": birth.value if birth else None,
        "birth_precision": str(birth.precision) if birth else "",
        "sex": sex,
        "id_number": id_number,
        "legacy_id": legacy_id,
        "phone": phone,
        "ward_id": data.ward_id,
        "address_detail": nfc(data.address_detail)[:255],
        "address_original": nfc(data.address_original)[:500],
        "source_ref": nfc(data.source_ref)[:120],
    }
    values.update(person_keys(values))
    return Checked(values=values, warnings=warnings)


def person_keys(values: dict[str, Any]) -> dict[str, str]:
    """Search, sort and blocking keys of a person (kept in indexed columns)."""
    name_key = fold(values["full_name"])
    birth: dt.date | None = values.get("birth_date")
    year = str(birth.year) if birth else ""
    given = fold(values.get("given_name", ""))
    ward = values.get("ward_id") or ""
    return {
        "name_key": name_key,
        "sort_key": person_sort_key(
            given=values.get("given_name", ""),
            middle=values.get("middle_name", ""),
            family=values.get("family_name", ""),
            birth=birth,
        ),
        "key_name_year": f"{name_key}|{year}",
        "key_given_ward": f"{given}|{ward}" if ward else "",
    }


STORED = [f.name for f in fields(PersonData) if f.name not in {"birth", "ward_id"}] + [
    "birth_date",
    "birth_precision",
    "ward_id",
    "family_name",
    "middle_name",
    "given_name",
]


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in STORED}


def _check_unit(actor: Any, unit: Any) -> None:
    from nhandao.orgs.permissions import can

    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu tại đơn vị này."))


@transaction.atomic
def person_create(
    *, actor: Any, unit: Any, checked: Checked, household: Household | None = None
) -> Person:
    _check_unit(actor, unit)
    person = Person(
        unit=unit,
        household=household,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **checked.values,
    )
    person.save()
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=person,
        unit_path=unit.path,
        changes=diff({}, _snapshot(person)),
    )
    return person


# Where a record came from: the reference of its source list and the address as the list wrote
# it (an old three-level address converted to the new ward). No form shows them, so an update
# that leaves them empty keeps them; a new value replaces them.
KEPT_ON_UPDATE = ("source_ref", "address_original")


@transaction.atomic
def person_update(*, actor: Any, person: Person, checked: Checked) -> Person:
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    _check_unit(actor, person.unit)
    if person.merged_into_id:
        raise ApplicationError(_("Hồ sơ này đã được gộp vào hồ sơ khác; hãy sửa hồ sơ còn lại."))
    before = _snapshot(person)
    name_key = person.name_key
    for key, value in checked.values.items():
        if key in KEPT_ON_UPDATE and not value:
            continue  # a form without the field does not wipe where the record came from
        setattr(person, key, value)
    person.save()
    if person.name_key != name_key:
        _app_hooks("person_changed", person=person)
    changes = diff(before, _snapshot(person))
    if changes:
        audit_record(
            actor=actor, action=A.UPDATE, obj=person, unit_path=person.unit.path, changes=changes
        )
    return person


@transaction.atomic
def household_create(
    *,
    actor: Any,
    unit: Any,
    head: Person | None = None,
    code: str = "",
    ward_id: int | None = None,
    address_detail: str = "",
    poverty_status: str = "",
    poverty_year: int | None = None,
    poverty_standard: str = "",
) -> Household:
    _check_unit(actor, unit)
    if poverty_status and not poverty_year:
        raise ApplicationError(_("Hộ nghèo/cận nghèo phải ghi năm xác định."), field="poverty_year")
    household = Household.objects.create(
        unit=unit,
        head=head,
        code=nfc(code)[:40],
        ward_id=ward_id,
        address_detail=nfc(address_detail)[:255],
        poverty_status=poverty_status,
        poverty_year=poverty_year,
        poverty_standard=nfc(poverty_standard)[:40],
    )
    if head is not None:
        Person.objects.filter(pk=head.pk).update(household=household)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=household,
        unit_path=unit.path,
        changes={
            "head": [None, head.full_name if head else None],
            "poverty_status": [None, poverty_status or None],
            "poverty_year": [None, poverty_year],
        },
    )
    return household


MERGE_FILL = (
    "birth_date",
    "birth_precision",
    "sex",
    "id_number",
    "legacy_id",
    "phone",
    "ward_id",
    "address_detail",
    "address_original",
    "household_id",
)


@transaction.atomic
def person_merge(*, actor: Any, survivor: Person, merged: Person) -> Person:
    """Merge ``merged`` into ``survivor``: the survivor keeps its values and takes the ones it
    lacks; every reference to the merged record, in every app, now points to the survivor (a
    one-to-one profile both have is merged by its own app's ``merge_profiles`` hook); the merged
    record stays, marked "merged into", still found by search."""
    survivor = Person.objects.select_for_update().select_related("unit").get(pk=survivor.pk)
    merged = Person.objects.select_for_update().select_related("unit").get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ApplicationError(_("Không thể gộp một hồ sơ vào chính nó."))
    if survivor.merged_into_id or merged.merged_into_id:
        raise ApplicationError(_("Một trong hai hồ sơ đã được gộp trước đó."))
    from nhandao.orgs.permissions import can

    if not (can(actor, "data.edit", survivor.unit) and can(actor, "data.edit", merged.unit)):
        raise ApplicationError(_("Bạn không có quyền sửa cả hai hồ sơ."))
    before = _snapshot(survivor)
    for name in MERGE_FILL:
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
            if name == "birth_date":
                survivor.birth_precision = merged.birth_precision
    survivor.save()
    _app_hooks("before_person_merge", actor=actor, survivor=survivor, merged=merged)
    moved = _repoint_references(Person, survivor, merged, hook="merge_profiles")
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    _app_hooks("person_changed", person=survivor)  # roles moved over carry the survivor's name
    _audit_merge(actor, survivor, merged, moved=moved, changed=diff(before, _snapshot(survivor)))
    return survivor


def _audit_merge(
    actor: Any, survivor: Any, merged: Any, *, moved: dict[str, int], changed: dict[str, Any]
) -> None:
    """Both sides of a merge (of people or of households) in the audit trail."""
    audit_record(
        actor=actor,
        action=A.MERGE,
        obj=merged,
        unit_path=merged.unit.path,
        changes={
            "merged_into": [None, f"{survivor} (#{survivor.pk})"],
            "references": [None, moved],
        },
    )
    audit_record(
        actor=actor,
        action=A.MERGE,
        obj=survivor,
        unit_path=survivor.unit.path,
        changes={**changed, "merged_from": [None, f"{merged} (#{merged.pk})"]},
    )


def _app_hooks(name: str, **kwargs: Any) -> None:
    """Call the function ``name`` of every app's services module that defines it: before a
    merge, so an app prepares its rows before references are repointed (e.g. the aid app
    renumbers gifts both records got, which the one-gift constraint would otherwise refuse);
    ``person_changed`` after a name is corrected or a merge, for copies of the name's keys."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for app in apps.get_app_configs():
        if not app.name.startswith("nhandao.") or find_spec(f"{app.name}.services") is None:
            continue
        hook = getattr(import_module(f"{app.name}.services"), name, None)
        if hook is not None:
            hook(**kwargs)


def _repoint_references(model_cls: Any, survivor: Any, merged: Any, *, hook: str) -> dict[str, int]:
    """Point every foreign key and one-to-one to ``merged`` (a person or a household) at
    ``survivor``, in every app, found from the model's reverse relations (so a model added later
    is covered without a change here). Left alone: the merge link itself (``merged_into`` of the
    same model) and models that document records as they were (``keeps_merged_reference``). A
    one-to-one both records have is merged by the hook ``hook`` of its app's services module."""
    from importlib import import_module

    from django.apps import apps

    moved: dict[str, int] = {}
    relations = [
        f
        for f in model_cls._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]
    for relation in relations:
        model: Any = relation.related_model
        field = relation.field  # type: ignore[union-attr]
        if model is model_cls and field.name == "merged_into":
            continue  # the merge link itself
        if getattr(model, "keeps_merged_reference", False):
            continue  # records that document the two as they were
        label = f"{model._meta.label_lower}.{field.name}"
        if relation.one_to_one:
            mine = model._default_manager.filter(**{field.name: merged}).first()
            if mine is None:
                continue
            theirs = model._default_manager.filter(**{field.name: survivor}).first()
            if theirs is None:
                setattr(mine, field.name, survivor)
                mine.save(update_fields=[field.name])
            else:
                app = apps.get_app_config(model._meta.app_label)
                merge = getattr(import_module(f"{app.name}.services"), hook, None)
                if merge is None:
                    raise ApplicationError(
                        _("Không gộp được: %s chưa hỗ trợ gộp hồ sơ.") % model._meta.verbose_name
                    )
                merge(survivor_profile=theirs, merged_profile=mine)
            moved[label] = 1
        else:
            count = model._default_manager.filter(**{field.name: merged}).update(
                **{field.name: survivor}
            )
            if count:
                moved[label] = count
    return moved


HOUSEHOLD_FILL = ("code", "head_id", "ward_id", "address_detail")
HOUSEHOLD_POVERTY = ("poverty_status", "poverty_year", "poverty_standard")


def _household_snapshot(household: Household) -> dict[str, Any]:
    return {name: getattr(household, name) for name in (*HOUSEHOLD_FILL, *HOUSEHOLD_POVERTY)}


@transaction.atomic
def household_merge(*, actor: Any, survivor: Household, merged: Household) -> Household:
    """Merge household ``merged`` into ``survivor``, as :func:`person_merge` does for people:
    the survivor keeps its values and takes those it lacks (code, head, ward, address; the poverty
    status with its year and standard together); its members, and every reference to the merged
    household in every app, now point to the survivor; the merged household stays, marked
    "merged into", reachable at its address, with both sides audited."""
    lock = Household.objects.select_for_update().select_related("unit")
    survivor = lock.get(pk=survivor.pk)
    merged = lock.get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ApplicationError(_("Không thể gộp một hộ vào chính nó."))
    if survivor.merged_into_id or merged.merged_into_id:
        raise ApplicationError(_("Một trong hai hộ đã được gộp trước đó."))
    from nhandao.orgs.permissions import can

    if not (can(actor, "data.edit", survivor.unit) and can(actor, "data.edit", merged.unit)):
        raise ApplicationError(_("Bạn không có quyền sửa cả hai hộ."))
    before = _household_snapshot(survivor)
    for name in HOUSEHOLD_FILL:
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
    if not survivor.poverty_status and merged.poverty_status:
        for name in HOUSEHOLD_POVERTY:
            setattr(survivor, name, getattr(merged, name))
    survivor.save()
    _app_hooks("before_household_merge", actor=actor, survivor=survivor, merged=merged)
    moved = _repoint_references(Household, survivor, merged, hook="merge_household_profiles")
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    changed = diff(before, _household_snapshot(survivor))
    _audit_merge(actor, survivor, merged, moved=moved, changed=changed)
    return survivor


def _check_not_merged(household: Household) -> None:
    if household.merged_into_id:
        raise ApplicationError(_("Hộ này đã được gộp vào hộ khác; hãy sửa hộ còn lại."))


@transaction.atomic
def household_add_member(*, actor: Any, household: Household, person: Person) -> Person:
    _check_unit(actor, household.unit)
    _check_not_merged(household)
    _check_unit(actor, person.unit)
    if person.merged_into_id:
        raise ApplicationError(_("Hồ sơ này đã được gộp vào hồ sơ khác."))
    before = person.household_id
    if before == household.pk:
        raise ApplicationError(_("Người này đã ở trong hộ."))
    Person.objects.filter(pk=person.pk).update(household=household)
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=person,
        unit_path=household.unit.path,
        changes={"household_id": [before, household.pk]},
    )
    return person


@transaction.atomic
def household_remove_member(*, actor: Any, household: Household, person: Person) -> Person:
    _check_unit(actor, household.unit)
    if person.household_id != household.pk:
        raise ApplicationError(_("Người này không ở trong hộ."))
    if household.head_id == person.pk:
        raise ApplicationError(_("Không thể bỏ chủ hộ ra khỏi hộ; hãy đổi chủ hộ trước."))
    Person.objects.filter(pk=person.pk).update(household=None)
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=person,
        unit_path=household.unit.path,
        changes={"household_id": [household.pk, None]},
    )
    return person


@transaction.atomic
def household_update(
    *,
    actor: Any,
    household: Household,
    head: Person | None,
    code: str,
    poverty_status: str,
    poverty_year: int | None,
    poverty_standard: str,
) -> Household:
    _check_unit(actor, household.unit)
    _check_not_merged(household)
    if poverty_status and not poverty_year:
        raise ApplicationError(_("Hộ nghèo/cận nghèo phải ghi năm xác định."), field="poverty_year")
    if head is not None and head.household_id != household.pk:
        raise ApplicationError(_("Chủ hộ phải là thành viên của hộ."), field="head")
    before = {
        "head": household.head_id,
        "code": household.code,
        "poverty_status": household.poverty_status,
        "poverty_year": household.poverty_year,
        "poverty_standard": household.poverty_standard,
    }
    household.head = head
    household.code = nfc(code)[:40]
    household.poverty_status = poverty_status
    household.poverty_year = poverty_year
    household.poverty_standard = nfc(poverty_standard)[:40]
    household.save()
    after = {
        "head": household.head_id,
        "code": household.code,
        "poverty_status": household.poverty_status,
        "poverty_year": household.poverty_year,
        "poverty_standard": household.poverty_standard,
    }
    changes = diff(before, after)
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=household,
            unit_path=household.unit.path,
            changes=changes,
        )
    return household
