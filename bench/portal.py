"""The public page of an appeal with a million donations, under load on loopback: latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_portal python -m bench.portal
    python -m bench.portal --quick          # 10,000 donations, 5 clients, 3 s

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``; ``--reuse`` keeps the data of an
earlier run of this bench): a bench root with one province and one commune chapter, one appeal
opened 80 days ago through ``funds.services.appeal_create``, and ``--donations`` recorded
donations for it with their receipt entries, loaded in bulk (PostgreSQL ``COPY`` with the two
tables' secondary indexes and foreign keys dropped and rebuilt; SQLite ``executemany``):
Vietnamese names (``gen_people``'s lists, one in twelve a business), one in ten anonymous,
amounts from 20.000 đ to 50.000.000 đ, days spread over the 80 days in id order, a note on
three in ten. The pocket's balance and the fund's counters are set to the sums of what was
loaded, so the ledger stays sound (``ledger.pockets_mismatched`` is checked), then three
spendings are posted through ``ledger.disburse`` and one donation reversed through
``services.donation_reverse``, as the app does.

Then it starts gunicorn (production settings, ``gthread`` workers, plain HTTP on loopback; the
same start as ``bench.record_load``) and ``--clients`` visitors (threads, one keep-alive
connection each, no cookies, so every request reaches Django: no proxy cache in front) ask for
a mix of public pages for ``--seconds`` after a one-second warm-up: the appeal page
``/cong-khai/<code>/`` (40%), the first page of the received list (20%), a later keyset page
(``?cursor=<a random id>``, 20%) and a name search (``?q=<the start of a common name>``, with
or without diacritics, 20%). Each visitor waits ``--pace`` seconds between two requests (0: as
fast as answered, which measures saturation). Every answer must be 200 with the page's marker.

Prints p50/p95/p99/max by page and in all, requests per second, the build time, and the load
average; the last line is one JSON object. Target from the issue: p95 under 200 ms at 50
concurrent clients.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import multiprocessing
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import _people_db as db
from bench._server import gunicorn_cmd

TARGET_P95_MS = 200.0
SERVER_LOG = Path(tempfile.gettempdir()) / "nhandao_bench_portal_server.log"
CODE = "BENCHPORTAL"
ROOT_CODE = "BENCH-PT"
DAYS = 80
MIX = (("fund", 40), ("list", 20), ("later", 20), ("search", 20))
AMOUNTS = (
    (20_000, 4),
    (50_000, 12),
    (100_000, 22),
    (200_000, 18),
    (300_000, 8),
    (500_000, 16),
    (1_000_000, 10),
    (2_000_000, 5),
    (5_000_000, 3),
    (10_000_000, 1.5),
    (50_000_000, 0.5),
)
NOTES = (
    "Chung tay vì đồng bào miền Trung",
    "Ủng hộ bà con vùng lũ",
    "Mong bà con sớm vượt qua khó khăn",
    "Gia đình ủng hộ",
    "Lớp 12A1 ủng hộ",
)
BUSINESSES = ("Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã")
SEARCHES = (
    "nguyen van",
    "Nguyễn Thị",
    "tran thi h",
    "le van",
    "pham",
    "Hoàng Văn",
    "vu thi",
    "dang",
    "bui thi l",
    "cong ty",
    "do van a",
    "ngo",
)


@dataclass
class Built:
    fund_pk: int = 0
    code: str = CODE
    donations: int = 0
    first_id: int = 0
    last_id: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


# --- data ----------------------------------------------------------------------------------------


def _tree() -> tuple[Any, Any]:
    from nhandao.orgs import services
    from nhandao.orgs.models import Unit, UnitKind

    root = services.unit_create_root(name="Trung ương Hội (bench portal)", short_code=ROOT_CODE)
    [province] = services.unit_bulk_add_children(
        parent=root, units=[Unit(name="Hội Chữ thập đỏ thành phố Hà Nội", kind=UnitKind.PROVINCE)]
    )
    services.unit_bulk_add_children(
        parent=province,
        units=[Unit(name="Hội Chữ thập đỏ phường Hoàn Kiếm", kind=UnitKind.COMMUNE)],
    )
    return root, Unit.objects.get(pk=province.pk)


def _appeal(province: Any, officer: Any, today: dt.date) -> Any:
    from nhandao.funds import services

    return services.appeal_create(
        actor=officer,
        unit=province,
        data=services.AppealData(
            name="Ủng hộ đồng bào miền Trung bị thiệt hại do bão lũ (bench)",
            code=CODE,
            opens_on=today - dt.timedelta(days=DAYS - 1),
            bank_name="Vietcombank - Sở giao dịch",
            bank_bin="970436",
            account_no="0011009999999",
            account_name="HOI CHU THAP DO TP HA NOI",
            purpose="Hỗ trợ các hộ bị sập, tốc mái nhà và mất tài sản do bão lũ.",
        ),
    )


def _names(rng: random.Random) -> Any:
    from bench._aid_db import _Names

    return _Names(rng)


def _load(fund: Any, pocket: Any, n: int, today: dt.date, seed: int) -> tuple[int, int]:
    """``n`` donations and their receipt entries, loaded in bulk. Returns (count, total)."""
    from django.db import connection
    from django.utils import timezone

    from bench._aid_db import _indexes_rebuilt_after, _Sink, reset_sequences

    postgres = connection.vendor == "postgresql"
    rng = random.Random(seed)
    names = _names(rng)
    amounts = [a for a, _ in AMOUNTS]
    weights = [w for _, w in AMOUNTS]
    now = timezone.now()
    start = today - dt.timedelta(days=DAYS - 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM funds_donation")
        base_d = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM funds_entry")
        base_e = int(cursor.fetchone()[0])
    tmp = Path(tempfile.mkdtemp(prefix="nhandao_bench_portal_"))
    d_cols = (
        "id",
        "unit_id",
        "fund_id",
        "donor_name",
        "anonymous",
        "method",
        "amount",
        "received_on",
        "reference",
        "note",
        "status",
        "earmark_kind",
    )
    e_cols = (
        "id",
        "pocket_id",
        "fund_id",
        "unit_id",
        "kind",
        "amount",
        "posted_on",
        "description",
        "donation_id",
    )
    donations = _Sink("funds_donation", d_cols, now, postgres, tmp)
    entries = _Sink("funds_entry", e_cols, now, postgres, tmp)
    total = 0
    for i in range(n):
        family = names.pick_family()
        if rng.random() < 1 / 12:
            words = (rng.choice(names.male[1]), rng.choice(names.female[1]))
            who = f"{rng.choice(BUSINESSES)} {words[0]} {words[1]}"
        else:
            who = " ".join(names.person(family, rng.choice(("male", "female"))))
        amount = rng.choices(amounts, weights)[0]
        day = start + dt.timedelta(days=i * DAYS // n)
        note = rng.choice(NOTES) if rng.random() < 0.3 else ""
        pk = base_d + i + 1
        donations.add(
            (
                pk,
                fund.unit_id,
                fund.pk,
                who,
                rng.random() < 0.1,
                "transfer",
                amount,
                day,
                f"BP{pk:010d}",
                note,
                "recorded",
                "",
            )
        )
        entries.add(
            (
                base_e + i + 1,
                pocket.pk,
                fund.pk,
                fund.unit_id,
                "receipt",
                amount,
                day,
                f"Nhận ủng hộ: {who}"[:255],
                pk,
            )
        )
        total += amount
    donations.close()
    entries.close()
    built: Any = Built()
    with _indexes_rebuilt_after(postgres, built, True, ("funds_donation", "funds_entry")):
        donations.load()
        entries.load()
    shutil.rmtree(tmp, ignore_errors=True)
    reset_sequences(postgres, ("funds_donation", "funds_entry"))
    return n, total


def build(n: int, seed: int) -> Built:
    from django.db import connection, transaction
    from django.db.models import F

    from nhandao.funds import ledger, services
    from nhandao.funds.models import Donation, Fund, Pocket

    b = Built()
    t0 = time.perf_counter()
    today = dt.date.today()  # noqa: DTZ011 - the server's local day is the app's
    _root, province = _tree()
    officer = db.make_user("portal.officer", province.pk, "officer")
    fund = _appeal(province, officer, today)
    pocket = ledger.pocket_for(fund, province)
    b.seconds["setup"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        count, total = _load(fund, pocket, n, today, seed)
        # The balance and the counters are the sums of what was loaded (no entry is changed).
        Pocket.objects.filter(pk=pocket.pk).update(balance=F("balance") + total)
        Fund.objects.filter(pk=fund.pk).update(
            donations_count=F("donations_count") + count,
            received_money=F("received_money") + total,
        )
    b.seconds["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fund = Fund.objects.get(pk=fund.pk)
    for amount, what in ((15_000_000, "Hỗ trợ 30 hộ bị sập nhà"), (8_000_000, "Hỗ trợ tốc mái")):
        ledger.disburse(
            fund=fund,
            unit=province,
            amount=amount,
            posted_on=today,
            actor=officer,
            description=what,
        )
    one = Donation.objects.filter(fund=fund).order_by("-id").first()
    services.donation_reverse(actor=officer, donation=one, reason="Ghi trùng (bench)")
    b.seconds["ledger"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE funds_donation" if connection.vendor == "postgresql" else "ANALYZE")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE funds_entry")
    b.seconds["analyze"] = time.perf_counter() - t0
    ids = Donation.objects.filter(fund=fund).order_by("id").values_list("id", flat=True)
    b.fund_pk, b.donations = fund.pk, count
    b.first_id, b.last_id = ids.first() or 0, ids.last() or 0
    return b


def reuse() -> Built | None:
    from nhandao.funds.models import Donation, Fund

    fund = Fund.objects.filter(code=CODE).first()
    if fund is None:
        return None
    ids = Donation.objects.filter(fund=fund).order_by("id").values_list("id", flat=True)
    return Built(
        fund_pk=fund.pk,
        donations=fund.donations_count,
        first_id=ids.first() or 0,
        last_id=ids.last() or 0,
    )


def check(b: Built) -> list[str]:
    from django.db.models import Sum

    from nhandao.funds import ledger
    from nhandao.funds.models import Donation, Fund

    problems = []
    fund = Fund.objects.get(pk=b.fund_pk)
    live = Donation.objects.filter(fund=fund, status="recorded")
    if b.donations <= 200_000:  # a full sum is cheap enough to check here
        total = live.aggregate(s=Sum("amount"))["s"] or 0
        if total != fund.received_money:
            problems.append(f"received_money {fund.received_money} != donations {total}")
        if live.count() != fund.donations_count:
            problems.append("donations_count differs from the recorded donations")
    if ledger.pockets_mismatched():
        problems.append("a pocket's balance differs from the sum of its entries")
    return problems


# --- the server ----------------------------------------------------------------------------------


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "nhandao.settings.prod",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PYTHONPATH": str(db.ROOT_DIR / "src"),
            "PYTHONUTF8": "1",
        }
    )
    return env


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """gunicorn as production runs it: the static files collected first (the pages name their
    stylesheet through the manifest), then ``gthread`` workers on loopback."""
    env = _server_env()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=db.ROOT_DIR,
        check=True,
    )
    cmd = gunicorn_cmd(port, workers, threads)
    log = SERVER_LOG.open("wb")
    proc = subprocess.Popen(cmd, env=env, cwd=db.ROOT_DIR, stdout=log, stderr=log)  # noqa: S603
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {proc.returncode}); see {SERVER_LOG}.")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/cong-khai/")
            status = conn.getresponse().status
            conn.close()
            if status != 200:
                proc.terminate()
                sys.exit(f"/cong-khai/ answered {status}; see {SERVER_LOG}.")
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit("gunicorn did not answer within 180 s.")


# --- load ----------------------------------------------------------------------------------------


@dataclass
class Visitor:
    index: int
    port: int
    code: str
    ids: tuple[int, int]
    pace: float
    shared: Shared
    rng: random.Random
    ms: dict[str, list[float]] = field(default_factory=dict)
    answers: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@dataclass
class Shared:
    """The run's clock (``time.monotonic``, the same in every process of the machine)."""

    start_at: float = 0.0  # every visitor has warmed its connection by then
    warm_until: float = 0.0
    stop_at: float = 0.0


def _pick(rng: random.Random) -> str:
    r = rng.random() * 100
    for kind, weight in MIX:
        if r < weight:
            return kind
        r -= weight
    return MIX[-1][0]


def _request(v: Visitor, kind: str) -> tuple[str, str]:
    base = f"/cong-khai/{v.code}/"
    if kind == "fund":
        return base, 'id="fig-count"'
    if kind == "list":
        return base + "danh-sach/", 'class="donations"'
    if kind == "later":
        cursor = v.rng.randint(v.ids[0] + 100, max(v.ids[1], v.ids[0] + 101))
        return f"{base}danh-sach/?cursor={cursor}", 'class="donations"'
    return f"{base}danh-sach/?q={quote(v.rng.choice(SEARCHES))}", 'class="donations"'


def run_visitor(v: Visitor) -> None:
    sh = v.shared
    conn = http.client.HTTPConnection("127.0.0.1", v.port, timeout=60)
    try:
        for kind in ("fund", "list", "search"):  # warm this connection's worker; not timed
            path, _marker = _request(v, kind)
            conn.request("GET", path)
            conn.getresponse().read()
    except (OSError, http.client.HTTPException) as exc:
        v.errors.append(f"warm-up: {type(exc).__name__}: {exc}")
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", v.port, timeout=60)
    time.sleep(max(0.0, sh.start_at - time.monotonic()))
    next_at = time.monotonic() + v.pace * v.rng.random()
    while time.monotonic() < sh.stop_at:
        if v.pace:
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_at = max(next_at + v.pace, time.monotonic())
        kind = _pick(v.rng)
        path, marker = _request(v, kind)
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            v.errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", v.port, timeout=60)
            continue
        ms = (time.perf_counter() - start) * 1000
        if time.monotonic() < sh.warm_until:
            continue
        v.answers[response.status] += 1
        if response.status != 200 or marker not in text:
            if len(v.errors) < 5:
                v.errors.append(f"{response.status} {path}: {text[:200]}")
            continue
        v.ms.setdefault(kind, []).append(ms)
    conn.close()


def run_group(spec: tuple[Any, ...], indices: list[int]) -> list[Visitor]:
    """One client process: its visitors as threads (the visitors are spread over processes so
    that one interpreter's lock does not queue the answers it times)."""
    port, code, ids, pace, seed, shared = spec
    visitors = [
        Visitor(
            index=i,
            port=port,
            code=code,
            ids=ids,
            pace=pace,
            shared=shared,
            rng=random.Random(seed * 1000 + i),
        )
        for i in indices
    ]
    threads = [threading.Thread(target=run_visitor, args=(v,)) for v in visitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return visitors


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by gunicorn's workers (children of ``pid``), from /proc: a figure
    the shared machine's load does not stretch (0 where /proc is missing)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--donations", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds between requests of a visitor (0: flat out)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="seconds of load before the timing starts"
    )
    parser.add_argument(
        "--client-procs", type=int, default=5, help="processes the visitors are spread over"
    )
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--quick", action="store_true", help="10,000 donations, 5 clients, 3 s")
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="flush a database not the bench's")
    args = parser.parse_args(argv)
    if args.quick:
        args.donations = min(args.donations, 10_000)
        args.clients = min(args.clients, 5)
        args.seconds = min(args.seconds, 3.0)

    db.setup_django("portal")
    from django.db import connection

    from bench.record_load import _free_port, stop_server

    start = time.perf_counter()
    built = reuse() if args.reuse else None
    if built is None:
        print(f"Building {args.donations:,} donations ({db.vendor()})…", flush=True)
        db.prepare_database("portal", args.force)
        built = build(args.donations, args.seed)
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in built.seconds.items())
        print(f"  built in {time.perf_counter() - start:.1f} s ({phases})", flush=True)
    else:
        print(f"Reusing {built.donations:,} donations of {CODE}.", flush=True)
    build_s = time.perf_counter() - start
    problems = check(built)
    connection.close()

    port = _free_port()
    server = start_server(port, args.workers, args.threads)
    procs = max(1, min(args.client_procs, args.clients))
    rhythm = f"one request every {args.pace:g} s each" if args.pace else "flat out"
    print(
        f"{args.clients} visitors ({rhythm}, in {procs} processes) for {args.seconds:.0f} s"
        f" against gunicorn ({args.workers} workers × {args.threads} threads)…",
        flush=True,
    )
    now = time.monotonic()
    warm_until = now + 3.0 + args.warmup
    shared = Shared(start_at=now + 3.0, warm_until=warm_until, stop_at=warm_until + args.seconds)
    groups = [list(range(args.clients))[g::procs] for g in range(procs)]
    spec = (port, CODE, (built.first_id, built.last_id), args.pace, args.seed, shared)
    try:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(procs) as pool:
            waiting = pool.starmap_async(run_group, [(spec, group) for group in groups])
            time.sleep(max(0.0, shared.warm_until - time.monotonic()))
            cpu_start = server_cpu(server.pid)
            time.sleep(max(0.0, shared.stop_at - time.monotonic()))
            cpu_used = server_cpu(server.pid) - cpu_start
            visitors = [v for group in waiting.get(timeout=args.seconds + 120) for v in group]
        elapsed = args.seconds
    finally:
        stop_server(server)

    by_kind: dict[str, list[float]] = {}
    answers: Counter[int] = Counter()
    errors: list[str] = []
    for v in visitors:
        for kind, ms in v.ms.items():
            by_kind.setdefault(kind, []).extend(ms)
        answers.update(v.answers)
        errors += v.errors
    every = [m for ms in by_kind.values() for m in ms]
    if errors:
        problems.append(f"{len(errors)} failed requests, e.g. {errors[0]}")
    if not every:
        problems.append("no request answered")
    print(f"{'page':<8} {'n':>7} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9}")
    figures: dict[str, Any] = {}
    for kind in [k for k, _ in MIX] + ["all"]:
        ms = every if kind == "all" else by_kind.get(kind, [])
        row = {q: round(_pct(ms, q), 1) for q in (50, 95, 99)}
        row["max"] = round(max(ms), 1) if ms else 0.0
        row["n"] = len(ms)
        figures[kind] = row
        print(
            f"{kind:<8} {len(ms):>7} {row[50]:>7.1f}ms {row[95]:>7.1f}ms {row[99]:>7.1f}ms"
            f" {row['max']:>7.1f}ms"
        )
    rps = len(every) / elapsed if elapsed > 0 else 0.0
    answered = sum(answers.values())
    cpu_ms = cpu_used * 1000 / answered if answered else 0.0
    load = os.getloadavg()
    p95 = figures["all"][95]
    met = p95 < TARGET_P95_MS and not problems
    print(
        f"{rps:.1f} requests/s; server CPU {cpu_ms:.1f} ms per request; answers {dict(answers)}; "
        f"load average {load[0]:.1f}; "
        f"p95 {p95:.1f} ms (target {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'})"
    )
    for problem in problems:
        print("PROBLEM:", problem)
    result = {
        "bench": "portal",
        "vendor": db.vendor(),
        "donations": built.donations,
        "clients": args.clients,
        "seconds": args.seconds,
        "pace": args.pace,
        "workers": args.workers,
        "threads": args.threads,
        "client_procs": procs,
        "build_s": round(build_s, 1),
        "build_phases": {k: round(v, 1) for k, v in built.seconds.items()},
        "rps": round(rps, 1),
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        "latency_ms": {k: {str(q): v for q, v in row.items()} for k, row in figures.items()},
        "answers": dict(answers),
        "load_average": round(load[0], 2),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": met,
        "problems": problems,
    }
    print(json.dumps(result, ensure_ascii=False))
    if problems:
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
