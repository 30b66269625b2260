"""Writes of volunteers and collaborators: register (a role of a Person, 18 and over for a
volunteer), skills, teams, hours of service and the rule that makes a volunteer "active". Each one
checked, atomic and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import nfc
from nhandao.orgs.models import UnitKind
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from .models import ServiceHours, Skill, TeamMembership, Volunteer, VolunteerKind, VolunteerRule

A = AuditEvent.Action


def volunteers_sensitive_viewed(
    *, actor: Any, unit: Any, what: str, records: int, filters: dict[str, Any], ip: str | None
) -> None:
    """A list of volunteers served with their phones in full (the workbook) is logged once:
    which list, how many records and with which filters, never the data itself."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        object_type=Volunteer._meta.label_lower,
        object_repr=what[:255],
        unit_path=unit.path,
        changes={"viewed": [None, what], "records": [None, records], "filters": [None, filters]},
        ip_address=ip,
    )


ADULT_AGE = 18
MAX_HOURS = Decimal(24)


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class VolunteerData:
    kind: str = VolunteerKind.VOLUNTEER
    skills: list[str] = field(default_factory=list)
    availability: str = ""
    rank: str = ""
    joined_on: dt.date | None = None


def _may_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi dữ liệu tình nguyện viên ở đơn vị này."))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_adult(birth_date: dt.date | None, precision: str, joined_on: dt.date) -> None:
    """A volunteer is 18 or over on the day they join. A birth known only by year counts from
    1 January (refused only when surely younger); an unknown birth cannot be checked."""
    if birth_date is None:
        raise ApplicationError(
            _("Cần ngày sinh (hoặc năm sinh) để kiểm tra tình nguyện viên đủ 18 tuổi."),
            field="birth",
        )
    if precision == "year":
        birth_date = dt.date(birth_date.year, 1, 1)
    elif precision == "month":
        birth_date = birth_date.replace(day=1)
    age = age_on(birth_date, joined_on)
    if age < ADULT_AGE:
        raise ApplicationError(
            _(
                "Tình nguyện viên phải đủ 18 tuổi vào ngày tham gia (%(day)s); người này mới "
                "%(age)d tuổi. Có thể đăng ký làm cộng tác viên hoặc thanh thiếu niên Chữ thập đỏ."
            )
            % {"day": d(joined_on), "age": max(age, 0)},
            field="birth",
        )


def _skills(codes: list[str]) -> list[Skill]:
    codes = sorted(set(codes))
    skills = list(Skill.objects.filter(code__in=codes))
    unknown = set(codes) - {s.code for s in skills}
    if unknown:
        raise ApplicationError(
            _("Kỹ năng không có trong danh mục: %s.") % ", ".join(sorted(unknown)), field="skills"
        )
    return skills


def _kind(kind: str) -> str:
    if kind not in VolunteerKind.values:
        raise ApplicationError(
            _("Loại «%s» không có: chọn tình nguyện viên hoặc cộng tác viên.") % kind, field="kind"
        )
    return kind


def _snapshot(v: Volunteer) -> dict[str, Any]:
    return {
        "kind": v.kind,
        "availability": v.availability,
        "rank": v.rank,
        "joined_on": v.joined_on,
        "left_on": v.left_on,
        "unit": v.unit_id,
    }


@transaction.atomic
def volunteer_register(
    *, actor: Any, unit: Any, person: people.PersonData | Any, data: VolunteerData
) -> Volunteer:
    """Make a person a volunteer or collaborator: a new Person (through the registry's checks)
    or an existing one (picked after the duplicate check)."""
    _may_edit(actor, unit)
    kind = _kind(data.kind)
    joined = data.joined_on or timezone.localdate()
    if joined > timezone.localdate():
        raise ApplicationError(_("Ngày tham gia %s ở tương lai.") % d(joined), field="joined_on")
    skills = _skills(data.skills)
    if isinstance(person, people.PersonData):
        checked = people.person_check(person)
        if kind == VolunteerKind.VOLUNTEER:
            check_adult(checked.values["birth_date"], checked.values["birth_precision"], joined)
        person = people.person_create(actor=actor, unit=unit, checked=checked)
    else:
        if person.merged_into_id:
            raise ApplicationError(
                _("Hồ sơ này đã được gộp vào hồ sơ khác: hãy đăng ký cho hồ sơ còn lại.")
            )
        if kind == VolunteerKind.VOLUNTEER:
            check_adult(person.birth_date, person.birth_precision, joined)
        if Volunteer.objects.filter(person=person).exists():
            raise ApplicationError(
                _("%s đã là tình nguyện viên hoặc cộng tác viên.") % person.full_name
            )
    volunteer = Volunteer(
        person=person,
        unit=unit,
        kind=kind,
        availability=nfc(data.availability).strip()[:255],
        rank=nfc(data.rank).strip()[:60],
        joined_on=joined,
    )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("%s đã là tình nguyện viên hoặc cộng tác viên.") % person.full_name
        ) from exc
    volunteer.skills.set(skills)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=volunteer,
        unit_path=unit.path,
        changes={
            **{k: [None, v] for k, v in _snapshot(volunteer).items()},
            "skills": [s.code for s in skills],
        },
    )
    return volunteer


@transaction.atomic
def volunteer_update(*, actor: Any, volunteer: Volunteer, data: VolunteerData) -> Volunteer:
    volunteer = (
        Volunteer.objects.select_for_update().select_related("unit", "person").get(pk=volunteer.pk)
    )
    _may_edit(actor, volunteer.unit)
    kind = _kind(data.kind)
    if kind == VolunteerKind.VOLUNTEER and volunteer.kind != kind:
        check_adult(
            volunteer.person.birth_date, volunteer.person.birth_precision, timezone.localdate()
        )
    skills = _skills(data.skills)
    before = {
        **_snapshot(volunteer),
        "skills": sorted(volunteer.skills.values_list("code", flat=True)),
    }
    volunteer.kind = kind
    volunteer.availability = nfc(data.availability).strip()[:255]
    volunteer.rank = nfc(data.rank).strip()[:60]
    volunteer.save()
    volunteer.skills.set(skills)
    after = {**_snapshot(volunteer), "skills": sorted(s.code for s in skills)}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=volunteer,
            unit_path=volunteer.unit.path,
            changes=changes,
        )
    return volunteer


# --- teams -----------------------------------------------------------------------------------


@transaction.atomic
def team_add(
    *, actor: Any, team: Any, volunteer: Volunteer, role: str = "", joined_on: dt.date | None = None
) -> TeamMembership:
    if team.kind != UnitKind.TEAM:
        raise ApplicationError(_("«%s» không phải là một đội.") % team.name, field="team")
    if not team.is_active:
        raise ApplicationError(_("Đội «%s» đã ngừng hoạt động.") % team.name, field="team")
    _may_edit(actor, team)
    joined = joined_on or timezone.localdate()
    if joined > timezone.localdate():
        raise ApplicationError(_("Ngày vào đội %s ở tương lai.") % d(joined), field="joined_on")
    if volunteer.left_on:
        raise ApplicationError(_("%s đã thôi tham gia.") % volunteer.person.full_name)
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
    if TeamMembership.objects.filter(team=team, volunteer=volunteer, left_on__isnull=True).exists():
        raise ApplicationError(
            _("%(name)s đã ở trong đội «%(team)s».")
            % {"name": volunteer.person.full_name, "team": team.name}
        )
    membership = TeamMembership.objects.create(
        team=team, volunteer=volunteer, role=nfc(role).strip()[:60], joined_on=joined
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=membership,
        unit_path=team.path,
        object_repr=f"{volunteer.person.full_name} → {team.name}"[:255],
        changes={"team": [None, team.name], "volunteer": [None, volunteer.pk]},
    )
    return membership


@transaction.atomic
def team_remove(
    *, actor: Any, membership: TeamMembership, left_on: dt.date | None = None
) -> TeamMembership:
    membership = (
        TeamMembership.objects.select_for_update()
        .select_related("team", "volunteer__person")
        .get(pk=membership.pk)
    )
    _may_edit(actor, membership.team)
    if membership.left_on:
        raise ApplicationError(_("Người này đã rời đội từ %s.") % d(membership.left_on))
    left = left_on or timezone.localdate()
    if left < membership.joined_on:
        raise ApplicationError(
            _("Ngày rời đội %(left)s trước ngày vào đội %(joined)s.")
            % {"left": d(left), "joined": d(membership.joined_on)},
            field="left_on",
        )
    membership.left_on = left
    membership.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=membership,
        unit_path=membership.team.path,
        object_repr=f"{membership.volunteer.person.full_name} → {membership.team.name}"[:255],
        changes={"left_on": [None, left]},
    )
    return membership


# --- hours -----------------------------------------------------------------------------------


def check_hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(
            _("Số giờ «%s» không phải là một số.") % value, field="hours"
        ) from exc
    if not hours.is_finite() or not Decimal(0) < hours <= MAX_HOURS:
        raise ApplicationError(
            _("Số giờ %s không hợp lệ: phải lớn hơn 0 và không quá 24 giờ một ngày.")
            % str(value).strip(),
            field="hours",
        )
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def hours_log(
    *,
    actor: Any,
    volunteer: Volunteer,
    served_on: dt.date,
    hours: Any,
    activity: str,
    campaign: Any = None,
) -> ServiceHours:
    """Hours of service on one day, against an activity and optionally a campaign (one the
    caller fetched through the user's scope). A day holds at most 24 hours in all."""
    volunteer = (
        Volunteer.objects.select_for_update().select_related("unit", "person").get(pk=volunteer.pk)
    )
    _may_edit(actor, volunteer.unit)
    amount = check_hours(hours)
    if served_on > timezone.localdate():
        raise ApplicationError(_("Ngày %s ở tương lai.") % d(served_on), field="served_on")
    if served_on < volunteer.joined_on:
        raise ApplicationError(
            _("Ngày %(day)s trước ngày tham gia %(joined)s.")
            % {"day": d(served_on), "joined": d(volunteer.joined_on)},
            field="served_on",
        )
    activity = nfc(activity).strip()
    if not activity:
        raise ApplicationError(_("Cần ghi tên hoạt động."), field="activity")
    if len(activity) > 255:
        raise ApplicationError(_("Tên hoạt động tối đa 255 ký tự."), field="activity")
    logged = ServiceHours.objects.filter(volunteer=volunteer, served_on=served_on).aggregate(
        s=Sum("hours")
    )["s"] or Decimal(0)
    if logged + amount > MAX_HOURS:
        raise ApplicationError(
            _("Ngày %(day)s đã ghi %(logged)s giờ; thêm %(n)s giờ sẽ quá 24 giờ.")
            % {"day": d(served_on), "logged": logged, "n": amount},
            field="hours",
        )
    entry = ServiceHours.objects.create(
        volunteer=volunteer,
        unit=volunteer.unit,
        served_on=served_on,
        hours=amount,
        activity=activity,
        campaign=campaign,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=entry,
        unit_path=volunteer.unit.path,
        object_repr=f"{volunteer.person.full_name}: {entry}"[:255],
        changes={
            "hours": [None, amount],
            "served_on": [None, served_on],
            "activity": [None, activity],
            "campaign": [None, campaign.pk if campaign else None],
        },
    )
    return entry


# --- the "active" rule -----------------------------------------------------------------------


@transaction.atomic
def rule_set(*, actor: Any, unit: Any, min_hours: Any, period_months: int) -> VolunteerRule:
    """Set (or change) the rule for volunteers of ``unit`` and below: an administrator's act."""
    if not can(actor, "unit.manage", unit):
        raise ApplicationError(
            _("Chỉ quản trị đơn vị mới đặt được tiêu chí tình nguyện viên tích cực.")
        )
    try:
        hours = Decimal(str(min_hours).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(
            _("Số giờ «%s» không phải là một số.") % min_hours, field="min_hours"
        ) from exc
    if not hours.is_finite() or not Decimal(0) < hours <= Decimal(9999):
        raise ApplicationError(_("Số giờ tối thiểu phải lớn hơn 0."), field="min_hours")
    if not 1 <= int(period_months) <= 36:
        raise ApplicationError(_("Số tháng phải từ 1 đến 36."), field="period_months")
    rule = VolunteerRule.objects.select_for_update().filter(unit=unit).first()
    before = {"min_hours": rule.min_hours, "period_months": rule.period_months} if rule else {}
    if rule is None:
        rule = VolunteerRule(unit=unit)
    rule.min_hours = hours.quantize(Decimal("0.1"))
    rule.period_months = int(period_months)
    rule.save()
    audit_record(
        actor=actor,
        action=A.UPDATE if before else A.CREATE,
        obj=rule,
        unit_path=unit.path,
        object_repr=f"{unit.name}: {rule}"[:255],
        changes={
            "min_hours": [before.get("min_hours"), rule.min_hours],
            "period_months": [before.get("period_months"), rule.period_months],
        },
    )
    return rule
