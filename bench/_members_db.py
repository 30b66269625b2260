"""Set-up of the people bench (``bench.people``): members, volunteers and youth of the Red Cross.

On top of the national tree of ``bench._people_db.build_tree`` it puts ``n`` people spread over
the commune chapters with the log-normal skew of ``bench._aid_db.commune_weights`` (stored in
runs of 50-400 people of one commune, the lists a commune imports or types in one sitting, as
``bench._aid_db`` stores households; ``scatter=True`` draws each person's commune on its own,
the worst case for reading one commune's rows), names from
``bench.gen_people``'s lists (with the search and sort keys the app stores) and roles:

- 75% are members (hội viên) of their commune's chapter: joined between 1990 and today; 86%
  active, 7% lapsed, 5% left, 2% deceased (the last three with the date of the change, a third
  of them this year); 80% hold a card ``HV`` + 9 digits; dues of this year paid by 60% of the
  active members, 5% exempt (``members_dues``, and ``last_dues_year`` on the member, with a
  copy of the person's ``name_key``);
- 12% are volunteers or collaborators (4 in 5 volunteers; 60% of them members as well), 18 or
  over;
- 15% are youth Red Cross members of this school year (10 to 18 years old, a class name), in
  the commune chapter (a school branch in real life; the members' selectors do not read them).

Rows are made in Python in one pass (deterministic from the seed) and loaded table by table in
one transaction with ``bench._aid_db``'s sinks: on PostgreSQL ``COPY … FROM STDIN`` with the
tables' secondary indexes and foreign keys dropped before and rebuilt after, then VACUUM
ANALYZE; on SQLite (quick sizes) ``executemany``. Primary keys run from 1; the sequences are
moved past them.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from bisect import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import _aid_db as aid_db
from bench import _people_db as pdb

TABLES = (
    "people_person",
    "members_member",
    "members_dues",
    "members_volunteer",
    "members_youthmember",
)
MEMBER = 0.75
VOLUNTEER = 0.12
YOUTH = 0.15
STATUSES = (("active", 86), ("lapsed", 7), ("left", 5), ("deceased", 2))
DUES_PAID = 0.60
DUES_EXEMPT = 0.05
CARD = 0.80


@dataclass
class Built:
    people: int = 0
    members: int = 0
    active: int = 0
    dues: int = 0
    volunteers: int = 0
    youth: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def school_year(today: dt.date) -> str:
    first = today.year if today.month >= 9 else today.year - 1
    return f"{first}-{first + 1}"


def build(
    tree: pdb.Tree,
    *,
    n: int,
    seed: int = 1,
    today: dt.date | None = None,
    progress: bool = False,
    scatter: bool = False,
) -> Built:
    """Make and load everything described in the module's docstring."""
    from django.db import connection
    from django.utils import timezone

    today = today or timezone.localdate()
    built = Built()
    postgres = connection.vendor == "postgresql"
    now_dt = timezone.now()
    now: Any = now_dt.isoformat() if postgres else connection.ops.adapt_datetimefield_value(now_dt)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nhandao_bench_members_") as tmpdir:
        tmp = Path(tmpdir)

        def sink(table: str, cols: tuple[str, ...]) -> aid_db._Sink:
            return aid_db._Sink(table, cols, now, postgres, tmp)

        person_cols = (
            "id",
            "unit_id",
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
        )
        member_cols = (
            "id",
            "person_id",
            "unit_id",
            "joined_on",
            "card_no",
            "card_issued_on",
            "status",
            "status_since",
            # Kept by the members services: the latest year of dues recorded, the person's name key.
            "last_dues_year",
            "name_key",
        )
        sinks = {
            "person": sink("people_person", person_cols),
            "member": sink("members_member", member_cols),
            "dues": sink(
                "members_dues", ("id", "member_id", "year", "status", "amount", "paid_on")
            ),
            "volunteer": sink(
                "members_volunteer", ("id", "person_id", "unit_id", "kind", "joined_on", "rank")
            ),
            "youth": sink(
                "members_youthmember",
                ("id", "person_id", "unit_id", "school_year", "class_name"),
            ),
        }
        _rows(built, sinks, tree, n, seed, today, progress, scatter)
        aid_db.load_sinks(sinks, built, postgres, progress, TABLES, start)
    aid_db.reset_sequences(postgres, TABLES)
    built.seconds["analyze"] = aid_db._vacuum_analyze(postgres, tables=TABLES)
    return built


def _day(rng: random.Random, first: int, last: int) -> dt.date:
    return dt.date.fromordinal(rng.randrange(first, last + 1))


def _rows(
    built: Built,
    sinks: dict[str, aid_db._Sink],
    tree: pdb.Tree,
    n: int,
    seed: int,
    today: dt.date,
    progress: bool,
    scatter: bool,
) -> None:
    rng = random.Random(seed * 15_485_863 + 7)
    names = aid_db._Names(rng)
    wards, units, cum = aid_db.commune_weights(tree, seed)
    order = None if scatter else aid_db._commune_order(n, cum, rng)
    person, member, dues = sinks["person"], sinks["member"], sinks["dues"]
    volunteer, youth = sinks["volunteer"], sinks["youth"]
    year = today.year
    this_year = dt.date(year, 1, 1).toordinal()
    t = today.toordinal()
    since_1990 = dt.date(1990, 1, 1).toordinal()
    statuses = [s for s, w in STATUSES for _ in range(w)]
    season = school_year(today)
    fee = 24_000  # đồng a year (2,000 a month)
    mk = dk = vk = yk = 0
    for pk in range(1, n + 1):
        if order is None:
            i = min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)
        else:
            i = order[pk - 1]
        ward, unit = wards[i], units[i]
        sex = "male" if rng.random() < 0.48 else "female"
        fam, middle, given = names.person(names.pick_family(), sex)
        full, name_key, sort_head, given_key = aid_db._keys(fam, middle, given)
        r = rng.random()
        is_youth = r < YOUTH
        if is_youth:  # 10 to 18 years old
            birth = dt.date.fromordinal(t - round(rng.uniform(10, 18) * 365.25))
        else:  # 18 to 80
            birth = dt.date.fromordinal(t - round(rng.uniform(18.1, 80) * 365.25))
        person.add(
            (
                pk,
                unit,
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
        adult = max(birth.toordinal() + round(18 * 365.25) + 1, since_1990)
        if is_youth:
            yk += 1
            youth.add((yk, pk, unit, season, f"{rng.randrange(6, 13)}A{rng.randrange(1, 6)}"))
            continue
        is_member = rng.random() < MEMBER / (1 - YOUTH)
        if is_member:
            mk += 1
            joined = _day(rng, adult, t)
            status = rng.choice(statuses)
            since: dt.date | None = None
            if status != "active":
                since = (
                    _day(rng, max(this_year, joined.toordinal()), t)
                    if rng.random() < 0.33
                    else _day(rng, joined.toordinal(), t)
                )
            card = f"HV{mk:09d}" if rng.random() < CARD else ""
            last_dues: int | None = None
            if status == "active":
                built.active += 1
                d = rng.random()
                if d < DUES_PAID:
                    dk += 1
                    paid = _day(rng, max(this_year, joined.toordinal()), t)
                    dues.add((dk, mk, year, "paid", fee, paid.isoformat()))
                    last_dues = year
                elif d < DUES_PAID + DUES_EXEMPT:
                    dk += 1
                    dues.add((dk, mk, year, "exempt", 0, None))
                    last_dues = year
            member.add(
                (
                    mk,
                    pk,
                    unit,
                    joined.isoformat(),
                    card,
                    joined.isoformat() if card else None,
                    status,
                    since.isoformat() if since else None,
                    last_dues,
                    name_key,
                )
            )
        if rng.random() < VOLUNTEER / (1 - YOUTH) and (is_member or rng.random() < 0.4 / 0.6):
            vk += 1
            kind = "volunteer" if rng.random() < 0.8 else "collaborator"
            volunteer.add((vk, pk, unit, kind, _day(rng, adult, t).isoformat(), ""))
        if progress and pk % 500_000 == 0:
            print(f"  … {pk:,} people, {mk:,} members", flush=True)
    built.people, built.members, built.dues = n, mk, dk
    built.volunteers, built.youth = vk, yk
