"""Shared set-up of the campaign and aid benches (``bench.coverage``, ``bench.record_load``).

On top of the national tree of ``bench._people_db.build_tree`` it puts ``households`` households
of humanitarian addresses: one or two people each (family, middle and given names from the name
lists of ``bench.gen_people``, the same search and sort keys the app stores, see
``people.services.person_keys``), a household row with its head, a beneficiary record per person
(97% active) and its group memberships (poor, near-poor or another group; a tenth of the people in
a second group). Households are spread over the commune chapters with a log-normal skew (a few
communes hold many times the median), each commune's weight drawn once from the seed, and stored
in runs of 50-400 households per commune (as lists are imported or typed), the runs of all
communes shuffled together.

Two Tết Nhân ái campaigns launched by the national root: last year's (closed) and this year's
(launched, groups poor and near-poor, one gift per household, period from a month ago). Then
``aid`` aid records: a gift of this year's campaign for most of its eligible households (85%,
to the head or to the second member), a few voided gifts, and the rest as last year's gifts, a
second kind (cash) for households already covered, and gifts to households outside the groups.
The expected eligible and covered counts are kept (``Built``) so the benches can check the app's
own figures.

Rows are made in Python in one pass (deterministic from the seed) and loaded table by table in
one transaction: on PostgreSQL through temporary files and ``COPY … FROM STDIN`` with each
table's secondary indexes and foreign keys dropped before and rebuilt after; on SQLite (for the
quick sizes) by ``executemany``. Primary keys run from 1; the sequences are moved past them.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import tempfile
import time
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench import _people_db as pdb

COVER_SHARE = 0.85  # eligible households given this year's gift
VOID_SHARE = 0.01  # eligible households whose only gift was voided
TWO_MEMBERS = 0.15  # households with two beneficiaries
SECOND_GROUP = 0.10  # people in a second group
INACTIVE = 0.03  # beneficiary records no longer active (moved, deceased)
OTHER_GROUPS = ("disabled", "lonely_elderly", "orphan", "policy_family", "serious_illness")
TABLES = (
    "people_household",
    "people_person",
    "beneficiaries_beneficiary",
    "beneficiaries_groupmembership",
    "aid_aidrecord",
)


@dataclass
class Built:
    households: int = 0
    people: int = 0
    beneficiaries: int = 0
    memberships: int = 0
    aid: int = 0
    eligible: int = 0  # eligible households of this year's campaign (by construction)
    covered: int = 0  # of which with a live aid record in it
    campaign_pk: int = 0
    previous_pk: int = 0
    officer_pk: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # per household (index = pk - 1): owning unit, head, second member (0: none), eligible flag
    hh_unit: array[int] = field(default_factory=lambda: array("q"))
    hh_head: array[int] = field(default_factory=lambda: array("q"))
    hh_second: array[int] = field(default_factory=lambda: array("q"))
    hh_flags: bytearray = field(default_factory=bytearray)  # 1 eligible, 2 covered


# --- names ---------------------------------------------------------------------------------------


class _Names:
    def __init__(self, rng: random.Random) -> None:
        from bench import gen_people as g

        self.rng = rng
        self.family = [f for f, _, _ in g._FAMILY]
        self.family_cum = list(accumulate(n + s for _, n, s in g._FAMILY))
        self.male = (g._MALE_MIDDLE, g._MALE_GIVEN)
        self.female = (g._FEMALE_MIDDLE, g._FEMALE_GIVEN)

    def pick_family(self) -> str:
        r = self.rng.random() * self.family_cum[-1]
        return self.family[bisect(self.family_cum, r)]

    def person(self, family: str, sex: str) -> tuple[str, str, str]:
        middles, givens = self.male if sex == "male" else self.female
        return family, self.rng.choice(middles), self.rng.choice(givens)


@functools.lru_cache(maxsize=1 << 20)
def _keys(family: str, middle: str, given: str) -> tuple[str, str, str, str]:
    """(full name, name key, sort key without its birth part, folded given name)."""
    from nhandao.core.text import fold, person_sort_key

    full = f"{family} {middle} {given}"
    sort = person_sort_key(given=given, middle=middle, family=family, birth=None)
    assert sort.endswith("99999999")
    return full, fold(full), sort[:-8], fold(given)


# --- tables --------------------------------------------------------------------------------------


def _model(table: str) -> Any:
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.db_table == table:
            return model
    raise LookupError(table)


def _tail(table: str, given: tuple[str, ...], now: Any) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The columns of ``table`` not in ``given`` and the constant each gets (its default)."""
    from django.db import models

    cols: list[str] = []
    values: list[Any] = []
    for f in _model(table)._meta.concrete_fields:
        if f.column in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField | models.FileField):
            value = ""
        else:
            raise ValueError(f"{table}.{f.column} needs a value")
        cols.append(f.column)
        values.append(value)
    return tuple(cols), tuple(values)


class _Sink:
    """Rows of one table: a COPY text file on PostgreSQL, a list of tuples on SQLite."""

    def __init__(self, table: str, cols: tuple[str, ...], now: Any, postgres: bool, tmp: Path):
        self.table = table
        tail_cols, self.tail = _tail(table, cols, now)
        self.cols = cols + tail_cols
        self.postgres = postgres
        self.count = 0
        self.rows: list[tuple[Any, ...]] = []
        self.path = tmp / f"{table}.copy"
        self.file = self.path.open("w", encoding="utf-8") if postgres else None
        self.buf: list[str] = []
        if postgres:
            self.tail_text = "".join("\t" + _text(v) for v in self.tail) + "\n"

    def add(self, row: tuple[Any, ...]) -> None:
        self.count += 1
        if self.file is None:
            self.rows.append(row + self.tail)
            return
        self.buf.append("\t".join(["\\N" if v is None else str(v) for v in row]) + self.tail_text)
        if len(self.buf) >= 20_000:
            self.file.writelines(self.buf)
            self.buf = []

    def close(self) -> None:
        if self.file is not None:
            self.file.writelines(self.buf)
            self.file.close()
            self.buf = []

    def load(self) -> None:
        from django.db import connection

        cols = ", ".join(self.cols)
        with connection.cursor() as cursor:
            if self.file is not None:
                with (
                    cursor.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy,
                    self.path.open(encoding="utf-8") as f,
                ):
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
                self.path.unlink()
            else:
                marks = ", ".join(["%s"] * len(self.cols))
                sql = f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"  # noqa: S608
                for start in range(0, len(self.rows), 20_000):
                    cursor.executemany(sql, self.rows[start : start + 20_000])
                self.rows = []


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


# --- campaigns -----------------------------------------------------------------------------------


def make_campaigns(root_pk: int, today: dt.date) -> tuple[Any, Any, Any]:
    """(officer at the root, last year's closed campaign, this year's launched campaign)."""
    from nhandao.campaigns import services
    from nhandao.orgs.models import Unit

    root = Unit.objects.get(pk=root_pk)
    officer = pdb.make_user("national", root_pk, "officer")
    tet = services.CampaignData(kind="tet", lunar_year=2026, groups=["poor", "near_poor"])
    previous = services.campaign_create(actor=officer, unit=root, data=tet)
    previous = services.campaign_launch(actor=officer, campaign=previous)
    previous = services.campaign_close(actor=officer, campaign=previous)
    data = services.CampaignData(
        kind="tet",
        lunar_year=2027,
        groups=["poor", "near_poor"],
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=60),
        min_gift_value=300_000,
    )
    current = services.campaign_create(actor=officer, unit=root, data=data)
    current = services.campaign_launch(actor=officer, campaign=current)
    return officer, previous, current


def seed_groups() -> None:
    """The beneficiary groups (a data migration seeds them; a flush removes them)."""
    from nhandao.beneficiaries.groups import DEFAULT_GROUPS
    from nhandao.beneficiaries.models import BeneficiaryGroup

    for rank, (code, name, sensitive) in enumerate(DEFAULT_GROUPS, 1):
        BeneficiaryGroup.objects.get_or_create(
            code=code, defaults={"name": name, "sensitive": sensitive, "rank": rank * 10}
        )


# --- building ------------------------------------------------------------------------------------


def commune_weights(tree: pdb.Tree, seed: int) -> tuple[list[int], list[int], list[float]]:
    """(wards, units, cumulative weights): a log-normal weight per commune chapter."""
    rng = random.Random(seed * 7919 + 1)
    wards = sorted(tree.unit_by_ward)
    weights = [rng.lognormvariate(0.0, 0.9) for _ in wards]
    return wards, [tree.unit_by_ward[w] for w in wards], list(accumulate(weights))


def _commune_order(n: int, cum: list[float], rng: random.Random) -> array[int]:
    """The commune (index) of each household, in the order they are stored: each commune's
    households come in runs of 50-400 (the lists a commune imports or types in one sitting),
    the runs of all communes shuffled together."""
    total = cum[-1]
    counts = [0] * len(cum)
    for _ in range(n):
        counts[min(bisect(cum, rng.random() * total), len(cum) - 1)] += 1
    runs: list[tuple[int, int]] = []
    for i, count in enumerate(counts):
        while count > 0:
            size = min(count, rng.randint(50, 400))
            runs.append((i, size))
            count -= size
    rng.shuffle(runs)
    order = array("l")
    for i, size in runs:
        order.extend([i] * size)
    return order


def build(
    tree: pdb.Tree,
    *,
    households: int,
    aid: int,
    seed: int = 1,
    today: dt.date | None = None,
    progress: bool = False,
) -> Built:
    """Make and load everything described in the module's docstring."""
    from django.db import connection
    from django.utils import timezone

    today = today or timezone.localdate()
    built = Built()
    start = time.perf_counter()
    seed_groups()
    officer, previous, current = make_campaigns(tree.root_pk, today)
    built.campaign_pk, built.previous_pk, built.officer_pk = current.pk, previous.pk, officer.pk
    postgres = connection.vendor == "postgresql"
    now_dt = timezone.now()
    now: Any = now_dt.isoformat() if postgres else connection.ops.adapt_datetimefield_value(now_dt)
    built.seconds["campaigns"] = time.perf_counter() - start

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nhandao_bench_aid_") as tmpdir:
        tmp = Path(tmpdir)
        sinks = {
            "hh": _Sink(
                "people_household",
                ("id", "unit_id", "code", "head_id", "ward_id", "poverty_status", "poverty_year"),
                now,
                postgres,
                tmp,
            ),
            "person": _Sink(
                "people_person",
                (
                    "id",
                    "unit_id",
                    "household_id",
                    "ward_id",
                    "full_name",
                    "family_name",
                    "middle_name",
                    "given_name",
                    "birth_date",
                    "birth_precision",
                    "sex",
                    "name_key",
                    "sort_key",
                    "key_name_year",
                    "key_given_ward",
                ),
                now,
                postgres,
                tmp,
            ),
            "ben": _Sink(
                "beneficiaries_beneficiary",
                ("id", "person_id", "unit_id", "status", "verification"),
                now,
                postgres,
                tmp,
            ),
            "member": _Sink(
                "beneficiaries_groupmembership",
                ("id", "beneficiary_id", "group_id", "year"),
                now,
                postgres,
                tmp,
            ),
            "aid": _Sink(
                "aid_aidrecord",
                (
                    "id",
                    "campaign_id",
                    "unit_id",
                    "recorded_unit_id",
                    "person_id",
                    "household_id",
                    "per_household",
                    "kind",
                    "area",
                    "value",
                    "source",
                    "given_on",
                    "acknowledgement",
                    "voided_at",
                    "void_reason",
                ),
                now,
                postgres,
                tmp,
            ),
        }
        _households(built, sinks, tree, households, seed, progress)
        _aid(built, sinks["aid"], aid, seed, (current, previous, today), now, progress)
        load_sinks(sinks, built, postgres, progress, TABLES, start)
    reset_sequences(postgres, TABLES)
    built.seconds["analyze"] = _vacuum_analyze(postgres)
    return built


def load_sinks(
    sinks: dict[str, Any],
    built: Any,
    postgres: bool,
    progress: bool,
    tables: tuple[str, ...],
    generated_from: float,
) -> None:
    """Close the sinks the rows were written to, then load them in one transaction with the
    tables' secondary indexes dropped and rebuilt after; the generate and load times go in
    ``built.seconds``. Shared by every bench loader that writes through ``_Sink``."""
    from django.db import transaction

    for sink in sinks.values():
        sink.close()
    built.seconds["generate"] = time.perf_counter() - generated_from
    if progress:
        print(f"  rows made in {built.seconds['generate']:.1f} s", flush=True)
    start = time.perf_counter()
    with transaction.atomic(), _indexes_rebuilt_after(postgres, built, progress, tables=tables):
        for sink in sinks.values():
            t = time.perf_counter()
            sink.load()
            if progress:
                print(
                    f"  {sink.table}: {sink.count:,} rows in {time.perf_counter() - t:.1f} s",
                    flush=True,
                )
    built.seconds["load"] = time.perf_counter() - start


def reset_sequences(postgres: bool, tables: tuple[str, ...]) -> None:
    """After rows were loaded with their own ids, the next id of each table follows the largest."""
    if not postgres:
        return
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )


def _vacuum_analyze(postgres: bool, tables: tuple[str, ...] = TABLES) -> float:
    """VACUUM ANALYZE the loaded tables on PostgreSQL (what autovacuum does after a bulk load:
    statistics, and the visibility map index-only scans need), ANALYZE inside a transaction."""
    from django.db import connection

    if not postgres or connection.in_atomic_block:
        return pdb.analyze()
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def vacuum_analyze(tables: tuple[str, ...]) -> float:
    from django.db import connection

    return _vacuum_analyze(connection.vendor == "postgresql", tables)


def _households(
    built: Built, sinks: dict[str, _Sink], tree: pdb.Tree, n: int, seed: int, progress: bool
) -> None:
    rng = random.Random(seed)
    names = _Names(rng)
    wards, units, cum = commune_weights(tree, seed)
    hh, person, ben, member = sinks["hh"], sinks["person"], sinks["ben"], sinks["member"]
    pk = 0
    mk = 0
    birth_base = dt.date(1930, 1, 1).toordinal()
    order = _commune_order(n, cum, rng)
    for h in range(1, n + 1):
        i = order[h - 1]
        ward, unit = wards[i], units[i]
        r = rng.random()
        group = "poor" if r < 0.55 else "near_poor" if r < 0.85 else rng.choice(OTHER_GROUPS)
        size = 2 if rng.random() < TWO_MEMBERS else 1
        family = names.pick_family()
        eligible = False
        members = []
        for m in range(size):
            pk += 1
            sex = "male" if (rng.random() < 0.5) != (m == 1) else "female"
            fam = family if m == 0 or sex == "male" else names.pick_family()
            fam, middle, given = names.person(fam, sex)
            full, name_key, sort_head, given_key = _keys(fam, middle, given)
            birth = dt.date.fromordinal(birth_base + rng.randrange(80 * 365))
            person.add(
                (
                    pk,
                    unit,
                    h,
                    ward,
                    full,
                    fam,
                    middle,
                    given,
                    birth.isoformat(),
                    "day",
                    sex,
                    name_key,
                    f"{sort_head}{birth.year:04d}{birth.month:02d}{birth.day:02d}",
                    f"{name_key}|{birth.year}",
                    f"{given_key}|{ward}",
                )
            )
            active = rng.random() >= INACTIVE
            ben.add((pk, pk, unit, "active" if active else "moved", "verified"))
            mk += 1
            member.add((mk, pk, group, 2025))
            if rng.random() < SECOND_GROUP:
                extra = rng.choice(OTHER_GROUPS)
                if extra != group:
                    mk += 1
                    member.add((mk, pk, extra, 2025))
            eligible = eligible or (active and group in ("poor", "near_poor"))
            members.append(pk)
        poverty = group if group in ("poor", "near_poor") else ""
        hh.add((h, unit, f"HB{h:08d}", members[0], ward, poverty, 2025 if poverty else None))
        built.hh_unit.append(unit)
        built.hh_head.append(members[0])
        built.hh_second.append(members[1] if size == 2 else 0)
        built.hh_flags.append(1 if eligible else 0)
        built.eligible += eligible
        if progress and h % 500_000 == 0:
            print(f"  … {h:,} households", flush=True)
    built.households, built.people, built.beneficiaries = n, pk, pk
    built.memberships = mk


def _aid(
    built: Built,
    sink: _Sink,
    target: int,
    seed: int,
    campaigns: tuple[Any, Any, dt.date],
    now: Any,
    progress: bool,
) -> None:
    current, previous, today = campaigns
    rng = random.Random(seed * 31 + 7)
    n = built.households
    eligible = built.eligible
    cover = min(COVER_SHARE, target / eligible) if eligible else 0.0
    void = VOID_SHARE if target > eligible * (cover + VOID_SHARE) else 0.0
    pk = 0
    days = max((min(current.ends_on, today) - current.starts_on).days, 0) + 1
    area = current.area

    def add(camp: Any, h: int, person: int, kind: str, given: dt.date, voided: bool) -> None:
        nonlocal pk
        pk += 1
        unit = built.hh_unit[h]
        value = rng.choice((300_000, 500_000, 500_000, 1_000_000))
        sink.add(
            (
                pk,
                camp.pk,
                unit,
                unit,
                person,
                h + 1,
                True,
                kind,
                area,
                value,
                "campaign",
                given.isoformat(),
                "signed_list",
                now if voided else None,
                "Ghi nhầm người nhận" if voided else "",
            )
        )

    def recipient(h: int) -> int:
        second = built.hh_second[h]
        return second if second and rng.random() < 0.3 else built.hh_head[h]

    flags = built.hh_flags
    for h in range(n):
        if not flags[h]:
            continue
        r = rng.random()
        given = current.starts_on + dt.timedelta(days=rng.randrange(days))
        if r < cover:
            add(current, h, recipient(h), "gift", given, False)
            flags[h] |= 2
            built.covered += 1
        elif r < cover + void:
            add(current, h, recipient(h), "gift", given, True)
    left = max(target - pk, 0)
    # The rest: last year's gifts, then cash for covered households, then gifts to households
    # outside the campaign's groups (none of which changes this year's coverage).
    slots = [
        ("previous", eligible),
        ("cash", built.covered),
        ("outside", n - eligible),
    ]
    share = {}
    for name, count in slots:
        take = min(left, count)
        share[name] = take / count if count else 0.0
        left -= take
    for h in range(n):
        f = flags[h]
        if f & 1 and rng.random() < share["previous"]:
            add(previous, h, recipient(h), "gift", previous.starts_on, False)
        if f & 2 and rng.random() < share["cash"]:
            given = current.starts_on + dt.timedelta(days=rng.randrange(days))
            add(current, h, recipient(h), "cash", given, False)
        if not f & 1 and rng.random() < share["outside"]:
            given = current.starts_on + dt.timedelta(days=rng.randrange(days))
            add(current, h, recipient(h), "gift", given, False)
    built.aid = pk
    if progress:
        print(f"  {pk:,} aid records ({built.covered:,} households covered)", flush=True)


class _indexes_rebuilt_after:
    """PostgreSQL: drop the loaded tables' secondary indexes and foreign keys, rebuild after.
    ``built`` is any object with a ``seconds`` dict (the rebuild's time goes in it)."""

    def __init__(
        self, postgres: bool, built: Any, progress: bool, tables: tuple[str, ...] = TABLES
    ) -> None:
        self.postgres, self.built, self.progress = postgres, built, progress
        self.tables = tables
        self.constraints: list[tuple[str, str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> None:
        from django.db import connection

        if not self.postgres:
            return
        names = ", ".join(f"'{t}'::regclass" for t in self.tables)
        with connection.cursor() as cursor:
            where = f"conrelid IN ({names}) AND contype = 'f'"
            sql = "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM"
            cursor.execute(f"{sql} pg_constraint WHERE {where}")
            self.constraints = cursor.fetchall()
            tables = ", ".join(f"'{t}'" for t in self.tables)
            keys = (
                "NOT EXISTS (SELECT 1 FROM pg_constraint c"
                " WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))"
            )
            where = f"i.tablename IN ({tables}) AND i.schemaname = current_schema() AND {keys}"
            cursor.execute(f"SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE {where}")  # noqa: S608
            self.indexes = cursor.fetchall()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, _ in self.constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")

    def __exit__(self, *exc: Any) -> None:
        from django.db import connection

        if not self.postgres or exc[0] is not None:
            return
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for _, sql in self.indexes:
                cursor.execute(sql)
            for table, name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.built.seconds["indexes"] = time.perf_counter() - start
        if self.progress:
            print(
                f"  {len(self.indexes)} indexes and {len(self.constraints)} foreign keys rebuilt"
                f" in {self.built.seconds['indexes']:.1f} s",
                flush=True,
            )
