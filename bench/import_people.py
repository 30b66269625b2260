"""Importing a list of humanitarian addresses end to end: phases, rows/s, peak memory, vs COPY.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_import
    python -m bench.import_people
    DATABASE_URL=postgres://… python -m bench.import_people --n 100000 --format csv --db both
    python -m bench.import_people --quick

Lists come from ``bench.gen_people`` (people of ``--provinces``, default Hà Nội; 15% degraded
duplicates), written as communes keep them: a CSV in UTF-8 with BOM, or an .xlsx with a title block
above the header. They are cached in the temporary directory. The tree is built with
``tree_init`` + ``commune_chapters_init``; the import goes into the province chapter, by a unit
admin assigned there. Before the timed import, ``--registry-share`` of the list's rows (every
10th by default) is already in the registry, so the registry matching and "already imported" checks
have something to find. Every run happens in a fresh child process (its own peak memory) on a
flushed database: ``DATABASE_URL`` (``--db env``), a SQLite file of the bench's own in the
temporary directory (``--db sqlite``, also used when ``DATABASE_URL`` is unset), or both.

Two pipelines:

* ``current``: the app's pipeline through its services, as a user and the job run it:
  ``import_upload`` → ``import_set_mapping`` with the proposed mapping (the field a user must
  choose, ``source_ref`` named by "Mã hộ" and "Mã tham chiếu", gets the column named like it;
  validation then runs inline through settings.test's ImmediateBackend) → ``import_commit``.
  Phases are timed by wrapping the pipeline's own functions (file read, header, per-row parse,
  in-file duplicates, registry matching, "already imported", row storage, writes) and the SQL
  queries of each phase are counted. A size whose projection (power law through the two smaller
  sizes) exceeds ``--max-minutes`` is not run; the projection is reported, and the upload is still
  tried to show whether the file is accepted at all.
* ``prototype``: PROTOTYPE, NOT THE APP'S CODE. A set-based design of the same pipeline written in
  this file to measure what the app could reach (see :class:`ProtoImport`): the file read once, the
  per-row checks memoised per distinct value, in-file duplicates by hash blocking, "already
  imported" and registry matching by joining blocking keys in SQL against a staging table,
  ImportRows written with COPY, and the commit as INSERT … SELECT from the ImportRows with one
  summary audit event. ``--check`` compares its outcome row by row with the current pipeline's.

Phases: read (decode and parse the file, every time the pipeline does it), header (find the header
and the data rows), validation (per-row checks, duplicates, registry matching, storing the rows),
commit (writes), other (job and mapping bookkeeping). On PostgreSQL each run also times a raw
``COPY`` of the same CSV into a plain temp table (median of ``--copy-repeat``) and reports
total/COPY; on SQLite, a raw ``executemany`` of the rows. ``--profile-size`` runs both pipelines
once more under cProfile and prints the top functions of each stage. Targets from the issue: a
1M-row CSV into PostgreSQL under 60 s end to end and within 5× of raw COPY; .xlsx under 120 s.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import functools
import gc
import io
import json
import math
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath
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
LADDER = (10_000, 100_000)
QUICK_N = 1_000
READER_MAX_BYTES = 50 * 1024 * 1024  # read_table's default limit, for the table's note only


# =================================================================================================
# Data files
# =================================================================================================


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


# =================================================================================================
# Measuring: timers that nest, SQL counts per phase, peak memory
# =================================================================================================

STAGES = ("upload", "mapping", "validate", "commit")


class Meter:
    """Exclusive wall and CPU time per (stage, name), calls and SQL queries; names nest."""

    def __init__(self) -> None:
        self.wall: dict[tuple[str, str], float] = defaultdict(float)
        self.cpu: dict[tuple[str, str], float] = defaultdict(float)
        self.calls: Counter[tuple[str, str]] = Counter()
        self.queries: Counter[tuple[str, str]] = Counter()
        self._stack: list[list[Any]] = []  # [name, stage, start, cpu start, child wall, child cpu]

    def push(self, name: str) -> None:
        stage = name if name in STAGES else (self._stack[-1][1] if self._stack else "other")
        now = time.perf_counter()
        self._stack.append([name, stage, now, time.process_time(), 0.0, 0.0])

    def pop(self) -> None:
        name, stage, start, cpu_start, child, child_cpu = self._stack.pop()
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        self.wall[(stage, name)] += wall - child
        self.cpu[(stage, name)] += cpu - child_cpu
        self.calls[(stage, name)] += 1
        if self._stack:
            self._stack[-1][4] += wall
            self._stack[-1][5] += cpu

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
            self.push(name)
            try:
                return fn(*args, **kwargs)
            finally:
                self.pop()

        return wrapper

    def count_query(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        top = self._stack[-1] if self._stack else ["other", "other"]
        self.queries[(top[1], top[0])] += 1
        return execute(sql, params, many, context)

    def total(self, names: set[str] | None = None, stage: str | None = None) -> tuple[float, float]:
        keys = [k for k in self.wall if (names is None or k[1] in names)]
        keys = [k for k in keys if stage is None or k[0] == stage]
        return sum(self.wall[k] for k in keys), sum(self.cpu[k] for k in keys)


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


# =================================================================================================
# Django and the database
# =================================================================================================


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT_DIR / "src"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "nhandao.settings.test"  # ImmediateBackend for jobs
    import logging
    import warnings

    import django
    from django.conf import settings

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    logging.getLogger("django_tasks").setLevel(logging.WARNING)  # a line per inline task
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        name = Path(str(db["NAME"])).resolve()
        dev_db = (Path(settings.VAR_DIR) / "nhandao.sqlite3").resolve()
        if name == dev_db or name.parent == (ROOT_DIR / "var").resolve():
            sys.exit(f"bench.import_people refuses to flush the development database {name}.")


def _check_owned(force: bool) -> None:
    from nhandao.orgs.models import User

    if User.objects.exclude(username__startswith="bench.").exists() and not force:
        sys.exit(
            "bench.import_people: the database in DATABASE_URL holds users the bench did not "
            "create; use an empty database (or pass --force to flush it anyway)."
        )


@dataclass
class Env:
    unit: Any
    actor_pk: int
    vendor: str


def _prepare(provinces: list[int]) -> Env:
    """Flush, then what migrations seed, the official geography, the tree and the importing user."""
    from django.core.management import call_command
    from django.db import connection

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
    return Env(unit=Unit.objects.get(pk=unit.pk), actor_pk=user.pk, vendor=connection.vendor)


def _actor(env: Env) -> Any:
    from nhandao.orgs.models import User

    return User.objects.get(pk=env.actor_pk)  # as a request sees it: assignments resolved on use


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


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


# =================================================================================================
# The current pipeline, instrumented
# =================================================================================================


def _instrument_current(meter: Meter) -> Callable[[], None]:
    """Wrap the pipeline's own functions with timers; returns a function that undoes it."""
    from nhandao.beneficiaries.importers import BENEFICIARIES
    from nhandao.imports import services
    from nhandao.people.matching import BatchIndex

    undo: list[tuple[Any, str, Any]] = []

    def patch(obj: Any, attr: str, name: str) -> None:
        original = getattr(obj, attr)
        undo.append((obj, attr, original))
        setter = setattr if isinstance(obj, type) else object.__setattr__  # ListSpec is frozen
        setter(obj, attr, meter.wrap(name, original))

    for attr, name in [
        ("import_upload", "upload"),
        ("import_set_mapping", "mapping"),
        ("import_validate", "validate"),
        ("import_commit", "commit"),
        ("_read", "read"),
        ("find_header", "header"),
        ("data_rows", "header"),
        ("_flush", "store rows"),
        ("_counts", "counts"),
    ]:
        patch(services, attr, name)
    patch(BENEFICIARIES, "parse", "per-row checks")
    patch(BENEFICIARIES, "matches", "registry matching")
    patch(BENEFICIARIES, "existing", "already imported")
    patch(BENEFICIARIES, "write", "write rows")
    patch(BatchIndex, "best", "in-file duplicates")
    patch(BatchIndex, "add", "in-file duplicates")

    def restore() -> None:
        for obj, attr, original in reversed(undo):
            (setattr if isinstance(obj, type) else object.__setattr__)(obj, attr, original)

    return restore


def run_current(env: Env, data: bytes, filename: str, header: list[str]) -> Any:
    """The app's pipeline through its services; returns the committed job."""
    from nhandao.imports import services
    from nhandao.imports.models import ImportJob, JobStatus

    job = services.import_upload(
        actor=_actor(env), unit=env.unit, kind=KIND, filename=filename, data=data
    )
    mapping = _chosen_mapping(job.mapping, header)
    services.import_set_mapping(actor=_actor(env), job=job, mapping=mapping)
    job = ImportJob.objects.get(pk=job.pk)
    if job.status == JobStatus.VALIDATING:  # no inline task backend: run the job here
        services.import_validate(job_id=job.pk)
        job = ImportJob.objects.get(pk=job.pk)
    if job.status != JobStatus.VALIDATED:
        raise RuntimeError(f"validation ended as {job.status}: {job.message}")
    return services.import_commit(actor=_actor(env), job=job)


# =================================================================================================
# PROTOTYPE: a set-based pipeline. NOT THE APP'S CODE; written here to measure a design.
# =================================================================================================

PROTO_BATCH = 10_000  # rows per progress update
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))  # as core.text.nfc
IN_FILE_MESSAGE = "Có thể là cùng người với dòng %(row)d (%(why)s)."  # services' msgid


def proto_read(data: bytes, filename: str, *, max_rows: int | None = None) -> list[list[Any]]:
    """PROTOTYPE. The file as the app's ``_read`` gives it (same cell values), in one pass.

    CSV: decoded and NFC-normalised as a whole, split by the C csv module, then whitespace
    collapsed per cell. xlsx: calamine, strings cleaned the same way, merged ranges filled.
    Legacy fonts: detection on a sample spread over the whole file, conversion only if found.
    """
    from python_calamine import CalamineWorkbook

    from nhandao.imports import legacy_encoding, readers

    ext = PurePath(filename).suffix.lower()
    if ext in readers.WORKBOOK_EXTENSIONS:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            sheet = workbook.get_sheet_by_index(0)
            raw = sheet.to_python(skip_empty_area=False, nrows=max_rows) if max_rows else None
            raw = raw if raw is not None else sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        normalize = unicodedata.normalize
        rows: list[list[Any]] = []
        for record in raw:
            out: list[Any] = []
            for v in record:
                if type(v) is str:
                    v = " ".join(normalize("NFC", v.translate(_INVISIBLE)).split()) or None
                elif type(v) is float and not math.isfinite(v):
                    v = None
                elif isinstance(v, dt.time):
                    v = v.isoformat(timespec="seconds" if v.second else "minutes")
                elif isinstance(v, dt.timedelta):
                    v = str(v)
                out.append(v)
            rows.append(out)
        readers._fill_merged(rows, [readers.MergedRange(a[0], a[1], b[0], b[1]) for a, b in merged])
    else:
        text, _charset = readers._decode_text(data)
        delimiter = readers._sniff_delimiter(text)
        if max_rows is not None:
            cut = 0
            for _ in range(max_rows):
                nxt = text.find("\n", cut)
                if nxt < 0:
                    break
                cut = nxt + 1
            text = text[:cut] if cut else text
        text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [[" ".join(c.split()) or None for c in record] for record in reader]
        del text
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    # Legacy fonts (TCVN3, VNI): a sample spread over the file decides, per column.
    step = max(1, len(rows) // 20_000)
    for col in range(width):
        sample = [r[col] for r in rows[::step] if isinstance(r[col], str) and not r[col].isascii()][
            :2000
        ]
        encoding = legacy_encoding.detect(sample) if sample else None
        if encoding is not None:
            for r in rows:
                if isinstance(r[col], str) and not r[col].isascii():
                    r[col] = legacy_encoding.convert_cell(r[col], encoding)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    while width and all(r[width - 1] is None for r in rows):
        width -= 1
        for r in rows:
            del r[width:]
    return rows


class _Rec:
    """PROTOTYPE. The person side of :func:`nhandao.people.matching.score` (what ``BatchIndex``
    builds as an unsaved Person), without a model instance."""

    __slots__ = (
        "birth_date",
        "birth_precision",
        "id_number",
        "legacy_id",
        "name_key",
        "phone",
        "ward_id",
    )

    def __init__(self, v: dict[str, Any]) -> None:
        self.name_key = v.get("name_key") or ""
        self.birth_date = v.get("birth_date")
        self.birth_precision = v.get("birth_precision") or ""
        self.id_number = v.get("id_number") or ""
        self.legacy_id = v.get("legacy_id") or ""
        self.phone = v.get("phone") or ""
        self.ward_id = v.get("ward_id") or None


class ProtoIndex:
    """PROTOTYPE. In-file duplicates by hash blocking. Same keys and score as ``BatchIndex``, but
    name-only and given-name+commune candidates are kept to the same birth year (or a missing
    birth): with different years a pair scores at most 0.35 + 0.25 + 0.1 - 0.2 = 0.5 < 0.6
    unless it shares a citizen ID, CMND or phone, which are blocked on too. This keeps the
    candidate pairs near-linear where BatchIndex's grow with the square of a common name's count."""

    def __init__(self) -> None:
        self._b: dict[tuple[Any, ...], list[tuple[int, _Rec]]] = defaultdict(list)
        self.pairs = 0

    def check(self, row: int, values: dict[str, Any], score: Callable[..., Any]) -> Any:
        """The best earlier row for ``values`` (or None), then ``values`` joins the index."""
        probe: list[tuple[Any, ...]] = []
        add: list[tuple[Any, ...]] = []
        for tag, name in (("i", "id_number"), ("l", "legacy_id"), ("p", "phone")):
            if value := values.get(name):
                probe.append((tag, value))
        birth = values.get("birth_date")
        year = birth.year if birth else None
        if year:
            probe.append(("y", values["key_name_year"]))
        add += probe
        if gw := values.get("key_given_ward"):
            if year:
                probe += [("g", gw, year), ("g", gw, None)]
            else:
                probe.append(("G", gw))
            add += [("g", gw, year), ("G", gw)]
        if nk := values.get("name_key"):
            if year:
                probe.append(("n", nk, None))
            else:
                probe.append(("N", nk))
                add.append(("n", nk, None))
            add.append(("N", nk))
        buckets = self._b
        seen: set[int] = set()
        best = None
        for key in probe:
            for other_row, other in buckets.get(key, ()):
                if other_row in seen:
                    continue
                seen.add(other_row)
                match = score(values, other)
                if best is None or match.score > best[1].score:
                    best = (other_row, match)
        self.pairs += len(seen)
        entry = (row, _Rec(values))
        for key in add:
            buckets[key].append(entry)
        return best


class BulkChecker:
    """PROTOTYPE. ``beneficiaries.importers.parse_row`` for many rows: the same values, keys and
    problems, with every pure per-value step (address conversion, name casing/splitting/folding/
    collation, date parsing, phone, CMND, groups, sex) computed once per distinct value, and the
    commune list held in memory. A row any check refuses goes through the app's own
    ``person_check``, so error messages are the app's. Also returns the checked person (keys
    included), which the set-based commit inserts as is."""

    def __init__(self, unit: Any) -> None:
        from nhandao.core.dates import today_vn
        from nhandao.geo.models import Ward
        from nhandao.people.models import Sex

        self.unit = unit
        self.unit_ward = getattr(unit, "ward_id", None)
        self.wards = set(Ward.objects.values_list("code", flat=True))
        self.year = today_vn().year
        self.sexes = frozenset(Sex.values)
        self.memo: dict[str, dict[Any, Any]] = defaultdict(dict)
        self.sep = _sort_sep()
        self.f = _Funcs()

    def _address(self, text: str) -> tuple[Any, ...]:
        """``convert_address`` once per distinct address. (Not per distinct administrative part:
        the part before the commune changes the app's answer for some addresses, e.g. "Thôn Phú
        Lộc, Xã Nam Đông, Thành phố Huế" is read as the old "Thị trấn Phú Lộc".)"""
        from nhandao.core.text import nfc
        from nhandao.geo import legacy

        place = legacy.convert_address(text)
        if place.ward_code:
            original = text if place.was_legacy else ""
            return (place.ward_code, place.detail, original, None, nfc(place.detail)[:255])
        original = text if (place.was_legacy or place.note) else ""
        return (None, text, original, place.note or None, nfc(text)[:255])

    def _name(self, raw: str) -> tuple[Any, ...] | None:
        from nhandao.core.text import collation_key, fold, nfc, split_name, title_name

        full = title_name(nfc(raw))
        if len(full) < 2 or len(full) > 150:
            return None
        if any(c in full for c in "<>{}") or any(c.isdigit() for c in full):
            return None
        parts = split_name(full)
        coll = (
            collation_key(parts.given),
            collation_key(parts.middle),
            collation_key(parts.family),
        )
        return (full, parts, fold(full), fold(parts.given), coll)

    def _birth(self, value: Any) -> Any:
        from nhandao.core.dates import InvalidDate, parse_date

        try:
            return parse_date(value)
        except InvalidDate:
            return None

    def _phone(self, raw: str) -> str | None:
        from nhandao.core.phone import InvalidPhone, normalize_phone

        try:
            return normalize_phone(raw)
        except InvalidPhone:
            return None

    def _legacy(self, raw: str) -> str | None:
        from nhandao.core.idnumber import check_legacy_id

        result = check_legacy_id(raw)
        return None if result.errors else result.normalized

    def parse(self, cells: dict[str, Any]) -> tuple[Any, ...]:
        """(stored values, natural key, problems, match values or None, checked person).

        Cells come from the reader already NFC, trimmed and with whitespace collapsed, so the
        ``nfc`` that ``person_check`` applies to them is the identity and is skipped."""
        f = self.f
        memo = self.memo
        text = f.text
        problems: list[Any] = []
        address_text = text(cells.get("address"))
        ward_id, detail, original, detail_nfc = self.unit_ward, address_text, "", None
        if address_text:
            found = memo["address"].get(address_text, _MISS)
            if found is _MISS:
                found = memo["address"][address_text] = self._address(address_text)
            ward, a_detail, original, note, a_nfc = found
            if ward:
                ward_id, detail, detail_nfc = ward, a_detail, a_nfc
            elif note:
                problems.append(f.Problem("address", note, "warning"))
        id_cell = cells.get("id_number")
        ids = memo["ids"].get(id_cell, _MISS)
        if ids is _MISS:
            ids = memo["ids"][id_cell] = f.ids(text(id_cell))
        id_raw, legacy_raw = ids
        birth_cell = cells.get("birth")
        birth_in: Any = (
            birth_cell if isinstance(birth_cell, (int, float, dt.date)) else text(birth_cell)
        )
        sex_text = text(cells.get("sex"))
        sex = memo["sex"].get(sex_text, _MISS)
        if sex is _MISS:
            sex = memo["sex"][sex_text] = f.SEX_WORDS.get(f.fold(sex_text), "")
        full_raw = text(cells.get("full_name"))
        legacy_in = legacy_raw or text(cells.get("legacy_id"))
        phone_in = text(cells.get("phone"))
        source_ref = text(cells.get("source_ref"))
        # The fast path: every check passes (the same checks, in person_check's order).
        name = memo["name"].get(full_raw, _MISS)
        if name is _MISS:
            name = memo["name"][full_raw] = self._name(full_raw)
        birth = None
        if birth_in:
            birth = memo["birth"].get(birth_in, _MISS)
            if birth is _MISS:
                birth = memo["birth"][birth_in] = self._birth(birth_in)
        ok = name is not None and (birth is not None or not birth_in)
        warnings: tuple[str, ...] | list[str] = ()
        id_number = legacy_id = phone = ""
        sex_ok = sex if sex in self.sexes else ""
        if ok and id_raw.strip():
            day = birth is not None and birth.precision == "day"
            check = f.check_citizen_id(
                id_raw,
                birth_date=birth.value if day else None,
                birth_year=birth.year if birth and not day else None,
                sex=sex_ok or None,
            )
            ok = not check.errors
            warnings, id_number = check.warnings, check.normalized
        if ok and legacy_in.strip():
            legacy_id = memo["legacy"].get(legacy_in, _MISS)
            if legacy_id is _MISS:
                legacy_id = memo["legacy"][legacy_in] = self._legacy(legacy_in) or ""
            ok = bool(legacy_id)
        if ok and phone_in.strip():
            phone = memo["phone"].get(phone_in, _MISS)
            if phone is _MISS:
                phone = memo["phone"][phone_in] = self._phone(phone_in) or ""
            ok = bool(phone)
        if ok and ward_id is not None and ward_id not in self.wards:
            ok = False
        if ok:
            assert name is not None
            full, parts, name_key, given_key, coll = name
            birth_date = birth.value if birth else None
            birth_part = (
                "99999999"
                if birth_date is None
                else f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
            )
            values: dict[str, Any] = {
                "full_name": full,
                "family_name": parts.family,
                "middle_name": parts.middle,
                "given_name": parts.given,
                "birth_date": birth_date,
                "birth_precision": str(birth.precision) if birth else "",
                "sex": sex_ok,
                "id_number": id_number,
                "legacy_id": legacy_id,
                "phone": phone,
                "ward_id": ward_id,
                "address_detail": detail_nfc if detail_nfc is not None else detail[:255],
                "address_original": original[:500],
                "source_ref": source_ref[:120],
                "name_key": name_key,
                "sort_key": self.sep.join((*coll, birth_part)),
                "key_name_year": f"{name_key}|{birth_date.year if birth_date else ''}",
                "key_given_ward": f"{given_key}|{ward_id}" if ward_id else "",
            }
            for w in warnings:
                problems.append(f.Problem("id_number", w, "warning"))
        else:
            values = self._slow(
                full_raw, birth_in, sex, id_raw, legacy_in, phone_in, ward_id, detail, original,
                source_ref, problems,
            )  # fmt: skip
        groups_text = text(cells.get("groups"))
        groups = memo["groups"].get(groups_text, _MISS)
        if groups is _MISS:
            groups = memo["groups"][groups_text] = _groups(groups_text, self.year)
        birth_date = values.get("birth_date")
        circumstances = text(cells.get("circumstances"))[:5000]
        stored = {
            "person": {
                "full_name": full_raw,
                "birth": birth_date.isoformat() if birth_date else "",
                "birth_precision": values.get("birth_precision", ""),
                "sex": sex,
                "id_number": values.get("id_number", ""),
                "legacy_id": values.get("legacy_id", ""),
                "phone": values.get("phone", ""),
                "ward_id": ward_id,
                "address_detail": detail,
                "address_original": original,
                "source_ref": source_ref,
            },
            "groups": groups,
            "circumstances": circumstances,
        }
        checked = None
        if values:
            checked = {k: v for k, v in values.items() if k not in _CHECKED_SKIP}
            checked["circumstances"] = (
                circumstances if len(circumstances) < 5000 else f.nfc(circumstances)
            )
        return stored, f.natural_key(values, source_ref), problems, (values or None), checked

    def _slow(
        self,
        full_raw: str,
        birth_in: Any,
        sex: str,
        id_raw: str,
        legacy_in: str,
        phone_in: str,
        ward_id: Any,
        detail: str,
        original: str,
        source_ref: str,
        problems: list[Any],
    ) -> dict[str, Any]:
        from nhandao.core.errors import ApplicationError
        from nhandao.imports.spec import Problem
        from nhandao.people import services as people

        data = people.PersonData(
            full_name=full_raw,
            birth=birth_in or None,
            sex=sex,
            id_number=id_raw,
            legacy_id=legacy_in,
            phone=phone_in,
            ward_id=ward_id,
            address_detail=detail,
            address_original=original,
            source_ref=source_ref,
        )
        try:
            checked = people.person_check(data)
        except ApplicationError as exc:
            problems.append(Problem(exc.field or "full_name", exc.message))
            return {}
        problems += [Problem("id_number", w, "warning") for w in checked.warnings]
        return checked.values


_MISS = object()


class _Funcs:
    """The app's helpers the hot loop calls, looked up once."""

    def __init__(self) -> None:
        from nhandao.beneficiaries import importers
        from nhandao.core.idnumber import check_citizen_id
        from nhandao.core.text import fold, nfc
        from nhandao.imports.spec import Problem

        self.text = importers._text
        self.ids = importers._ids
        self.natural_key = importers.natural_key
        self.SEX_WORDS = importers.SEX_WORDS
        self.check_citizen_id = check_citizen_id
        self.fold = fold
        self.nfc = nfc
        self.Problem = Problem


_CHECKED_SKIP = {"birth_date", "birth_precision", "sex", "id_number", "legacy_id", "phone"}


@functools.cache
def _sort_sep() -> str:
    from nhandao.core.text import person_sort_key

    # person_sort_key joins three collation keys and the birth part: "" + sep×3 + "99999999".
    seps = person_sort_key(given="", middle="", family="", birth=None).removesuffix("99999999")
    return seps[: len(seps) // 3]


def _groups(text: str, year: int) -> list[dict[str, Any]]:
    from nhandao.beneficiaries.groups import POVERTY_GROUPS
    from nhandao.beneficiaries.importers import parse_groups

    return [
        {
            "code": g,
            "year": year if g in POVERTY_GROUPS else None,
            "standard": "2022–2025" if g in POVERTY_GROUPS else "",
        }
        for g in parse_groups(text)
    ]


def _birth_display(birth: dt.date | None, precision: str) -> str:
    if birth is None:
        return ""
    if precision == "year":
        return f"{birth.year}"
    if precision == "month":
        return f"{birth:%m/%Y}"
    return f"{birth:%d/%m/%Y}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Sql:
    """PROTOTYPE. The few vendor differences of the set-based SQL (PostgreSQL / SQLite)."""

    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def j(self, col: str, *path: str) -> str:
        if self.pg:
            return f"({col} #>> '{{{','.join(path)}}}')"
        return f"json_extract({col}, '$.{'.'.join(path)}')"

    def year(self, col: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM {col}) AS integer)"
        return f"CAST(strftime('%%Y', {col}) AS integer)"

    def date(self, expr: str) -> str:
        return f"CAST(NULLIF({expr}, '') AS date)" if self.pg else f"NULLIF({expr}, '')"

    def int(self, expr: str) -> str:
        return f"CAST({expr} AS integer)" if self.pg else expr


def _bulk_load(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start : start + 20_000])


class ProtoImport:
    """PROTOTYPE, NOT THE APP'S CODE: the staged pipeline (upload → mapping → validate → commit)
    with the same models, statuses, messages and outcome as ``nhandao.imports.services``, done
    set-based:

    * upload reads only the first rows (header detection), the full file is read once, in
      validation; the job keeps the file as the app's does;
    * validation: :class:`BulkChecker` (checks memoised per distinct value), in-file duplicates by
      :class:`ProtoIndex`, then one staging table of keys joined in SQL against the registry:
      "already imported" (natural keys in the unit's subtree) and registry matching (candidates
      sharing a blocking key, scored by the app's ``score``; top 3 in scope, a count outside);
      ImportRows written in one COPY; progress saved every ``PROTO_BATCH`` rows;
    * commit: in one transaction, "already imported" re-checked in SQL, then persons,
      beneficiaries and group memberships inserted with INSERT … SELECT from the ImportRows' JSON,
      ids drawn from the sequences, ImportRow.result_id set in one UPDATE, one summary audit event
      for the job (plus, with ``audit_rows``, one event per person and per profile, set-based).
    """

    def __init__(self, env: Env, meter: Meter | None = None, audit_rows: bool = False) -> None:
        self.env = env
        self.meter = meter or Meter()
        self.audit_rows = audit_rows
        self.stats: dict[str, Any] = {}

    # --- upload and mapping ------------------------------------------------------------------

    def upload(self, filename: str, data: bytes) -> Any:
        from nhandao.beneficiaries.importers import COLUMNS
        from nhandao.core.audit import audit_record
        from nhandao.core.errors import ApplicationError
        from nhandao.core.models import AuditEvent
        from nhandao.imports.headers import apply_mapping, find_header, shape_signature
        from nhandao.imports.models import ImportJob, JobStatus, SavedMapping
        from nhandao.orgs.permissions import can

        m = self.meter
        actor, unit = _actor(self.env), self.env.unit
        if not can(actor, "data.import", unit):
            raise ApplicationError("no permission")
        with m.phase("read"):
            rows = proto_read(data, filename, max_rows=60)
        with m.phase("header"):
            match = find_header(rows, COLUMNS, filename=filename)
        signature = shape_signature(match.header_texts)
        mapping = dict(match.mapping)
        saved = SavedMapping.objects.filter(unit=unit, kind=KIND, signature=signature).first()
        if saved is not None:
            mapping = apply_mapping(match.header_texts, saved.mapping) or mapping
        job = ImportJob.objects.create(
            unit=unit,
            kind=KIND,
            filename=filename[:255],
            content=data,
            header_row=match.header_row,
            mapping={str(k): v for k, v in mapping.items()},
            signature=signature,
            created_by=actor,
            status=JobStatus.MAPPING,
        )
        audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            obj=job,
            unit_path=unit.path,
            changes={"file": [None, filename], "kind": [None, KIND]},
        )
        self.header_texts = match.header_texts
        return job

    def set_mapping(self, job: Any, mapping: dict[int, str]) -> Any:
        from nhandao.imports.headers import mapping_to_remember
        from nhandao.imports.models import JobStatus, SavedMapping

        SavedMapping.objects.update_or_create(
            unit=job.unit,
            kind=KIND,
            signature=job.signature,
            defaults={"mapping": mapping_to_remember(self.header_texts, mapping)},
        )
        job.mapping = {str(k): v for k, v in mapping.items()}
        job.status = JobStatus.VALIDATING
        job.processed_rows = 0
        job.save(update_fields=["mapping", "status", "processed_rows", "updated_at"])
        return job

    # --- validation --------------------------------------------------------------------------

    def validate(self, job_id: int) -> Any:
        """Run with ``matching.score``'s gettext memoised: it translates the same few reason
        strings for every candidate pair (the language does not change during a job)."""
        from nhandao.people import matching

        gettext = matching._
        matching._ = functools.cache(gettext)  # type: ignore[assignment]
        gc_was_on = gc.isenabled()
        gc.disable()  # millions of acyclic row objects: full collections only cost time
        try:
            return self._validate(job_id)
        finally:
            matching._ = gettext  # type: ignore[assignment]
            if gc_was_on:
                gc.enable()

    def _validate(self, job_id: int) -> Any:
        from django.db import connection

        from nhandao.beneficiaries.importers import COLUMNS
        from nhandao.imports.headers import data_rows, find_header
        from nhandao.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
        from nhandao.imports.readers import column_letter
        from nhandao.imports.services import IN_FILE_DUPLICATE, _jsonable
        from nhandao.people.matching import score

        m = self.meter
        job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
        with m.phase("read"):
            table = proto_read(bytes(job.content), job.filename)
        with m.phase("header"):
            match = find_header(table, COLUMNS, filename=job.filename)
            rows = data_rows(table, match)
        del table
        ImportRow.objects.filter(job=job).delete()
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
        mapping = {int(k): v for k, v in job.mapping.items()}
        column_of = {name: column_letter(col) for col, name in mapping.items()}
        checker = BulkChecker(job.unit)
        index = ProtoIndex()
        first_by_key: dict[str, int] = {}
        n = len(rows)
        status = [""] * n
        dup_of: list[int | None] = [None] * n
        problems: list[list[dict[str, str]]] = [[] for _ in range(n)]
        nks: list[str] = [""] * n
        raws: list[str] = [""] * n
        values_json: list[str] = [""] * n
        recs: list[dict[str, Any] | None] = [None] * n
        wants: list[int] = []
        ok, warning, error, duplicate = (
            RowStatus.OK.value,
            RowStatus.WARNING.value,
            RowStatus.ERROR.value,
            RowStatus.DUPLICATE.value,
        )
        safe = (str, int, float, bool, type(None))
        for start in range(0, n, PROTO_BATCH):
            end = min(start + PROTO_BATCH, n)
            batch_values: list[Any] = [None] * (end - start)
            with m.phase("per-row checks"):
                for i in range(start, end):
                    _number, cells = rows[i]
                    by_field = {
                        name: cells[col] if col < len(cells) else None
                        for col, name in mapping.items()
                    }
                    stored, nk, found, match_values, checked = checker.parse(by_field)
                    row_problems = [p.as_dict(column_of.get(p.field, "")) for p in found]
                    st = ok
                    if any(p["level"] == "error" for p in row_problems):
                        st = error
                    elif row_problems:
                        st = warning
                    if checked is not None:
                        stored["checked"] = checked
                    values_json[i] = _json(stored)
                    raws[i] = _json(
                        cells
                        if all(type(c) in safe for c in cells)
                        else list(map(_jsonable, cells))
                    )
                    status[i], problems[i], nks[i] = st, row_problems, nk[:200]
                    batch_values[i - start] = match_values
            with m.phase("in-file duplicates"):
                for i in range(start, end):
                    st, nk, excel_row = status[i], nks[i], rows[i][0]
                    if st != error and nk:
                        if nk in first_by_key:
                            st = duplicate
                            dup_of[i] = first_by_key[nk]
                        else:
                            first_by_key[nk] = excel_row
                    match_values = batch_values[i - start]
                    if st in (ok, warning) and match_values:
                        same = index.check(excel_row, match_values, score)
                        if same is not None and same[1].score >= IN_FILE_DUPLICATE:
                            st = duplicate
                            dup_of[i] = same[0]
                            problems[i].append(
                                {
                                    "field": "full_name",
                                    "column": "",
                                    "level": "warning",
                                    "message": IN_FILE_MESSAGE
                                    % {"row": same[0], "why": ", ".join(same[1].reasons)},
                                }
                            )
                        if st in (ok, warning):
                            wants.append(i)
                            recs[i] = match_values
                    status[i] = st
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=min(start + PROTO_BATCH, n))
        self.stats["in_file_pairs"] = index.pairs
        self.stats["distinct"] = {k: len(v) for k, v in checker.memo.items()}
        numbers = [r for r, _cells in rows]
        del rows
        with connection.cursor() as cursor:
            with m.phase("staging keys"):
                self._stage(cursor, numbers, nks, first_by_key, recs, status)
            with m.phase("already imported"):
                existing = self._existing(cursor, job.unit.path)
            with m.phase("registry matching"):
                matches = self._matches(cursor, numbers, recs, wants, job.created_by)
            cursor.execute("DROP TABLE proto_keys")
        existing_status = RowStatus.EXISTING.value
        for i in range(n):
            if status[i] != error and nks[i] in existing:
                status[i] = existing_status
        with m.phase("store rows"):
            out = [
                (
                    job.pk, numbers[i], raws[i], values_json[i], nks[i], status[i],
                    _json(problems[i]), _json(matches.get(i, [])), dup_of[i],
                )
                for i in range(n)
            ]  # fmt: skip
            del raws, values_json
            with connection.cursor() as cursor:
                _bulk_load(cursor, "imports_importrow", ROW_COLUMNS, out)
            del out
        with m.phase("counts"):
            counts = {s.value: 0 for s in RowStatus}
            for st in status:
                counts[st] += 1
            counts["with_matches"] = sum(1 for v in matches.values() if v)
            counts["total"] = n
            ImportJob.objects.filter(pk=job.pk).update(
                counts=counts, status=JobStatus.VALIDATED, processed_rows=n
            )
        self.stats["rows"] = n
        return ImportJob.objects.get(pk=job.pk)

    def _stage(
        self,
        cursor: Any,
        numbers: list[int],
        nks: list[str],
        first_by_key: dict[str, int],
        recs: list[dict[str, Any] | None],
        status: list[str],
    ) -> None:
        cursor.execute(
            "CREATE TEMP TABLE proto_keys (i integer, row_number integer, wants boolean, "
            "id_number text, legacy_id text, phone text, key_name_year text, "
            "key_given_ward text, name_key text, year integer, nk text, ref text, idn text, "
            "nb_name text, nb_rest text)"
        )
        staged = []
        firsts = set(first_by_key.values())
        for i, rec in enumerate(recs):
            nk = nks[i]
            first = nk and numbers[i] in firsts and first_by_key.get(nk) == numbers[i]
            if rec is None and not first:
                continue
            ref = nk[4:] if first and nk.startswith("ref:") else ""
            idn = nk[3:] if first and nk.startswith("id:") else ""
            nb_name, nb_rest = "", ""
            if first and nk.startswith("nb:"):
                nb_name, _sep, rest = nk[3:].partition("|")
                nb_rest = "|" + rest
            if rec is not None:
                birth = rec.get("birth_date")
                staged.append(
                    (
                        i, numbers[i], True, rec["id_number"], rec["legacy_id"], rec["phone"],
                        rec["key_name_year"], rec["key_given_ward"], rec["name_key"],
                        birth.year if birth else None, nk if first else "", ref, idn, nb_name,
                        nb_rest,
                    )
                )  # fmt: skip
            else:
                staged.append(
                    (i, numbers[i], False, "", "", "", "", "", "", None, nk, ref, idn, nb_name,
                     nb_rest)
                )  # fmt: skip
        columns = [
            "i", "row_number", "wants", "id_number", "legacy_id", "phone", "key_name_year",
            "key_given_ward", "name_key", "year", "nk", "ref", "idn", "nb_name", "nb_rest",
        ]  # fmt: skip
        _bulk_load(cursor, "proto_keys", columns, staged)
        cursor.execute("ANALYZE proto_keys")
        self.stats["staged_keys"] = len(staged)

    def _existing(self, cursor: Any, path: str) -> set[str]:
        """Natural keys already stored under the unit (``importers.existing_keys``, joined)."""
        base = (
            "SELECT k.nk FROM proto_keys k JOIN people_person p ON {on} "
            "JOIN beneficiaries_beneficiary b ON b.person_id = p.id "
            "JOIN orgs_unit u ON u.id = p.unit_id WHERE {where} AND u.path LIKE %s"
        )
        nb_rest = (
            "'|' || COALESCE(CAST(p.birth_date AS text), '') || '|' || "
            "COALESCE(CAST(p.ward_id AS text), '')"
        )
        parts = [
            base.format(on="p.source_ref = k.ref", where="k.ref <> ''"),
            base.format(on="p.id_number = k.idn", where="k.idn <> ''"),
            base.format(
                on=f"p.name_key = k.nb_name AND {nb_rest} = k.nb_rest", where="k.nb_name <> ''"
            ),
        ]
        cursor.execute(" UNION ".join(parts), [path + "%"] * 3)
        return {nk for (nk,) in cursor.fetchall()}

    def _matches(
        self,
        cursor: Any,
        numbers: list[int],
        recs: list[dict[str, Any] | None],
        wants: list[int],
        user: Any,
    ) -> dict[int, list[dict[str, Any]]]:
        """Registry candidates sharing a blocking key (``matching.blocking_filter``'s keys; name
        and given name+commune kept to the same birth year as in :class:`ProtoIndex`), scored by
        the app's ``score``: top 3 in the user's scope, and how many more outside it."""
        from nhandao.orgs.permissions import scope_paths_for
        from nhandao.people.matching import SHOW_THRESHOLD, score

        if not wants:
            return {}
        sql = _Sql(cursor.db.vendor)
        pyear = sql.year("p.birth_date")
        joins = [
            "p.id_number = k.id_number AND k.id_number <> ''",
            "p.legacy_id = k.legacy_id AND k.legacy_id <> ''",
            "p.phone = k.phone AND k.phone <> ''",
            "p.key_name_year = k.key_name_year AND k.key_name_year NOT LIKE '%%|'",
            "p.key_given_ward = k.key_given_ward AND k.key_given_ward <> '' AND "
            f"(k.year IS NULL OR p.birth_date IS NULL OR {pyear} = k.year)",
            "p.name_key = k.name_key AND k.name_key <> '' AND "
            "(k.year IS NULL OR p.birth_date IS NULL)",
        ]
        pairs = " UNION ".join(
            "SELECT k.i, p.id AS pid FROM proto_keys k JOIN people_person p ON "  # noqa: S608
            f"{on} WHERE k.wants AND p.merged_into_id IS NULL"
            for on in joins
        )
        cursor.execute(
            "SELECT c.i, p.id, p.full_name, p.name_key, p.birth_date, p.birth_precision, "  # noqa: S608
            "p.id_number, p.legacy_id, p.phone, p.ward_id, u.path, u.name "
            f"FROM ({pairs}) c JOIN people_person p ON p.id = c.pid "
            "JOIN orgs_unit u ON u.id = p.unit_id ORDER BY c.i, p.id"
        )
        scope = scope_paths_for(user)
        people: dict[int, tuple[_Rec, str, str, str, str]] = {}
        found: dict[int, list[tuple[Any, int, bool]]] = defaultdict(list)
        pairs_n = 0
        while batch := cursor.fetchmany(10_000):
            for i, pid, full, nk, birth, prec, idn, leg, phone, ward, path, unit_name in batch:
                pairs_n += 1
                person = people.get(pid)
                if person is None:
                    if isinstance(birth, str):
                        birth = dt.date.fromisoformat(birth)
                    rec = _Rec(
                        {
                            "name_key": nk,
                            "birth_date": birth,
                            "birth_precision": prec,
                            "id_number": idn,
                            "legacy_id": leg,
                            "phone": phone,
                            "ward_id": ward,
                        }
                    )
                    inside = scope is None or any(path.startswith(s) for s in scope)
                    display = _birth_display(birth, prec)
                    person = people[pid] = (rec, full, display, unit_name, "1" if inside else "")
                match = score(recs[i], person[0])
                if match.score >= SHOW_THRESHOLD:
                    found[i].append((match, pid, bool(person[4])))
        self.stats["registry_pairs"] = pairs_n
        result: dict[int, list[dict[str, Any]]] = {}
        for i, items in found.items():
            inside = sorted((x for x in items if x[2]), key=lambda x: -x[0].score)
            outside = sum(1 for x in items if not x[2])
            rows = [
                {
                    "id": pid,
                    "name": people[pid][1],
                    "birth": people[pid][2],
                    "unit": people[pid][3],
                    "score": round(match.score, 2),
                    "reasons": match.reasons,
                }
                for match, pid, _in in inside[:3]
            ]
            if outside:
                rows.append({"outside_scope": outside})
            if rows:
                result[i] = rows
        return result

    # --- commit ------------------------------------------------------------------------------

    def commit(self, job: Any) -> Any:
        from django.db import connection, transaction
        from django.utils import timezone

        from nhandao.core.audit import audit_record
        from nhandao.core.errors import ApplicationError
        from nhandao.core.models import AuditEvent
        from nhandao.imports.models import ImportJob, ImportRow, JobStatus, RowStatus
        from nhandao.orgs.permissions import can

        m = self.meter
        actor = _actor(self.env)
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("unit").get(pk=job.pk)
            if not can(actor, "data.import", job.unit):
                raise ApplicationError("no permission")
            if job.status != JobStatus.VALIDATED:
                raise ApplicationError("not validated")
            sql = _Sql(connection.vendor)
            wanted = [RowStatus.OK.value, RowStatus.WARNING.value]
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                with m.phase("already imported"):
                    self._recheck_existing(cursor, job, wanted)
                with m.phase("allocate ids"):
                    self._allocate(cursor, sql, job.pk, wanted)
                with m.phase("insert persons"):
                    written = self._insert_people(cursor, sql, job, actor, now)
                with m.phase("insert profiles"):
                    self._insert_profiles(cursor, sql, job, now)
                with m.phase("set result ids"):
                    cursor.execute(
                        "UPDATE imports_importrow SET result_id = c.ben_id FROM proto_commit c "
                        "WHERE imports_importrow.id = c.row_id"
                    )
                if self.audit_rows:
                    with m.phase("audit per row"):
                        self._audit_rows(cursor, sql, job, actor, now)
                cursor.execute("DROP TABLE proto_commit")
            with m.phase("counts"):
                counts = {s.value: 0 for s in RowStatus}
                for st, k in (
                    ImportRow.objects.filter(job=job).values_list("status").annotate(_n=_count())
                ):
                    counts[st] = k
                counts["with_matches"] = ImportRow.objects.filter(job=job).exclude(matches=[])
                counts["with_matches"] = counts["with_matches"].count()
                counts["total"] = sum(counts[s.value] for s in RowStatus)
            job.status = JobStatus.COMMITTED
            job.committed_at = timezone.now()
            job.counts = {**counts, "written": written}
            job.save(update_fields=["status", "committed_at", "counts", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=job,
                unit_path=job.unit.path,
                changes={"written": [None, written], "file": [None, job.filename]},
            )
            m.push("transaction commit")
        m.pop()
        return job

    def _recheck_existing(self, cursor: Any, job: Any, wanted: list[str]) -> None:
        rows_of = (
            "SELECT r.id FROM imports_importrow r JOIN people_person p ON {on} "
            "JOIN beneficiaries_beneficiary b ON b.person_id = p.id "
            "JOIN orgs_unit u ON u.id = p.unit_id "
            "WHERE r.job_id = %s AND r.status IN (%s, %s) AND r.natural_key LIKE {like} "
            "AND u.path LIKE %s"
        )
        pos = "strpos" if cursor.db.vendor == "postgresql" else "instr"
        nb = (
            f"p.name_key = substr(r.natural_key, 4, {pos}(r.natural_key, '|') - 4) AND "
            "r.natural_key = 'nb:' || p.name_key || '|' || COALESCE(CAST(p.birth_date AS text), "
            "'') || '|' || COALESCE(CAST(p.ward_id AS text), '')"
        )
        parts = [
            rows_of.format(on="p.source_ref = substr(r.natural_key, 5)", like="'ref:%%'"),
            rows_of.format(on="p.id_number = substr(r.natural_key, 4)", like="'id:%%'"),
            rows_of.format(on=nb, like="'nb:%%'"),
        ]
        params = [job.pk, *wanted, job.unit.path + "%"] * 3
        cursor.execute(
            "UPDATE imports_importrow SET status = 'existing' "  # noqa: S608
            f"WHERE id IN ({' UNION '.join(parts)})",
            params,
        )
        self.stats["existing_at_commit"] = cursor.rowcount

    def _allocate(self, cursor: Any, sql: _Sql, job_id: int, wanted: list[str]) -> None:
        if sql.pg:
            ids = (
                "nextval(pg_get_serial_sequence('people_person', 'id')) AS person_id, "
                "nextval(pg_get_serial_sequence('beneficiaries_beneficiary', 'id')) AS ben_id"
            )
        else:
            ids = (
                "(SELECT COALESCE(MAX(id), 0) FROM people_person) + ROW_NUMBER() OVER "
                "(ORDER BY r.row_number) AS person_id, (SELECT COALESCE(MAX(id), 0) FROM "
                "beneficiaries_beneficiary) + ROW_NUMBER() OVER (ORDER BY r.row_number) AS ben_id"
            )
        cursor.execute(
            "CREATE TEMP TABLE proto_commit AS SELECT r.id AS row_id, r.row_number, "  # noqa: S608
            f'r."values" AS v, {ids} FROM imports_importrow r '
            "WHERE r.job_id = %s AND r.status IN (%s, %s) ORDER BY r.row_number",
            [job_id, *wanted],
        )

    def _insert_people(self, cursor: Any, sql: _Sql, job: Any, actor: Any, now: Any) -> int:
        j = functools.partial(sql.j, "v")
        text_fields = [
            ("full_name", ("checked", "full_name")),
            ("family_name", ("checked", "family_name")),
            ("middle_name", ("checked", "middle_name")),
            ("given_name", ("checked", "given_name")),
            ("birth_precision", ("person", "birth_precision")),
            ("sex", ("person", "sex")),
            ("id_number", ("person", "id_number")),
            ("legacy_id", ("person", "legacy_id")),
            ("phone", ("person", "phone")),
            ("address_detail", ("checked", "address_detail")),
            ("address_original", ("checked", "address_original")),
            ("source_ref", ("checked", "source_ref")),
            ("name_key", ("checked", "name_key")),
            ("sort_key", ("checked", "sort_key")),
            ("key_name_year", ("checked", "key_name_year")),
            ("key_given_ward", ("checked", "key_given_ward")),
        ]
        columns = [c for c, _p in text_fields] + [
            "id", "unit_id", "created_by_id", "birth_date", "ward_id", "created_at", "updated_at",
        ]  # fmt: skip
        exprs = [j(*p) for _c, p in text_fields] + [
            "person_id", "%s", "%s", sql.date(j("person", "birth")),
            sql.int(j("person", "ward_id")), "%s", "%s",
        ]  # fmt: skip
        cursor.execute(
            f"INSERT INTO people_person ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(exprs)} FROM proto_commit",
            [job.unit_id, actor.pk, now, now],
        )
        return int(cursor.rowcount)

    def _insert_profiles(self, cursor: Any, sql: _Sql, job: Any, now: Any) -> None:
        cursor.execute(
            "INSERT INTO beneficiaries_beneficiary (id, person_id, unit_id, circumstances, "  # noqa: S608
            "status, verification, photo, created_at, updated_at) "
            f"SELECT ben_id, person_id, %s, {sql.j('v', 'checked', 'circumstances')}, "
            "'active', 'pending', '', %s, %s FROM proto_commit",
            [job.unit_id, now, now],
        )
        if sql.pg:
            groups = (
                "SELECT c.ben_id, g ->> 'code', CAST(g ->> 'year' AS integer), g ->> 'standard' "
                "FROM proto_commit c, jsonb_array_elements(c.v -> 'groups') g"
            )
        else:
            groups = (
                "SELECT c.ben_id, json_extract(g.value, '$.code'), json_extract(g.value, "
                "'$.year'), json_extract(g.value, '$.standard') "
                "FROM proto_commit c, json_each(c.v, '$.groups') g"
            )
        cursor.execute(
            "INSERT INTO beneficiaries_groupmembership (beneficiary_id, group_id, year, "
            f"standard) {groups}"
        )

    def _audit_rows(self, cursor: Any, sql: _Sql, job: Any, actor: Any, now: Any) -> None:
        changes = _json({"import_job": [None, job.pk]})
        for object_type, id_col in (("people.person", "person_id"), ("beneficiaries.beneficiary", "ben_id")):  # fmt: skip  # noqa: E501
            cursor.execute(
                "INSERT INTO core_auditevent (at, actor_id, actor_label, action, object_type, "  # noqa: S608
                "object_id, object_repr, unit_path, changes) "
                f"SELECT %s, %s, %s, 'create', %s, CAST({id_col} AS text), "
                f"{sql.j('v', 'checked', 'full_name')}, %s, %s FROM proto_commit",
                [now, actor.pk, actor.get_username(), object_type, job.unit.path, changes],
            )


def _count() -> Any:
    from django.db.models import Count

    return Count("id")


ROW_COLUMNS = [
    "job_id", "row_number", "raw", '"values"', "natural_key", "status", "problems", "matches",
    "duplicate_of_row",
]  # fmt: skip


def run_prototype(env: Env, data: bytes, filename: str, header: list[str], meter: Meter,
                  audit_rows: bool = False) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    proto = ProtoImport(env, meter, audit_rows=audit_rows)
    with meter.phase("upload"):
        job = proto.upload(filename, data)
    with meter.phase("mapping"):
        job = proto.set_mapping(job, _chosen_mapping(job.mapping, header))
    with meter.phase("validate"):
        job = proto.validate(job.pk)
    with meter.phase("commit"):
        job = proto.commit(job)
    return job, proto.stats


# =================================================================================================
# Baselines, outcome digests, profiles
# =================================================================================================


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


def digest(job: Any) -> dict[str, Any]:
    """What an import decided and wrote, keyed so that two runs can be compared row by row."""
    from nhandao.beneficiaries.models import GroupMembership
    from nhandao.imports.models import ImportRow
    from nhandao.people.models import Person

    fields = [
        "full_name", "family_name", "middle_name", "given_name", "birth_date", "birth_precision",
        "sex", "id_number", "legacy_id", "phone", "ward_id", "address_detail", "address_original",
        "name_key", "sort_key", "key_name_year", "key_given_ward", "beneficiary__circumstances",
    ]  # fmt: skip
    ref_of = dict(Person.objects.values_list("id", "source_ref"))
    groups: dict[int, list[Any]] = defaultdict(list)
    for pid, code, year, standard in GroupMembership.objects.values_list(
        "beneficiary__person_id", "group_id", "year", "standard"
    ):
        groups[pid].append([code, year, standard])
    persons = {}
    for pid, ref, *values in Person.objects.values_list("id", "source_ref", *fields):
        persons[ref] = [str(v) if isinstance(v, dt.date) else v for v in values]
        persons[ref].append(sorted(groups.get(pid, [])))
    rows = {}
    for number, status, dup, nk, matches, problems in ImportRow.objects.filter(job=job).values_list(
        "row_number", "status", "duplicate_of_row", "natural_key", "matches", "problems"
    ):
        ids = sorted(ref_of.get(m["id"], "?") for m in matches if "id" in m)
        outside = next((m["outside_scope"] for m in matches if "outside_scope" in m), 0)
        messages = sorted(p["message"] for p in problems)
        rows[str(number)] = [status, dup, nk, ids, outside, messages]
    return {"rows": rows, "persons": persons}


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Row by row: how many ImportRows and written persons agree, and a few examples."""
    parts = ["status", "duplicate_of", "natural_key", "matches", "outside_scope", "problems"]
    differ: Counter[str] = Counter()
    examples: list[str] = []
    for number, row in a["rows"].items():
        other = b["rows"].get(number)
        if other is None:
            differ["missing_row"] += 1
            continue
        for name, x, y in zip(parts, row, other, strict=True):
            if x != y:
                differ[name] += 1
                if len(examples) < 6:
                    examples.append(f"row {number} {name}: {x!r} vs {y!r}"[:300])
    person_diff = 0
    for ref, values in a["persons"].items():
        if b["persons"].get(ref) != values:
            person_diff += 1
            if len(examples) < 8:
                examples.append(f"person {ref}: {values!r} vs {b['persons'].get(ref)!r}"[:300])
    person_diff += len(set(b["persons"]) - set(a["persons"]))
    return {
        "rows": len(a["rows"]),
        "rows_identical": sum(1 for n, r in a["rows"].items() if b["rows"].get(n) == r),
        "differ": dict(differ),
        "persons": len(a["persons"]),
        "persons_differ": person_diff,
        "examples": examples,
    }


class Profiles:
    """One cProfile per stage (upload, mapping, validate, commit); a nested stage pauses its
    parent's."""

    def __init__(self) -> None:
        self.profiles: dict[str, cProfile.Profile] = {}
        self._stack: list[cProfile.Profile] = []

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if name not in STAGES:
            yield
            return
        profile = self.profiles.setdefault(name, cProfile.Profile())
        if self._stack:
            self._stack[-1].disable()
        self._stack.append(profile)
        profile.enable()
        try:
            yield
        finally:
            profile.disable()
            self._stack.pop()
            if self._stack:
                self._stack[-1].enable()

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return fn(*args, **kwargs)

        return wrapper

    def top(self, limit: int) -> dict[str, list[dict[str, Any]]]:
        out = {}
        for stage, profile in self.profiles.items():
            stats = pstats.Stats(profile)
            entries = []
            for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in sorted(
                stats.stats.items(),  # type: ignore[attr-defined]
                key=lambda item: -item[1][2],
            )[:limit]:
                short = filename.split("site-packages/")[-1].split("/src/")[-1]
                entries.append(
                    {
                        "fn": f"{short}:{line}({func})",
                        "own_s": round(tottime, 3),
                        "cum_s": round(cumtime, 3),
                        "calls": ncalls,
                    }
                )
            out[stage] = entries
        return out


LEAN_TABLES = (
    "people_person",
    "beneficiaries_beneficiary",
    "beneficiaries_groupmembership",
    "imports_importrow",
)
LEAN_DROP = (
    "imports_importrow_status_",
    "imports_importrow_natural_key_",
    "imports_importrow_job_id_",
    "beneficiaries_groupmembership_beneficiary_id_",
)


@contextlib.contextmanager
def lean_indexes(enabled: bool) -> Iterator[list[str]]:
    """EXPERIMENT for a suggested schema change, undone afterwards: the written tables without
    the ``*_like`` (varchar_pattern_ops) indexes Django adds on PostgreSQL for every indexed
    CharField (no query does LIKE 'x%' on these columns), and ImportRow's single-column indexes
    on status, natural_key and job_id replaced by (job_id, status) and (job_id, natural_key)."""
    if not enabled:
        yield []
        return
    from django.db import connection

    tables = ", ".join(f"'{t}'" for t in LEAN_TABLES)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ({tables})"  # noqa: S608
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                f"AND tbl_name IN ({tables}) AND sql IS NOT NULL"
            )
        dropped = [
            (name, sql)
            for name, sql in cursor.fetchall()
            if name.endswith("_like") or name.startswith(LEAN_DROP)
        ]
        for name, _sql in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("CREATE INDEX bench_row_job_status ON imports_importrow (job_id, status)")
        cursor.execute("CREATE INDEX bench_row_job_key ON imports_importrow (job_id, natural_key)")
    try:
        yield [name for name, _sql in dropped]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_row_job_status")
            cursor.execute("DROP INDEX bench_row_job_key")
            for _name, sql in dropped:
                cursor.execute(sql)


# =================================================================================================
# One run (in a child process)
# =================================================================================================


def _seed_registry(env: Env, csv_path: Path, share: float) -> int:
    """Every 1/share-th row of the list already in the registry (loaded with the prototype)."""
    step = max(1, round(1 / share))
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    subset = [rows[0], *rows[1::step]]
    del rows
    buffer = io.StringIO()
    csv.writer(buffer).writerows(subset)
    data = buffer.getvalue().encode("utf-8-sig")
    proto = ProtoImport(env)
    job = proto.upload("registry.csv", data)
    job = proto.set_mapping(job, _chosen_mapping(job.mapping, subset[0]))
    job = proto.validate(job.pk)
    proto.commit(job)
    return len(subset) - 1


def _summarise(meter: Meter, rows: int, total: float, cpu: float) -> dict[str, Any]:
    phases: dict[str, dict[str, Any]] = {}
    groups = {
        "read": lambda k: k[1] == "read",
        "header": lambda k: k[1] == "header",
        "validation": lambda k: k[0] == "validate" and k[1] not in ("read", "header"),
        "commit": lambda k: k[0] == "commit" and k[1] not in ("read", "header"),
    }
    assigned: set[tuple[str, str]] = set()
    for name, test in groups.items():
        keys = [k for k in meter.wall if test(k)]
        assigned.update(keys)
        phases[name] = {
            "s": sum(meter.wall[k] for k in keys),
            "cpu_s": sum(meter.cpu[k] for k in keys),
            "queries": sum(meter.queries[k] for k in meter.queries if test(k)),
        }
    rest = [k for k in meter.wall if k not in assigned]
    measured = sum(meter.wall.values())
    phases["other"] = {
        "s": sum(meter.wall[k] for k in rest) + max(0.0, total - measured),
        "cpu_s": sum(meter.cpu[k] for k in rest),
        "queries": sum(v for k, v in meter.queries.items() if k not in assigned),
    }
    for p in phases.values():
        p["rows_per_s"] = round(rows / p["s"]) if p["s"] > 0 else None
        p["queries_per_row"] = round(p["queries"] / rows, 2) if rows else None
        p["s"], p["cpu_s"] = round(p["s"], 3), round(p["cpu_s"], 3)
    detail = {
        f"{stage}/{name}": {
            "s": round(meter.wall[(stage, name)], 3),
            "cpu_s": round(meter.cpu[(stage, name)], 3),
            "calls": meter.calls[(stage, name)],
            "queries": meter.queries.get((stage, name), 0),
        }
        for stage, name in sorted(meter.wall, key=lambda k: -meter.wall[k])
    }
    return {"phases": phases, "detail": detail}


def one_run(spec: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from bench import gen_people

    env = _prepare(spec["provinces"])
    path, csv_path = Path(spec["path"]), Path(spec["csv_path"])
    header = list(gen_people.CSV_HEADER)
    result: dict[str, Any] = {
        "db": connection.vendor,
        "pipeline": spec["pipeline"] + ("+lean" if spec.get("lean_indexes") else ""),
        "format": spec["format"],
        "n": spec["n"],
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "mode": spec["mode"],
    }
    if spec["registry_share"] > 0 and spec["mode"] != "probe":
        start = time.perf_counter()
        result["registry_rows"] = _seed_registry(env, csv_path, spec["registry_share"])
        result["registry_seed_s"] = round(time.perf_counter() - start, 2)
    _analyze()
    data = path.read_bytes()
    gc.collect()
    peak_reset = _reset_peak()
    result["base_mb"] = round(_rss_mb() or 0.0, 1)
    result["load_avg_1m"] = round(os.getloadavg()[0], 2)
    meter = Meter()
    profiles = Profiles() if spec["mode"] == "profile" else None
    lean = spec.get("lean_indexes", False)
    with lean_indexes(lean) as dropped:
        result["lean_indexes_dropped"] = dropped
        start, cpu_start = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(meter.count_query):
            try:
                job = _import(spec, env, data, path, header, meter, profiles, result)
            except Exception as exc:  # reported in the table, the other runs go on
                job = None
                result["status"] = "error"
                result["error"] = f"{type(exc).__name__}: {exc}"[:300]
                print(f"ERROR {result['error']}", flush=True)
        total, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    result["peak_mb"] = round(_peak_mb(), 1)
    result["peak_is_per_run"] = peak_reset
    result["seconds"] = round(total, 3)
    result["cpu_s"] = round(cpu, 3)
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    if profiles is not None:
        result["profile"] = profiles.top(spec.get("profile_top", 12))
        result["status"] = "profiled"
        return result
    if job is not None:
        rows = int(job.counts.get("total", 0))
        result["status"] = "ok"
        result["rows"] = rows
        result["rows_per_s"] = round(rows / total) if total else None
        result["counts"] = job.counts
        result.update(_summarise(meter, rows, total, cpu))
        result["queries"] = sum(meter.queries.values())
    if connection.vendor == "postgresql":
        times = copy_baseline(csv_path, len(header), spec["copy_repeat"])
        result["copy_s"] = round(statistics.median(times), 3)
        result["copy_runs_s"] = [round(t, 3) for t in times]
    else:
        times = insert_baseline(csv_path, len(header), spec["copy_repeat"])
        result["raw_insert_s"] = round(statistics.median(times), 3)
    baseline = result.get("copy_s") or result.get("raw_insert_s")
    if job is not None and baseline:
        result["ratio_to_raw"] = round(total / baseline, 1)
    if job is not None and spec.get("digest_path"):
        Path(spec["digest_path"]).write_text(json.dumps(digest(job)))
    return result


def _import(
    spec: dict[str, Any],
    env: Env,
    data: bytes,
    path: Path,
    header: list[str],
    meter: Meter,
    profiles: Profiles | None,
    result: dict[str, Any],
) -> Any:
    from nhandao.imports import services
    from nhandao.imports.readers import ImportFileError

    if spec["pipeline"] != "current":
        job, result["stats"] = run_prototype(
            env, data, path.name, header, profiles or meter, spec.get("audit_rows", False)
        )
        return job
    restore = _instrument_current(meter) if profiles is None else _profile_current(profiles)
    try:
        if spec["mode"] == "probe":
            services.import_upload(
                actor=_actor(env), unit=env.unit, kind=KIND, filename=path.name, data=data
            )
            result["status"] = "accepted"
            return None
        return run_current(env, data, path.name, header)
    except ImportFileError as exc:
        result["status"] = "refused"
        result["refused"] = {"code": exc.code, "message": exc.message}
        return None
    finally:
        restore()


def _profile_current(profiles: Profiles) -> Callable[[], None]:
    from nhandao.imports import services

    undo = []
    for attr, name in [
        ("import_upload", "upload"),
        ("import_set_mapping", "mapping"),
        ("import_validate", "validate"),
        ("import_commit", "commit"),
    ]:
        original = getattr(services, attr)
        undo.append((attr, original))
        setattr(services, attr, profiles.wrap(name, original))

    def restore() -> None:
        for attr, original in undo:
            setattr(services, attr, original)

    return restore


def child_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    _setup_django(spec["db_url"])
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _check_owned(spec["force"])
    result = one_run(spec)
    if result.get("profile"):
        for stage, entries in result["profile"].items():
            print(f"  cProfile {spec['pipeline']} / {stage}: top functions by own time")
            for e in entries:
                own, cum = e["own_s"], e["cum_s"]
                print(f"    {own:>8.3f} s own {cum:>8.3f} s cum {e['calls']:>9} {e['fn']}")
    print(RESULT_MARK + json.dumps(result), flush=True)


# =================================================================================================
# The parent: plan, children, projections, report
# =================================================================================================


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
        result = {"status": "failed", "returncode": p.returncode}
    return result


def _project(points: list[tuple[int, float]], n: int) -> tuple[float, float] | None:
    """Seconds at ``n`` by a power law through the two largest smaller sizes (linear from one)."""
    below = sorted(p for p in points if p[0] < n)
    if not below:
        return None
    if len(below) == 1:
        (n1, t1) = below[0]
        return t1 * n / n1, 1.0
    (n1, t1), (n2, t2) = below[-2], below[-1]
    exponent = math.log(t2 / t1) / math.log(n2 / n1)
    return t2 * (n / n2) ** exponent, exponent


def _fmt_s(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"


def _report(results: list[dict[str, Any]], checks: list[dict[str, Any]]) -> None:
    print()
    print("Runs (seconds per phase; phases: read+parse file, header, validation incl. per-row "
          "checks and registry matching, commit/writes, other)")  # fmt: skip
    head = (
        f"{'db':<10} {'fmt':<4} {'rows':>9} {'pipeline':<14} {'read':>7} {'header':>7} "
        f"{'valid.':>8} {'commit':>8} {'other':>6} {'total':>8} {'rows/s':>8} {'peak MB':>8} "
        f"{'raw s':>6} {'×raw':>6}  note"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if r.get("status") == "profiled":
            continue
        ph = r.get("phases", {})

        def s(name: str, ph: dict[str, Any] = ph) -> str:
            return _fmt_s(ph[name]["s"]) if name in ph else "—"

        note = ""
        if r.get("status") == "refused":
            note = f"refused: {r['refused']['code']}"
        elif r.get("status") == "error":
            note = f"error: {r['error'][:60]}"
        elif r.get("status") not in ("ok", None):
            note = str(r.get("status"))
        if r.get("projected_s") and r.get("mode") == "probe":
            note += f"; projected {r['projected_s'] / 60:,.0f} min (exp {r['projection_exp']:.2f})"
        raw = r.get("copy_s") or r.get("raw_insert_s")
        total = r.get("seconds") if r.get("status") == "ok" else None
        print(
            f"{r.get('db', '?'):<10} {r.get('format', ''):<4} {r.get('n', 0):>9,} "
            f"{r.get('pipeline', ''):<14} {s('read'):>7} {s('header'):>7} {s('validation'):>8} "
            f"{s('commit'):>8} {s('other'):>6} {_fmt_s(total):>8} "
            f"{r.get('rows_per_s') or 0:>8,} {r.get('peak_mb', 0):>8,.0f} {_fmt_s(raw):>6} "
            f"{r.get('ratio_to_raw') or '—':>6}  {note}"
        )
    print()
    print("Rows per second per phase, and SQL queries per row")
    head = (
        f"{'db':<10} {'fmt':<4} {'rows':>9} {'pipeline':<14} {'read/s':>10} {'header/s':>10} "
        f"{'valid./s':>10} {'commit/s':>10} {'q/row val.':>10} {'q/row com.':>10}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if r.get("status") != "ok":
            continue
        ph = r["phases"]
        print(
            f"{r['db']:<10} {r['format']:<4} {r['n']:>9,} {r['pipeline']:<14} "
            f"{ph['read']['rows_per_s'] or 0:>10,} {ph['header']['rows_per_s'] or 0:>10,} "
            f"{ph['validation']['rows_per_s'] or 0:>10,} {ph['commit']['rows_per_s'] or 0:>10,} "
            f"{ph['validation']['queries_per_row']:>10} {ph['commit']['queries_per_row']:>10}"
        )
    for pipeline in ("current", "prototype", "prototype+lean"):
        done = [r for r in results if r.get("status") == "ok" and r["pipeline"] == pipeline]
        if not done:
            continue
        big = max(done, key=lambda r: (r["n"], r["format"] == "csv"))
        print()
        print(f"Where the time goes: {pipeline}, {big['db']} {big['format']} {big['n']:,} rows")
        for name, d in list(big["detail"].items())[:14]:
            share = 100 * d["s"] / big["seconds"] if big["seconds"] else 0
            print(
                f"  {name:<34} {d['s']:>9.2f} s {share:>5.1f}%  cpu {d['cpu_s']:>8.2f} s  "
                f"{d['calls']:>9,} calls {d['queries']:>9,} queries"
            )
        if big.get("stats"):
            print(f"  stats: {json.dumps(big['stats'])[:300]}")
    if checks:
        print()
        print("Prototype vs current, row by row (ImportRow status, duplicate-of, natural key, "
              "registry matches, problems; persons written)")  # fmt: skip
        for c in checks:
            print(
                f"  {c['db']} {c['format']} {c['n']:,}: {c['rows_identical']:,}/{c['rows']:,} "
                f"rows identical, differ {c['differ'] or '{}'}; persons {c['persons']:,}, "
                f"{c['persons_differ']} differ"
            )
            for example in c["examples"][:4]:
                print(f"    e.g. {example}")


def _targets(results: list[dict[str, Any]], n: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in results:
        if r.get("db") != "postgresql" or r.get("n") != n:
            continue
        key = f"{r['pipeline']}_{r['format']}"
        limit = TARGET_CSV_S if r["format"] == "csv" else TARGET_XLSX_S
        if r.get("status") == "ok":
            out[f"{key}_s"] = r["seconds"]
            out[f"{key}_met"] = r["seconds"] < limit and (
                r["format"] != "csv" or (r.get("ratio_to_raw") or 99) <= TARGET_COPY_RATIO
            )
        elif r.get("projected_s"):
            out[f"{key}_projected_s"] = round(r["projected_s"])
            out[f"{key}_met"] = False
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="rows of the largest list")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} rows, for CI")
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--db", choices=("env", "sqlite", "both"), default="env")
    parser.add_argument("--pipeline", choices=("current", "prototype", "both"), default="both")
    parser.add_argument("--sizes", default=None, help="comma list (default 10000,100000,N)")
    parser.add_argument("--max-minutes", type=float, default=20.0, help="projection limit")
    parser.add_argument("--registry-share", type=float, default=0.1, help="rows already stored")
    parser.add_argument("--provinces", default="1", help="province codes of the list (1 = Hà Nội)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--copy-repeat", type=int, default=3)
    parser.add_argument("--profile-size", type=int, default=None, help="0: no cProfile runs")
    parser.add_argument("--no-check", action="store_true", help="skip the row-by-row comparison")
    parser.add_argument("--audit-rows", action="store_true", help="prototype: audit every row")
    parser.add_argument(
        "--lean-indexes", action="store_true", help="also run the prototype without *_like indexes"
    )
    parser.add_argument("--force", action="store_true", help="flush a database with other data")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child)
        return

    provinces = [int(p) for p in args.provinces.split(",") if p.strip()]
    n = QUICK_N if args.quick else args.n
    if args.sizes:
        sizes = sorted({int(s) for s in args.sizes.split(",")})
    elif args.quick:
        sizes = [n]
    else:
        sizes = sorted({*(s for s in LADDER if s < n), n})
    n = max(sizes)
    formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
    pipelines = ["current", "prototype"] if args.pipeline == "both" else [args.pipeline]
    variants = pipelines + (["prototype+lean"] if args.lean_indexes else [])
    profile_size = 0 if args.quick else (args.profile_size if args.profile_size is not None
                                         else sizes[0])  # fmt: skip
    copy_repeat = 1 if args.quick else args.copy_repeat
    dbs = _databases(args.db)
    started = time.perf_counter()

    results: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    measured: dict[tuple[str, str, str], list[tuple[int, float]]] = defaultdict(list)
    base_spec = {
        "provinces": provinces,
        "registry_share": args.registry_share,
        "copy_repeat": copy_repeat,
        "force": args.force,
        "audit_rows": args.audit_rows,
    }
    for label, url in dbs:
        for fmt in formats:
            for size in sizes:
                path = data_file(size, fmt, args.seed, provinces)
                csv_path = data_file(size, "csv", args.seed, provinces)
                digests: dict[str, Path] = {}
                for variant in variants:
                    pipeline = variant.removesuffix("+lean")
                    mode, projection = "run", None
                    if pipeline == "current":
                        projection = _project(measured[(label, fmt, pipeline)], size)
                        if projection and projection[0] > args.max_minutes * 60:
                            mode = "probe"
                    digest_path = WORK_DIR / f"digest_{label}_{fmt}_{size}_{variant}.json"
                    digest_path.unlink(missing_ok=True)
                    note = ""
                    if mode == "probe" and projection:
                        note = (f" — projected {projection[0] / 60:,.0f} min > {args.max_minutes:g}"
                                ": upload only")  # fmt: skip
                    print(f"== {label} {fmt} {size:,} rows, {variant}{note}", flush=True)
                    spec = {
                        **base_spec,
                        "pipeline": pipeline,
                        "lean_indexes": variant.endswith("+lean"),
                        "format": fmt,
                        "n": size,
                        "path": str(path),
                        "csv_path": str(csv_path),
                        "mode": mode,
                        "digest_path": "" if args.no_check or mode != "run" else str(digest_path),
                    }
                    result = _spawn(url, spec)
                    result["db_label"] = label
                    if projection:
                        result["projected_s"] = round(projection[0], 1)
                        result["projection_exp"] = round(projection[1], 3)
                    results.append(result)
                    if result.get("status") == "ok":
                        measured[(label, fmt, variant)].append((size, result["seconds"]))
                        print(
                            f"   {result['rows']:,} rows in {result['seconds']:.1f} s "
                            f"({result['rows_per_s']:,} rows/s), peak {result['peak_mb']:,.0f} MB",
                            flush=True,
                        )
                        if digest_path.exists():
                            digests[variant] = digest_path
                if "current" in digests and "prototype" in digests:
                    a = json.loads(digests["current"].read_text())
                    b = json.loads(digests["prototype"].read_text())
                    db = next((r["db"] for r in results[::-1] if r.get("db")), label)
                    checks.append({"db": db, "format": fmt, "n": size, **compare(a, b)})
    profile: dict[str, Any] = {}
    if profile_size:
        label, url = dbs[0]
        path = data_file(profile_size, "csv", args.seed, provinces)
        for pipeline in pipelines:
            print(f"== cProfile: {label} csv {profile_size:,} rows, {pipeline}", flush=True)
            spec = {
                **base_spec,
                "pipeline": pipeline,
                "format": "csv",
                "n": profile_size,
                "path": str(path),
                "csv_path": str(path),
                "mode": "profile",
                "digest_path": "",
                "copy_repeat": 1,
            }
            result = _spawn(url, spec)
            profile[pipeline] = {"n": profile_size, "stages": result.get("profile", {})}

    _report(results, checks)
    targets = _targets(results, n)
    print()
    print(
        f"Targets (1M-row CSV into PostgreSQL < {TARGET_CSV_S:.0f} s and "
        f"≤ {TARGET_COPY_RATIO:.0f}× COPY; xlsx < {TARGET_XLSX_S:.0f} s) at n = {n:,}: "
        f"{json.dumps(targets) or '—'}"
    )
    print(f"bench wall time {time.perf_counter() - started:,.0f} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    out = {
        "n": n,
        "sizes": sizes,
        "quick": args.quick,
        "formats": formats,
        "pipelines": pipelines,
        "provinces": provinces,
        "registry_share": args.registry_share,
        "targets": targets,
        "runs": results,
        "checks": checks,
        "profile": profile,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "bench_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
