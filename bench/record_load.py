"""Gifts recorded at distribution points at once, through the API of a real server: latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_rec python -m bench.record_load
    python -m bench.record_load --quick          # SQLite file of its own, 3 s

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``): the national tree (``--quick``: Hà
Nội and Quảng Trị), ``--households`` households of humanitarian addresses and a launched Tết
Nhân ái campaign without any gift yet (``bench/_aid_db.py``), and one officer at the national
office per station, each with an API key (``orgs.services.token_create``).

Then it starts the production WSGI server, gunicorn (``--workers`` processes of ``--threads``
threads, production settings, plain HTTP on loopback), and ``--stations`` recorders (threads,
one keep-alive ``http.client`` connection each) POST gifts to
``/api/v1/campaigns/{campaign_id}/aid`` for ``--seconds``, each one post every ``--pace``
seconds (default 0.5: 40 gifts a second from 20 stations, a very busy peak; ``--pace 0`` posts
as fast as the server answers, which measures saturation: the latency is then the queue).
Each station works down its own share of the eligible households (head of household), and
about one post in ten is a deliberate duplicate: the other member of a household a station
already recorded, or a household another station is recording at that moment (a race the
database settles). A duplicate must be refused
(409, or 400 with the overlap message), never answered 5xx or accepted twice.

Prints p50/p95/p99/max of the successful records (201), throughput, the answers by status, and
checks the database afterwards (one live gift per household; as many as the 201 answers). The
first second is a warm-up, not counted. Target from the issue: p95 under 100 ms with 20 stations.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
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

from bench import _aid_db as aid_db
from bench import _people_db as db
from bench._server import gunicorn_cmd

TARGET_P95_MS = 100.0
DUP_EVERY = 10
SERVER_LOG = Path(tempfile.gettempdir()) / "nhandao_bench_record_load_server.log"


@dataclass
class Station:
    index: int
    token: str
    heads: list[int]  # the households it records: (head person id)
    seconds: float
    port: int
    path: str
    today: str
    value: int
    shared: Shared
    pace: float = 0.0  # seconds between two posts of the station (0: as fast as answered)
    answers: Counter[int] = field(default_factory=Counter)
    ok_ms: list[float] = field(default_factory=list)
    dup_ms: list[float] = field(default_factory=list)
    dup_answers: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@dataclass
class Shared:
    """What every station can see: the households recorded so far (for duplicates) and the
    position each station has reached (to race another station on the same household)."""

    second_of: dict[int, int]  # head -> other member
    recorded: list[int] = field(default_factory=list)
    created: int = 0  # answers 201, warm-up included
    position: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    warm_until: float = 0.0
    stop_at: float = 0.0
    ready: threading.Barrier = field(default_factory=lambda: threading.Barrier(1))


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def _post(conn: http.client.HTTPConnection, st: Station, person: int) -> tuple[int, float, str]:
    body = json.dumps(
        {
            "person_id": person,
            "kind": "gift",
            "value": st.value,
            "given_on": st.today,
            "source": "campaign",
        }
    )
    headers = {"Authorization": f"Bearer {st.token}", "Content-Type": "application/json"}
    start = time.perf_counter()
    conn.request("POST", st.path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    return response.status, (time.perf_counter() - start) * 1000, text


def run_station(st: Station, stations: list[Station]) -> None:
    sh = st.shared
    conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=30)
    # Warm-up on this connection (bound to one server worker): the worker's first requests load
    # the URL configuration and the views. Not timed.
    for _ in range(3):
        auth = {"Authorization": f"Bearer {st.token}"}
        conn.request("GET", st.path.removesuffix("/aid"), headers=auth)
        conn.getresponse().read()
    sh.ready.wait()
    i = 0
    n = 0
    # Paced stations start at staggered moments and keep their rhythm (a late answer is not
    # made up for by bunching the next posts).
    next_at = time.monotonic() + st.pace * st.index / max(len(stations), 1)
    while time.monotonic() < sh.stop_at and i < len(st.heads):
        if st.pace:
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            next_at = max(next_at + st.pace, time.monotonic())
        n += 1
        duplicate = (n + st.index) % DUP_EVERY == 0  # stations take turns
        if duplicate:
            person = _duplicate(st, stations, (n + st.index) // DUP_EVERY + st.index)
            if person is None:
                continue
        else:
            person = st.heads[i]
            i += 1
            sh.position[st.index] = i
        try:
            status, ms, text = _post(conn, st, person)
        except (OSError, http.client.HTTPException) as exc:
            st.errors.append(f"{type(exc).__name__}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=30)
            continue
        if status >= 500 and len(st.errors) < 5:
            st.errors.append(f"{status}: {text[:300]}")
        if status == 201:
            with sh.lock:
                sh.created += 1
                if not duplicate:
                    sh.recorded.append(person)
        if time.monotonic() < sh.warm_until:
            continue
        st.answers[status] += 1
        if duplicate:
            st.dup_answers[status] += 1
            st.dup_ms.append(ms)
        elif status == 201:
            st.ok_ms.append(ms)
    conn.close()


def _duplicate(st: Station, stations: list[Station], turn: int) -> int | None:
    """Every other duplicate: the other member (or the head again) of a household already
    recorded; the rest: the household the next station is about to record (a race)."""
    sh = st.shared
    if turn % 2:
        with sh.lock:
            if not sh.recorded:
                return None
            head = sh.recorded[(turn * 7919) % len(sh.recorded)]
        return sh.second_of.get(head, head)
    other = stations[(st.index + 1) % len(stations)]
    pos = sh.position[other.index]
    if pos >= len(other.heads):
        return None
    return other.heads[pos]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
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
    cmd = gunicorn_cmd(port, workers, threads)
    # Its log (one warning per refused duplicate) goes to a file, not between the bench's lines.
    log = SERVER_LOG.open("wb")
    proc = subprocess.Popen(cmd, env=env, cwd=db.ROOT_DIR, stdout=log, stderr=log)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {proc.returncode}).")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    sys.exit("gunicorn did not answer within 60 s.")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def make_stations(root_pk: int, count: int) -> list[str]:
    """One officer at the national office per station, each with an API key."""
    from nhandao.orgs.models import RoleAssignment
    from nhandao.orgs.services import token_create

    tokens = []
    for i in range(count):
        user = db.make_user(f"station{i + 1:02}", root_pk, "officer")
        assignment = RoleAssignment.objects.get(user=user)
        _, raw = token_create(actor=user, assignment=assignment, name=f"Điểm trao {i + 1}")
        tokens.append(raw)
    return tokens


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument(
        "--pace", type=float, default=0.5, help="seconds between posts of a station (0: flat out)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--quick", action="store_true", help="3 s, 4,000 households")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="flush a database not the bench's")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = min(args.seconds, 3.0)
        args.households = min(args.households, 4000)

    db.setup_django("record_load")
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from nhandao.aid.models import AidRecord
    from nhandao.campaigns.models import Campaign

    print(f"Building ({db.vendor()})…", flush=True)
    start = time.perf_counter()
    db.prepare_database("record_load", args.force)
    tree = db.build_tree(db.QUICK_PROVINCES if args.quick else None)
    today = timezone.localdate()
    built = aid_db.build(tree, households=args.households, aid=0, seed=args.seed, today=today)
    campaign = Campaign.objects.get(pk=built.campaign_pk)
    tokens = make_stations(tree.root_pk, args.stations)
    build_s = time.perf_counter() - start
    eligible_heads = [built.hh_head[h] for h in range(built.households) if built.hh_flags[h] & 1]
    second_of = {
        built.hh_head[h]: built.hh_second[h]
        for h in range(built.households)
        if built.hh_second[h] and built.hh_flags[h] & 1
    }
    print(
        f"  {built.households:,} households ({len(eligible_heads):,} eligible) in {build_s:.1f} s",
        flush=True,
    )
    connection.close()  # the server's workers open their own

    port = _free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        shared = Shared(second_of=second_of, position=[0] * args.stations)
        stations = [
            Station(
                index=i,
                token=tokens[i],
                heads=eligible_heads[i :: args.stations],
                seconds=args.seconds,
                port=port,
                path=f"/api/v1/campaigns/{campaign.pk}/aid",
                today=today.isoformat(),
                value=500_000,
                shared=shared,
                pace=args.pace,
            )
            for i in range(args.stations)
        ]
        rhythm = f"one post every {args.pace:g} s each" if args.pace else "flat out"
        print(
            f"{args.stations} stations ({rhythm}) for {args.seconds:.0f} s against gunicorn"
            f" ({args.workers} workers × {args.threads} threads)…",
            flush=True,
        )

        def go() -> None:  # every station warmed up: the clock starts
            t0 = time.monotonic()
            shared.warm_until = t0 + 1.0
            shared.stop_at = t0 + 1.0 + args.seconds

        shared.ready = threading.Barrier(args.stations, action=go)
        threads = [threading.Thread(target=run_station, args=(s, stations)) for s in stations]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - shared.warm_until
    finally:
        stop_server(server)

    answers: Counter[int] = Counter()
    dup_answers: Counter[int] = Counter()
    ok_ms: list[float] = []
    dup_ms: list[float] = []
    errors: list[str] = []
    for s in stations:
        answers.update(s.answers)
        dup_answers.update(s.dup_answers)
        ok_ms += s.ok_ms
        dup_ms += s.dup_ms
        errors += s.errors
    live = AidRecord.objects.live().filter(campaign=campaign)
    stored = live.count()
    per_household = live.values("household_id").order_by().annotate(n=Count("id"))
    doubled = per_household.filter(n__gt=1).count()
    problems = []
    server_errors = sum(n for status, n in answers.items() if status >= 500)
    if server_errors:
        problems.append(f"{server_errors} answers 5xx")
    if doubled:
        problems.append(f"{doubled} households with two live gifts")
    if stored != shared.created:
        problems.append(f"{stored} records stored, {shared.created} answered 201")
    if not ok_ms:
        problems.append("no gift recorded")
    p50, p95, p99 = (_pct(ok_ms, q) for q in (50, 95, 99))
    throughput = len(ok_ms) / elapsed if elapsed > 0 else 0.0
    load = os.getloadavg()

    print()
    print(f"Database: {db.vendor()}; {args.stations} stations, {elapsed:.1f} s measured")
    print(f"records (201): {len(ok_ms):,}  throughput {throughput:.1f}/s")
    print(
        f"latency: p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms"
        f"  max {max(ok_ms, default=0):.1f} ms  (target p95 < {TARGET_P95_MS:.0f} ms)"
    )
    print(
        f"answers: {dict(sorted(answers.items()))}; duplicates: {dict(sorted(dup_answers.items()))}"
    )
    print(f"duplicates refused p95 {_pct(dup_ms, 95):.1f} ms; load average {load[0]:.1f}")
    for e in errors[:5]:
        print("ERROR:", e)
    if errors:
        print(f"(server log: {SERVER_LOG})")
    for p in problems:
        print("CHECK FAILED:", p)
    result: dict[str, Any] = {
        "bench": "record_load",
        "db": db.vendor(),
        "stations": args.stations,
        "pace_s": args.pace,
        "seconds": round(elapsed, 1),
        "workers": args.workers,
        "threads": args.threads,
        "households": built.households,
        "records": len(ok_ms),
        "throughput_per_s": round(throughput, 1),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(max(ok_ms, default=0.0), 1),
        "answers": {str(k): v for k, v in sorted(answers.items())},
        "duplicates": {str(k): v for k, v in sorted(dup_answers.items())},
        "duplicate_p95_ms": round(_pct(dup_ms, 95), 1),
        "target_met": p95 < TARGET_P95_MS,
        "checks_ok": not problems,
        "problems": problems,
        "build_s": round(build_s, 1),
        "load_avg": round(load[0], 2),
    }
    print(json.dumps(result, ensure_ascii=False))
    if problems:
        sys.exit(1)
    return result


if __name__ == "__main__":
    main()
