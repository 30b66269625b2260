"""Set-up of the blood check-in bench (``bench.blood_checkin``): donors and their histories.

On top of the national tree of ``bench._people_db.build_tree`` it puts ``donors`` people, each
with a blood-donor profile, spread over the commune chapters with the log-normal skew of
``bench._aid_db.commune_weights``. A person has a name from the name lists of
``bench.gen_people`` (with the search and sort keys the app stores), a birth date that makes
most of them 18 to 60 (1% older: aged out), a citizen ID consistent with the birth year and sex
(rules.md "Citizen ID"; unique), a mobile number (5% none, 3% sharing one with another donor, as
a family does) and a donor card ``HM`` + 8 digits. Blood groups follow the Vietnamese shares
(O 42%, B 30%, A 21%, AB 7%; Rh− 0.1%).

Each donor has a number of donations drawn from a geometric law with the mean
``donations / donors`` (so many one-time donors and a long tail of regular ones, never more
than the dates allow), going back from a last donation (a tenth within the last 12 weeks, so
not eligible again yet), each interval the minimum after the kind given (84 days after whole
blood or red cells, 14 after plasma, 21 after platelets: the seeded ``BloodRules``) plus a
random wait. Most donors give whole blood (250/350/450 ml); one in eight mostly apheresis
(platelets, plasma, red cells; 250-500 ml). Each donation has the weight measured then and a
certificate number (95%; the oldest histories have none); the first is marked first time. The
donor's count, last date and kind are the ones of its donations, and its last weight is a
``WeightRecord``. 4% of donors have a deferral: 6 in 10 expired, 3 in 10 still running, 1 in
10 permanent. No donation is today's (the stations check donors in today).

Rows are made in Python in one pass (deterministic from the seed) and loaded table by table in
one transaction with ``bench._aid_db``'s sinks: on PostgreSQL ``COPY … FROM STDIN`` with the
tables' secondary indexes and foreign keys dropped before and rebuilt after, then VACUUM
ANALYZE; on SQLite (quick sizes) ``executemany``. Primary keys run from 1 (a donor has its
person's key); the sequences are moved past them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
import time
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from bench import _aid_db as aid_db
from bench import _people_db as pdb

TABLES = (
    "people_person",
    "blood_blooddonor",
    "blood_weightrecord",
    "blood_blooddonation",
    "blood_deferral",
)
CARD_PREFIX = "HM"
NO_PHONE = 0.05
SHARED_PHONE = 0.03
AGED_OUT = 0.01
RECENT = 0.10  # last donation within the last 12 weeks
APHERESIS_DONORS = 0.125
DEFERRED = 0.04
HISTORY_FROM = dt.date(2005, 1, 1)
# (kind, minimum days before the next donation: the seeded BloodRules)
INTERVAL = {"whole_blood": 84, "red_cells": 84, "plasma": 14, "platelets": 21}
ABO = (("O", 42), ("B", 30), ("A", 21), ("AB", 7))
# reason codes of blood.services.DEFERRAL_REASONS
DEFERRAL_REASONS = (
    "hemoglobin",
    "hemoglobin",
    "blood_pressure",
    "blood_pressure",
    "weight",
    "illness",
    "illness",
    "procedure",
    "infection_risk",
    "pregnancy",
    "alcohol",
    "chronic",
)


@dataclass
class Built:
    donors: int = 0
    donations: int = 0
    deferrals: int = 0
    deferred_now: int = 0  # deferrals still running today (or permanent)
    recent: int = 0  # donors whose last donation is within 84 days
    seconds: dict[str, float] = field(default_factory=dict)


def seed_rules() -> None:
    """The thresholds and honour rules (a data migration seeds them; a flush removes them), by
    the migration's own function. Re-runnable."""
    import importlib

    from django.apps import apps

    importlib.import_module("nhandao.blood.migrations.0002_seed_rules").seed(apps, None)


def card_code(pk: int) -> str:
    return f"{CARD_PREFIX}{pk:08d}"


def _citizen_id(
    rng: random.Random, birth: dt.date, sex: str, seen: set[str], provinces: list[str]
) -> str:
    """Province of birth registration, century and sex, year, six digits (unique)."""
    century = (birth.year - 1900) // 100
    digit = 2 * century + (1 if sex == "female" else 0)
    head = f"{rng.choice(provinces)}{digit}{birth.year % 100:02d}"
    while True:
        number = f"{head}{rng.randrange(1_000_000):06d}"
        if number not in seen:
            seen.add(number)
            return number


def _phone(rng: random.Random, seen: set[str], prefixes: list[str]) -> str:
    while True:
        number = f"0{rng.choice(prefixes)[1:]}{rng.randrange(10_000_000):07d}"
        if number not in seen:
            seen.add(number)
            return number


def _pick(rng: random.Random, cum: list[float], items: list[Any]) -> Any:
    return items[min(bisect(cum, rng.random() * cum[-1]), len(items) - 1)]


def build(
    tree: pdb.Tree,
    *,
    donors: int,
    donations: int,
    seed: int = 1,
    today: dt.date | None = None,
    progress: bool = False,
) -> Built:
    """Make and load everything described in the module's docstring."""
    from django.db import connection
    from django.utils import timezone

    today = today or timezone.localdate()
    built = Built()
    seed_rules()
    postgres = connection.vendor == "postgresql"
    now_dt = timezone.now()
    now: Any = now_dt.isoformat() if postgres else connection.ops.adapt_datetimefield_value(now_dt)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="nhandao_bench_blood_") as tmpdir:
        tmp = Path(tmpdir)

        def sink(table: str, cols: tuple[str, ...]) -> aid_db._Sink:
            return aid_db._Sink(table, cols, now, postgres, tmp)

        sinks = {
            "person": sink(
                "people_person",
                (
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
                    "id_number",
                    "phone",
                    "name_key",
                    "sort_key",
                    "key_name_year",
                    "key_given_ward",
                ),
            ),
            "donor": sink(
                "blood_blooddonor",
                (
                    "id",
                    "person_id",
                    "unit_id",
                    "abo",
                    "rh",
                    "card_code",
                    "donation_count",
                    "last_donation_on",
                    "last_donation_kind",
                ),
            ),
            "weight": sink("blood_weightrecord", ("id", "donor_id", "measured_on", "kg")),
            "donation": sink(
                "blood_blooddonation",
                (
                    "id",
                    "donor_id",
                    "unit_id",
                    "donated_on",
                    "kind",
                    "volume_ml",
                    "weight_kg",
                    "certificate_no",
                    "first_time",
                ),
            ),
            "deferral": sink(
                "blood_deferral",
                ("id", "donor_id", "unit_id", "deferred_on", "reason_code", "reason_text", "until"),
            ),
        }
        _rows(built, sinks, tree, donors, donations, seed, today, progress)
        aid_db.load_sinks(sinks, built, postgres, progress, TABLES, start)
    aid_db.reset_sequences(postgres, TABLES)
    built.seconds["analyze"] = aid_db._vacuum_analyze(postgres, tables=TABLES)
    return built


def _rows(
    built: Built,
    sinks: dict[str, aid_db._Sink],
    tree: pdb.Tree,
    n: int,
    donations: int,
    seed: int,
    today: dt.date,
    progress: bool,
) -> None:
    from nhandao.core.idnumber import PROVINCE_CODES
    from nhandao.core.phone import MOBILE_PREFIXES

    rng = random.Random(seed * 104_729 + 6)
    names = aid_db._Names(rng)
    wards, units, cum = aid_db.commune_weights(tree, seed)
    person, donor, weight = sinks["person"], sinks["donor"], sinks["weight"]
    donation, deferral = sinks["donation"], sinks["deferral"]
    prefixes = sorted(MOBILE_PREFIXES)
    ids: set[str] = set()
    phones: set[str] = set()
    recent_phones: list[str] = []
    provinces = sorted(PROVINCE_CODES)
    abo_cum = [float(c) for c in accumulate(w for _, w in ABO)]
    abo_items = [a for a, _ in ABO]
    drawn = 0  # donations drawn so far, before the dates cut some off
    log_q = 0.0
    yesterday = today - dt.timedelta(days=1)
    young = today.toordinal() - round(18.1 * 365.25)
    old = today.toordinal() - round(59.9 * 365.25)
    dk = 0
    fk = 0
    for pk in range(1, n + 1):
        if pk % 100 == 1:  # the mean still needed, corrected for what the dates cut off
            mean = (donations - dk) / (n - pk + 1) * (drawn / dk if dk else 1.0)
            log_q = math.log(1 - 1 / mean) if mean > 1 else 0.0
        i = min(bisect(cum, rng.random() * cum[-1]), len(cum) - 1)
        ward, unit = wards[i], units[i]
        sex = "male" if rng.random() < 0.58 else "female"
        fam, middle, given = names.person(names.pick_family(), sex)
        full, name_key, sort_head, given_key = aid_db._keys(fam, middle, given)
        if rng.random() < AGED_OUT:
            birth = dt.date.fromordinal(old - rng.randrange(5 * 365))
        else:
            birth = dt.date.fromordinal(rng.randrange(old, young))
        r = rng.random()
        if r < NO_PHONE:
            phone = ""
        elif r < NO_PHONE + SHARED_PHONE and recent_phones:
            phone = rng.choice(recent_phones)
        else:
            phone = _phone(rng, phones, prefixes)
            if len(recent_phones) < 1000:
                recent_phones.append(phone)
            else:
                recent_phones[rng.randrange(1000)] = phone
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
                _citizen_id(rng, birth, sex, ids, provinces),
                phone,
                name_key,
                f"{sort_head}{birth.year:04d}{birth.month:02d}{birth.day:02d}",
                f"{name_key}|{birth.year}",
                f"{given_key}|{ward}",
            )
        )

        # The donations, from the last one back.
        k = 1 + (int(math.log(1.0 - rng.random()) / log_q) if log_q else 0)
        drawn += k
        apheresis = rng.random() < APHERESIS_DONORS
        kg = round(rng.uniform(45, 70) if sex == "female" else rng.uniform(50, 85), 1)
        if rng.random() < RECENT:
            last = yesterday - dt.timedelta(days=rng.randrange(83))
            built.recent += 1
        else:
            last = today - dt.timedelta(days=84 + int(rng.expovariate(1 / 400)))
        adult = dt.date.fromordinal(birth.toordinal() + round(18 * 365.25) + 1)
        history: list[tuple[dt.date, str, int, float]] = []
        day = last
        for j in range(k):
            if apheresis and rng.random() < 0.85:
                kind = rng.choice(("platelets", "platelets", "plasma", "red_cells"))
                volume = rng.choice((250, 350, 500) if kg >= 50 else (250,))
            else:
                kind = "whole_blood"
                volume = rng.choice((250, 350, 350, 350, 450) if kg >= 45 else (250,))
            if j:  # the wait after this (earlier) donation, before the one already made
                day -= dt.timedelta(days=INTERVAL[kind] + int(rng.expovariate(1 / 150)))
            if day < HISTORY_FROM or day < adult:
                break
            history.append((day, kind, volume, kg + round(rng.uniform(-2, 2), 1)))
        if not history:  # the dates leave room for none: one donation, last year
            day = max(adult, today - dt.timedelta(days=200))
            history.append((day, "whole_blood", 350, kg))
        for j, (day, kind, volume, w) in enumerate(reversed(history)):
            dk += 1
            certificate = "" if day.year < 2008 and rng.random() < 0.5 else f"GCN{dk:010d}"
            donation.add(
                (dk, pk, unit, day.isoformat(), kind, volume, f"{w:.1f}", certificate, j == 0)
            )
        last_day, last_kind, _, last_kg = history[0]
        rh = "-" if rng.random() < 0.001 else "+"
        donor.add(
            (
                pk,
                pk,
                unit,
                _pick(rng, abo_cum, abo_items),
                rh,
                card_code(pk),
                len(history),
                last_day.isoformat(),
                last_kind,
            )
        )
        weight.add((pk, pk, last_day.isoformat(), f"{last_kg:.1f}"))
        if rng.random() < DEFERRED:
            fk += 1
            r = rng.random()
            if r < 0.6:  # expired
                on = last_day + dt.timedelta(days=rng.randrange(1, 200))
                on = min(on, today - dt.timedelta(days=30))
                until: dt.date | None = on + dt.timedelta(days=rng.randrange(7, 29))
            elif r < 0.9:  # still running
                on = today - dt.timedelta(days=rng.randrange(1, 60))
                until = today + dt.timedelta(days=rng.randrange(1, 180))
                built.deferred_now += 1
            else:  # permanent
                on = today - dt.timedelta(days=rng.randrange(1, 2000))
                until = None
                built.deferred_now += 1
            reason = "chronic" if until is None else rng.choice(DEFERRAL_REASONS[:-1])
            deferral.add(
                (fk, pk, unit, on.isoformat(), reason, "", until.isoformat() if until else None)
            )
        if progress and pk % 250_000 == 0:
            print(f"  … {pk:,} donors, {dk:,} donations", flush=True)
    built.donors, built.donations, built.deferrals = n, dk, fk


# --- the stations --------------------------------------------------------------------------------


def make_sessions(unit_pks: list[int], today: dt.date, actor: Any) -> list[int]:
    """One open session today per unit given (the stations' sessions)."""
    from nhandao.blood.models import BloodSession, SessionStatus

    sessions = [
        BloodSession.objects.create(
            unit_id=unit,
            held_on=today,
            place=f"Điểm hiến máu số {i + 1}",
            host="Nhà văn hóa",
            collecting_facility="Viện Huyết học - Truyền máu Trung ương",
            expected_donors=300,
            target_units=250,
            status=SessionStatus.OPEN,
            created_by=actor,
        )
        for i, unit in enumerate(unit_pks)
    ]
    return [s.pk for s in sessions]


def make_station_tokens(root_pk: int, count: int) -> list[str]:
    """One officer at the national office per station (created once, kept by --reuse), each
    with a new API key."""
    from nhandao.orgs.models import RoleAssignment, User
    from nhandao.orgs.services import token_create

    tokens = []
    for i in range(count):
        name = f"blood{i + 1:02}"
        user = User.objects.filter(username=f"bench.{name}").first()
        if user is None:
            user = pdb.make_user(name, root_pk, "officer")
        assignment = RoleAssignment.objects.get(user=user)
        _, raw = token_create(actor=user, assignment=assignment, name=f"Điểm hiến máu {i + 1}")
        tokens.append(raw)
    return tokens
