"""Donors checked in at blood donation sessions at once, through the API of a real server: latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_blood \\
        python -m bench.blood_checkin
    python -m bench.blood_checkin --quick        # SQLite file of its own, 2,000 donors, 3 s
    python -m bench.blood_checkin --reuse        # measure again on the earlier build

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``): the national tree (``--quick``: Hà
Nội and Quảng Trị), ``--donors`` people with a blood-donor profile (default 2,000,000) and
``--donations`` donations (default 10,000,000) with realistic dates, kinds and volumes, plus
deferrals (``bench/_blood_db.py``; ``COPY`` on PostgreSQL). ``--reuse`` skips the build and
measures a database an earlier run built (``--build-only`` builds and stops). Then one open
session today per station, in the communes holding most donors, and one officer at the
national office per station with an API key (``orgs.services.token_create``).

It starts the production WSGI server, gunicorn (``--workers`` processes of ``--threads``
threads, production settings, plain HTTP on loopback, as ``bench.record_load`` does), and
``--stations`` check-in desks (threads, one keep-alive ``http.client`` connection each, warmed
up before the clock starts) call ``GET /api/v1/blood/checkin?q=…&session_id=…`` for
``--seconds`` with a Bearer token, each one look-up every ``--pace`` seconds (default 0.5: 40 a
second from 20 desks, far above a real session's rhythm; ``--pace 0`` asks as fast as the
server answers, which measures saturation: the latency is then the queue). A look-up is the
question a desk asks when a donor arrives, by citizen ID (45%), phone (30%), donor card (20%) or
the citizen ID of someone not registered yet (5%: a first-time donor). A known donor must be in
the answer (200, among ``donors`` by its card code, with ``eligible`` true or false); an
unknown one gives 200 with no donor or 404; never 5xx.

Prints p50/p95/p99/max and throughput, in all and by kind of look-up, the answers by status,
the build time (by phase) and the load average. The first second is a warm-up, not counted.
Target from the issue: p95 under 50 ms with 20 stations. ``--explain`` prints, before the
load, the plan (EXPLAIN ANALYZE on PostgreSQL) of each SQL query of one look-up of each kind,
made in this process through the same URL with Django's test client. ``--names`` times, in this
process and instead of the load, the look-up by a typed name (the full names of a few donors and
two common fragments: ``name_key LIKE '%…%'``, which the trigram index ``person_name_trgm``
serves on PostgreSQL). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import _blood_db as blood_db
from bench import _people_db as db
from bench.record_load import _free_port, _pct, start_server, stop_server

TARGET_P95_MS = 50.0
PATH = "/api/v1/blood/checkin"
KINDS = (("citizen_id", 45), ("phone", 30), ("card", 20), ("unknown", 5))
SAMPLE = 50_000  # donors drawn for the look-ups


@dataclass
class Lookup:
    kind: str
    q: str
    card: str  # expected in the answer ("" for an unknown person)


@dataclass
class Desk:
    index: int
    token: str
    session_id: int
    lookups: list[Lookup]
    port: int
    pace: float = 0.0  # seconds between two look-ups of the desk (0: as fast as answered)
    answers: Counter[int] = field(default_factory=Counter)
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    wrong: Counter[str] = field(default_factory=Counter)
    eligible: Counter[bool] = field(default_factory=Counter)
    sent: int = 0  # look-ups answered after the clock started, warm-up second included
    errors: list[str] = field(default_factory=list)


@dataclass
class Clock:
    warm_until: float = 0.0
    stop_at: float = 0.0
    ready: threading.Barrier = field(default_factory=lambda: threading.Barrier(1))


def _url(lookup: Lookup, session_id: int) -> str:
    return f"{PATH}?{urllib.parse.urlencode({'q': lookup.q, 'session_id': session_id})}"


def _check(desk: Desk, lookup: Lookup, status: int, text: str) -> None:
    """A known donor is among the donors answered, with an eligibility answer; an unknown one
    gives no donor (200) or 404; nothing gives 5xx."""
    if status >= 500:
        if len(desk.errors) < 5:
            desk.errors.append(f"{status}: {text[:300]}")
        return
    donors: list[dict[str, Any]] = []
    if status == 200:
        try:
            donors = list(json.loads(text).get("donors") or [])
        except (ValueError, AttributeError):
            donors = [{}]  # not the JSON expected: counted as a wrong answer below
    if not lookup.card:
        if status not in (200, 404) or donors:
            desk.wrong[lookup.kind] += 1
        return
    found = next((d for d in donors if d.get("card_code") == lookup.card), None)
    if found is None or not isinstance(found.get("eligible"), bool):
        desk.wrong[lookup.kind] += 1
        if len(desk.errors) < 5:
            desk.errors.append(f"{lookup.kind} {lookup.q} -> {status}: {text[:200]}")
        return
    desk.eligible[found["eligible"]] += 1


def run_desk(desk: Desk, clock: Clock, desks: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=30)
    headers = {"Authorization": f"Bearer {desk.token}", "Accept": "application/json"}
    # Warm-up on this connection (bound to one server worker), not timed: the worker's first
    # requests load the URL configuration and the views.
    try:
        for lookup in desk.lookups[-3:]:
            conn.request("GET", _url(lookup, desk.session_id), headers=headers)
            conn.getresponse().read()
    except (OSError, http.client.HTTPException) as exc:
        desk.errors.append(f"warm-up: {type(exc).__name__}: {exc}")
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=30)
    clock.ready.wait()
    # Paced desks start at staggered moments and keep their rhythm (a late answer is not made
    # up for by bunching the next look-ups).
    next_at = time.monotonic() + desk.pace * desk.index / max(desks, 1)
    i = 0
    while time.monotonic() < clock.stop_at:
        if desk.pace:
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_at = max(next_at + desk.pace, time.monotonic())
        lookup = desk.lookups[i % len(desk.lookups)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", _url(lookup, desk.session_id), headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            desk.errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", desk.port, timeout=30)
            continue
        ms = (time.perf_counter() - start) * 1000
        desk.sent += 1
        if time.monotonic() < clock.warm_until:
            continue
        desk.answers[response.status] += 1
        desk.ms[lookup.kind].append(ms)
        _check(desk, lookup, response.status, text)
    conn.close()


def server_cpu(master_pid: int, dbname: str) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by the gunicorn workers (children of
    ``master_pid``) and by the PostgreSQL backends of ``dbname`` (their process titles), read
    from /proc (Linux; zeros elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    workers = backends = 0.0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat[stat.rfind(")") + 2 :].split()
        cpu = (int(rest[11]) + int(rest[12])) / tick
        if int(rest[1]) == master_pid:
            workers += cpu
        elif title.startswith("postgres: ") and f" {dbname} " in title:
            backends += cpu
    return workers, backends


# --- what the desks ask --------------------------------------------------------------------------


def make_lookups(donors: int, seed: int, count: int) -> list[Lookup]:
    """``count`` look-ups of donors drawn at random (their keys read from the database, so a
    --reuse run needs nothing else), in the mix of ``KINDS``."""
    from nhandao.blood.models import BloodDonor
    from nhandao.people.models import Person

    rng = random.Random(seed * 7 + 11)
    kinds = [k for k, w in KINDS for _ in range(w)]
    pks = rng.sample(range(1, donors + 1), min(donors, SAMPLE))
    rows: list[tuple[str, str, str]] = []
    for start in range(0, len(pks), 5000):
        rows += BloodDonor.objects.filter(pk__in=pks[start : start + 5000]).values_list(
            "card_code", "person__id_number", "person__phone"
        )
    rng.shuffle(rows)
    unknown = _unknown_ids(rng, count)
    taken = set(Person.objects.filter(id_number__in=unknown).values_list("id_number", flat=True))
    unknown = [u for u in unknown if u not in taken]
    out: list[Lookup] = []
    for n in range(count):
        kind = rng.choice(kinds)
        card, id_number, phone = rows[n % len(rows)]
        if kind == "phone" and not phone:
            kind = "citizen_id"
        if kind == "unknown" and unknown:
            out.append(Lookup(kind, unknown[n % len(unknown)], ""))
        elif kind == "phone":
            out.append(Lookup(kind, phone, card))
        elif kind == "card":
            out.append(Lookup(kind, card, card))
        else:
            out.append(Lookup("citizen_id", id_number, card))
    return out


def _unknown_ids(rng: random.Random, count: int) -> list[str]:
    """Citizen IDs of people born 1985-2005 in Hà Nội, most of them in no record."""
    out = []
    for _ in range(max(count // 10, 10)):
        year = rng.randrange(1985, 2006)
        digit = (2 if year >= 2000 else 0) + rng.randrange(2)
        out.append(f"001{digit}{year % 100:02d}{rng.randrange(1_000_000):06d}")
    return out


# --- --reuse -------------------------------------------------------------------------------------


def _state_file() -> Path:
    from django.conf import settings

    name = Path(str(settings.DATABASES["default"]["NAME"])).name
    return Path(tempfile.gettempdir()) / f"nhandao_bench_blood_{name}.json"


def load_state() -> tuple[blood_db.Built, int, float]:
    from nhandao.blood.models import BloodDonor
    from nhandao.orgs.models import Unit

    path = _state_file()
    if not path.exists():
        sys.exit(f"--reuse: no earlier build recorded ({path}).")
    state = json.loads(path.read_text())
    root_pk = state.pop("root_pk")
    build_s = state.pop("build_s")
    if not Unit.objects.filter(pk=root_pk, short_code=db.BENCH_CODE).exists():
        sys.exit("--reuse: this database holds no earlier blood check-in build.")
    built = blood_db.Built(**state)
    if BloodDonor.objects.count() != built.donors:
        sys.exit("--reuse: the donors in the database are not the earlier build's.")
    return built, root_pk, build_s


# --- EXPLAIN -------------------------------------------------------------------------------------


def explain(lookups: list[Lookup], token: str, session_id: int) -> None:
    """Each SQL query of one look-up of each kind, with its plan."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for kind, _ in KINDS:
        lookup = next((x for x in lookups if x.kind == kind), None)
        if lookup is None:
            continue
        with CaptureQueriesContext(connection) as ctx, override_settings(ALLOWED_HOSTS=["*"]):
            response = client.get(_url(lookup, session_id))
        print(f"\n=== {kind} {lookup.q}: {response.status_code}, {len(ctx)} queries")
        with connection.cursor() as cursor:
            for q in ctx.captured_queries:
                sql = q["sql"]
                print(f"--- {q['time']} s: {sql}")
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                print("\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()))


# --- look-ups by name ----------------------------------------------------------------------------

NAME_FRAGMENTS = ("nguyen van", "thuy trang")  # a common start of names; a common end


def time_names(root_pk: int, donors: int, seed: int, repeat: int = 5) -> dict[str, Any]:
    """``--names``: the desk's look-up by name (``blood.checkin.checkin_lookup``, what the API
    answers for a typed name) for a national officer, in this process: the full names of a few
    donors drawn at random (a name held by a few people across the country) and two common
    fragments. Median of ``repeat`` after one warm-up, with the rows found (at most 10)."""
    from django.db import connection

    from nhandao.blood import checkin
    from nhandao.blood.models import BloodDonor

    rng = random.Random(seed * 7919 + 3)
    ids = [rng.randrange(1, donors + 1) for _ in range(8)]
    names = list(
        BloodDonor.objects.filter(pk__in=ids).values_list("person__name_key", flat=True)[:5]
    )
    user = db.make_user(f"blood.names{int(time.time())}", root_pk, "officer")
    out: dict[str, Any] = {"full_name_ms": [], "rows": {}}
    print(f"Look-ups by name ({connection.vendor}), median of {repeat}:", flush=True)
    for query in [*names, *NAME_FRAGMENTS]:
        checkin.checkin_lookup(user=user, query=query)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            rows = checkin.checkin_lookup(user=user, query=query)
            times.append((time.perf_counter() - start) * 1000)
        ms = sorted(times)[len(times) // 2]
        print(f"  {query!r:<32} {ms:9.1f} ms   ({len(rows)} donors)", flush=True)
        out["rows"][query] = len(rows)
        if query in NAME_FRAGMENTS:
            out[f"fragment_{query.replace(' ', '_')}_ms"] = round(ms, 1)
        else:
            out["full_name_ms"].append(round(ms, 1))
    return out


# --- main ----------------------------------------------------------------------------------------


def _figures(values: list[float], seconds: float) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(_pct(values, 50), 1),
        "p95_ms": round(_pct(values, 95), 1),
        "p99_ms": round(_pct(values, 99), 1),
        "max_ms": round(max(values, default=0.0), 1),
        "per_s": round(len(values) / seconds, 1) if seconds > 0 else 0.0,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--donors", type=int, default=2_000_000)
    parser.add_argument("--donations", type=int, default=10_000_000)
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--pace", type=float, default=0.5, help="seconds between look-ups of a desk (0: flat out)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--quick", action="store_true", help="2,000 donors, 4 stations, 3 s")
    parser.add_argument("--reuse", action="store_true", help="measure an earlier build again")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="flush a database not the bench's")
    parser.add_argument("--build-only", action="store_true", help="build, measure nothing")
    parser.add_argument("--explain", action="store_true", help="plans of one look-up per kind")
    parser.add_argument(
        "--names", action="store_true", help="time look-ups by name in process, then stop"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.donors = min(args.donors, 2000)
        args.donations = min(args.donations, 10_000)
        args.stations = min(args.stations, 4)
        args.seconds = min(args.seconds, 3.0)

    db.setup_django("blood_checkin")
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from nhandao.blood.models import BloodDonation, BloodDonor, Deferral

    today = timezone.localdate()
    started = time.perf_counter()
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        built, root_pk, build_s = load_state()
        blood_db.seed_rules()  # builds before the rules were seeded after the flush
        print(f"Reusing {built.donors:,} donors and {built.donations:,} donations", flush=True)
    else:
        print(f"Building the tree ({db.vendor()})…", flush=True)
        db.prepare_database("blood_checkin", args.force)
        tree = db.build_tree(db.QUICK_PROVINCES if args.quick else None)
        root_pk = tree.root_pk
        print(f"  {tree.units:,} units in {tree.seconds + tree.geo_seconds:.1f} s", flush=True)
        print(f"Donors {args.donors:,} and donations {args.donations:,}…", flush=True)
        built = blood_db.build(
            tree,
            donors=args.donors,
            donations=args.donations,
            seed=args.seed,
            today=today,
            progress=True,
        )
        built.seconds["tree"] = tree.seconds + tree.geo_seconds
        build_s = time.perf_counter() - started
        state = asdict(built) | {"root_pk": root_pk, "build_s": build_s}
        _state_file().write_text(json.dumps(state))
    assert BloodDonation.objects.count() == built.donations
    assert Deferral.objects.count() == built.deferrals
    if args.build_only:
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in built.seconds.items())
        print(f"Built in {build_s:.1f} s ({phases}); load average {os.getloadavg()[0]:.1f}")
        return asdict(built) | {"build_s": build_s}

    if args.names:
        figures = time_names(root_pk, built.donors, args.seed)
        result = {"donors": built.donors, "db": db.vendor(), "load_avg": os.getloadavg()[0]}
        print(json.dumps(result | figures, ensure_ascii=False))
        return result | figures

    # One open session per desk, in the communes holding most donors.
    communes = (
        BloodDonor.objects.values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_id")[: args.stations]
    )
    units = [unit for unit, _ in communes] or [root_pk]
    actor = db.make_user(f"blood.organiser{int(time.time())}", root_pk, "officer")
    sessions = blood_db.make_sessions(
        [units[i % len(units)] for i in range(args.stations)], today, actor
    )
    tokens = blood_db.make_station_tokens(root_pk, args.stations)
    per_desk = 400 if args.quick else 2000
    lookups = make_lookups(built.donors, args.seed, per_desk * args.stations)
    if args.explain:
        explain(lookups, tokens[0], sessions[0])
    print(
        f"  {built.donors:,} donors, {built.donations:,} donations, {built.deferrals:,} deferrals"
        f" (build {build_s:.1f} s)",
        flush=True,
    )
    connection.close()  # the server's workers open their own

    port = _free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        desks = [
            Desk(
                index=i,
                token=tokens[i],
                session_id=sessions[i],
                lookups=lookups[i * per_desk : (i + 1) * per_desk],
                port=port,
                pace=args.pace,
            )
            for i in range(args.stations)
        ]
        rhythm = f"one look-up every {args.pace:g} s each" if args.pace else "flat out"
        print(
            f"{args.stations} check-in desks ({rhythm}) for {args.seconds:.0f} s against gunicorn"
            f" ({args.workers} workers × {args.threads} threads)…",
            flush=True,
        )
        clock = Clock()
        dbname = str(connection.settings_dict["NAME"])
        cpu_at: list[tuple[float, float]] = []

        def go() -> None:  # every desk warmed up: the clock starts
            cpu_at.append(server_cpu(server.pid, dbname))
            t0 = time.monotonic()
            clock.warm_until = t0 + 1.0
            clock.stop_at = t0 + 1.0 + args.seconds

        clock.ready = threading.Barrier(args.stations, action=go)
        threads = [threading.Thread(target=run_desk, args=(d, clock, args.stations)) for d in desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - clock.warm_until
        cpu_at.append(server_cpu(server.pid, dbname))
    finally:
        stop_server(server)

    answers: Counter[int] = Counter()
    wrong: Counter[str] = Counter()
    eligible: Counter[bool] = Counter()
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    for d in desks:
        answers.update(d.answers)
        wrong.update(d.wrong)
        eligible.update(d.eligible)
        errors += d.errors
        for kind, values in d.ms.items():
            by_kind[kind] += values
    every = [v for values in by_kind.values() for v in values]
    overall = _figures(every, elapsed)
    kinds = {k: _figures(by_kind[k], elapsed) for k, _ in KINDS if by_kind[k]}
    problems = []
    server_errors = sum(n for status, n in answers.items() if status >= 500)
    if server_errors:
        problems.append(f"{server_errors} answers 5xx")
    if sum(wrong.values()):
        problems.append(f"answers without the donor expected: {dict(wrong)}")
    if not every:
        problems.append("no look-up answered")
    load = os.getloadavg()

    print()
    print(
        f"Database: {db.vendor()}; {built.donors:,} donors, {built.donations:,} donations;"
        f" {args.stations} desks, {elapsed:.1f} s measured"
    )
    print(f"{'look-up':12} {'n':>7} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'per s':>7}")
    for name, f in [*kinds.items(), ("all", overall)]:
        print(
            f"{name:12} {f['n']:7,} {f['p50_ms']:6.1f}ms {f['p95_ms']:6.1f}ms"
            f" {f['p99_ms']:6.1f}ms {f['max_ms']:6.1f}ms {f['per_s']:7.1f}"
        )
    met = bool(every) and overall["p95_ms"] < TARGET_P95_MS
    print(
        f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'MISSED'};"
        f" answers {dict(sorted(answers.items()))}"
    )
    # CPU of the server per look-up, from the start of the clock (warm-up second included)
    asked = sum(d.sent for d in desks)
    cpu_ms = [
        round((after - before) * 1000 / asked, 2) if asked else 0.0
        for before, after in zip(cpu_at[0], cpu_at[-1], strict=True)
    ]
    print(f"server CPU per look-up: gunicorn {cpu_ms[0]:.1f} ms, PostgreSQL {cpu_ms[1]:.1f} ms")
    found = eligible[True] + eligible[False]
    share = eligible[True] / found if found else 0.0
    print(f"donors found: {found:,}, of whom may donate today {share:.0%}")
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in built.seconds.items())
    print(f"Build {build_s:.1f} s ({phases}); load average {load[0]:.1f} {load[1]:.1f}")
    for e in errors[:5]:
        print("ERROR:", e)
    if errors:
        from bench.record_load import SERVER_LOG

        print(f"(server log: {SERVER_LOG})")
    for p in problems:
        print("CHECK FAILED:", p)
    result: dict[str, Any] = {
        "bench": "blood_checkin",
        "db": db.vendor(),
        "donors": built.donors,
        "donations": built.donations,
        "deferrals": built.deferrals,
        "stations": args.stations,
        "pace_s": args.pace,
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "threads": args.threads,
        **{k: v for k, v in overall.items() if k != "n"},
        "lookups": overall["n"],
        "throughput_per_s": overall["per_s"],
        "by_kind": kinds,
        "answers": {str(k): v for k, v in sorted(answers.items())},
        "eligible_share": round(share, 3),
        "cpu_ms_per_lookup": {"gunicorn": cpu_ms[0], "postgresql": cpu_ms[1]},
        "target_met": met,
        "checks_ok": not problems,
        "problems": problems,
        "build_s": round(build_s, 1),
        "build_phases_s": {k: round(v, 1) for k, v in built.seconds.items()},
        "reused": args.reuse,
        "load_avg": [round(x, 2) for x in load],
    }
    print(json.dumps(result, ensure_ascii=False))
    if problems:
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
