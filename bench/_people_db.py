"""Shared set-up of the person benches (``bench.entry_check``, ``bench.linkage``).

A database of the bench's own (``DATABASE_URL``, else a SQLite file in the temporary directory;
never the development database ``var/nhandao.sqlite3``), flushed and re-seeded like ``bench.tree``
does; the national tree (``tree_init`` under a bench root, ``commune_chapters_init`` for the
provinces used); and ``n`` people from :func:`bench.gen_people.generate`, each checked by
``person_check`` exactly as the app stores it and attached to the commune chapter of its ward.

Loading happens in two timed phases:

* prepare: the generator (in a child process) and ``person_check`` (here, under
  :func:`fast_checks`: the same function, its pure text helpers memoised) turn records into rows;
  rows are kept in a cache file in the temporary directory named after the seed, the duplicate
  rate, the provinces and a hash of the code that shapes them (generator, checks, keys), so a
  second run, or a smaller ``n`` (the generator's stream is the same whatever ``n``), reads them
  back instead (``--no-cache`` turns that off);
* insert: PostgreSQL ``COPY … FROM STDIN`` through psycopg (``cursor.copy``), or on SQLite one
  prepared ``INSERT`` by ``executemany`` over batches of 20,000, in one transaction either way,
  with the table's secondary indexes (and PostgreSQL foreign keys) dropped before and rebuilt
  after. Primary keys are 1..rows in stream order; the id sequence is moved past them.

The ground truth stays in memory (``Loaded.entity``: entity of person ``pk`` at ``pk - 1``) and
can be put in a temporary table ``bench_truth(person_id, entity)`` for set-based evaluation.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import tempfile
import time
import warnings
from array import array
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Full
from typing import Any

ROOT_DIR = Path(__file__).resolve().parent.parent
BENCH_CODE = "BENCH-PP"  # short code of the bench's root: marks a database as a bench's own
DEFAULT_DB = Path(tempfile.gettempdir()) / "nhandao_bench_people.sqlite3"
CACHE_DIR = Path(tempfile.gettempdir()) / "nhandao_bench_people_cache"
QUICK_PROVINCES = (1, 44)  # Hà Nội, Quảng Trị
BATCH = 5000

# Columns written for each person, in this order (id and unit_id are put in front at insert time;
# household, merged_into and created_by stay NULL).
COLUMNS = (
    "full_name",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "birth_precision",
    "sex",
    "id_number",
    "legacy_id",
    "phone",
    "ward_id",
    "address_detail",
    "address_original",
    "source_ref",
    "name_key",
    "sort_key",
    "key_name_year",
    "key_given_ward",
)
# Code that decides what the rows look like: a change to any of them (or to ROW_FORMAT, the layout
# of a cached line) makes a new cache file. Of people/services.py only the check and the keys count
# (the rest of that module, e.g. merges, changes nothing in a row).
ROW_FORMAT = 1
CODE_FILES = (
    "bench/gen_people.py",
    "src/nhandao/core/text.py",
    "src/nhandao/core/dates.py",
    "src/nhandao/core/idnumber.py",
    "src/nhandao/core/phone.py",
)
CHECK_CODE = ("PersonData", "Checked", "SEXES", "NAME_MAX", "_birth", "person_check", "person_keys")
_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# --- Django and the database ---------------------------------------------------------------------


def setup_django(bench: str) -> None:
    if not os.environ.get("DATABASE_URL", "").strip():
        # Never the development database (var/nhandao.sqlite3): the bench flushes its database.
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
        print(f"DATABASE_URL is not set: using its own SQLite file {DEFAULT_DB}", flush=True)
    sys.path.insert(0, str(ROOT_DIR / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhandao.settings.test")
    import django
    from django.conf import settings

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        dev_db = (Path(settings.VAR_DIR) / "nhandao.sqlite3").resolve()
        if name == dev_db or name.parent == (ROOT_DIR / "var").resolve():
            sys.exit(f"bench.{bench} refuses to flush the development database {name}.")


def prepare_database(bench: str, force: bool) -> None:
    """Migrate, refuse a database holding data no bench created, then flush and re-seed."""
    from django.core.management import call_command

    from nhandao.orgs.models import Role, Unit, User
    from nhandao.orgs.permissions import DEFAULT_ROLES

    call_command("migrate", interactive=False, verbosity=0)
    foreign_units = (
        Unit.objects.exists()
        and not Unit.objects.filter(depth=1, short_code__startswith="BENCH-").exists()
    )
    foreign_users = User.objects.exclude(username__startswith="bench.").exists()
    if (foreign_units or foreign_users) and not force:
        sys.exit(
            f"bench.{bench}: the database in DATABASE_URL holds data the bench did not create; "
            "use an empty database (or pass --force to flush it anyway)."
        )
    call_command("flush", interactive=False, verbosity=0)
    for spec in DEFAULT_ROLES:
        Role.objects.update_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )


def vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def analyze() -> float:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


@dataclass
class Tree:
    root_pk: int
    unit_by_ward: dict[int, int]
    path_by_unit: dict[int, str]
    units: int
    seconds: float
    geo_seconds: float


def build_tree(provinces: tuple[int, ...] | None) -> Tree:
    """Geography, a bench root, the 34 province chapters and the commune chapters of
    ``provinces`` (all when None), with the installation's own bootstrap functions."""
    from nhandao.geo.services import geo_load_official
    from nhandao.orgs import bootstrap, services
    from nhandao.orgs.models import Unit, UnitKind

    start = time.perf_counter()
    result = geo_load_official()
    assert result.wards_total == 3321, result
    geo_s = time.perf_counter() - start
    start = time.perf_counter()
    root = services.unit_create_root(name=f"{bootstrap.ROOT_NAME} (bench)", short_code=BENCH_CODE)
    by_province = bootstrap.tree_init()
    for code in sorted(by_province):
        if provinces is None or code in provinces:
            bootstrap.commune_chapters_init(province_unit=by_province[code])
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE).values_list("pk", "ward_id", "path")
    unit_by_ward = {ward: pk for pk, ward, _ in communes}
    path_by_unit = {pk: path for pk, _, path in communes}
    return Tree(
        root_pk=root.pk,
        unit_by_ward=unit_by_ward,
        path_by_unit=path_by_unit,
        units=Unit.objects.count(),
        seconds=time.perf_counter() - start,
        geo_seconds=geo_s,
    )


def make_user(name: str, unit_pk: int, role: str) -> Any:
    from nhandao.orgs.models import RoleAssignment, User

    user = User(username=f"bench.{name}", full_name=f"Bench {name}")
    user.set_unusable_password()
    user.save()
    RoleAssignment.objects.create(user=user, unit_id=unit_pk, role_id=role)
    user.scope_paths()  # fill the per-request assignment cache, as the first check of a page does
    return user


# --- preparing rows ------------------------------------------------------------------------------


def _escape(value: Any) -> str:
    if value is None:
        return "\\N"
    return str(value).translate(_ESCAPE)


def _produce(n: int, seed: int, dup_rate: float, provinces: list[int] | None, queue: Any) -> None:
    """Child process: stream the generator's records in batches of plain tuples."""
    from bench.gen_people import generate

    batch: list[tuple[Any, ...]] = []
    for rec in generate(n, seed=seed, dup_rate=dup_rate, province_codes=provinces):
        batch.append(
            (
                rec.entity_id,
                rec.is_duplicate,
                ",".join(rec.degradations),
                rec.full_name,
                rec.birth,
                rec.sex,
                rec.id_number,
                rec.legacy_id,
                rec.phone,
                rec.ward_code,
                rec.address_text,
                rec.ref,
            )
        )
        if len(batch) >= 2000:
            _put(queue, batch)
            batch = []
    _put(queue, batch)
    _put(queue, None)


def _put(queue: Any, item: Any) -> None:
    """Put, but give up when the parent is gone (killed while this child was producing)."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            queue.put(item, timeout=1)
            return
        except Full:
            if parent is not None and not parent.is_alive():
                raise SystemExit(1) from None


@contextmanager
def fast_checks() -> Iterator[None]:
    """``person_check`` as it is, with two shortcuts that cannot change its answers, for bulk loads:
    the question "does this ward exist?" (one query per person) is answered from a set of the 3,321
    codes, and the pure text functions it calls (capitalisation, splitting, folding, collation keys,
    date parsing) remember their results: names, name parts and dates repeat a great deal in a
    registry, so most calls become dictionary look-ups (measured: 2.5-3x faster per record)."""
    import functools

    from nhandao.core import text
    from nhandao.geo import selectors
    from nhandao.geo.models import Ward
    from nhandao.people import services

    codes = frozenset(Ward.objects.values_list("code", flat=True))
    patches: list[tuple[Any, str, Any]] = [
        (selectors, "ward_exists", codes.__contains__),
        (text, "collation_key", functools.lru_cache(maxsize=1 << 16)(text.collation_key)),
    ]
    for name in ("nfc", "title_name", "split_name", "fold", "parse_date"):
        patches.append(
            (services, name, functools.lru_cache(maxsize=1 << 18)(getattr(services, name)))
        )
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    for module, name, value in patches:
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _records(n: int, seed: int, dup_rate: float, provinces: list[int] | None) -> Iterator[Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue(maxsize=64)
    child = ctx.Process(target=_produce, args=(n, seed, dup_rate, provinces, queue), daemon=True)
    child.start()
    try:
        while (batch := queue.get()) is not None:
            yield from batch
    finally:
        child.join(timeout=5)
        if child.is_alive():
            child.terminate()


def _cache_key(seed: int, dup_rate: float, provinces: tuple[int, ...] | None) -> str:
    h = hashlib.sha256(f"{ROW_FORMAT}|{seed}|{dup_rate}|{provinces}".encode())
    for name in CODE_FILES:
        h.update((ROOT_DIR / name).read_bytes())
    import inspect

    from nhandao.people import services

    for name in CHECK_CODE:
        obj = getattr(services, name)
        if isinstance(obj, frozenset):
            text = repr(sorted(obj))
        else:
            text = repr(obj) if isinstance(obj, int) else inspect.getsource(obj)
        h.update(text.encode())
    return h.hexdigest()[:16]


def _write_rows(
    path: Path, n: int, seed: int, dup_rate: float, provinces: tuple[int, ...] | None
) -> None:
    """Generate and check ``n`` records into ``path``: one line per record,
    ``entity <tab> flag <tab> ward <tab> columns…`` where flag is ``o`` (original), ``d:<ops>``
    (a degraded copy and what was done to it) or ``x:<field>`` (rejected by the check)."""
    from nhandao.core.errors import ApplicationError
    from nhandao.people.services import PersonData, person_check

    tmp = path.with_suffix(f".{os.getpid()}.part")
    with fast_checks(), tmp.open("w", encoding="utf-8") as out:
        lines: list[str] = []
        for rec in _records(n, seed, dup_rate, list(provinces) if provinces else None):
            entity, dup, ops, name, birth, sex, idn, legacy, phone, ward, address, ref = rec
            entity_int = int(entity[1:])
            try:
                values = person_check(
                    PersonData(
                        full_name=name,
                        birth=birth,
                        sex=sex,
                        id_number=idn,
                        legacy_id=legacy,
                        phone=phone,
                        ward_id=ward,
                        address_original=address,
                        source_ref=ref,
                    )
                ).values
            except ApplicationError as exc:
                lines.append(f"{entity_int}\tx:{exc.field or '?'}\n")
            else:
                flag = f"d:{ops}" if dup else "o"
                cols = "\t".join(_escape(values[c]) for c in COLUMNS)
                lines.append(f"{entity_int}\t{flag}\t{ward}\t{cols}\n")
            if len(lines) >= BATCH:
                out.writelines(lines)
                lines = []
        out.writelines(lines)
    tmp.replace(path)


@dataclass
class Loaded:
    n: int
    rows: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    cached: bool = False
    method: str = ""
    prepare_s: float = 0.0
    insert_s: float = 0.0
    entity: array[int] = field(default_factory=lambda: array("q"))  # by pk - 1
    ops: dict[int, str] = field(default_factory=dict)  # pk of a copy -> its degradations


def _rows(
    n: int, seed: int, dup_rate: float, provinces: tuple[int, ...] | None, use_cache: bool
) -> tuple[Path, bool, float, bool]:
    """The file holding at least ``n`` prepared rows: (path, cached, seconds, temporary)."""
    CACHE_DIR.mkdir(exist_ok=True)
    key = _cache_key(seed, dup_rate, provinces)
    path = CACHE_DIR / f"people_{key}.tsv"
    meta = path.with_suffix(".n")
    if use_cache and path.exists() and meta.exists() and int(meta.read_text()) >= n:
        return path, True, 0.0, False
    if not use_cache:
        path = CACHE_DIR / f"people_{key}_{os.getpid()}.tsv"
    start = time.perf_counter()
    _write_rows(path, n, seed, dup_rate, provinces)
    seconds = time.perf_counter() - start
    if use_cache:
        meta.write_text(str(n))
    return path, False, seconds, not use_cache


def _lines(path: Path, n: int) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                return
            yield line


def load_people(
    tree: Tree,
    n: int,
    *,
    seed: int = 1,
    dup_rate: float = 0.15,
    provinces: tuple[int, ...] | None = None,
    use_cache: bool = True,
    progress: bool = False,
    insert: bool = True,
) -> Loaded:
    """Put ``n`` generated people in the database (``insert=False``: the database already holds
    exactly these rows from an earlier load, see :func:`existing_tree`; only the truth is read)."""
    from django.db import connection, transaction
    from django.utils import timezone

    loaded = Loaded(n=n)
    path, loaded.cached, loaded.prepare_s, temporary = _rows(
        n, seed, dup_rate, provinces, use_cache
    )
    if not insert:
        return _truth_only(loaded, path, n)
    now = timezone.now().isoformat()
    postgres = connection.vendor == "postgresql"
    loaded.method = "copy" if postgres else "executemany"
    start = time.perf_counter()
    pk = 0

    def rows() -> Iterator[tuple[int, int, str]]:
        """(pk, unit, the row's columns as one tab-separated COPY line without its newline)."""
        nonlocal pk
        unit_by_ward = tree.unit_by_ward
        for pk, rest in _tally(loaded, path, n):
            ward, columns = rest.split("\t", 1)
            yield pk, unit_by_ward[int(ward)], columns

    try:
        with transaction.atomic(), _indexes_rebuilt_after(progress):
            if postgres:
                _copy(rows(), now, progress)
            else:
                _executemany(rows(), now, progress)
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('people_person', 'id'), %s)",
                    [max(pk, 1)],
                )
    finally:
        if temporary:
            path.unlink(missing_ok=True)
    loaded.rows = pk
    loaded.insert_s = time.perf_counter() - start
    return loaded


@contextmanager
def _indexes_rebuilt_after(progress: bool) -> Iterator[None]:
    """Drop the secondary indexes of people_person (and on PostgreSQL its foreign keys), load,
    then create them again from their own definitions: one sorted build per index instead of
    ~20 index insertions per row, and each foreign key validated in one pass. Same schema after."""
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'people_person'::regclass AND contype = 'f'"
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = "
                "'people_person' AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 "
                "FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))"
            )
            indexes = cursor.fetchall()
            # Deferred checks still pending in this transaction (the tree, in a test) forbid
            # ALTER TABLE: run them now, and defer again after the load.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE people_person DROP CONSTRAINT "{name}"')
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        else:
            constraints = []
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'people_person' AND sql IS NOT NULL"
            )
            indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    load_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)
        if constraints:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE people_person ADD CONSTRAINT "{name}" {definition}')
        if constraints:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if progress:
        print(
            f"  rows in {load_s:.1f} s; {len(indexes)} indexes and {len(constraints)} foreign "
            f"keys rebuilt in {time.perf_counter() - start - load_s:.1f} s",
            flush=True,
        )


def _tally(loaded: Loaded, path: Path, n: int) -> Iterator[tuple[int, str]]:
    """The prepared rows as stored (pk from 1, refused rows skipped), with the truth kept in
    ``loaded``: entity of each pk, the copies and how each was degraded, the refusals by reason."""
    pk = 0
    for line in _lines(path, n):
        entity, flag, *rest = line.rstrip("\n").split("\t", 2)
        if flag[0] == "x":
            loaded.rejected[flag[2:]] += 1
            continue
        pk += 1
        loaded.entity.append(int(entity))
        if flag[0] == "d":
            loaded.duplicates += 1
            loaded.ops[pk] = flag[2:]
        yield pk, rest[0] if rest else ""


def _truth_only(loaded: Loaded, path: Path, n: int) -> Loaded:
    from nhandao.people.models import Person

    pk = sum(1 for _ in _tally(loaded, path, n))  # pks run from 1 without gaps
    loaded.rows = pk
    stored = Person.objects.count()
    if stored != pk or not Person.objects.filter(pk=pk).exists():
        sys.exit(f"--reuse: the database holds {stored:,} people, not the {pk:,} of this load.")
    loaded.method = "reused"
    return loaded


def existing_tree() -> Tree:
    """The tree of an earlier bench load in this database (for ``--reuse``); bench users are
    removed so that the bench can make them again."""
    from nhandao.orgs.models import Unit, UnitKind, User

    root = Unit.objects.filter(depth=1, short_code=BENCH_CODE).first()
    if root is None:
        sys.exit("--reuse: this database holds no earlier bench load.")
    User.objects.filter(username__startswith="bench.").delete()
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE).values_list("pk", "ward_id", "path")
    return Tree(
        root_pk=root.pk,
        unit_by_ward={ward: pk for pk, ward, _ in communes},
        path_by_unit={pk: path for pk, _, path in communes},
        units=Unit.objects.count(),
        seconds=0.0,
        geo_seconds=0.0,
    )


def _copy(rows: Iterator[tuple[int, int, str]], now: str, progress: bool) -> None:
    from django.db import connection

    cols = ", ".join(("id", "unit_id", *COLUMNS, "created_at", "updated_at"))
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY people_person ({cols}) FROM STDIN") as copy:
            buf: list[str] = []
            tail = f"\t{now}\t{now}\n"
            for pk, unit, line in rows:
                buf.append(f"{pk}\t{unit}\t{line}{tail}")
                if len(buf) >= BATCH:
                    copy.write("".join(buf))
                    buf = []
                    if progress and pk % 500_000 < BATCH:
                        print(f"  … {pk:,} rows", flush=True)
            copy.write("".join(buf))


def _unescape(value: str) -> str | None:
    if value == "\\N":
        return None
    if "\\" not in value:
        return value
    out, i = [], 0
    table = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append(table.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _executemany(rows: Iterator[tuple[int, int, str]], now: str, progress: bool) -> None:
    """SQLite: one prepared INSERT run over batches of rows, inside the caller's transaction
    (values as Django's SQLite backend stores them: dates as ISO text, times adapted by it)."""
    import datetime as dt

    from django.db import connection

    stamp = connection.ops.adapt_datetimefield_value(dt.datetime.fromisoformat(now))
    cols = ("id", "unit_id", *COLUMNS, "created_at", "updated_at")
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO people_person ({', '.join(cols)}) VALUES ({marks})"  # noqa: S608
    ward = COLUMNS.index("ward_id")
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for pk, unit, line in rows:
            values: list[Any] = [_unescape(v) for v in line.split("\t")]
            if values[ward] is not None:
                values[ward] = int(values[ward])
            batch.append([pk, unit, *values, stamp, stamp])
            if len(batch) >= BATCH * 4:
                cursor.executemany(sql, batch)
                batch = []
                if progress and pk % 100_000 < BATCH * 4:
                    print(f"  … {pk:,} rows", flush=True)
        if batch:
            cursor.executemany(sql, batch)


# --- ground truth in the database ----------------------------------------------------------------


def truth_table(loaded: Loaded) -> None:
    """``bench_truth(person_id, entity)``, a temporary table of this connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_truth")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_truth (person_id bigint PRIMARY KEY, entity bigint)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY bench_truth (person_id, entity) FROM STDIN") as copy:
                for start in range(0, len(loaded.entity), 100_000):
                    part = loaded.entity[start : start + 100_000]
                    copy.write("".join(f"{start + i + 1}\t{e}\n" for i, e in enumerate(part)))
        else:
            cursor.executemany(
                "INSERT INTO bench_truth (person_id, entity) VALUES (%s, %s)",
                [(i + 1, e) for i, e in enumerate(loaded.entity)],
            )
        cursor.execute("CREATE INDEX bench_truth_entity ON bench_truth (entity, person_id)")
        cursor.execute("ANALYZE bench_truth")
