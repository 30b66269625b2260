"""Importing a list of humanitarian addresses end to end through the app's pipeline: seconds per
phase, rows/s, SQL queries per row, peak memory, and the ratio to a raw COPY of the same rows.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_import
    python -m bench.import                      # 1,000,000 rows, CSV and .xlsx, into DATABASE_URL
    python -m bench.import --db both            # … and into the bench's own SQLite file
    python -m bench.import --n 100000 --format csv --profile
    python -m bench.import --quick --force      # 1,000 rows, what CI runs

(``python -m bench.import_people`` is the same program.) Lists come from ``bench.gen_people``
(people of ``--provinces``, default Hà Nội; 15% degraded duplicates), written as communes keep
them: CSV in UTF-8 with BOM, or .xlsx with a title block above the header; they are cached in the
temporary directory. Each run happens in a fresh child process (its own peak memory) on a flushed
database: the tree is built, a unit admin of the province chapter imports. Before the timed
import, ``--registry-share`` of the list's rows (every 10th by default) is imported through the
same pipeline, so the registry matching and "already imported" checks have something to find.

The timed import is what a user and the job worker run: ``import_upload`` (the head of the file,
the header, the proposed mapping) → ``import_set_mapping`` → ``import_validate`` (the background
job, here run inline) → ``import_commit``. The pipeline's own functions are wrapped with timers
to split validation (read, header and data rows, per-row checks, already imported, registry
matching, storing the rows) and commit (the list's set-based write, the rest). On PostgreSQL the
child also times a raw ``COPY`` of the same CSV into a temp table of text columns (median of
``--copy-repeat``); on SQLite, a raw ``executemany`` of the rows in one transaction; the total is
divided by it. The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import functools
import io
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = Path(tempfile.gettempdir()) / "nhandao_bench_import"
OWN_SQLITE = WORK_DIR / "bench.sqlite3"
ACTOR = "bench.importer"
KIND = "beneficiaries"
RESULT_MARK = "@@RESULT "
TARGET_CSV_S = 60.0
TARGET_XLSX_S = 120.0
TARGET_COPY_RATIO = 5.0
DEFAULT_N = 1_000_000
QUICK_N = 1_000


def data_file(n: int, fmt: str, seed: int, provinces: list[int]) -> Path:
    """The generated list (cached): ``n`` rows of ``provinces`` as CSV or xlsx."""
    sys.path.insert(0, str(ROOT_DIR / "src"))
    from bench import gen_people

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    tag = "-".join(str(p) for p in provinces)
    path = WORK_DIR / f"people_{n}_s{seed}_p{tag}.{fmt}"
    if path.exists():
        return path
    start = time.perf_counter()
    tmp = path.with_suffix(f".tmp.{fmt}")
    records = gen_people.generate(n, seed=seed, province_codes=provinces)
    writer = gen_people.write_xlsx if fmt == "xlsx" else gen_people.write_csv
    writer(records, tmp)
    tmp.rename(path)
    size = path.stat().st_size / 1e6
    took = time.perf_counter() - start
    print(f"generated {path.name}: {n:,} rows, {size:.1f} MB in {took:.1f} s", flush=True)
    return path


# ------------------------------------------------------------------------------------------------
# Measuring: nested timers with SQL counts, peak memory


class Meter:
    """Exclusive wall time and SQL queries per phase; phases nest ("validate/read")."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.queries: Counter[str] = Counter()
        self.slow: list[tuple[float, str, str]] = []  # statements over 0.2 s
        self.sql_s: dict[str, float] = defaultdict(float)  # time in statements, per phase
        self._stack: list[list[Any]] = []  # [name, start, time spent in children]

    def push(self, name: str) -> None:
        full = f"{self._stack[-1][0]}/{name}" if self._stack else name
        self._stack.append([full, time.perf_counter(), 0.0])

    def pop(self) -> None:
        name, start, child = self._stack.pop()
        wall = time.perf_counter() - start
        self.wall[name] += wall - child
        if self._stack:
            self._stack[-1][2] += wall

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.push(name)
        try:
            yield
        finally:
            self.pop()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return fn(*args, **kwargs)

        return wrapper

    def count_query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        phase = self._stack[-1][0] if self._stack else "other"
        self.queries[phase] += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - start
            self.sql_s[phase] += took
            if took > 0.2:
                self.slow.append((round(took, 2), phase, " ".join(sql.split())[:90]))


def _rss_mb(field_name: str = "VmRSS") -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux), so a peak is per run."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_mb() -> float:
    hwm = _rss_mb("VmHWM")
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ------------------------------------------------------------------------------------------------
# Django and the database


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT_DIR / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nhandao.settings.test"
    import logging
    import warnings

    import django
    from django.conf import settings

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        dev_db = (Path(settings.VAR_DIR) / "nhandao.sqlite3").resolve()
        if name == dev_db or name.parent == (ROOT_DIR / "var").resolve():
            sys.exit(f"bench.import refuses to flush the development database {name}.")


def _check_owned(force: bool) -> None:
    from nhandao.orgs.models import User

    if User.objects.exclude(username__startswith="bench.").exists() and not force:
        sys.exit(
            "bench.import: the database in DATABASE_URL holds users the bench did not create; "
            "use an empty database (or pass --force to flush it anyway)."
        )


@dataclass
class Env:
    unit: Any
    actor_pk: int


def _prepare(provinces: list[int]) -> Env:
    """Flush, then what migrations seed, the official geography, the tree and the importing user."""
    from django.core.management import call_command

    from nhandao.beneficiaries.groups import DEFAULT_GROUPS
    from nhandao.beneficiaries.models import BeneficiaryGroup
    from nhandao.core.text import person_sort_key_from_full
    from nhandao.geo.services import geo_load_official
    from nhandao.orgs.bootstrap import commune_chapters_init, tree_init
    from nhandao.orgs.models import Role, RoleAssignment, Unit, User
    from nhandao.orgs.permissions import DEFAULT_ROLES

    call_command("flush", interactive=False, verbosity=0)
    for spec in DEFAULT_ROLES:
        Role.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
    for rank, (code, name, sensitive) in enumerate(DEFAULT_GROUPS, 1):
        BeneficiaryGroup.objects.get_or_create(
            code=code, defaults={"name": name, "sensitive": sensitive, "rank": rank * 10}
        )
    geo_load_official()
    chapters = tree_init()
    for code in provinces:
        commune_chapters_init(province_unit=chapters[code])
    unit = chapters[provinces[0]] if len(provinces) == 1 else Unit.objects.get(depth=1)
    user = User.objects.create_user(
        username=ACTOR,
        password="bench-only-not-a-secret",  # noqa: S106
        full_name="Bench Importer",
        sort_key=person_sort_key_from_full("Bench Importer"),
    )
    RoleAssignment.objects.create(user=user, unit=unit, role_id=Role.UNIT_ADMIN)
    return Env(unit=Unit.objects.get(pk=unit.pk), actor_pk=user.pk)


def _actor(env: Env) -> Any:
    from nhandao.orgs.models import User

    return User.objects.get(pk=env.actor_pk)  # as a request sees it: assignments resolved on use


def _chosen_mapping(proposed: dict[str, str], header: list[str]) -> dict[int, str]:
    """The proposed mapping, plus what a user picks for a field two columns name: the column
    whose header is the field's label ("Mã tham chiếu" for source_ref over "Mã hộ")."""
    from nhandao.beneficiaries.importers import COLUMNS
    from nhandao.core.text import fold

    mapping = {int(k): v for k, v in proposed.items()}
    for spec in COLUMNS:
        if spec.field in mapping.values():
            continue
        for col, text in enumerate(header):
            if col not in mapping and fold(text) == fold(spec.label):
                mapping[col] = spec.field
    return mapping


# ------------------------------------------------------------------------------------------------
# One import through the pipeline


@contextlib.contextmanager
def _instrumented(meter: Meter) -> Iterator[None]:
    """Timers around the pipeline's own steps; validation runs when called, not on enqueue."""
    from nhandao.beneficiaries import importers
    from nhandao.imports import services, tasks

    spec = importers.BENEFICIARIES
    undo: list[Callable[[], None]] = []
    for attr, name in [
        ("_read", "read"),
        ("data_rows", "header and data rows"),
        ("_check_rows", "per-row checks"),
        ("_existing", "already imported"),
    ]:
        original = getattr(services, attr)
        setattr(services, attr, meter.wrap(name, original))
        undo.append(functools.partial(setattr, services, attr, original))
    for attr, name in [("matches", "registry matching"), ("write", "write (set-based)")]:
        original = getattr(spec, attr)
        object.__setattr__(spec, attr, meter.wrap(name, original))
        undo.append(functools.partial(object.__setattr__, spec, attr, original))
    task = tasks.validate_job
    tasks.validate_job = type("NoEnqueue", (), {"enqueue": staticmethod(lambda _pk: None)})  # type: ignore[assignment]
    undo.append(functools.partial(setattr, tasks, "validate_job", task))
    try:
        yield
    finally:
        for step in reversed(undo):
            step()


def run_pipeline(env: Env, data: bytes, filename: str, header: list[str], meter: Meter) -> Any:
    from nhandao.imports import services

    actor = _actor(env)
    with _instrumented(meter):
        with meter.phase("upload"):
            job = services.import_upload(
                actor=actor,
                unit=env.unit,
                kind=KIND,
                filename=filename,
                data=data,
                max_bytes=len(data) + 1,
            )
        with meter.phase("mapping"):
            job = services.import_set_mapping(
                actor=actor, job=job, mapping=_chosen_mapping(job.mapping, header)
            )
        with meter.phase("validate"):
            job = services.import_validate(job_id=job.pk)
        if job.status != "validated":
            raise RuntimeError(f"validation ended as {job.status}: {job.message}")
        with meter.phase("commit"):
            job = services.import_commit(actor=actor, job=job)
    return job


def _seed_registry(env: Env, csv_path: Path, share: float) -> int:
    """Every 1/share-th row of the list already in the registry (through the same pipeline)."""
    step = max(1, round(1 / share))
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    subset = [rows[0], *rows[1::step]]
    del rows
    buffer = io.StringIO()
    csv.writer(buffer).writerows(subset)
    run_pipeline(env, buffer.getvalue().encode("utf-8-sig"), "registry.csv", subset[0], Meter())
    return len(subset) - 1


def copy_baseline(csv_path: Path, width: int, repeat: int) -> list[float]:
    """PostgreSQL: the CSV streamed with COPY into a plain temp table of text columns."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(width))
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        for _ in range(repeat):
            cursor.execute("TRUNCATE bench_copy")
            start = time.perf_counter()
            with (
                cursor.cursor.copy("COPY bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
                csv_path.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
            times.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_copy")
    return times


def insert_baseline(csv_path: Path, width: int, repeat: int) -> list[float]:
    """SQLite: the CSV's rows inserted with executemany into a plain temp table, one transaction."""
    from django.db import connection, transaction

    times = []
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(width))
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        sql = f"INSERT INTO bench_copy VALUES ({', '.join(['%s'] * width)})"  # noqa: S608
        for _ in range(repeat):
            cursor.execute("DELETE FROM bench_copy")
            start = time.perf_counter()
            with csv_path.open(encoding="utf-8-sig", newline="") as f, transaction.atomic():
                reader = csv.reader(f)
                next(reader)
                while batch := [r for _i, r in zip(range(20_000), reader, strict=False)]:
                    cursor.executemany(sql, batch)
            times.append(time.perf_counter() - start)
        cursor.execute("DROP TABLE bench_copy")
    return times


PHASES = {  # reported phase -> meter names
    "upload": ("upload", "upload/read", "upload/header and data rows"),
    "mapping": ("mapping", "mapping/read", "mapping/header and data rows"),
    "read": ("validate/read",),
    "header and data rows": ("validate/header and data rows",),
    "per-row checks": ("validate/per-row checks",),
    "already imported": ("validate/already imported",),
    "registry matching": ("validate/registry matching",),
    "store rows": ("validate",),
    "write": ("commit/write (set-based)",),
    "commit, other": ("commit",),
}


def one_run(spec: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from bench import gen_people

    env = _prepare(spec["provinces"])
    path, csv_path = Path(spec["path"]), Path(spec["csv_path"])
    header = list(gen_people.CSV_HEADER)
    result: dict[str, Any] = {
        "db": connection.vendor,
        "format": spec["format"],
        "n": spec["n"],
        "file_mb": round(path.stat().st_size / 1e6, 1),
    }
    if spec["registry_share"] > 0:
        start = time.perf_counter()
        result["registry_rows"] = _seed_registry(env, csv_path, spec["registry_share"])
        result["registry_seed_s"] = round(time.perf_counter() - start, 2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # The server settings that weigh on a large write, reported with the figures.
            cursor.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
                "('shared_buffers', 'max_wal_size', 'wal_compression', 'synchronous_commit', "
                "'checkpoint_timeout')"
            )
            result["server_settings"] = dict(cursor.fetchall())
    data = path.read_bytes()
    peak_reset = _reset_peak()
    result["base_mb"] = round(_rss_mb() or 0.0, 1)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    meter = Meter()
    profile = cProfile.Profile() if spec.get("profile") else None
    start, cpu_start = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(meter.count_query):
        if profile is not None:
            profile.enable()
        job = run_pipeline(env, data, path.name, header, meter)
        if profile is not None:
            profile.disable()
    total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    result["peak_mb"] = round(_peak_mb(), 1)
    result["peak_is_per_run"] = peak_reset
    result["seconds"] = round(total, 2)
    result["cpu_s"] = round(cpu, 2)
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    rows = int(job.counts.get("total", 0))
    result["rows"] = rows
    result["rows_per_s"] = round(rows / total) if total else None
    result["counts"] = job.counts
    result["phases_s"] = {
        name: round(sum(meter.wall.get(k, 0.0) for k in keys), 2) for name, keys in PHASES.items()
    }
    result["queries"] = sum(meter.queries.values())
    result["queries_per_row"] = round(result["queries"] / rows, 5) if rows else None
    result["queries_by_phase"] = dict(meter.queries)
    result["sql_s_by_phase"] = {k: round(v, 2) for k, v in meter.sql_s.items() if v >= 0.01}
    result["slowest_statements"] = sorted(meter.slow, reverse=True)[:24]
    width = len(header)
    if connection.vendor == "postgresql":
        times = copy_baseline(csv_path, width, spec["copy_repeat"])
        result["raw_s"], result["raw_kind"] = round(statistics.median(times), 3), "COPY"
    else:
        times = insert_baseline(csv_path, width, spec["copy_repeat"])
        result["raw_s"], result["raw_kind"] = round(statistics.median(times), 3), "executemany"
    result["ratio_to_raw"] = round(total / result["raw_s"], 1) if result["raw_s"] else None
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    if spec.get("workbook"):
        result.update(workbook_run(env, job))
    return result


def workbook_run(env: Env, job: Any) -> dict[str, Any]:
    """The committed job's result workbook as the page has it built: requested, then built by
    the background job's own function (here in this process), its peak memory on its own."""
    from django.db import transaction

    from nhandao.imports import services
    from nhandao.imports.models import ErrorWorkbook

    peak_reset = _reset_peak()
    start = time.perf_counter()
    with transaction.atomic():
        workbook = services.workbook_request(actor=_actor(env), job=job)
    services.workbook_build(job_id=job.pk, attempt=workbook.attempt)
    seconds = time.perf_counter() - start
    built = ErrorWorkbook.objects.defer("content").get(job=job)
    return {
        "workbook_s": round(seconds, 2),
        "workbook_status": built.status,
        "workbook_mb": round(built.size / 1e6, 1),
        "workbook_rows": built.rows_done,
        "workbook_peak_mb": round(_peak_mb(), 1) if peak_reset else None,
    }


def child_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    _setup_django(spec["db_url"])
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _check_owned(spec["force"])
    result = one_run(spec)
    # Also kept on disk: a long run's figures survive whatever happens to the parent.
    name = f"result_{result['db']}_{result['format']}_{result['n']}.json"
    (WORK_DIR / name).write_text(json.dumps(result))
    print(RESULT_MARK + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------------------
# The parent: one child per (database, format), then the table


def _databases(choice: str) -> list[tuple[str, str]]:
    env_url = os.environ.get("DATABASE_URL", "").strip()
    own = f"sqlite:///{OWN_SQLITE}"
    if choice == "env":
        if not env_url:
            print(f"DATABASE_URL is not set: using the bench's own SQLite file {OWN_SQLITE}")
        return [("env", env_url or own)]
    if choice == "sqlite":
        return [("sqlite", own)]
    if not env_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit("--db both needs DATABASE_URL to name a PostgreSQL database.")
    return [("postgresql", env_url), ("sqlite", own)]


def _spawn(db_url: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run one import in a fresh child process; its own output is shown indented."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if db_url == f"sqlite:///{OWN_SQLITE}":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{OWN_SQLITE}{suffix}").unlink(missing_ok=True)
    spec_path = WORK_DIR / f"spec_{os.getpid()}.json"
    spec_path.write_text(json.dumps({**spec, "db_url": db_url}))
    command = [sys.executable, "-m", "bench.import_people", "--child", str(spec_path)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result: dict[str, Any] | None = None
    with subprocess.Popen(command, cwd=ROOT_DIR, env=env, stdout=subprocess.PIPE, text=True) as p:  # noqa: S603
        assert p.stdout is not None
        for line in p.stdout:
            if line.startswith(RESULT_MARK):
                result = json.loads(line[len(RESULT_MARK) :])
            else:
                print("  | " + line.rstrip(), flush=True)
    if result is None:
        sys.exit(f"bench.import: the run failed (exit code {p.returncode}).")
    return result


def _report(results: list[dict[str, Any]]) -> None:
    print()
    names = list(PHASES)
    print("Seconds per phase (validate = read … store rows; commit = write + other)")
    print(f"{'':<22}" + "".join(f"{r['db'][:10] + ' ' + r['format']:>16}" for r in results))
    for name in names:
        print(f"  {name:<20}" + "".join(f"{r['phases_s'][name]:>16.2f}" for r in results))
    rows = [
        ("total s", lambda r: f"{r['seconds']:.1f}"),
        ("rows", lambda r: f"{r['rows']:,}"),
        ("rows/s", lambda r: f"{r['rows_per_s']:,}"),
        ("peak MB", lambda r: f"{r['peak_mb']:,.0f}"),
        ("queries per row", lambda r: f"{r['queries_per_row']:.5f}"),
        ("raw load s", lambda r: f"{r['raw_s']:.2f} {r['raw_kind'][:4]}"),
        ("× raw", lambda r: f"{r['ratio_to_raw']}"),
        ("written", lambda r: f"{r['counts'].get('written', 0):,}"),
        ("already in registry", lambda r: f"{r['counts'].get('existing', 0):,}"),
        ("with matches", lambda r: f"{r['counts'].get('with_matches', 0):,}"),
        ("load avg start/end", lambda r: f"{r['load_avg_1m']}/{r['load_avg_1m_end']}"),
    ]
    for label, show in rows:
        print(f"{label:<22}" + "".join(f"{show(r):>16}" for r in results))
    for r in results:
        if r.get("server_settings"):
            shown = ", ".join(f"{k} {v}" for k, v in sorted(r["server_settings"].items()))
            print(f"Server, {r['db']} {r['format']}: {shown}")
        print(f"Slowest statements, {r['db']} {r['format']}:")
        for took, phase, text in r["slowest_statements"]:
            print(f"  {took:>7.2f} s  {phase:<34} {text}")


def _targets(results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in results:
        if r["db"] != "postgresql" or r["n"] < DEFAULT_N:
            continue
        limit = TARGET_CSV_S if r["format"] == "csv" else TARGET_XLSX_S
        met = r["seconds"] < limit
        if r["format"] == "csv":
            met = met and (r["ratio_to_raw"] or 99) <= TARGET_COPY_RATIO
        out[f"{r['format']}_met"] = met
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="rows of the list")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} rows, for CI")
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--db", choices=("env", "sqlite", "both"), default="env")
    parser.add_argument("--registry-share", type=float, default=0.1, help="rows already stored")
    parser.add_argument("--provinces", default="1", help="province codes of the list (1 = Hà Nội)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copy-repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed import")
    parser.add_argument("--force", action="store_true", help="flush a database with other data")
    parser.add_argument(
        "--workbook", action="store_true", help="then time the result workbook's background build"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return
    provinces = [int(p) for p in args.provinces.split(",") if p.strip()]
    n = QUICK_N if args.quick else args.n
    formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    for label, url in _databases(args.db):
        for fmt in formats:
            path = data_file(n, fmt, args.seed, provinces)
            csv_path = data_file(n, "csv", args.seed, provinces)
            print(f"== {label} {fmt} {n:,} rows", flush=True)
            spec = {
                "provinces": provinces,
                "registry_share": args.registry_share,
                "copy_repeat": 1 if args.quick else args.copy_repeat,
                "force": args.force,
                "profile": args.profile,
                "workbook": args.workbook,
                "format": fmt,
                "n": n,
                "path": str(path),
                "csv_path": str(csv_path),
            }
            result = _spawn(url, spec)
            results.append(result)
            print(
                f"   {result['rows']:,} rows in {result['seconds']:.1f} s "
                f"({result['rows_per_s']:,} rows/s), peak {result['peak_mb']:,.0f} MB, "
                f"{result['ratio_to_raw']}× raw {result['raw_kind']}",
                flush=True,
            )
    _report(results)
    load = os.getloadavg()[0]
    targets = _targets(results)
    if targets:
        print(f"Targets (CSV < {TARGET_CSV_S:.0f} s and ≤ {TARGET_COPY_RATIO:.0f}× COPY; xlsx < "
              f"{TARGET_XLSX_S:.0f} s), PostgreSQL: {targets}")  # fmt: skip
    bench_s = round(time.perf_counter() - started, 1)
    print(f"bench wall time {bench_s} s; load average {load:.2f} on {os.cpu_count()} CPUs")
    summary = {
        "n": n,
        "quick": args.quick,
        "registry_share": args.registry_share,
        "targets": targets,
        "runs": results,
        "load_avg_1m": round(load, 2),
        "cpus": os.cpu_count(),
        "bench_s": bench_s,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
