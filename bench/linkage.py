"""Batch duplicate search (``linkage_run_execute``) over a registry with known duplicates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nhandao_bench_people python -m bench.linkage
    python -m bench.linkage --quick               # SQLite file of its own, 5,000 people
    python -m bench.linkage --n 100000 --profile  # plus cProfile's top functions

Builds its own data in the database named by ``DATABASE_URL``, which it flushes (without it, a
SQLite file of its own in the temporary directory; never the development database, and never a
database holding data no bench created unless ``--force``): the official geography, the national
tree, then ``--n`` people (default 1,000,000; ``--quick`` 5,000 in Hà Nội and Quảng Trị) from
``bench.gen_people`` with 15% degraded copies, checked by ``person_check`` and attached to the
commune chapter of their ward (see ``bench/_people_db.py``), then ANALYZE.

A ``LinkageRun`` at the root is executed by ``linkage_run_execute`` in this process: wall time,
peak memory (``ru_maxrss``, before and after) and where the time goes, read from the queries it
sends (each blocking key: SQL, then grouping in Python; scoring: fetching the persons, scoring,
inserting the pairs). Then, against the generator's truth (two records are one person when they
share ``entity_id``; truth pairs are all such pairs): the pairwise precision, recall and F1 of the
proposed pairs at score thresholds 0.5, 0.6, 0.7 and 0.8, why pairs are missed (no blocking key
shared, a block over ``MAX_BLOCK``, or scored too low; by degradation of the copy) and which
reasons the false pairs give. A baseline in the same run: pairs with the same folded name and the
same birth date. Targets from the issue: under 130 s and F1 >= 0.97 at 1,000,000 people (a plain
Splink set-up: 129 s, F1 0.95-0.96; exact name + date of birth: F1 0.44). The last line printed is
one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import re
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench import _people_db as db

THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
TARGET_S = 130.0
TARGET_F1 = 0.97
_KEY_QUERY = re.compile(r'"people_person"\."(\w+)" IN \(SELECT')


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- where the time goes -------------------------------------------------------------------------


@dataclass
class Query:
    start: float
    end: float
    kind: str


@dataclass
class Timeline:
    queries: list[Query] = field(default_factory=list)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(Query(start, time.perf_counter(), self.kind(sql)))

    @staticmethod
    def kind(sql: str) -> str:
        if sql.startswith("INSERT") and "linkage_candidatepair" in sql:
            return "insert"
        if sql.startswith("UPDATE") and "linkage_linkagerun" in sql:
            return "total" if '"total"' in sql else "progress"
        if (m := _KEY_QUERY.search(sql)) and "GROUP BY" in sql:
            return f"key:{m.group(1)}"
        if 'FROM "linkage_candidatepair"' in sql:
            return "decided"
        if 'FROM "people_person"' in sql and '"people_person"."id" IN' in sql:
            return "in_bulk"
        return "other"

    def phases(self, start: float, end: float) -> dict[str, float]:
        """Seconds per phase: each key from its query to the next one (its SQL and the grouping
        in Python), the sort of the pairs, then scoring split into SQL kinds and
        the rest (Python: ``score`` and building the rows)."""
        out: dict[str, float] = {}
        qs = self.queries
        marks = [i for i, q in enumerate(qs) if q.kind.startswith("key:") or q.kind == "total"]
        first_bulk = next((i for i, q in enumerate(qs) if q.kind in ("in_bulk", "insert")), None)
        out["setup"] = (qs[marks[0]].start if marks else end) - start
        for a, b in itertools.pairwise(marks):
            key = qs[a].kind[4:]
            out[f"key_{key}_sql"] = qs[a].end - qs[a].start
            out[f"key_{key}_python"] = qs[b].start - qs[a].end
        score_start = qs[first_bulk].start if first_bulk is not None else end
        if marks:
            out["sort_pairs"] = score_start - qs[marks[-1]].start
        scoring = [q for q in qs if q.start >= score_start]
        for kind in ("in_bulk", "insert", "progress"):
            out[f"score_{kind}_sql"] = sum(q.end - q.start for q in scoring if q.kind == kind)
        sql = sum(out[f"score_{k}_sql"] for k in ("in_bulk", "insert", "progress"))
        out["score_python"] = (end - score_start) - sql
        return out


# --- evaluation ----------------------------------------------------------------------------------


def _one(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def truth_pairs() -> int:
    return int(
        _one(
            "SELECT COALESCE(SUM(k * (k - 1) / 2), 0) FROM "
            "(SELECT COUNT(*) AS k FROM bench_truth GROUP BY entity) s"
        )[0][0]
    )


def prf(tp: int, proposed: int, truth: int) -> tuple[float, float, float]:
    p = tp / proposed if proposed else 0.0
    r = tp / truth if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(run_id: int, truth: int) -> dict[float, dict[str, float]]:
    out = {}
    for t in THRESHOLDS:
        proposed, tp = _one(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ta.entity = tb.entity THEN 1 ELSE 0 END), 0) "
            "FROM linkage_candidatepair c "
            "JOIN bench_truth ta ON ta.person_id = c.a_id "
            "JOIN bench_truth tb ON tb.person_id = c.b_id "
            "WHERE c.run_id = %s AND c.score >= %s",
            [run_id, t],
        )[0]
        p, r, f1 = prf(int(tp), int(proposed), truth)
        out[t] = {"proposed": int(proposed), "tp": int(tp), "precision": p, "recall": r, "f1": f1}
    return out


def baseline_exact(truth: int) -> dict[str, float]:
    """Pairs with the same folded name and the same birth date (no other evidence)."""
    proposed, tp = _one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ta.entity = tb.entity THEN 1 ELSE 0 END), 0) "
        "FROM people_person a JOIN people_person b "
        "ON a.name_key = b.name_key AND a.birth_date = b.birth_date AND a.id < b.id "
        "JOIN bench_truth ta ON ta.person_id = a.id JOIN bench_truth tb ON tb.person_id = b.id"
    )[0]
    p, r, f1 = prf(int(tp), int(proposed), truth)
    return {"proposed": int(proposed), "precision": p, "recall": r, "f1": f1}


def blocking(max_block: int) -> tuple[dict[str, dict[str, int]], set[tuple[int, int]], int]:
    """Per blocking key: blocks used and pairs they make (before de-duplication across keys),
    truth pairs they cover and those no other key covers; the truth pairs covered by any key, and
    those sharing a key only in blocks over ``max_block`` (too common, dropped)."""
    from django.db import connection

    from nhandao.people.matching import BLOCKING_KEYS

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_tp")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_tp AS SELECT x.person_id AS a, y.person_id AS b "
            "FROM bench_truth x JOIN bench_truth y "
            "ON x.entity = y.entity AND x.person_id < y.person_id"
        )
    per_key: dict[str, dict[str, int]] = {}
    covered: set[tuple[int, int]] = set()
    any_size: set[tuple[int, int]] = set()
    sets: dict[str, set[tuple[int, int]]] = {}
    for key in BLOCKING_KEYS:
        usable = f"{key} <> '' AND {key} NOT LIKE '%%|'"
        blocks, pairs = _one(
            # Column names come from BLOCKING_KEYS; every value is a bound parameter.
            f"SELECT COUNT(*), COALESCE(SUM(n * (n - 1) / 2), 0) FROM (SELECT COUNT(*) AS n "  # noqa: S608
            f"FROM people_person WHERE {usable} GROUP BY {key} "
            f"HAVING COUNT(*) > 1 AND COUNT(*) <= %s) s",
            [max_block],
        )[0]
        shared = f"pa.{key} = pb.{key} AND pa.{key} <> '' AND pa.{key} NOT LIKE '%%|'"
        join = (
            "FROM bench_tp t JOIN people_person pa ON pa.id = t.a "
            "JOIN people_person pb ON pb.id = t.b WHERE "
        )
        mine = {
            (a, b)
            for a, b in _one(
                f"SELECT t.a, t.b {join} {shared} AND pa.{key} IN (SELECT {key} "  # noqa: S608
                f"FROM people_person GROUP BY {key} HAVING COUNT(*) <= %s)",
                [max_block],
            )
        }
        any_size |= {(a, b) for a, b in _one(f"SELECT t.a, t.b {join} {shared}")}
        covered |= mine
        sets[key] = mine
        per_key[key] = {"blocks": int(blocks), "pairs": int(pairs), "truth_pairs": len(mine)}
    for key, mine in sets.items():  # truth pairs no other key finds
        others = set().union(*(v for k, v in sets.items() if k != key))
        per_key[key]["only"] = len(mine - others)
    return per_key, covered, len(any_size - covered)


def misses(
    run_id: int, threshold: float, covered: set[tuple[int, int]], loaded: db.Loaded
) -> dict[str, Any]:
    """Truth pairs not proposed at ``threshold``: not a candidate, or scored too low; and the
    miss rate by degradation of the copies in the pair."""
    proposed = {
        (a, b)
        for a, b in _one(
            "SELECT a_id, b_id FROM linkage_candidatepair WHERE run_id = %s AND score >= %s",
            [run_id, threshold],
        )
    }
    all_ops: Counter[str] = Counter()
    missed_ops: Counter[str] = Counter()
    not_candidate = low_score = 0
    for a, b in _one("SELECT a, b FROM bench_tp"):
        ops = {o for pk in (a, b) for o in loaded.ops.get(pk, "").split(",") if o}
        all_ops.update(ops)
        if (a, b) in proposed:
            continue
        missed_ops.update(ops)
        if (a, b) in covered:
            low_score += 1
        else:
            not_candidate += 1
    rate = {
        op: round(missed_ops[op] / all_ops[op], 3)
        for op, _ in missed_ops.most_common()
        if all_ops[op] >= 20
    }
    return {"not_candidate": not_candidate, "low_score": low_score, "miss_rate_by_op": rate}


def false_reasons(run_id: int, threshold: float) -> list[tuple[str, int]]:
    rows = _one(
        "SELECT c.reasons FROM linkage_candidatepair c "
        "JOIN bench_truth ta ON ta.person_id = c.a_id "
        "JOIN bench_truth tb ON tb.person_id = c.b_id "
        "WHERE c.run_id = %s AND c.score >= %s AND ta.entity <> tb.entity",
        [run_id, threshold],
    )
    tally: Counter[str] = Counter()
    for (reasons,) in rows:
        value = json.loads(reasons) if isinstance(reasons, str) else reasons
        tally[" + ".join(value)] += 1
    return tally.most_common(5)


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=None, help="people (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 people in two provinces")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dup-rate", type=float, default=0.15)
    parser.add_argument("--profile", action="store_true", help="cProfile the run (slower)")
    parser.add_argument("--no-cache", action="store_true", help="regenerate the rows")
    parser.add_argument("--force", action="store_true", help="flush a database with other data")
    args = parser.parse_args(argv)
    n = args.n or (5_000 if args.quick else 1_000_000)
    provinces = db.QUICK_PROVINCES if args.quick else None

    db.setup_django("linkage")
    db.prepare_database("linkage", args.force)
    from django.db import connection

    from nhandao.linkage import services
    from nhandao.linkage.models import LinkageRun, RunStatus

    vendor = db.vendor()
    tree = db.build_tree(provinces)
    print(f"{vendor}: tree of {tree.units:,} units; loading {n:,} people …", flush=True)
    loaded = db.load_people(
        tree,
        n,
        seed=args.seed,
        dup_rate=args.dup_rate,
        provinces=provinces,
        use_cache=not args.no_cache,
        progress=n >= 1_000_000,
    )
    analyze_s = db.analyze()
    rejected = sum(loaded.rejected.values())
    print(
        f"prepared {n:,} records in {loaded.prepare_s:.1f} s"
        + (" (cached)" if loaded.cached else f" ({n / loaded.prepare_s:,.0f}/s)")
        + f"; {rejected:,} rejected by person_check; inserted {loaded.rows:,} rows by "
        f"{loaded.method} in {loaded.insert_s:.1f} s ({loaded.rows / loaded.insert_s:,.0f} "
        f"rows/s); ANALYZE {analyze_s:.1f} s",
        flush=True,
    )
    peak_before = _peak_mb()

    run = LinkageRun.objects.create(unit_id=tree.root_pk)
    timeline = Timeline()
    profiler = cProfile.Profile() if args.profile else None
    print("running linkage_run_execute …", flush=True)
    start = time.perf_counter()
    with connection.execute_wrapper(timeline):
        if profiler:
            profiler.enable()
        run = services.linkage_run_execute(run_id=run.pk)
        if profiler:
            profiler.disable()
    end = time.perf_counter()
    seconds = end - start
    peak_after = _peak_mb()
    assert run.status == RunStatus.DONE, run.status
    phases = timeline.phases(start, end)

    db.truth_table(loaded)
    truth = truth_pairs()
    result = scores(run.pk, truth)
    per_key, covered, over_block = blocking(services.MAX_BLOCK)
    best_t = max(THRESHOLDS, key=lambda t: result[t]["f1"])
    miss = misses(run.pk, best_t, covered, loaded)
    fps = false_reasons(run.pk, best_t)
    base = baseline_exact(truth)

    out: dict[str, Any] = {
        "bench": "linkage",
        "db": vendor,
        "quick": args.quick,
        "n": n,
        "rows": loaded.rows,
        "rejected": rejected,
        "copies_loaded": loaded.duplicates,
        "load_method": loaded.method,
        "prepare_s": round(loaded.prepare_s, 2),
        "prepare_cached": loaded.cached,
        "insert_s": round(loaded.insert_s, 2),
        "insert_rows_per_s": round(loaded.rows / loaded.insert_s),
        "analyze_s": round(analyze_s, 2),
        "seconds": round(seconds, 2),
        "profiled": bool(profiler),
        "peak_mb_before": round(peak_before, 1),
        "peak_mb": round(peak_after, 1),
        "candidate_pairs": run.total,
        "pairs_found": run.pairs_found,
        "truth_pairs": truth,
        "truth_pairs_sharing_a_key": len(covered),
        "blocking_recall": round(len(covered) / truth, 4) if truth else 0.0,
        "truth_pairs_only_in_big_blocks": over_block,
        "queries": len(timeline.queries),
    }
    print()
    print(
        f"{vendor}, {loaded.rows:,} people, {truth:,} truth pairs; linkage_run_execute "
        f"{seconds:.1f} s (target < {TARGET_S:.0f} s), peak {peak_after:,.0f} MB (before the "
        f"run {peak_before:,.0f} MB); {run.total:,} candidate pairs, {run.pairs_found:,} stored "
        f"(score >= {services.THRESHOLD}); load average {os.getloadavg()[0]:.1f}"
    )
    print()
    head = (
        f"{'threshold':>9} {'proposed':>10} {'correct':>10} {'precision':>9} {'recall':>7} "
        f"{'F1':>6}"
    )
    print(head)
    print("-" * len(head))
    for t in THRESHOLDS:
        r = result[t]
        flag = "" if r["f1"] >= TARGET_F1 else "  below target"
        print(
            f"{t:>9.1f} {r['proposed']:>10,} {r['tp']:>10,} {r['precision']:>9.4f} "
            f"{r['recall']:>7.4f} {r['f1']:>6.4f}{flag}"
        )
        tag = f"t{int(t * 10):02d}"
        out[f"{tag}_proposed"] = r["proposed"]
        out[f"{tag}_correct"] = r["tp"]
        out[f"{tag}_precision"] = round(r["precision"], 4)
        out[f"{tag}_recall"] = round(r["recall"], 4)
        out[f"{tag}_f1"] = round(r["f1"], 4)
    print(
        f"{'baseline':>9} {base['proposed']:>10,} {'':>10} {base['precision']:>9.4f} "
        f"{base['recall']:>7.4f} {base['f1']:>6.4f}  (same folded name and birth date)"
    )
    out["best_threshold"] = best_t
    out["best_f1"] = round(result[best_t]["f1"], 4)
    out["baseline_exact_f1"] = round(base["f1"], 4)
    out["baseline_exact_precision"] = round(base["precision"], 4)
    out["baseline_exact_recall"] = round(base["recall"], 4)

    print()
    head = f"{'phase':<28} {'seconds':>8} {'share':>6}"
    print(head)
    print("-" * len(head))
    for name, s in phases.items():
        print(f"{name:<28} {s:>8.2f} {s / seconds:>6.1%}")
        out[f"phase_{name}_s"] = round(s, 3)

    print()
    head = f"{'blocking key':<16} {'blocks':>9} {'pairs':>12} {'truth pairs':>12} {'only it':>8}"
    print(head)
    print("-" * len(head))
    for key, k in per_key.items():
        print(
            f"{key:<16} {k['blocks']:>9,} {k['pairs']:>12,} {k['truth_pairs']:>12,} {k['only']:>8,}"
        )
        out[f"key_{key}_blocks"] = k["blocks"]
        out[f"key_{key}_pairs"] = k["pairs"]
        out[f"key_{key}_truth_pairs"] = k["truth_pairs"]
        out[f"key_{key}_truth_only"] = k["only"]
    print(
        f"truth pairs sharing a usable key: {len(covered):,} of {truth:,} "
        f"({out['blocking_recall']:.1%}); sharing a key only in blocks over "
        f"{services.MAX_BLOCK}: {over_block:,}"
    )
    print(
        f"missed at {best_t}: {miss['not_candidate']:,} never candidates, {miss['low_score']:,} "
        f"scored too low; miss rate by degradation: {miss['miss_rate_by_op']}"
    )
    print(f"false pairs at {best_t}, commonest reasons: {fps}")
    out["missed_not_candidate"] = miss["not_candidate"]
    out["missed_low_score"] = miss["low_score"]
    out["miss_rate_by_op"] = miss["miss_rate_by_op"]
    out["false_pair_reasons"] = [[r, c] for r, c in fps]
    if profiler:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(15)
        print("\n" + "\n".join(stream.getvalue().splitlines()[:40]))
    out["target_s"] = TARGET_S
    out["target_f1"] = TARGET_F1
    out["within_target"] = seconds < TARGET_S and out["best_f1"] >= TARGET_F1
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
