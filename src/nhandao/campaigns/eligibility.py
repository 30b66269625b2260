"""The eligible list of a campaign and its coverage, as set-based SQL on both databases.

A campaign's eligible list is, per its gift rule, the households (or the people) with an active
humanitarian-address record in one of the campaign's groups (every group when it names none),
owned by a unit inside the campaign's launching unit. Until the list is frozen it is read live
from the registry; once frozen, from ``campaigns_eligibleentry``.

Coverage joins that list to the campaign's live aid records: a recipient is covered when they, or
(one gift per household) anyone recorded with their household, received something in the
campaign. The covered sets are read only for the units under the page being looked at (the
``(campaign, unit)`` index of aid records), so a commune's page reads a commune's records.

Paths are the chapter tree's materialised paths: ``LIKE 'path%'`` is a subtree, and the first
``(depth + 1) * STEPLEN`` characters of a path name the sub-unit a row falls under.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from .models import STEPLEN, Campaign, GiftRule


def _like(path: str) -> str:
    return path + "%"


def live_sql(*, campaign: Campaign, within_path: str, exact: bool = False) -> tuple[str, list[Any]]:
    """Rows (unit_id, household_id, person_id) of the live eligible list under ``within_path``
    (or, with ``exact``, of the unit at that path alone, not its sub-units)."""
    groups = list(campaign.groups.values_list("code", flat=True))
    group_filter = ""
    params: list[Any] = [_like(campaign.unit.path), within_path if exact else _like(within_path)]
    if groups:
        marks = ", ".join(["%s"] * len(groups))
        group_filter = (
            " AND EXISTS (SELECT 1 FROM beneficiaries_groupmembership g"
            f" WHERE g.beneficiary_id = b.id AND g.group_id IN ({marks}))"
        )
        params += groups
    base = (
        " FROM beneficiaries_beneficiary b"
        " JOIN people_person p ON p.id = b.person_id"
        " JOIN orgs_unit bu ON bu.id = b.unit_id"
        " WHERE b.status = 'active' AND p.merged_into_id IS NULL"
        " AND bu.path LIKE %s AND bu.path " + ("= %s" if exact else "LIKE %s") + group_filter
    )
    if campaign.gift_rule == GiftRule.PERSON:
        return "SELECT b.unit_id AS unit_id, p.household_id AS household_id, p.id AS person_id" + (
            base
        ), params
    sql = (
        "SELECT MIN(b.unit_id) AS unit_id, p.household_id AS household_id,"
        " MIN(p.id) AS person_id" + base + " AND p.household_id IS NOT NULL"
        " GROUP BY p.household_id"
        " UNION ALL"
        " SELECT b.unit_id AS unit_id, NULL AS household_id, p.id AS person_id"
        + base
        + " AND p.household_id IS NULL"
    )
    return sql, params + params


def frozen_sql(*, campaign: Campaign) -> tuple[str, list[Any]]:
    return (
        "SELECT unit_id, household_id, person_id FROM campaigns_eligibleentry"
        " WHERE campaign_id = %s",
        [campaign.pk],
    )


def eligible_sql(*, campaign: Campaign, within_path: str) -> tuple[str, list[Any]]:
    """Rows (unit_id, household_id, person_id) of the eligible list under ``within_path``."""
    if campaign.frozen_at is not None:
        sql, params = frozen_sql(campaign=campaign)
        if within_path != campaign.unit.path:  # a part of the list: its units' entries only
            sql += " AND unit_id IN (SELECT id FROM orgs_unit WHERE path LIKE %s)"
            params = [*params, _like(within_path)]
        return sql, params
    return live_sql(campaign=campaign, within_path=within_path)


def _narrowest(campaign: Campaign, path: str) -> str | None:
    """The subtree both the campaign and the page cover, or None when they do not meet."""
    area = campaign.unit.path
    if path.startswith(area):
        return path
    if area.startswith(path):
        return area
    return None


# Scopes at this depth and below (a commune chapter, its branches) look each eligible row's gifts
# up in the aid indexes; wider scopes (a province, the nation) join the covered sets by hashing.
PROBE_DEPTH = 3
# Memory for the hashes of one coverage query on PostgreSQL: the server's default (4 MB) spills a
# national list of millions of rows to disk in dozens of batches, and a covered set hashed once
# must fit (3,000,000 gifts: about 100 MB for the people and as much for the households).
REPORT_WORK_MEM = "128MB"


@contextmanager
def report_cursor() -> Iterator[Any]:
    """A cursor for the heavy read-only queries: on PostgreSQL inside a transaction whose
    ``work_mem`` is raised (and JIT compilation turned off) for these statements only."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        # No JIT: compiling a national plan costs more (0.2-0.5 s) than it saves on these sums.
        cursor.execute("SET LOCAL jit = off")
        yield cursor


def _covered_sql(*, campaign: Campaign, within_path: str) -> tuple[str, list[Any]]:
    """The eligible rows with a 0/1 ``covered`` column and the owning unit's path.

    A row is covered when a live aid record of the campaign, owned by a unit under
    ``within_path``, names its person, or (one gift per household) its household."""
    eligible, params = eligible_sql(campaign=campaign, within_path=within_path)
    if len(within_path) // STEPLEN >= PROBE_DEPTH:
        return _covered_probe_sql(campaign, within_path, eligible, params)
    # Each covered set is read once and hashed (a hashed subplan on PostgreSQL, an ephemeral
    # index on SQLite); a plain join to the DISTINCT sets made every parallel worker build both.
    aid = (
        "FROM aid_aidrecord a WHERE a.campaign_id = %s AND a.voided_at IS NULL"
        " AND a.unit_id IN (SELECT id FROM orgs_unit WHERE path LIKE %s)"
    )
    covered = f"e.person_id IN (SELECT a.person_id {aid})"
    covered_params: list[Any] = [campaign.pk, _like(within_path)]
    if campaign.gift_rule == GiftRule.HOUSEHOLD:
        covered += (
            f" OR e.household_id IN (SELECT a.household_id {aid} AND a.household_id IS NOT NULL)"
        )
        covered_params += [campaign.pk, _like(within_path)]
    sql = (
        "SELECT e.unit_id, e.household_id, e.person_id, u.path AS path,"
        f" CASE WHEN {covered} THEN 1 ELSE 0 END AS covered"
        f" FROM ({eligible}) e JOIN orgs_unit u ON u.id = e.unit_id WHERE u.path LIKE %s"
    )
    return sql, [*covered_params, *params, _like(within_path)]


def covered_sql_for_summary(*, campaign: Campaign) -> tuple[str, list[Any]]:
    """The whole eligible list of ``campaign`` with its ``covered`` column (the summary's)."""
    return _covered_sql(campaign=campaign, within_path=campaign.unit.path)


def _covered_probe_sql(
    campaign: Campaign, within_path: str, eligible: str, params: list[Any]
) -> tuple[str, list[Any]]:
    """``_covered_sql`` for a small scope: each row's gifts found through the aid indexes
    (``(person)``, ``(campaign, household)``), whatever the planner thinks the row count is."""
    aid = (
        "SELECT 1 FROM aid_aidrecord a JOIN orgs_unit au ON au.id = a.unit_id"
        " WHERE a.campaign_id = %s AND a.voided_at IS NULL AND au.path LIKE %s"
    )
    covered = f"EXISTS ({aid} AND a.person_id = e.person_id)"
    covered_params: list[Any] = [campaign.pk, _like(within_path)]
    if campaign.gift_rule == GiftRule.HOUSEHOLD:
        by_household = f"EXISTS ({aid} AND a.household_id = e.household_id)"
        covered += f" OR (e.household_id IS NOT NULL AND {by_household})"
        covered_params += [campaign.pk, _like(within_path)]
    sql = (
        "SELECT e.unit_id, e.household_id, e.person_id, u.path AS path,"
        f" CASE WHEN {covered} THEN 1 ELSE 0 END AS covered"
        f" FROM ({eligible}) e JOIN orgs_unit u ON u.id = e.unit_id WHERE u.path LIKE %s"
    )
    return sql, [*covered_params, *params, _like(within_path)]


def coverage_by_child(*, campaign: Campaign, parent: Any) -> dict[str, tuple[int, int]]:
    """{sub-unit path: (eligible, covered)} under ``parent``; rows owned by ``parent`` itself
    come under its own path."""
    within = _narrowest(campaign, parent.path)
    if within is None:
        return {}
    inner, params = _covered_sql(campaign=campaign, within_path=within)
    width = (parent.depth + 1) * STEPLEN
    sql = (
        f"SELECT SUBSTR(c.path, 1, {int(width)}) AS child, COUNT(*), SUM(c.covered)"
        f" FROM ({inner}) c GROUP BY SUBSTR(c.path, 1, {int(width)})"
    )
    with report_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in cursor.fetchall()}


def eligible_by_child(*, campaign: Campaign, parent: Any) -> dict[str, int]:
    """{sub-unit path: eligible count} under ``parent`` (what targets are split by)."""
    within = _narrowest(campaign, parent.path)
    if within is None:
        return {}
    eligible, params = eligible_sql(campaign=campaign, within_path=within)
    width = (parent.depth + 1) * STEPLEN
    sql = (
        f"SELECT SUBSTR(u.path, 1, {int(width)}), COUNT(*) FROM ({eligible}) e"
        " JOIN orgs_unit u ON u.id = e.unit_id WHERE u.path LIKE %s"
        f" GROUP BY SUBSTR(u.path, 1, {int(width)})"
    )
    with report_cursor() as cursor:
        cursor.execute(sql, [*params, _like(within)])
        return {row[0]: int(row[1]) for row in cursor.fetchall()}


def uncovered_rows(
    *, campaign: Campaign, unit: Any, limit: int | None = None, offset: int = 0
) -> tuple[int, list[tuple[int, int | None, int]]]:
    """The eligible rows under ``unit`` with no gift yet: (total, [(person, household, unit)]),
    in the Vietnamese order of the representative person's name."""
    within = _narrowest(campaign, unit.path)
    if within is None:
        return 0, []
    inner, params = _covered_sql(campaign=campaign, within_path=within)
    page = ""
    page_params: list[Any] = []
    if limit is not None:
        page = " LIMIT %s OFFSET %s"
        page_params = [limit, offset]
    with report_cursor() as cursor:
        # One pass gives the page and the total (a window count over the uncovered rows); only
        # a page past the end needs the count on its own.
        cursor.execute(
            f"SELECT c.person_id, c.household_id, c.unit_id, COUNT(*) OVER () FROM ({inner}) c"
            " JOIN people_person p ON p.id = c.person_id"
            " WHERE c.covered = 0 ORDER BY p.sort_key, p.id" + page,
            [*params, *page_params],
        )
        fetched = cursor.fetchall()
        if fetched:
            total = int(fetched[0][3])
        else:
            cursor.execute(f"SELECT COUNT(*) FROM ({inner}) c WHERE c.covered = 0", params)
            total = int(cursor.fetchone()[0])
    rows = [(int(r[0]), r[1], int(r[2])) for r in fetched]
    return total, rows


def is_eligible(*, campaign: Campaign, person: Any) -> bool:
    """Is ``person`` (or, one gift per household, their household) on the campaign's list?"""
    eligible, params = eligible_sql(campaign=campaign, within_path=person.unit.path)
    condition = "e.person_id = %s"
    extra: list[Any] = [person.pk]
    if campaign.gift_rule == GiftRule.HOUSEHOLD and person.household_id:
        condition = "(e.person_id = %s OR e.household_id = %s)"
        extra.append(person.household_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM ({eligible}) e WHERE {condition} LIMIT 1", [*params, *extra])
        return cursor.fetchone() is not None
