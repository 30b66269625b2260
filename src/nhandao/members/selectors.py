"""Every read of members and youth members, scoped.

For the benchmark (bench/people.py) the two heavy reads are:

- ``unit_counts(unit, year)``: the members dashboard of a unit, new / lapsed / left / active per
  sub-unit, as ONE set-based query grouping by the sub-unit prefix of the owning unit's path;
- ``member_list(user, filters)``: the filtered list (status, branch, dues of a year, name without
  diacritics through ``Person.name_key``), in Vietnamese name order (``Person.sort_key``).

Paths are the chapter tree's materialised paths (4 characters a level): ``LIKE 'path%'`` is a
subtree and the first ``(depth + 1) * 4`` characters of a path name the sub-unit it lies under.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from nhandao.core.audit import change_rows
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.scoping import get_visible_or_404
from nhandao.core.text import fold

from .models import (
    Dues,
    DuesStatus,
    Member,
    MemberStatus,
    MemberTransfer,
    YouthActivity,
    YouthMember,
)

STEPLEN = 4  # orgs.Unit.steplen
AGENCY_CATEGORIES = ("agency", "enterprise")


# --- members ---------------------------------------------------------------------------------


@dataclass
class MemberFilters:
    query: str = ""
    status: str = ""
    unit: Any = None  # a unit already read through the user's scope: its subtree
    dues_year: int | None = None
    dues: str = ""  # "paid", "exempt", "none" (nothing recorded for dues_year)


def _name_filter(query: str) -> Q:
    """A card number, an ID number or phone (``people.selectors.person_search_filter``), or a
    name without diacritics: the person's ``name_key`` as copied on the member."""
    from nhandao.people.models import Person
    from nhandao.people.selectors import person_search_filter

    if any(c.isdigit() for c in query):  # card numbers carry digits; names do not
        people = Person.objects.filter(person_search_filter(query)).values("pk")
        return Q(card_no=query.upper()) | Q(person__in=people)
    return Q(name_key__contains=fold(query))


def dues_not_recorded(year: int) -> Q:
    """Members with no dues recorded for ``year``, from ``Member.last_dues_year`` (the latest
    year recorded): none at all, or only earlier years, is certain; a later latest year (dues
    paid ahead) needs the look-up in ``members_dues``, for those few members alone."""
    recorded = Dues.objects.filter(member=OuterRef("pk"), year=year)
    return cast(
        Q,
        Q(last_dues_year__isnull=True)
        | Q(last_dues_year__lt=year)
        | (Q(last_dues_year__gt=year) & ~Exists(recorded)),
    )


def member_list(user: Any, filters: MemberFilters | None = None) -> QuerySet[Member]:
    """Members in the user's scope, filtered, sorted the Vietnamese way (sort key, then id)."""
    f = filters or MemberFilters()
    # A unit chosen in the filters was read through the user's scope, and scope covers whole
    # subtrees: its subtree alone is the filter. Not repeating the scope's path condition keeps
    # PostgreSQL's estimate right, so for a province it walks the people in name order (the
    # ``sort_key`` index) and stops after a page, and for a commune it reads the commune's rows.
    base = Member.objects.all() if f.unit is not None else Member.objects.visible_to(user)
    qs = base.select_related("person", "unit")
    query = f.query.strip()
    if query:
        qs = qs.filter(_name_filter(query))
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unit is not None:
        qs = qs.filter(unit__path__startswith=f.unit.path)
    if f.dues_year and f.dues:
        if f.dues == "none":
            qs = qs.filter(dues_not_recorded(f.dues_year))
        else:
            qs = qs.filter(dues__year=f.dues_year, dues__status=f.dues)
    if query and not any(c.isdigit() for c in query):
        # A typed name: first the ids of the matching members, read from ``member_unit_name``
        # alone (unit, status and the name's key), then their rows in name order. Filtered in
        # one query, PostgreSQL would walk the whole registry in name order to fill a page of
        # a province (2.2 s for "nguyen thanh", 4,180 of 232,000 members).
        qs = Member.objects.filter(pk__in=qs.values("pk")).select_related("person", "unit")
    return qs.order_by("person__sort_key", "pk")


def member_get(*, user: Any, pk: Any) -> Member:
    qs = Member.objects.select_related("person", "person__ward", "unit")
    return get_visible_or_404(qs, user, pk=pk)


def member_of_person(*, person: Any) -> Member | None:
    return Member.objects.filter(person=person).select_related("unit").first()


@dataclass
class HistoryEvent:
    """One audit event of a member as a person reads it: (field label, before, after) rows."""

    event: Any
    rows: list[tuple[str, str, str]]


@dataclass
class MemberHistory:
    dues: list[Dues]
    transfers: list[MemberTransfer]
    events: list[HistoryEvent]


# Keys of a member's audit changes that hold ids of other records.
_PERSON_KEYS = ("person",)
_UNIT_KEYS = ("unit",)


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _named(value: Any, names: dict[int, str]) -> Any:
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, f"#{value}")
    return value


def _status(value: Any) -> Any:
    if isinstance(value, list):
        return [_status(v) for v in value]
    if value in MemberStatus.values:
        return str(MemberStatus(value).label)
    return value


def _dues(value: Any) -> Any:
    if isinstance(value, list):
        return [_dues(v) for v in value]
    if isinstance(value, dict):
        status = value.get("status")
        label = str(DuesStatus(status).label) if status in DuesStatus.values else status
        parts = [str(value.get("year", "")), str(label or "")]
        if value.get("amount"):
            parts.append(format_vnd(int(value["amount"])))
        return " · ".join(p for p in parts if p)
    return value


def history_rows(events: list[Any]) -> list[HistoryEvent]:
    """A member's audit events with their changes readable: field labels as the model names
    them, people and units by name, statuses by their label, dates dd/mm/yyyy, empty as "—"
    (``core.audit.change_rows``); a creation leaves out what it left empty.

    The id → name step is general (any audited model with foreign keys) and belongs in
    ``core.audit`` beside ``change_rows``."""
    from nhandao.orgs.models import Unit
    from nhandao.people.models import Person

    person_ids: set[int] = set()
    unit_ids: set[int] = set()
    for e in events:
        changes = e.changes if isinstance(e.changes, dict) else {}
        for key in _PERSON_KEYS:
            person_ids.update(_ids(changes.get(key)))
        for key in _UNIT_KEYS:
            unit_ids.update(_ids(changes.get(key)))
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    # Keys that are not fields of a member, named here.
    extra = {
        "dues": str(Dues._meta.verbose_name),
        "transferred_on": str(MemberTransfer._meta.get_field("transferred_on").verbose_name),
        "merged_profile": _("hồ sơ đã gộp vào hồ sơ này"),
    }
    out = []
    for e in events:
        changes = dict(e.changes) if isinstance(e.changes, dict) else {}
        for key in _PERSON_KEYS:
            if key in changes:
                changes[key] = _named(changes[key], people)
        for key in _UNIT_KEYS:
            if key in changes:
                changes[key] = _named(changes[key], units)
        if "status" in changes:
            changes["status"] = _status(changes["status"])
        if "dues" in changes:
            changes["dues"] = _dues(changes["dues"])
        changes = {extra.get(k, k): v for k, v in changes.items()}
        shown = AuditEvent(object_type=e.object_type, action=e.action, changes=changes)
        out.append(HistoryEvent(event=e, rows=change_rows(shown)))
    return out


def member_history(*, member: Member) -> MemberHistory:
    events = AuditEvent.objects.filter(
        object_type="members.member", object_id=str(member.pk)
    ).order_by("-pk")[:100]
    return MemberHistory(
        dues=list(member.dues.order_by("-year")),
        transfers=list(member.transfers.select_related("from_unit", "to_unit")),
        events=history_rows(list(events)),
    )


# --- counts of a unit and its sub-units ------------------------------------------------------


@dataclass
class CountRow:
    unit: Any
    new: int = 0
    lapsed: int = 0
    left: int = 0
    active: int = 0

    def add(self, other: CountRow) -> None:
        self.new += other.new
        self.lapsed += other.lapsed
        self.left += other.left
        self.active += other.active


@dataclass
class UnitCounts:
    unit: Any
    year: int
    own: CountRow  # members of the unit itself (not of a sub-unit)
    rows: list[CountRow] = field(default_factory=list)  # one per sub-unit with members
    total: CountRow | None = None


COUNTS_SQL = """
SELECT substr(u.path, 1, %s) AS under,
  SUM(CASE WHEN m.joined_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN m.status = 'lapsed' AND m.status_since BETWEEN %s AND %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN m.status IN ('left', 'deceased') AND m.status_since BETWEEN %s AND %s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN m.status = 'active' AND m.joined_on <= %s THEN 1 ELSE 0 END)
FROM members_member m JOIN orgs_unit u ON u.id = m.unit_id
WHERE u.path LIKE %s
GROUP BY substr(u.path, 1, %s)
"""


def unit_counts(unit: Any, year: int) -> UnitCounts:
    """New, lapsed, left (or deceased) members in ``year`` and members active now who joined by
    its end, for ``unit`` and each of its sub-units: one query grouped by path prefix, plus one
    for the names of the sub-units. The caller has read ``unit`` through the user's scope."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    width = (unit.depth + 1) * STEPLEN
    params = [width, start, end, start, end, start, end, end, unit.path + "%", width]
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, params)
        found = {
            path: CountRow(None, int(n or 0), int(la or 0), int(le or 0), int(ac or 0))
            for path, n, la, le, ac in cursor.fetchall()
        }
    own = found.pop(unit.path, None) or CountRow(None)
    own.unit = unit
    units = {u.path: u for u in type(unit).objects.filter(path__in=list(found))}
    rows = []
    for path, row in found.items():
        row.unit = units.get(path)
        rows.append(row)
    rows.sort(key=lambda r: getattr(r.unit, "sort_key", ""))
    total = CountRow(unit)
    total.add(own)
    for row in rows:
        total.add(row)
    return UnitCounts(unit=unit, year=year, own=own, rows=rows, total=total)


def agency_branches(*, user: Any, unit: Any) -> list[tuple[Any, int]]:
    """Branches in agencies and enterprises (ORG-5) under ``unit`` with their active members."""
    from nhandao.orgs.selectors import unit_list

    units = list(
        unit_list(user=user)
        .filter(path__startswith=unit.path, category__in=AGENCY_CATEGORIES)
        .order_by("category", "sort_key")
    )
    counts = dict(
        Member.objects.filter(unit__in=units, status=MemberStatus.ACTIVE)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    return [(u, counts.get(u.pk, 0)) for u in units]


# --- youth -----------------------------------------------------------------------------------


def school_get(*, user: Any, pk: Any) -> Any:
    from nhandao.orgs.selectors import unit_get

    unit = unit_get(user=user, pk=pk)
    if unit.category != "school":
        from django.http import Http404

        raise Http404
    return unit


def school_list(*, user: Any, unit: Any) -> list[Any]:
    from nhandao.orgs.selectors import unit_list

    return list(
        unit_list(user=user)
        .filter(path__startswith=unit.path, category="school")
        .order_by("sort_key")[:500]
    )


def youth_list(*, unit: Any, school_year: str, class_name: str = "") -> QuerySet[YouthMember]:
    qs = YouthMember.objects.filter(unit=unit, school_year=school_year).select_related("person")
    if class_name:
        qs = qs.filter(class_name=class_name)
    return qs.order_by("class_name", "person__sort_key", "pk")


def youth_years(*, unit: Any) -> list[str]:
    return list(
        YouthMember.objects.filter(unit=unit)
        .values_list("school_year", flat=True)
        .distinct()
        .order_by("-school_year")
    )


@dataclass
class SchoolDashboard:
    unit: Any
    school_year: str
    by_class: list[tuple[str, int]]
    by_year: list[tuple[str, int]]
    activities: list[YouthActivity]
    total: int = 0


def school_dashboard(*, unit: Any, school_year: str) -> SchoolDashboard:
    """A school's own page: youth members by class (the year shown) and by school year, and its
    activities of the year."""
    by_class = list(
        YouthMember.objects.filter(unit=unit, school_year=school_year)
        .values("class_name")
        .annotate(n=Count("pk"))
        .order_by("class_name")
        .values_list("class_name", "n")
    )
    by_year = list(
        YouthMember.objects.filter(unit=unit)
        .values("school_year")
        .annotate(n=Count("pk"))
        .order_by("-school_year")
        .values_list("school_year", "n")
    )
    start = int(school_year[:4])
    activities = list(
        YouthActivity.objects.filter(
            unit=unit, held_on__gte=dt.date(start, 8, 1), held_on__lt=dt.date(start + 1, 8, 1)
        ).order_by("-held_on", "-pk")[:200]
    )
    return SchoolDashboard(
        unit=unit,
        school_year=school_year,
        by_class=by_class,
        by_year=by_year,
        activities=activities,
        total=sum(n for _c, n in by_class),
    )


def youth_get(*, user: Any, pk: Any) -> YouthMember:
    return get_visible_or_404(YouthMember.objects.select_related("person", "unit"), user, pk=pk)
