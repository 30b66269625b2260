"""Chapter-tree pages at national size: server time and SQL queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench python -m bench.tree
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python -m bench.tree --quick

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data the bench did not create unless ``--force``): the 34 provinces and 3,321
wards of the official list, then the national root, a chapter per province, a chapter per ward
and branches/teams under the communes until the tree has ``--n`` units (default 15,000), all
through ``unit_create_root`` and the set-based ``unit_bulk_add_children``.

Two users sign in: an officer at the root ("national") and a data-entry clerk at phường Hoàn Kiếm
("commune"); neither role needs the second factor. For each of the dashboard, the tree page, the
unit page of Hoàn Kiếm and a search for "hoan kiem" it reports the median server time
(``perf_counter`` around ``Client.get``, after two warm-ups) and the number of SQL queries. Every
page is measured on a small tree first and then on the target tree, so the table shows the query
count at two sizes (it must not grow with the tree) and the time ratio big/small (a baseline
measured in the same run). An extra row opens Hà Nội (126 commune chapters) as the national user:
the widest unit page. ``--sql`` prints the slowest query of each page. Target from the issue:
under 150 ms each at ~15,000 units on PostgreSQL. The last line printed is one JSON object with
every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parent.parent
BENCH_CODE = "BENCH-TW"  # short code of the bench's root: marks a database as the bench's own
TARGET_MS = 150.0
SEARCH = "hoan kiem"
HOAN_KIEM_WARD = 70  # Phường Hoàn Kiếm, the first ward of Hà Nội (province 1)
QUICK_PROVINCES = (1, 44)  # Hà Nội, Quảng Trị
DEFAULT_DB = Path(tempfile.gettempdir()) / "nhandao_bench.sqlite3"


@dataclass(frozen=True)
class TreeSpec:
    """Which provinces and how many wards of each become chapters, and the total unit count."""

    label: str
    provinces: tuple[int, ...] | None  # None: all 34
    wards_per_province: int | None  # None: every ward
    total: int  # target number of units; the rest after root+provinces+communes are branches


@dataclass
class Built:
    units: int = 0
    provinces: int = 0
    communes: int = 0
    branches: int = 0
    teams: int = 0
    seconds: float = 0.0
    geo_seconds: float = 0.0
    pks: dict[str, int] = field(default_factory=dict)


# --- set-up --------------------------------------------------------------------------------------


def _setup_django() -> None:
    if not os.environ.get("DATABASE_URL", "").strip():
        # Never the development database (var/nhandao.sqlite3): the bench flushes its database.
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
        print(f"DATABASE_URL is not set: using its own SQLite file {DEFAULT_DB}", flush=True)
    sys.path.insert(0, str(ROOT_DIR / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhandao.settings.test")
    import django
    from django.conf import settings

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per force_login otherwise
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        dev_db = (Path(settings.VAR_DIR) / "nhandao.sqlite3").resolve()
        if name == dev_db or name.parent == (ROOT_DIR / "var").resolve():
            sys.exit(f"bench.tree refuses to flush the development database {name}.")


def _check_owned(force: bool) -> None:
    """Refuse to flush a database that holds data the bench did not create."""
    from nhandao.orgs.models import Unit, User

    foreign_units = (
        Unit.objects.exists() and not Unit.objects.filter(depth=1, short_code=BENCH_CODE).exists()
    )
    foreign_users = User.objects.exclude(username__startswith="bench.").exists()
    if (foreign_units or foreign_users) and not force:
        sys.exit(
            "bench.tree: the database in DATABASE_URL holds data the bench did not create; "
            "use an empty database (or pass --force to flush it anyway)."
        )


def _reset_database() -> None:
    """Empty every table, then put back what migrations seed (the default roles)."""
    from django.core.management import call_command

    from nhandao.orgs.models import Role
    from nhandao.orgs.permissions import DEFAULT_ROLES

    call_command("flush", interactive=False, verbosity=0)
    for spec in DEFAULT_ROLES:
        Role.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )


def _geo() -> float:
    from nhandao.geo.services import geo_load_official

    start = time.perf_counter()
    result = geo_load_official()
    assert result.provinces_total == 34 and result.wards_total == 3321, result
    return time.perf_counter() - start


# --- the tree ------------------------------------------------------------------------------------


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _spread(total: int, slots: int) -> list[int]:
    base, extra = divmod(max(total, 0), slots)
    return [base + (1 if i < extra else 0) for i in range(slots)]


def build_tree(spec: TreeSpec) -> Built:
    from nhandao.geo.models import Province, Ward
    from nhandao.orgs import services
    from nhandao.orgs.bootstrap import chapter_name
    from nhandao.orgs.models import Unit, UnitCategory, UnitKind

    built = Built()
    start = time.perf_counter()
    root = services.unit_create_root(
        name="Trung ương Hội Chữ thập đỏ Việt Nam (bench)", short_code=BENCH_CODE
    )
    provinces = Province.objects.order_by("code")
    if spec.provinces is not None:
        provinces = provinces.filter(code__in=spec.provinces)
    province_units = services.unit_bulk_add_children(
        parent=root,
        units=[
            Unit(
                name=chapter_name(p.name, p.division_type),
                kind=UnitKind.PROVINCE,
                short_code=f"BP{p.code:02d}",
                province_id=p.code,
            )
            for p in provinces
        ],
    )
    communes: list[Unit] = []
    for prov in province_units:
        wards = Ward.objects.filter(province_id=prov.province_id).order_by("code")
        if spec.wards_per_province is not None:
            wards = wards[: spec.wards_per_province]
        communes += services.unit_bulk_add_children(
            parent=prov,
            units=[
                Unit(
                    name=chapter_name(w.name, w.division_type),
                    kind=UnitKind.COMMUNE,
                    short_code=f"BW{w.code:05d}",
                    ward_id=w.code,
                )
                for w in wards
            ],
        )
    skeleton = 1 + len(province_units) + len(communes)
    if spec.total < skeleton:
        sys.exit(f"--n {spec.total} is below the {skeleton} units of root, provinces and communes.")
    for commune, k in zip(communes, _spread(spec.total - skeleton, len(communes)), strict=True):
        if not k:
            continue
        place = commune.name.removeprefix("Hội Chữ thập đỏ ")
        children = []
        for j in range(k):
            if j % 4 == 3:  # every fourth child is a volunteer team named after its commune
                children.append(
                    Unit(
                        name=f"Đội tình nguyện viên {place}",
                        kind=UnitKind.TEAM,
                        category=UnitCategory.VOLUNTEER,
                    )
                )
                built.teams += 1
            else:
                children.append(
                    Unit(
                        name=f"Chi hội khu dân cư số {j + 1}",
                        kind=UnitKind.BRANCH,
                        category=UnitCategory.RESIDENTIAL,
                    )
                )
                built.branches += 1
        services.unit_bulk_add_children(parent=commune, units=children)
    built.seconds = time.perf_counter() - start
    built.units = Unit.objects.count()
    built.provinces = len(province_units)
    built.communes = len(communes)
    assert built.units == spec.total, (built.units, spec.total)
    hoan_kiem = Unit.objects.get(kind=UnitKind.COMMUNE, ward_id=HOAN_KIEM_WARD)
    hanoi = Unit.objects.get(kind=UnitKind.PROVINCE, province_id=1)
    built.pks = {"root": root.pk, "hoan_kiem": hoan_kiem.pk, "hanoi": hanoi.pk}
    return built


def _users(built: Built) -> dict[str, Any]:
    from nhandao.orgs.models import Role, RoleAssignment, User

    people = {}
    for key, unit_key, role in [
        ("national", "root", Role.OFFICER),
        ("commune", "hoan_kiem", Role.DATA_ENTRY),
    ]:
        user = User(username=f"bench.{key}", full_name=f"Bench {key}")
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, unit_id=built.pks[unit_key], role_id=role)
        people[key] = user
    return people


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class PageResult:
    ms: float
    queries: int
    kb: float
    sql_ms: float
    slowest_sql_ms: float
    slowest_sql: str


def _pages(built: Built) -> list[tuple[str, str, str, str]]:
    """(key, user, url, text the page must contain)."""
    hk = built.pks["hoan_kiem"]
    pages = []
    for user in ("national", "commune"):
        pages += [
            (f"dashboard_{user}", user, "/", "level-counts"),
            (f"tree_{user}", user, "/units/", 'class="tree"'),
            (f"detail_{user}", user, f"/units/{hk}/", "Hoàn Kiếm"),
            (f"search_{user}", user, f"/units/?q={SEARCH.replace(' ', '+')}", "Hoàn Kiếm"),
        ]
    # Extra: the largest page a national user opens often, a province with all its communes.
    pages.append(("province_national", "national", f"/units/{built.pks['hanoi']}/", "Hà Nội"))
    return pages


class _SqlTimer:
    """Times every query (CaptureQueriesContext rounds its times to whole milliseconds)."""

    def __init__(self) -> None:
        self.queries: list[tuple[float, str]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((time.perf_counter() - start, sql))


def measure(client: Any, url: str, must_contain: str, repeat: int) -> PageResult:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert must_contain in response.content.decode(), (url, must_contain)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    timer = _SqlTimer()
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
        response = client.get(url)
    slowest = max(timer.queries)
    return PageResult(
        ms=statistics.median(times) * 1000,
        queries=len(ctx.captured_queries),
        kb=len(response.content) / 1024,
        sql_ms=sum(t for t, _ in timer.queries) * 1000,
        slowest_sql_ms=slowest[0] * 1000,
        slowest_sql=slowest[1],
    )


def run_size(spec: TreeSpec, repeat: int, show_sql: bool) -> tuple[Built, dict[str, PageResult]]:
    from django.test import Client

    _reset_database()
    geo_s = _geo()
    built = build_tree(spec)
    built.geo_seconds = geo_s
    _analyze()  # planner statistics, as autovacuum would gather them soon after a bulk load
    print(
        f"{spec.label}: {built.units:,} units ({built.provinces} provinces, {built.communes:,} "
        f"communes, {built.branches:,} branches, {built.teams:,} teams); geography {geo_s:.2f} s, "
        f"tree built in {built.seconds:.2f} s ({built.units / built.seconds:,.0f} units/s)",
        flush=True,
    )
    people = _users(built)
    clients = {}
    for key, user in people.items():
        client = Client(HTTP_HOST="localhost")  # an allowed host without setup_test_environment
        client.force_login(user)
        clients[key] = client
    results = {}
    for key, user, url, must in _pages(built):
        results[key] = measure(clients[user], url, must, repeat)
        if show_sql:
            r = results[key]
            sql = re.sub(r"^SELECT .+? FROM", "SELECT … FROM", r.slowest_sql, flags=re.S)
            print(f"  {key}: slowest query {r.slowest_sql_ms:.2f} ms: {sql[:400]}")
    return built, results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=15000, help="units in the full tree")
    parser.add_argument("--quick", action="store_true", help="small trees, 3 repetitions")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per page")
    parser.add_argument("--sql", action="store_true", help="print the slowest query of each page")
    parser.add_argument("--force", action="store_true", help="flush a database with other data")
    args = parser.parse_args(argv)

    _setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    _check_owned(args.force)

    if args.quick:
        small = TreeSpec("small", QUICK_PROVINCES, 5, 1 + 2 + 10 + 10)
        big = TreeSpec("quick", QUICK_PROVINCES, 20, 1 + 2 + 40 + 120)
        repeat = args.repeat or 3
    else:
        small = TreeSpec("small", QUICK_PROVINCES, 20, 1 + 2 + 40 + 120)
        big = TreeSpec("full", None, None, args.n)
        repeat = args.repeat or 15

    built_small, res_small = run_size(small, repeat, args.sql)
    built, res = run_size(big, repeat, args.sql)

    vendor = connection.vendor
    print()
    print(
        f"{vendor} ({os.environ['DJANGO_SETTINGS_MODULE']}), median of {repeat} runs after 2 "
        f"warm-ups; target < {TARGET_MS:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )
    head = (
        f"{'page':<20} {'ms':>8} {'ms@' + str(built_small.units):>9} {'ratio':>6} "
        f"{'queries':>8} {'q@' + str(built_small.units):>7} {'KB':>7} {'SQL ms':>7} {'max SQL':>8}"
    )
    print(head)
    print("-" * len(head))
    out: dict[str, Any] = {
        "db": vendor,
        "settings": os.environ["DJANGO_SETTINGS_MODULE"],
        "quick": args.quick,
        "units": built.units,
        "units_small": built_small.units,
        "provinces": built.provinces,
        "communes": built.communes,
        "branches": built.branches,
        "teams": built.teams,
        "geo_s": round(built.geo_seconds, 3),
        "build_s": round(built.seconds, 3),
        "build_units_per_s": round(built.units / built.seconds),
        "repeat": repeat,
    }
    same_counts = True
    for key, r in res.items():
        s = res_small[key]
        same_counts &= r.queries == s.queries
        ratio = r.ms / s.ms if s.ms else 0.0
        flag = "" if r.ms < TARGET_MS else "  SLOW"
        print(
            f"{key:<20} {r.ms:>8.1f} {s.ms:>9.1f} {ratio:>6.2f} {r.queries:>8} {s.queries:>7} "
            f"{r.kb:>7.1f} {r.sql_ms:>7.1f} {r.slowest_sql_ms:>8.2f}{flag}"
        )
        out[f"{key}_ms"] = round(r.ms, 2)
        out[f"{key}_queries"] = r.queries
        out[f"{key}_ms_small"] = round(s.ms, 2)
        out[f"{key}_queries_small"] = s.queries
        out[f"{key}_ratio"] = round(ratio, 2)
        out[f"{key}_kb"] = round(r.kb, 1)
        out[f"{key}_sql_ms"] = round(r.sql_ms, 2)
    out["max_ms"] = round(max(r.ms for r in res.values()), 2)
    out["target_ms"] = TARGET_MS
    out["within_target"] = out["max_ms"] < TARGET_MS
    out["queries_size_independent"] = same_counts
    if not same_counts:
        print("WARNING: some query counts differ between the two tree sizes.")
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
