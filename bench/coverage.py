"""Coverage of a national campaign and its dashboard at national size: server time per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_cov python -m bench.coverage
    python -m bench.coverage --quick              # SQLite file of its own, 3,000 households

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``): the national tree (all 3,321 commune
chapters; ``--quick`` Hà Nội and Quảng Trị), ``--households`` households of humanitarian
addresses (default 3,000,000) with their people, beneficiary records and groups, a national Tết
Nhân ái campaign (launched, groups poor and near-poor, one gift per household) and ``--aid`` aid
records (default 3,000,000), most of the eligible households covered (see ``bench/_aid_db.py``;
``COPY`` on PostgreSQL), then ANALYZE. ``--reuse`` measures again on a database an earlier run
built (no flush, no reload).

Measured, as the median server time after a warm-up (``--repeat`` runs), with the SQL query
count of one run:

* coverage page data (``campaigns.selectors.coverage``) for the largest commune chapter, the
  largest province and the nation, and for the commune also the first page (50) of
  ``uncovered_list``;
* the campaign dashboard (``progress`` + ``results_by_group``) for the nation and the province;

first with the live eligible list (read from the registry), then after ``campaign_freeze`` (the
frozen list; the freeze itself is timed). The figures the app computes are checked against the
counts the builder made (eligible and covered households at the national level, live and
frozen). Targets from the issue: commune < 200 ms, province < 1 s, nation < 3 s. ``--explain``
prints the plan (EXPLAIN ANALYZE on PostgreSQL) of the slowest query of each measure. The last
line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import _aid_db as aid_db
from bench import _people_db as db

TARGET_MS = {"commune": 200.0, "province": 1000.0, "nation": 3000.0}
PAGE = 50


@dataclass
class Measure:
    name: str
    level: str
    state: str  # live / frozen
    ms: float = 0.0
    runs: list[float] = field(default_factory=list)
    queries: int = 0
    slowest_ms: float = 0.0
    slowest_sql: str = ""
    slowest_params: Any = None

    @property
    def target(self) -> float:
        return TARGET_MS[self.level]


class _Recorder:
    def __init__(self) -> None:
        self.queries: list[tuple[float, str, Any]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - start, sql, params))


def timed(m: Measure, fn: Callable[[], Any], repeat: int, warmup: int = 1) -> Any:
    from django.db import connection

    result = None
    for _ in range(warmup):
        fn()
    for i in range(repeat):
        rec = _Recorder()
        with connection.execute_wrapper(rec):
            start = time.perf_counter()
            result = fn()
            m.runs.append((time.perf_counter() - start) * 1000)
        if i == 0:
            m.queries = len(rec.queries)
        for t, sql, params in rec.queries:
            if t * 1000 > m.slowest_ms:
                m.slowest_ms, m.slowest_sql, m.slowest_params = t * 1000, sql, params
    m.ms = statistics.median(m.runs)
    return result


def explain(m: Measure) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + m.slowest_sql, m.slowest_params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + m.slowest_sql, m.slowest_params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


# --- the units measured --------------------------------------------------------------------------


@dataclass
class Units:
    nation: Any
    province: Any
    commune: Any
    province_households: int
    commune_households: int
    median_commune_households: int


def pick_units(root_pk: int) -> Units:
    """The largest commune and the largest province (by households held), and the root."""
    from django.db.models import Count

    from nhandao.orgs.models import Unit
    from nhandao.people.models import Household

    per_unit = Counter(
        dict(Household.objects.values_list("unit_id").annotate(n=Count("id")).order_by())
    )
    communes = {u.pk: u for u in Unit.objects.filter(pk__in=list(per_unit))}
    by_province: Counter[str] = Counter()
    for pk, n in per_unit.items():
        by_province[communes[pk].path[: 2 * db_steplen()]] += n
    province_path, province_n = by_province.most_common(1)[0]
    commune_pk, commune_n = per_unit.most_common(1)[0]
    sizes = sorted(per_unit.values())
    return Units(
        nation=Unit.objects.get(pk=root_pk),
        province=Unit.objects.get(path=province_path),
        commune=communes[commune_pk],
        province_households=province_n,
        commune_households=commune_n,
        median_commune_households=sizes[len(sizes) // 2],
    )


def db_steplen() -> int:
    from nhandao.campaigns.models import STEPLEN

    return STEPLEN


# --- --reuse -------------------------------------------------------------------------------------


def _state_file() -> Path:
    from django.conf import settings

    name = Path(str(settings.DATABASES["default"]["NAME"])).name
    return Path(tempfile.gettempdir()) / f"nhandao_bench_coverage_{name}.json"


def save_state(built: aid_db.Built, tree: db.Tree) -> None:
    state = {
        k: v
        for k, v in asdict(built).items()
        if k not in {"hh_unit", "hh_head", "hh_second", "hh_flags"}
    }
    state["root_pk"] = tree.root_pk
    _state_file().write_text(json.dumps(state))


def load_state() -> tuple[aid_db.Built, int]:
    """The counts of the earlier build, with its campaign put back to a live list."""
    from nhandao.campaigns.models import Campaign, EligibleEntry
    from nhandao.orgs.models import Unit

    path = _state_file()
    if not path.exists():
        sys.exit(f"--reuse: no earlier build recorded ({path}).")
    state = json.loads(path.read_text())
    root_pk = state.pop("root_pk")
    if not Unit.objects.filter(pk=root_pk, short_code=db.BENCH_CODE).exists():
        sys.exit("--reuse: this database holds no earlier coverage build.")
    built = aid_db.Built(**state)
    campaign = Campaign.objects.get(pk=built.campaign_pk)
    if campaign.frozen_at is not None:  # frozen by the earlier run: back to the live list
        EligibleEntry.objects.filter(campaign=campaign).delete()
        Campaign.objects.filter(pk=campaign.pk).update(frozen_at=None)
    return built, root_pk


# --- main ----------------------------------------------------------------------------------------


def measure_all(
    campaign: Any, units: Units, state: str, repeat: int
) -> tuple[list[Measure], dict[str, Any]]:
    """The live or frozen measures, every level computed live (no summary read, none asked for:
    the bench's settings run jobs inline)."""
    from nhandao.campaigns import summary

    depth = summary.SUMMARY_DEPTH
    summary.SUMMARY_DEPTH = 0
    try:
        return _measure_all(campaign, units, state, repeat)
    finally:
        summary.SUMMARY_DEPTH = depth


def _measure_all(
    campaign: Any, units: Units, state: str, repeat: int
) -> tuple[list[Measure], dict[str, Any]]:
    from nhandao.campaigns import selectors

    measures: list[Measure] = []
    checks: dict[str, Any] = {}
    for level, unit in (
        ("commune", units.commune),
        ("province", units.province),
        ("nation", units.nation),
    ):
        m = Measure("coverage", level, state)
        cov = timed(m, lambda u=unit: selectors.coverage(campaign=campaign, unit=u), repeat)
        checks[level] = (cov.eligible, cov.covered)
        measures.append(m)
        print(f"  {state:6} coverage {level:8} {m.ms:9.1f} ms  {m.queries} queries", flush=True)
        if level == "commune":
            m = Measure("uncovered first page", level, state)
            page = timed(
                m,
                lambda u=unit: selectors.uncovered_list(
                    campaign=campaign, unit=u, limit=PAGE, offset=0
                ),
                repeat,
            )
            checks["uncovered_commune"] = page.total
            measures.append(m)
            print(f"  {state:6} uncovered commune {m.ms:9.1f} ms  {m.queries} queries", flush=True)
    for level, unit in (("province", units.province), ("nation", units.nation)):
        m = Measure("dashboard", level, state)

        def dashboard(u: Any = unit) -> Any:
            rows = selectors.progress(campaign=campaign, unit=u)
            groups = selectors.results_by_group(campaign=campaign, unit=u)
            return rows, groups

        timed(m, dashboard, repeat)
        measures.append(m)
        print(f"  {state:6} dashboard {level:8} {m.ms:8.1f} ms  {m.queries} queries", flush=True)
    return measures, checks


def drop_summary(campaign: Any) -> None:
    """No summary: the live and frozen measures compute everything as before it existed."""
    from nhandao.campaigns.models import CoverageSummary

    CoverageSummary.objects.filter(campaign=campaign).delete()


def measure_summary(
    campaign: Any, units: Units, repeat: int
) -> tuple[float, list[Measure], dict[str, Any]]:
    """Time the refresh of the campaign's summary, then the nation's and the province's coverage
    and dashboard read from it."""
    from nhandao.campaigns import selectors, summary

    # A campaign under summary.MIN_SIZE is always counted live; --quick builds a small one, so
    # the summary path is forced here to keep it exercised (full size is far above the floor).
    summary.MIN_SIZE = 0
    start = time.perf_counter()
    rows = summary.refresh(campaign=campaign)
    refresh_s = time.perf_counter() - start
    print(f"  summary refresh {refresh_s * 1000:9.1f} ms  {rows:,} rows", flush=True)
    measures: list[Measure] = []
    checks: dict[str, Any] = {}
    for level, unit in (("province", units.province), ("nation", units.nation)):
        m = Measure("coverage", level, "summary")
        cov = timed(m, lambda u=unit: selectors.coverage(campaign=campaign, unit=u), repeat)
        assert cov.computed_at is not None, "the summary was not read"
        checks[level] = (cov.eligible, cov.covered)
        measures.append(m)
        print(f"  summary coverage {level:8} {m.ms:9.1f} ms  {m.queries} queries", flush=True)
        m = Measure("dashboard", level, "summary")

        def dashboard(u: Any = unit) -> Any:
            rows = selectors.progress(campaign=campaign, unit=u)
            groups = selectors.results_by_group(campaign=campaign, unit=u)
            return rows, groups

        timed(m, dashboard, repeat)
        measures.append(m)
        print(f"  summary dashboard {level:8} {m.ms:8.1f} ms  {m.queries} queries", flush=True)
    return refresh_s, measures, checks


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=3_000_000)
    parser.add_argument("--aid", type=int, default=3_000_000)
    parser.add_argument("--quick", action="store_true", help="3,000 households in two provinces")
    parser.add_argument("--repeat", type=int, default=0, help="timed runs per measure")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="measure an earlier build again")
    parser.add_argument("--force", action="store_true", help="flush a database not the bench's")
    parser.add_argument("--explain", action="store_true", help="plan of each slowest query")
    args = parser.parse_args(argv)
    provinces = db.QUICK_PROVINCES if args.quick else None
    if args.quick:
        args.households = min(args.households, 3000)
        args.aid = min(args.aid, 3000)
    repeat = args.repeat or (3 if args.quick else 5)

    db.setup_django("coverage")
    from nhandao.campaigns import services
    from nhandao.campaigns.models import Campaign
    from nhandao.orgs.models import User

    started = time.perf_counter()
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        built, root_pk = load_state()
        tree_s = 0.0
        print(f"Reusing {built.households:,} households and {built.aid:,} aid records", flush=True)
    else:
        print(f"Building the tree ({db.vendor()})…", flush=True)
        db.prepare_database("coverage", args.force)
        tree = db.build_tree(provinces)
        tree_s = tree.seconds + tree.geo_seconds
        root_pk = tree.root_pk
        print(f"  {tree.units:,} units in {tree_s:.1f} s", flush=True)
        print(f"Households {args.households:,} and aid records {args.aid:,}…", flush=True)
        built = aid_db.build(
            tree, households=args.households, aid=args.aid, seed=args.seed, progress=True
        )
        save_state(built, tree)
    build_s = time.perf_counter() - started
    campaign = Campaign.objects.select_related("unit").get(pk=built.campaign_pk)
    officer = User.objects.get(pk=built.officer_pk)
    units = pick_units(root_pk)
    print(
        f"Commune: {units.commune.name} ({units.commune_households:,} households; median commune"
        f" {units.median_commune_households:,}); province: {units.province.name}"
        f" ({units.province_households:,})",
        flush=True,
    )

    drop_summary(campaign)
    print("Measuring (live list)…", flush=True)
    live, live_checks = measure_all(campaign, units, "live", repeat)
    print("Measuring (summary of the live list)…", flush=True)
    refresh_live_s, summed, summed_checks = measure_summary(campaign, units, repeat)
    drop_summary(campaign)
    start = time.perf_counter()
    frozen_n = services.campaign_freeze(actor=officer, campaign=campaign)
    freeze_s = time.perf_counter() - start
    aid_db.vacuum_analyze(("campaigns_eligibleentry",))  # as autovacuum does after the insert
    campaign.refresh_from_db()
    print(f"Frozen: {frozen_n:,} entries in {freeze_s:.1f} s", flush=True)
    print("Measuring (frozen list)…", flush=True)
    frozen, frozen_checks = measure_all(campaign, units, "frozen", repeat)
    from nhandao.campaigns import summary

    start = time.perf_counter()
    summary.refresh(campaign=campaign)
    refresh_frozen_s = time.perf_counter() - start
    print(f"Summary of the frozen list refreshed in {refresh_frozen_s:.1f} s", flush=True)

    expected = (built.eligible, built.covered)
    problems = []
    if live_checks["nation"] != expected:
        problems.append(f"live national coverage {live_checks['nation']} != built {expected}")
    if frozen_checks != live_checks:
        problems.append(f"frozen {frozen_checks} != live {live_checks}")
    for level in ("province", "nation"):
        if summed_checks[level] != live_checks[level]:
            problems.append(f"summary {level} {summed_checks[level]} != live {live_checks[level]}")
    if frozen_n != built.eligible:
        problems.append(f"frozen entries {frozen_n} != eligible {built.eligible}")

    measures = live + frozen + summed
    if args.explain:
        for m in measures:
            print(f"\n--- {m.state} {m.name} {m.level}: slowest query {m.slowest_ms:.1f} ms")
            print(m.slowest_sql % tuple(repr(p) for p in (m.slowest_params or ())))
            print(explain(m))

    print()
    print(f"Database: {db.vendor()}; {built.households:,} households, {built.people:,} people,")
    print(f"{built.aid:,} aid records; eligible {built.eligible:,}, covered {built.covered:,}.")
    print(f"{'measure':24} {'level':9} {'live':>10} {'frozen':>10} {'target':>8} {'queries':>8}")
    met = True
    for a, b in zip(live, frozen, strict=True):
        ok = a.ms < a.target and b.ms < b.target
        met = met and ok
        print(
            f"{a.name:24} {a.level:9} {a.ms:8.1f}ms {b.ms:8.1f}ms {a.target:6.0f}ms"
            f" {a.queries:4}/{b.queries:<3} {'' if ok else 'MISSED'}"
        )
    for m in summed:
        ok = m.ms < m.target
        met = met and ok
        print(
            f"{m.name + ' (summary)':24} {m.level:9} {m.ms:8.1f}ms {'':>10} {m.target:6.0f}ms"
            f" {m.queries:4}     {'' if ok else 'MISSED'}"
        )
    print(f"Summary refresh: live list {refresh_live_s:.1f} s, frozen {refresh_frozen_s:.1f} s")
    for p in problems:
        print("CHECK FAILED:", p)
    load = os.getloadavg()
    print(
        f"Build {build_s:.1f} s (tree {tree_s:.1f} s); freeze {freeze_s:.1f} s;"
        f" load average {load[0]:.1f}"
    )
    result: dict[str, Any] = {
        "bench": "coverage",
        "db": db.vendor(),
        "households": built.households,
        "people": built.people,
        "aid": built.aid,
        "eligible": built.eligible,
        "covered": built.covered,
        "build_s": round(build_s, 1),
        "build_phases_s": {k: round(v, 1) for k, v in built.seconds.items()},
        "freeze_s": round(freeze_s, 2),
        "summary_refresh_s": {
            "live": round(refresh_live_s, 2),
            "frozen": round(refresh_frozen_s, 2),
        },
        "commune_households": units.commune_households,
        "province_households": units.province_households,
        "ms": {f"{m.state}.{m.name}.{m.level}": round(m.ms, 1) for m in measures},
        "queries": {f"{m.state}.{m.name}.{m.level}": m.queries for m in measures},
        "targets_met": met,
        "checks_ok": not problems,
        "problems": problems,
        "load_avg": round(load[0], 2),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    print(json.dumps(result, ensure_ascii=False))
    if problems:
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
