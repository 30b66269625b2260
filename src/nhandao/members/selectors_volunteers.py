"""Reads of volunteers, teams, hours, staff and applications, always through the user's scope.

"Active" is decided by the nearest ``VolunteerRule`` at or above a volunteer's unit: at least
``min_hours`` of service in the last ``period_months`` months. A volunteer with no rule above is
neither active nor inactive (None)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from nhandao.core.scoping import get_visible_or_404
from nhandao.core.text import fold
from nhandao.orgs.models import Unit, UnitKind
from nhandao.people.selectors import person_search_filter

from .applications import JOINABLE_KINDS
from .models import (
    Application,
    ApplicationStatus,
    ServiceHours,
    Skill,
    StaffPosition,
    TeamMembership,
    Volunteer,
    VolunteerRule,
)

STEPLEN = Unit.steplen


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass
class Filters:
    query: str = ""
    kind: str = ""
    skill: str = ""
    team: Any = None
    active: str = ""  # "yes", "no", "none" or ""
    unit: Any = None


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.all().order_by("name")


# --- the rule --------------------------------------------------------------------------------


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def rule_for(unit: Any) -> VolunteerRule | None:
    """The nearest rule at or above ``unit``."""
    return (
        VolunteerRule.objects.filter(unit__path__in=_ancestor_paths(unit.path))
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )


def _rules_over(unit: Any) -> list[VolunteerRule]:
    """Rules that may govern volunteers of ``unit``'s subtree, deepest first."""
    return list(
        VolunteerRule.objects.filter(
            Q(unit__path__in=_ancestor_paths(unit.path)) | Q(unit__path__startswith=unit.path)
        )
        .select_related("unit")
        .order_by("-unit__depth")
    )


def _governed(rule: VolunteerRule, rules: list[VolunteerRule]) -> Q:
    """Volunteers whose nearest rule is ``rule``: below its unit, not below a deeper rule's."""
    q = Q(unit__path__startswith=rule.unit.path)
    for other in rules:
        if len(other.unit.path) > len(rule.unit.path) and other.unit.path.startswith(
            rule.unit.path
        ):
            q &= ~Q(unit__path__startswith=other.unit.path)
    return q


def _active_q(unit: Any, today: dt.date) -> tuple[Q, Q]:
    """(active, governed by some rule) as filters on volunteers of ``unit``'s subtree."""
    rules = _rules_over(unit)
    active, governed = Q(pk__in=[]), Q(pk__in=[])
    for rule in rules:
        scope = _governed(rule, rules)
        governed |= scope
        since = months_back(today, rule.period_months)
        enough = (
            ServiceHours.objects.filter(served_on__gt=since, served_on__lte=today)
            .values("volunteer_id")
            .annotate(total=Sum("hours"))
            .filter(total__gte=rule.min_hours)
            .values("volunteer_id")
        )
        active |= scope & Q(pk__in=enough)
    return active, governed


def active_flags(
    volunteers: list[Volunteer], today: dt.date | None = None
) -> dict[int, bool | None]:
    """For a page of volunteers: True, False, or None (no rule above their unit)."""
    today = today or timezone.localdate()
    if not volunteers:
        return {}
    paths = {p for v in volunteers for p in _ancestor_paths(v.unit.path)}
    rules = {
        r.unit.path: r
        for r in VolunteerRule.objects.filter(unit__path__in=paths).select_related("unit")
    }
    result: dict[int, bool | None] = {}
    by_rule: dict[int, list[Volunteer]] = {}
    chosen: dict[int, VolunteerRule] = {}
    for v in volunteers:
        rule = next((rules[p] for p in reversed(_ancestor_paths(v.unit.path)) if p in rules), None)
        if rule is None:
            result[v.pk] = None
        else:
            by_rule.setdefault(rule.pk, []).append(v)
            chosen[rule.pk] = rule
    for pk, group in by_rule.items():
        rule = chosen[pk]
        since = months_back(today, rule.period_months)
        totals = dict(
            ServiceHours.objects.filter(
                volunteer__in=group, served_on__gt=since, served_on__lte=today
            )
            .values("volunteer_id")
            .annotate(total=Sum("hours"))
            .values_list("volunteer_id", "total")
        )
        for v in group:
            result[v.pk] = (totals.get(v.pk) or Decimal(0)) >= rule.min_hours
    return result


def rule_list(*, user: Any) -> QuerySet[VolunteerRule]:
    return VolunteerRule.objects.visible_to(user).select_related("unit").order_by("unit__path")


# --- volunteers ------------------------------------------------------------------------------


def volunteer_get(*, user: Any, pk: Any) -> Volunteer:
    qs = Volunteer.objects.select_related("person", "person__ward", "unit")
    return get_visible_or_404(qs, user, pk=pk)


def volunteer_of(*, user: Any, person: Any) -> Volunteer | None:
    """The volunteer role of a person, if the user may see it."""
    return Volunteer.objects.visible_to(user).filter(person=person).first()


def volunteer_list(*, user: Any, unit: Any, filters: Filters | None = None) -> QuerySet[Volunteer]:
    f = filters or Filters()
    root = f.unit or unit
    qs = Volunteer.objects.visible_to(user).filter(unit__path__startswith=root.path)
    if f.query.replace("\x00", ""):
        q = person_search_filter(f.query.replace("\x00", ""))
        qs = qs.filter(**{"person__in": _person_ids(q)}) if q else qs
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.skill:
        qs = qs.filter(skills__code=f.skill)
    if f.team is not None:
        qs = qs.filter(
            Exists(
                TeamMembership.objects.filter(
                    volunteer=OuterRef("pk"), team=f.team, left_on__isnull=True
                )
            )
        )
    if f.active:
        active, governed = _active_q(root, timezone.localdate())
        if f.active == "yes":
            qs = qs.filter(active)
        elif f.active == "no":
            qs = qs.filter(governed).exclude(active)
        elif f.active == "none":
            qs = qs.exclude(governed)
    return qs.select_related("person", "unit").order_by("person__sort_key", "pk")


def _person_ids(q: Q) -> Any:
    from nhandao.people.models import Person

    return Person.objects.filter(q).values("pk")


def volunteer_teams(*, volunteer: Volunteer) -> list[TeamMembership]:
    return list(
        TeamMembership.objects.filter(volunteer=volunteer)
        .select_related("team")
        .order_by("left_on", "-joined_on")
    )


def volunteer_hours(*, volunteer: Volunteer) -> QuerySet[ServiceHours]:
    return (
        ServiceHours.objects.filter(volunteer=volunteer)
        .select_related("campaign")
        .order_by("-served_on", "-pk")
    )


def hours_total(*, volunteer: Volunteer) -> Decimal:
    total: Decimal = ServiceHours.objects.filter(volunteer=volunteer).aggregate(s=Sum("hours"))[
        "s"
    ] or Decimal(0)
    return total


# --- teams -----------------------------------------------------------------------------------


def team_list(*, user: Any, unit: Any) -> QuerySet[Unit]:
    return (
        Unit.objects.visible_to(user)
        .filter(kind=UnitKind.TEAM, path__startswith=unit.path)
        .order_by("sort_key", "pk")
    )


def team_get(*, user: Any, pk: Any) -> Unit:
    return get_visible_or_404(Unit.objects.filter(kind=UnitKind.TEAM), user, pk=pk)


def team_members(*, team: Unit, current: bool = True) -> list[TeamMembership]:
    qs = TeamMembership.objects.filter(team=team).select_related("volunteer__person")
    if current:
        qs = qs.filter(left_on__isnull=True)
    return list(qs.order_by("volunteer__person__sort_key"))


def membership_get(*, user: Any, pk: Any, team: Unit) -> TeamMembership:
    """A membership of ``team`` (itself fetched through the scope), or 404."""
    try:
        return TeamMembership.objects.select_related("volunteer__person", "team").get(
            pk=int(pk), team=team
        )
    except (TeamMembership.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


# --- staff -----------------------------------------------------------------------------------


def staff_list(
    *, user: Any, unit: Any, current_on: dt.date | None = None
) -> QuerySet[StaffPosition]:
    qs = StaffPosition.objects.visible_to(user).filter(unit__path__startswith=unit.path)
    if current_on:
        qs = qs.filter(term_from__lte=current_on).filter(
            Q(term_to__isnull=True) | Q(term_to__gte=current_on)
        )
    return qs.select_related("person", "unit").order_by(
        "unit__path", "person__sort_key", "-term_from"
    )


def staff_get(*, user: Any, pk: Any) -> StaffPosition:
    return get_visible_or_404(StaffPosition.objects.select_related("person", "unit"), user, pk=pk)


# --- applications ----------------------------------------------------------------------------


def application_list(
    *, user: Any, status: str = ApplicationStatus.PENDING
) -> QuerySet[Application]:
    qs = Application.objects.visible_to(user).select_related("unit")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "-pk")


def application_get(*, user: Any, pk: Any) -> Application:
    return get_visible_or_404(Application.objects.select_related("unit", "person"), user, pk=pk)


def public_units(query: str, limit: int = 20) -> list[Unit]:
    """Active communes and branches whose name matches (the public form: no scope, names only)."""
    key = fold((query or "")[:100].replace("\x00", "")).strip()
    if len(key) < 2:
        return []
    return list(
        Unit.objects.filter(
            is_active=True, kind__in=JOINABLE_KINDS, search_key__contains=key
        ).order_by("depth", "sort_key")[:limit]
    )


def unit_trail(units: list[Unit]) -> dict[int, str]:
    """The two levels above each unit, for telling namesakes apart."""
    prefixes = {u.path[:i] for u in units for i in range(STEPLEN, len(u.path), STEPLEN)}
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name"))
    return {
        u.pk: " › ".join(
            [
                names[u.path[:i]]
                for i in range(STEPLEN, len(u.path), STEPLEN)
                if u.path[:i] in names
            ][-2:]
        )
        for u in units
    }
