"""Every write of members and youth members: register a member (a role of a Person, new or
existing), issue a card, change status, record dues, transfer between branches (one member, or
every member of a unit merged into another); register youth members in a school branch, move a
school's youth to the next school year, record the school's activities. Each one atomic and
audited.

Volunteers, staff and public applications are written in ``volunteers.py``, ``staff.py`` and
``applications.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import STORED_LANGUAGE, nfc
from nhandao.orgs.permissions import can
from nhandao.people import services as people

from .models import (
    Dues,
    DuesStatus,
    Member,
    MemberStatus,
    MemberTransfer,
    YouthActivity,
    YouthMember,
)

A = AuditEvent.Action
CARD_MAX = 30
CARD_DIGITS = 6
DUES_MAX = 100_000_000
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
LAST_GRADE = 12  # a pupil of grade 12 leaves school: not moved to the next school year


def _may_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền nhập dữ liệu hội viên tại đơn vị này."))


def _today() -> dt.date:
    return timezone.localdate()


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _person(actor: Any, unit: Any, person: people.PersonData | Any) -> Any:
    """A new Person through the registry's checks, or an existing one (not merged away)."""
    if isinstance(person, people.PersonData):
        return people.person_create(actor=actor, unit=unit, checked=people.person_check(person))
    if person.merged_into_id:
        raise ApplicationError(
            _("Hồ sơ này đã được gộp vào hồ sơ khác: hãy đăng ký cho hồ sơ còn lại.")
        )
    return person


# --- members ---------------------------------------------------------------------------------


def _check_card_no(card_no: str) -> str:
    card_no = nfc(card_no).strip().upper()
    if len(card_no) > CARD_MAX or not re.fullmatch(r"[0-9A-Z./-]*", card_no):
        raise ApplicationError(
            _("Số thẻ chỉ gồm chữ, số và các dấu . / -, tối đa %(n)d ký tự.") % {"n": CARD_MAX},
            field="card_no",
        )
    return card_no


def _card_taken(card_no: str) -> ApplicationError:
    holder = Member.objects.filter(card_no=card_no).select_related("person").first()
    name = holder.person.full_name if holder else "?"
    return ApplicationError(
        _("Số thẻ %(no)s đã cấp cho hội viên %(name)s.") % {"no": card_no, "name": name},
        field="card_no",
    )


def _check_joined(joined_on: dt.date) -> None:
    if joined_on > _today():
        raise ApplicationError(
            _("Ngày vào Hội %(d)s ở tương lai.") % {"d": _fmt(joined_on)}, field="joined_on"
        )


@transaction.atomic
def member_register(
    *,
    actor: Any,
    unit: Any,
    person: people.PersonData | Any,
    joined_on: dt.date,
    card_no: str = "",
) -> Member:
    """Make a person a member of a branch (one membership per person)."""
    _may_edit(actor, unit)
    _check_joined(joined_on)
    card_no = _check_card_no(card_no) if card_no else ""
    if card_no and Member.objects.filter(card_no=card_no).exists():
        raise _card_taken(card_no)
    person = _person(actor, unit, person)
    existing = Member.objects.filter(person=person).select_related("unit").first()
    if existing is not None:
        raise ApplicationError(
            _("%(name)s đã là hội viên của %(unit)s.")
            % {"name": person.full_name, "unit": existing.unit.name}
        )
    member = Member(
        person=person,
        name_key=person.name_key,
        unit=unit,
        joined_on=joined_on,
        card_no=card_no,
        card_issued_on=joined_on if card_no else None,
        status_since=joined_on,
    )
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        if card_no and Member.objects.filter(card_no=card_no).exists():
            raise _card_taken(card_no) from exc
        raise ApplicationError(
            _("%(name)s vừa được đăng ký là hội viên ở nơi khác.") % {"name": person.full_name}
        ) from exc
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=member,
        unit_path=unit.path,
        changes={
            "person": [None, person.pk],
            "joined_on": [None, joined_on.isoformat()],
            "card_no": [None, card_no],
        },
    )
    return member


def _lock(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("person", "unit").get(pk=member.pk)


def card_prefix(unit: Any) -> str:
    """Cards generated for a unit: its code (or number) and a running number of 6 digits."""
    code = re.sub(r"[^0-9A-Z]", "", (unit.short_code or "").upper())
    return f"{code or unit.pk}-"


def _next_card_no(unit: Any) -> str:
    type(unit).objects.select_for_update().filter(pk=unit.pk).first()  # one issuer at a time
    prefix = card_prefix(unit)
    numbers = Member.objects.filter(card_no__startswith=prefix).values_list("card_no", flat=True)
    top = 0
    for no in numbers.order_by("-card_no")[:50]:
        tail = no[len(prefix) :]
        if tail.isdigit() and len(tail) == CARD_DIGITS:
            top = max(top, int(tail))
    return f"{prefix}{top + 1:0{CARD_DIGITS}d}"


@transaction.atomic
def card_issue(
    *, actor: Any, member: Member, card_no: str = "", on: dt.date | None = None
) -> Member:
    """Issue a member card ("cấp thẻ"): the number given, or the unit's next one when empty."""
    member = _lock(member)
    _may_edit(actor, member.unit)
    if member.status != MemberStatus.ACTIVE:
        raise ApplicationError(_("Chỉ cấp thẻ cho hội viên đang sinh hoạt."))
    on = on or _today()
    card_no = _check_card_no(card_no) if card_no else _next_card_no(member.unit)
    if Member.objects.filter(card_no=card_no).exclude(pk=member.pk).exists():
        raise _card_taken(card_no)
    before = {"card_no": member.card_no, "card_issued_on": member.card_issued_on}
    member.card_no, member.card_issued_on = card_no, on
    try:
        with transaction.atomic():
            member.save(update_fields=["card_no", "card_issued_on", "updated_at"])
    except IntegrityError as exc:
        raise _card_taken(card_no) from exc
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=member,
        unit_path=member.unit.path,
        changes={
            "card_no": [before["card_no"], card_no],
            "card_issued_on": [str(before["card_issued_on"] or ""), on.isoformat()],
        },
    )
    return member


@transaction.atomic
def member_status_set(*, actor: Any, member: Member, status: str, on: dt.date) -> Member:
    """Change a member's status (active, lapsed, left, deceased) from a day."""
    member = _lock(member)
    _may_edit(actor, member.unit)
    if status not in MemberStatus.values:
        raise ApplicationError(_("Tình trạng không hợp lệ."), field="status")
    if member.status == MemberStatus.DECEASED:
        raise ApplicationError(_("Hội viên đã mất: không đổi tình trạng được nữa."))
    if status == member.status:
        raise ApplicationError(
            _("Hội viên đã ở tình trạng «%s».") % member.get_status_display(), field="status"
        )
    if on > _today():
        raise ApplicationError(_("Ngày %(d)s ở tương lai.") % {"d": _fmt(on)}, field="on")
    if on < member.joined_on:
        raise ApplicationError(
            _("Ngày %(d)s trước ngày vào Hội (%(j)s).")
            % {"d": _fmt(on), "j": _fmt(member.joined_on)},
            field="on",
        )
    before = [member.status, str(member.status_since or "")]
    member.status, member.status_since = status, on
    member.save(update_fields=["status", "status_since", "updated_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=member,
        unit_path=member.unit.path,
        changes={"status": [before[0], status], "status_since": [before[1], on.isoformat()]},
    )
    return member


@dataclass
class DuesData:
    year: int
    status: str = DuesStatus.PAID
    amount: int = 0
    paid_on: dt.date | None = None


def _check_dues(member: Member, data: DuesData) -> None:
    this_year = _today().year
    if data.year < member.joined_on.year:
        raise ApplicationError(
            _("Năm %(y)d trước năm vào Hội của %(name)s (%(j)d): không thu hội phí năm đó.")
            % {"y": data.year, "name": member.person.full_name, "j": member.joined_on.year},
            field="year",
        )
    if data.year > this_year + 1:
        raise ApplicationError(
            _("Chỉ ghi hội phí đến năm %(y)d (năm sau).") % {"y": this_year + 1}, field="year"
        )
    if data.status not in DuesStatus.values:
        raise ApplicationError(_("Hãy chọn đã đóng hoặc được miễn."), field="status")
    if data.amount < 0:
        raise ApplicationError(_("Số tiền hội phí không được âm."), field="amount")
    if data.amount > DUES_MAX:
        raise ApplicationError(_("Số tiền hội phí quá lớn."), field="amount")
    if data.status == DuesStatus.PAID and data.amount == 0:
        raise ApplicationError(_("Hội phí đã đóng: hãy ghi số tiền."), field="amount")
    if data.status == DuesStatus.EXEMPT and data.amount:
        raise ApplicationError(_("Hội viên được miễn thì số tiền là 0."), field="amount")
    if data.paid_on and data.paid_on > _today():
        raise ApplicationError(
            _("Ngày đóng %(d)s ở tương lai.") % {"d": _fmt(data.paid_on)}, field="paid_on"
        )


@transaction.atomic
def dues_record(*, actor: Any, member: Member, data: DuesData) -> Dues:
    """Record a member's dues for a year: paid (amount in VND) or exempt, once a year."""
    member = _lock(member)
    _may_edit(actor, member.unit)
    _check_dues(member, data)
    if Dues.objects.filter(member=member, year=data.year).exists():
        raise ApplicationError(
            _("Hội phí năm %(y)d của %(name)s đã được ghi.")
            % {"y": data.year, "name": member.person.full_name},
            field="year",
        )
    dues = Dues.objects.create(
        member=member,
        year=data.year,
        status=data.status,
        amount=data.amount,
        paid_on=data.paid_on if data.status == DuesStatus.PAID else None,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if member.last_dues_year is None or data.year > member.last_dues_year:
        # The member's row is locked: the latest year stays right under concurrent entries.
        member.last_dues_year = data.year
        member.save(update_fields=["last_dues_year"])
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=member,
        unit_path=member.unit.path,
        changes={"dues": [None, {"year": data.year, "status": data.status, "amount": data.amount}]},
    )
    return dues


@transaction.atomic
def member_transfer(
    *, actor: Any, member: Member, to_unit: Any, on: dt.date, reason: str = ""
) -> MemberTransfer:
    """Move a member to another branch; the history keeps where they came from."""
    member = _lock(member)
    _may_edit(actor, member.unit)
    _may_edit(actor, to_unit)
    if to_unit.pk == member.unit_id:
        raise ApplicationError(_("Hội viên đang sinh hoạt ở đơn vị này."), field="to_unit")
    if not to_unit.is_active:
        raise ApplicationError(_("Đơn vị %s không còn hoạt động.") % to_unit.name, field="to_unit")
    if on > _today() or on < member.joined_on:
        raise ApplicationError(
            _("Ngày chuyển %(d)s phải từ ngày vào Hội đến hôm nay.") % {"d": _fmt(on)}, field="on"
        )
    transfer = MemberTransfer.objects.create(
        member=member,
        from_unit=member.unit,
        to_unit=to_unit,
        transferred_on=on,
        reason=nfc(reason)[:255],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    from_path = member.unit.path
    member.unit = to_unit
    member.save(update_fields=["unit", "updated_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=member,
        unit_path=from_path,
        changes={"unit": [transfer.from_unit_id, to_unit.pk], "transferred_on": on.isoformat()},
    )
    return transfer


@transaction.atomic
def unit_members_transfer(
    *, actor: Any, from_unit: Any, to_unit: Any, on: dt.date, reason: str = ""
) -> int:
    """When units merge: every member of ``from_unit`` moves to ``to_unit``, each with a transfer
    in their history; set-based (one insert, one update)."""
    _may_edit(actor, from_unit)
    _may_edit(actor, to_unit)
    if from_unit.pk == to_unit.pk:
        raise ApplicationError(_("Hãy chọn một đơn vị khác để chuyển đến."), field="to_unit")
    if on > _today():
        raise ApplicationError(_("Ngày chuyển %(d)s ở tương lai.") % {"d": _fmt(on)}, field="on")
    ids = list(
        Member.objects.select_for_update().filter(unit=from_unit).values_list("pk", flat=True)
    )
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    with translation.override(STORED_LANGUAGE):
        reason = nfc(reason)[:255] or _("Hợp nhất đơn vị")
    MemberTransfer.objects.bulk_create(
        [
            MemberTransfer(
                member_id=pk,
                from_unit=from_unit,
                to_unit=to_unit,
                transferred_on=on,
                reason=reason,
                recorded_by=recorded_by,
            )
            for pk in ids
        ],
        batch_size=1000,
    )
    moved = Member.objects.filter(pk__in=ids).update(unit=to_unit, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=from_unit,
        unit_path=from_unit.path,
        changes={"members_moved_to": [None, to_unit.pk], "count": moved, "on": on.isoformat()},
    )
    return moved


# --- youth Red Cross in schools --------------------------------------------------------------


def _check_school(unit: Any) -> None:
    if unit.category != "school":
        raise ApplicationError(_("%s không phải chi hội trường học.") % unit.name, field="unit")


def check_school_year(text: str) -> str:
    match = SCHOOL_YEAR.match((text or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ApplicationError(
            _("Năm học «%s» không đúng dạng (ví dụ 2026-2027).") % text, field="school_year"
        )
    return match.group(0)


def current_school_year(on: dt.date | None = None) -> str:
    """The school year a day falls in (a school year starts in August)."""
    on = on or _today()
    start = on.year if on.month >= 8 else on.year - 1
    return f"{start}-{start + 1}"


def next_school_year(school_year: str) -> str:
    start = int(check_school_year(school_year)[:4]) + 1
    return f"{start}-{start + 1}"


def next_class(class_name: str) -> str | None:
    """The class a pupil moves up to ("6A" → "7A"); None after the last grade."""
    match = re.match(r"^(\d{1,2})(.*)$", class_name.strip())
    if not match:
        return class_name
    grade = int(match.group(1))
    if grade >= LAST_GRADE:
        return None
    return f"{grade + 1}{match.group(2)}"


@transaction.atomic
def youth_register(
    *,
    actor: Any,
    unit: Any,
    person: people.PersonData | Any,
    school_year: str,
    class_name: str,
) -> YouthMember:
    """A pupil becomes a youth Red Cross member of a school branch for a school year."""
    _may_edit(actor, unit)
    _check_school(unit)
    school_year = check_school_year(school_year)
    class_name = nfc(class_name).strip()[:30]
    if not class_name:
        raise ApplicationError(_("Hãy ghi lớp."), field="class_name")
    person = _person(actor, unit, person)
    if YouthMember.objects.filter(person=person, school_year=school_year).exists():
        raise ApplicationError(
            _("%(name)s đã là thanh thiếu niên Chữ thập đỏ năm học %(y)s.")
            % {"name": person.full_name, "y": school_year}
        )
    youth = YouthMember.objects.create(
        person=person, unit=unit, school_year=school_year, class_name=class_name
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=youth,
        unit_path=unit.path,
        changes={"person": [None, person.pk], "school_year": school_year, "class": class_name},
    )
    return youth


@transaction.atomic
def youth_promote(*, actor: Any, unit: Any, school_year: str) -> int:
    """Move a school's youth members of ``school_year`` to the next school year, one class up;
    those in the last grade leave, those already registered for the next year are kept as are."""
    _may_edit(actor, unit)
    _check_school(unit)
    school_year = check_school_year(school_year)
    following = next_school_year(school_year)
    already = YouthMember.objects.filter(school_year=following).values("person_id")
    rows = (
        YouthMember.objects.filter(unit=unit, school_year=school_year)
        .exclude(person_id__in=already)
        .values_list("person_id", "class_name")
    )
    new = []
    for person_id, class_name in rows:
        up = next_class(class_name)
        if up is not None:
            new.append(
                YouthMember(person_id=person_id, unit=unit, school_year=following, class_name=up)
            )
    YouthMember.objects.bulk_create(new, batch_size=1000)
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=unit,
        unit_path=unit.path,
        changes={"youth_promoted": [school_year, following], "count": len(new)},
    )
    return len(new)


@transaction.atomic
def youth_activity_create(
    *, actor: Any, unit: Any, held_on: dt.date, title: str, participants: int = 0, note: str = ""
) -> YouthActivity:
    _may_edit(actor, unit)
    _check_school(unit)
    title = nfc(title).strip()[:255]
    if not title:
        raise ApplicationError(_("Hãy ghi tên hoạt động."), field="title")
    if held_on > _today() + dt.timedelta(days=366):
        raise ApplicationError(_("Ngày hoạt động quá xa."), field="held_on")
    if participants < 0:
        raise ApplicationError(_("Số người tham gia không được âm."), field="participants")
    activity = YouthActivity.objects.create(
        unit=unit, held_on=held_on, title=title, participants=participants, note=nfc(note)
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=activity,
        unit_path=unit.path,
        changes={"title": [None, title], "held_on": [None, held_on.isoformat()]},
    )
    return activity


def person_changed(*, person: Any) -> None:
    """``people`` services hook, after a person's name was corrected or a merge: the copy of
    the name's search key on the person's membership follows."""
    Member.objects.filter(person=person).exclude(name_key=person.name_key).update(
        name_key=person.name_key
    )


def merge_profiles(*, survivor_profile: Any, merged_profile: Any) -> None:
    """``people.person_merge`` hook, for the two one-to-one roles of this app: both persons were
    members, or both were volunteers. The survivor's role takes what the other's holds (dues of
    the years it lacks, transfers; skills, teams, hours) and the earlier start date; the other
    role is then removed (its person keeps the history)."""
    from .models import Dues, MemberTransfer, ServiceHours, TeamMembership, Volunteer

    survivor, merged = survivor_profile, merged_profile
    if isinstance(survivor, Member):
        years = survivor.dues.values("year")
        Dues.objects.filter(member=merged).exclude(year__in=years).update(member=survivor)
        survivor.last_dues_year = survivor.dues.aggregate(latest=Max("year"))["latest"]
        MemberTransfer.objects.filter(member=merged).update(member=survivor)
        card = merged.card_no
        if merged.card_no:
            merged.card_no = ""  # numbers are unique: free it before the survivor may take it
            merged.save(update_fields=["card_no"])
        if not survivor.card_no and card:
            survivor.card_no, survivor.card_issued_on = card, merged.card_issued_on
        survivor.joined_on = min(survivor.joined_on, merged.joined_on)
        survivor.save()
    elif isinstance(survivor, Volunteer):
        survivor.skills.add(*merged.skills.all())
        teams = survivor.teams.filter(left_on__isnull=True).values("team_id")
        TeamMembership.objects.filter(
            volunteer=merged, left_on__isnull=True, team_id__in=teams
        ).delete()
        TeamMembership.objects.filter(volunteer=merged).update(volunteer=survivor)
        ServiceHours.objects.filter(volunteer=merged).update(volunteer=survivor)
        survivor.joined_on = min(survivor.joined_on, merged.joined_on)
        survivor.save()
    else:  # pragma: no cover - only the two roles above are one-to-one with a person
        raise ApplicationError(_("Không gộp được hai hồ sơ này."))
    audit_record(
        actor=None,
        action=A.MERGE,
        obj=survivor,
        unit_path=survivor.unit.path,
        changes={"merged_profile": [None, merged.pk]},
    )
    merged.delete()
