"""Every read of campaigns, scoped: lists, one campaign, coverage, progress against targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from nhandao.core.scoping import get_visible_or_404

from . import eligibility, summary
from .models import STEPLEN, Campaign, CampaignStatus, GoodExample, Metric, Target


def campaign_list(
    *, user: Any, kind: str = "", status: str = "", year: int | None = None
) -> QuerySet[Campaign]:
    qs = Campaign.objects.visible_to(user).select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-starts_on", "name")


def campaign_get(*, user: Any, pk: Any) -> Campaign:
    """A campaign the user may see (launched in or above the user's scope), or 404."""
    return get_visible_or_404(Campaign.objects.select_related("unit"), user, pk=pk)


def campaign_get_owned(*, user: Any, pk: Any) -> Campaign:
    """A campaign launched inside the user's own scope (what the user may change), or 404."""
    qs = Campaign.objects.select_related("unit")
    campaign = get_visible_or_404(qs, user, pk=pk)
    if not qs.owned_within(user).filter(pk=campaign.pk).exists():
        from django.http import Http404

        raise Http404
    return campaign


def campaigns_running(*, user: Any, today: Any = None) -> list[Campaign]:
    """Launched campaigns whose period covers today: what a unit's dashboard shows."""
    today = today or timezone.localdate()
    return list(
        Campaign.objects.visible_to(user)
        .filter(status=CampaignStatus.LAUNCHED, starts_on__lte=today, ends_on__gte=today)
        .select_related("unit")
        .order_by("ends_on")
    )


def campaign_in_area(*, campaign: Campaign, unit: Any) -> bool:
    """Does ``unit`` lie inside the area of the campaign (the launching unit's subtree)?"""
    return bool(unit.path.startswith(campaign.unit.path))


def focus_unit(*, campaign: Campaign, unit: Any) -> Any:
    """The unit a page about ``campaign`` should show: ``unit`` itself, or the campaign's unit
    when the user's unit lies above it."""
    return unit if unit.path.startswith(campaign.unit.path) else campaign.unit


@dataclass
class CoverageRow:
    unit: Any
    own: bool  # rows owned by the unit of the page itself, not a sub-unit
    eligible: int
    covered: int

    @property
    def uncovered(self) -> int:
        return self.eligible - self.covered

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.eligible if self.eligible else 100.0


@dataclass
class Coverage:
    unit: Any
    rows: list[CoverageRow] = field(default_factory=list)
    computed_at: Any = None  # the summary's time when the counts come from it, else None

    @property
    def eligible(self) -> int:
        return sum(r.eligible for r in self.rows)

    @property
    def covered(self) -> int:
        return sum(r.covered for r in self.rows)

    @property
    def uncovered(self) -> int:
        return self.eligible - self.covered

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.eligible if self.eligible else 100.0

    @property
    def percent_done(self) -> int:
        """The percent covered, rounded down: it reads 100% only when nobody is left."""
        return self.covered * 100 // self.eligible if self.eligible else 100


def coverage(*, campaign: Campaign, unit: Any) -> Coverage:
    """Eligible and covered counts per sub-unit of ``unit`` (the laggards first). ``unit`` must
    come from a scoped getter: the counts cover only its subtree."""
    from nhandao.orgs.models import Unit

    at = summary.summary_time(campaign=campaign, unit=unit)
    if at is not None:
        counts = summary.coverage_by_child(campaign=campaign, parent=unit)
    else:
        counts = eligibility.coverage_by_child(campaign=campaign, parent=unit)
    units = {u.path: u for u in Unit.objects.filter(path__in=list(counts))}
    rows = [
        CoverageRow(unit=units.get(path, unit), own=path == unit.path, eligible=e, covered=c)
        for path, (e, c) in counts.items()
    ]
    rows.sort(key=lambda r: (r.percent, r.unit.sort_key))
    return Coverage(unit=unit, rows=rows, computed_at=at)


def summary_time(*, campaign: Campaign, unit: Any) -> Any:
    """When the figures of ``unit``'s pages were computed, if they come from the campaign's
    summary (the nation, a province); None when they are live."""
    return summary.summary_time(campaign=campaign, unit=unit)


def summary_refresh(*, campaign: Campaign) -> None:
    """Ask for the campaign's summary to be computed again (in the background)."""
    summary.enqueue_refresh(campaign=campaign, now=True)


@dataclass
class UncoveredPage:
    total: int
    people: list[Any]


def uncovered_list(
    *, campaign: Campaign, unit: Any, limit: int | None = None, offset: int = 0
) -> UncoveredPage:
    """Eligible households (or people) under ``unit`` with no gift yet, in Vietnamese name order,
    each with its household, ward and owning unit loaded (the printable list)."""
    from nhandao.people.models import Person

    total, rows = eligibility.uncovered_rows(
        campaign=campaign, unit=unit, limit=limit, offset=offset
    )
    by_id = Person.objects.select_related("household", "household__head", "ward", "unit").in_bulk(
        [r[0] for r in rows]
    )
    return UncoveredPage(total=total, people=[by_id[r[0]] for r in rows if r[0] in by_id])


def target_list(*, campaign: Campaign, unit: Any) -> QuerySet[Target]:
    """The targets of ``unit`` and of its direct sub-units."""
    return (
        Target.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
        .filter(unit__depth__lte=unit.depth + 1)
        .select_related("unit", "group")
        .order_by("unit__path", "metric", "group_id")
    )


def results_by_child(*, campaign: Campaign, parent: Any) -> dict[str, dict[str, int]]:
    """What was delivered under ``parent``, per sub-unit path: gifts, value, households, people
    (by the recipient's owning unit) and programmes (distributions held, by organising unit)."""
    width = (parent.depth + 1) * STEPLEN
    like = parent.path + "%"
    if summary.summary_time(campaign=campaign, unit=parent) is not None:
        results = summary.aid_by_child(campaign=campaign, parent=parent)
    else:
        results = _aid_by_child(campaign, parent)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUBSTR(u.path, 1, {int(width)}), COUNT(*)"
            " FROM aid_distribution d JOIN orgs_unit u ON u.id = d.unit_id"
            " WHERE d.campaign_id = %s AND d.status = 'done' AND u.path LIKE %s"
            f" GROUP BY SUBSTR(u.path, 1, {int(width)})",
            [campaign.pk, like],
        )
        for path, programmes in cursor.fetchall():
            results.setdefault(path, {})[Metric.PROGRAMMES] = int(programmes)
    for provider in _results_providers():
        for path, values in provider(campaign, parent).items():
            row = results.setdefault(path, {})
            for metric, value in values.items():
                row[metric] = row.get(metric, 0) + int(value)
    return results


def _aid_by_child(campaign: Campaign, parent: Any) -> dict[str, dict[str, int]]:
    """The live aid records' part of ``results_by_child``."""
    width = (parent.depth + 1) * STEPLEN
    results: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUBSTR(u.path, 1, {int(width)}), COUNT(*), COALESCE(SUM(a.value), 0),"
            " COUNT(DISTINCT a.household_id)"
            " + COUNT(DISTINCT CASE WHEN a.household_id IS NULL THEN a.person_id END),"
            " COUNT(DISTINCT a.person_id)"
            " FROM aid_aidrecord a JOIN orgs_unit u ON u.id = a.unit_id"
            " WHERE a.campaign_id = %s AND a.voided_at IS NULL AND u.path LIKE %s"
            f" GROUP BY SUBSTR(u.path, 1, {int(width)})",
            [campaign.pk, parent.path + "%"],
        )
        for path, gifts, value, households, people in cursor.fetchall():
            results[path] = {
                Metric.GIFTS: int(gifts),
                Metric.VALUE: int(value),
                Metric.HOUSEHOLDS: int(households),
                Metric.PEOPLE: int(people),
            }
    return results


def _results_providers() -> list[Any]:
    """Results other apps deliver for a campaign (e.g. blood units collected in a drive's
    sessions), registered in settings.NHANDAO_CAMPAIGN_RESULTS as dotted paths of functions
    ``(campaign, parent) -> {sub-unit path: {metric: n}}``: campaigns imports none of them."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    return [import_string(p) for p in getattr(settings, "NHANDAO_CAMPAIGN_RESULTS", [])]


@dataclass
class ProgressRow:
    unit: Any
    own: bool
    metric: str
    group: Any
    target: int | None
    result: int

    @property
    def percent(self) -> float | None:
        if not self.target:
            return None
        return 100.0 * self.result / self.target


def progress(*, campaign: Campaign, unit: Any) -> list[ProgressRow]:
    """Targets against results for ``unit`` (summed over its subtree) and each sub-unit.
    Results by group are not split here (see ``results_by_group``)."""
    from nhandao.orgs.models import Unit

    results = results_by_child(campaign=campaign, parent=unit)
    total: dict[str, int] = {}
    for values in results.values():
        for metric, value in values.items():
            total[metric] = total.get(metric, 0) + value
    targets = list(target_list(campaign=campaign, unit=unit).filter(group__isnull=True))
    shown = {Metric.GIFTS, Metric.VALUE, Metric.BLOOD_UNITS}
    metrics = sorted({t.metric for t in targets} | (shown & set(total)))
    children = {u.path: u for u in Unit.objects.filter(path__in=list(results))}
    for t in targets:
        children.setdefault(t.unit.path, t.unit)
    rows: list[ProgressRow] = []
    by_key = {(t.unit_id, t.metric): t.value for t in targets}
    for metric in metrics:
        rows.append(
            ProgressRow(
                unit, True, metric, None, by_key.get((unit.pk, metric)), total.get(metric, 0)
            )
        )
        for path, child in sorted(children.items()):
            if path == unit.path:
                continue
            rows.append(
                ProgressRow(
                    child,
                    False,
                    metric,
                    None,
                    by_key.get((child.pk, metric)),
                    results.get(path, {}).get(metric, 0),
                )
            )
    return rows


def results_by_group(*, campaign: Campaign, unit: Any) -> dict[str, dict[str, int]]:
    """Gifts, value and households reached under ``unit`` per beneficiary group of the recipient
    (a recipient in two groups counts in both)."""
    if summary.summary_time(campaign=campaign, unit=unit) is not None:
        return summary.results_by_group(campaign=campaign, unit=unit)
    out: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT g.group_id, COUNT(*), COALESCE(SUM(a.value), 0),"
            " COUNT(DISTINCT a.household_id)"
            " + COUNT(DISTINCT CASE WHEN a.household_id IS NULL THEN a.person_id END)"
            " FROM aid_aidrecord a JOIN orgs_unit u ON u.id = a.unit_id"
            " JOIN beneficiaries_beneficiary b ON b.person_id = a.person_id"
            " JOIN beneficiaries_groupmembership g ON g.beneficiary_id = b.id"
            " WHERE a.campaign_id = %s AND a.voided_at IS NULL AND u.path LIKE %s"
            " GROUP BY g.group_id",
            [campaign.pk, unit.path + "%"],
        )
        for group, gifts, value, households in cursor.fetchall():
            out[group] = {
                Metric.GIFTS: int(gifts),
                Metric.VALUE: int(value),
                Metric.HOUSEHOLDS: int(households),
            }
    return out


def example_list(*, campaign: Campaign, unit: Any) -> QuerySet[GoodExample]:
    return (
        GoodExample.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("-recorded_at")
    )


def is_eligible(*, campaign: Campaign, person: Any) -> bool:
    return eligibility.is_eligible(campaign=campaign, person=person)


def gifts_per_day(*, campaign: Campaign, unit: Any) -> list[tuple[Any, int, int]]:
    """[(day, gifts, value)] delivered under ``unit`` (the chart over time), by the day given."""
    import datetime as dt

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.given_on, COUNT(*), COALESCE(SUM(a.value), 0)"
            " FROM aid_aidrecord a JOIN orgs_unit u ON u.id = a.unit_id"
            " WHERE a.campaign_id = %s AND a.voided_at IS NULL AND u.path LIKE %s"
            " GROUP BY a.given_on ORDER BY a.given_on",
            [campaign.pk, unit.path + "%"],
        )
        rows = cursor.fetchall()
    out: list[tuple[Any, int, int]] = []
    for day, gifts, value in rows:
        if isinstance(day, str):  # SQLite hands dates back as text in raw queries
            day = dt.date.fromisoformat(day)
        out.append((day, int(gifts), int(value)))
    return out


def results_by_source(*, campaign: Campaign, unit: Any) -> dict[str, dict[str, int]]:
    """{source: {gifts, value}} of what was delivered under ``unit`` (the report's sources)."""
    out: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.source, COUNT(*), COALESCE(SUM(a.value), 0)"
            " FROM aid_aidrecord a JOIN orgs_unit u ON u.id = a.unit_id"
            " WHERE a.campaign_id = %s AND a.voided_at IS NULL AND u.path LIKE %s"
            " GROUP BY a.source ORDER BY a.source",
            [campaign.pk, unit.path + "%"],
        )
        for source, gifts, value in cursor.fetchall():
            out[source] = {Metric.GIFTS: int(gifts), Metric.VALUE: int(value)}
    return out


def child_units(*, campaign: Campaign, unit: Any) -> list[Any]:
    """The active direct sub-units of ``unit`` (rows of the targets table), in tree order."""
    from nhandao.orgs.models import Unit

    return list(
        Unit.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1, is_active=True
        ).order_by("sort_key", "path")
    )


def eligible_by_child(*, campaign: Campaign, unit: Any) -> dict[str, int]:
    """{sub-unit path: eligible households (or people)} under ``unit``."""
    return eligibility.eligible_by_child(campaign=campaign, parent=unit)


def groups_of_people(*, person_ids: list[int], sensitive: bool) -> dict[int, list[str]]:
    """{person id: names of their beneficiary groups} in one query (the uncovered list's column);
    sensitive groups only when ``sensitive`` (the reader has ``pii.view``)."""
    if not person_ids:
        return {}
    out: dict[int, list[str]] = {}
    marks = ", ".join(["%s"] * len(person_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.person_id, g.name, g.sensitive FROM beneficiaries_beneficiary b"
            " JOIN beneficiaries_groupmembership m ON m.beneficiary_id = b.id"
            " JOIN beneficiaries_beneficiarygroup g ON g.code = m.group_id"
            f" WHERE b.person_id IN ({marks}) ORDER BY b.person_id, g.rank, g.name",
            list(person_ids),
        )
        for person_id, name, is_sensitive in cursor.fetchall():
            if is_sensitive and not sensitive:
                continue
            out.setdefault(int(person_id), []).append(name)
    return out
