"""A campaign's counts per unit, refreshed in the background for the wide pages.

The nation's and a province's coverage and dashboard would read millions of eligible rows and
aid records on every view (10 s and more at national size). ``refresh`` computes, in one
transaction and a few set-based statements, each unit's own eligible and covered counts and the
results of its own aid records (``CoverageSummary``); the wide pages then sum those rows by
sub-unit path. Pages at ``SUMMARY_DEPTH`` and above read the summary while it is younger than
``FRESH_FOR``; an older one is still shown (with its time) while a refresh is enqueued, at most
one pending per campaign. Communes and below, and small campaigns (``MIN_SIZE``), are always
computed live.

The figures equal the live ones right after a refresh, with two assumptions the data keeps: a
household's gifts in a campaign are recorded by one unit (households are counted per unit, then
summed), and a recipient's gift is recorded inside the campaign's area.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from . import eligibility
from .models import STEPLEN, Campaign, CoverageSummary, Metric

FRESH_FOR = dt.timedelta(minutes=10)
SUMMARY_DEPTH = 2  # the nation (1) and a province (2) read the summary; communes stay live
# Below this many eligible rows and gifts (the whole campaign, as last summarised) the pages stay
# live: a gift just recorded shows at once, and counting live takes milliseconds.
MIN_SIZE = 50_000
TASK_PATH = "nhandao.campaigns.tasks.refresh_summary"


def refresh(*, campaign: Campaign) -> int:
    """Recompute the whole summary of ``campaign``; returns the rows written."""
    now = timezone.now()
    covered, covered_params = eligibility.covered_sql_for_summary(campaign=campaign)
    households = (
        "COUNT(DISTINCT a.household_id)"
        " + COUNT(DISTINCT CASE WHEN a.household_id IS NULL THEN a.person_id END)"
    )
    columns = (
        "campaign_id, unit_id, " + '"group"' + ", eligible, covered, gifts, value, households,"
        " people, computed_at"
    )
    by_unit = (
        f"INSERT INTO campaigns_coveragesummary ({columns})"
        " SELECT %s, x.unit_id, '', SUM(x.eligible), SUM(x.covered), SUM(x.gifts),"
        " SUM(x.value), SUM(x.households), SUM(x.people), %s FROM ("
        " SELECT c.unit_id AS unit_id, COUNT(*) AS eligible, SUM(c.covered) AS covered,"
        " 0 AS gifts, 0 AS value, 0 AS households, 0 AS people"
        f" FROM ({covered}) c GROUP BY c.unit_id"
        " UNION ALL"
        " SELECT a.unit_id, 0, 0, COUNT(*), COALESCE(SUM(a.value), 0),"
        f" {households}, COUNT(DISTINCT a.person_id)"
        " FROM aid_aidrecord a WHERE a.campaign_id = %s AND a.voided_at IS NULL"
        " GROUP BY a.unit_id) x GROUP BY x.unit_id"
    )
    by_group = (
        f"INSERT INTO campaigns_coveragesummary ({columns})"
        " SELECT %s, a.unit_id, m.group_id, 0, 0, COUNT(*), COALESCE(SUM(a.value), 0),"
        f" {households}, COUNT(DISTINCT a.person_id), %s"
        " FROM aid_aidrecord a"
        " JOIN beneficiaries_beneficiary b ON b.person_id = a.person_id"
        " JOIN beneficiaries_groupmembership m ON m.beneficiary_id = b.id"
        " WHERE a.campaign_id = %s AND a.voided_at IS NULL"
        " GROUP BY a.unit_id, m.group_id"
    )
    with transaction.atomic(), eligibility.report_cursor() as cursor:
        cursor.execute(
            "DELETE FROM campaigns_coveragesummary WHERE campaign_id = %s", [campaign.pk]
        )
        cursor.execute(by_unit, [campaign.pk, now, *covered_params, campaign.pk])
        written = cursor.rowcount
        cursor.execute(by_group, [campaign.pk, now, campaign.pk])
        written += cursor.rowcount
    return int(written)


def computed_at(*, campaign: Campaign) -> dt.datetime | None:
    """When the campaign's summary was last computed, or None when it has none."""
    return _state(campaign)[0]


def _state(campaign: Campaign) -> tuple[dt.datetime | None, int]:
    """(time of the summary or None, eligible rows + gifts of the whole campaign)."""
    got = CoverageSummary.objects.filter(campaign=campaign, group="").aggregate(
        at=Max("computed_at"), eligible=Sum("eligible"), gifts=Sum("gifts")
    )
    return got["at"], int(got["eligible"] or 0) + int(got["gifts"] or 0)


# Campaigns this process asked a refresh for, and when (one page reads the summary several
# times: it asks once).
_asked: dict[int, float] = {}
ASK_AGAIN_AFTER = 60.0  # seconds


def enqueue_refresh(*, campaign: Campaign, now: bool = False) -> None:
    """Enqueue a refresh of the campaign's summary once the transaction commits, unless one is
    already waiting or running (or, unless ``now``, this process asked for one a minute ago)."""
    from . import tasks

    pk = campaign.pk
    clock = time.monotonic()
    if not now and clock - _asked.get(pk, -ASK_AGAIN_AFTER) < ASK_AGAIN_AFTER:
        return
    if _pending(pk):
        return
    _asked[pk] = clock
    transaction.on_commit(lambda: tasks.refresh_summary.enqueue(pk))


def _pending(campaign_id: int) -> bool:
    from django.conf import settings

    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not backend.startswith("django_tasks_db"):
        return False
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(task_path=TASK_PATH, status__in=["READY", "RUNNING"])
        .filter(args_kwargs__args__0=campaign_id)
        .exists()
    )


def summary_time(*, campaign: Campaign, unit: Any) -> dt.datetime | None:
    """The time of the summary the pages of ``unit`` read, or None when they compute live
    (a commune and below, or no summary yet: then a refresh is enqueued). A stale summary is
    still read, and a refresh enqueued."""
    if unit.depth > SUMMARY_DEPTH:
        return None
    at, size = _state(campaign)
    if at is None or timezone.now() - at > FRESH_FOR:
        enqueue_refresh(campaign=campaign)
    if size < MIN_SIZE:  # a small campaign is counted live in no time, and exactly
        return None
    return at


def _sum_by_child(
    campaign: Campaign, parent: Any, columns: list[str], group: str, nonzero: str
) -> dict[str, list[int]]:
    width = (parent.depth + 1) * STEPLEN
    sums = ", ".join(f"SUM(s.{c})" for c in columns)
    sql = (
        f"SELECT SUBSTR(u.path, 1, {int(width)}), {sums}"
        " FROM campaigns_coveragesummary s JOIN orgs_unit u ON u.id = s.unit_id"
        ' WHERE s.campaign_id = %s AND s."group" = %s AND u.path LIKE %s'
        f" GROUP BY SUBSTR(u.path, 1, {int(width)}) HAVING SUM(s.{nonzero}) > 0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, group, parent.path + "%"])
        return {row[0]: [int(v or 0) for v in row[1:]] for row in cursor.fetchall()}


def coverage_by_child(*, campaign: Campaign, parent: Any) -> dict[str, tuple[int, int]]:
    """``eligibility.coverage_by_child`` from the summary."""
    rows = _sum_by_child(campaign, parent, ["eligible", "covered"], "", "eligible")
    return {path: (v[0], v[1]) for path, v in rows.items()}


def aid_by_child(*, campaign: Campaign, parent: Any) -> dict[str, dict[str, int]]:
    """{sub-unit path: {gifts, value, households, people}} from the summary."""
    columns = ["gifts", "value", "households", "people"]
    rows = _sum_by_child(campaign, parent, columns, "", "gifts")
    metrics = [Metric.GIFTS, Metric.VALUE, Metric.HOUSEHOLDS, Metric.PEOPLE]
    return {path: dict(zip(metrics, v, strict=True)) for path, v in rows.items()}


def results_by_group(*, campaign: Campaign, unit: Any) -> dict[str, dict[str, int]]:
    """``selectors.results_by_group`` from the summary."""
    sql = (
        'SELECT s."group", SUM(s.gifts), SUM(s.value), SUM(s.households)'
        " FROM campaigns_coveragesummary s JOIN orgs_unit u ON u.id = s.unit_id"
        ' WHERE s.campaign_id = %s AND s."group" <> %s AND u.path LIKE %s GROUP BY s."group"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, "", unit.path + "%"])
        return {
            group: {
                Metric.GIFTS: int(gifts),
                Metric.VALUE: int(value),
                Metric.HOUSEHOLDS: int(households),
            }
            for group, gifts, value, households in cursor.fetchall()
        }
