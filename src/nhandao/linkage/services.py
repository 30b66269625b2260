"""Batch duplicate search over a scope and the decisions on its candidate pairs.

A run streams the registry of its scope into DuckDB and scores pairs with a Splink model trained
on that registry (``engine.py``); pairs at or above the threshold are written as candidate pairs
with their match probability and evidence. A pair already proposed (open or decided) is not
proposed again: decided pairs stay decided, open ones wait for their decision."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.scoping import path_filter
from nhandao.orgs.permissions import can
from nhandao.people import services as people
from nhandao.people.models import Household, Person

from . import engine
from .models import CandidatePair, HouseholdPair, LinkageRun, PairStatus, RunStatus

A = AuditEvent.Action
THRESHOLD = engine.THRESHOLD
STEPS = {
    "load": gettext_noop("Đang đọc hồ sơ"),
    "u": gettext_noop("Đang học mô hình: cặp ngẫu nhiên"),
    "em": gettext_noop("Đang học mô hình: cặp giống nhau"),
    "predict": gettext_noop("Đang so sánh các cặp"),
    "write": gettext_noop("Đang ghi các cặp nghi trùng"),
}


@transaction.atomic
def linkage_run_start(*, actor: Any, unit: Any) -> LinkageRun:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền tìm trùng tại đơn vị này."))
    if LinkageRun.objects.filter(
        unit=unit, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).exists():
        raise ApplicationError(_("Đang có một lượt tìm trùng chạy cho đơn vị này."))
    run = LinkageRun.objects.create(unit=unit, created_by=actor)
    from . import tasks

    transaction.on_commit(lambda: tasks.run_linkage.enqueue(run.pk))
    return run


def _progress(run: LinkageRun) -> engine.Progress:
    def say(step: str, percent: int) -> None:
        LinkageRun.objects.filter(pk=run.pk).update(
            total=100, processed=percent, message=STEPS.get(step, step)
        )

    return say


def linkage_run_execute(*, run_id: int, threshold: float | None = None) -> LinkageRun:
    run = LinkageRun.objects.select_related("unit").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    run.status = RunStatus.RUNNING
    run.threshold = THRESHOLD if threshold is None else threshold
    run.save(update_fields=["status", "threshold"])
    in_scope = path_filter("unit__path", [run.unit.path])
    people_here = Person.objects.filter(in_scope, merged_into__isnull=True).order_by()
    known = (
        CandidatePair.objects.filter(path_filter("a__unit__path", [run.unit.path]))
        .values_list("a_id", "b_id")
        .iterator(chunk_size=10_000)
    )
    workdir = Path(tempfile.mkdtemp(prefix="nhandao_linkage_"))
    try:
        result = engine.run(
            people_here,
            exclude_pairs=known,
            threshold=run.threshold,
            progress=_progress(run),
            workdir=workdir,
        )
        start = time.perf_counter()
        with transaction.atomic():
            found = _store_pairs(run, result.pairs_file) if result.pairs_file else 0
        result.seconds["store"] = round(time.perf_counter() - start, 3)
        start = time.perf_counter()
        with transaction.atomic():
            run.households_found = household_pairs_find(run)
        result.seconds["households"] = round(time.perf_counter() - start, 3)
    except Exception as exc:
        LinkageRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    run.refresh_from_db(fields=["total", "processed", "message"])
    run.records = result.records
    run.trained = result.trained
    run.model = result.model or None
    run.seconds = result.seconds
    run.pairs_found = found
    run.total = run.processed = 100
    run.message = ""
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _store_pairs(run: LinkageRun, path: Path) -> int:
    """Insert the pairs of the engine's CSV (``a, b, probability, reasons``); a pair that already
    exists (decided meanwhile, or found by a run of another scope) is left as it is."""
    table = CandidatePair._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS linkage_new_pairs")
            cursor.execute(
                "CREATE TEMPORARY TABLE linkage_new_pairs "
                "(a bigint, b bigint, p double precision, reasons jsonb) ON COMMIT DROP"
            )
            with (
                path.open("rb") as f,
                cursor.cursor.copy("COPY linkage_new_pairs FROM STDIN (FORMAT csv)") as copy,
            ):
                while block := f.read(1 << 20):
                    copy.write(block)
            cursor.execute(
                f"INSERT INTO {table} (unit_id, run_id, a_id, b_id, score, reasons, status) "  # noqa: S608
                "SELECT %s, %s, a, b, p, reasons, %s FROM linkage_new_pairs "
                "ON CONFLICT (a_id, b_id) DO NOTHING",
                [run.unit_id, run.pk, PairStatus.OPEN],
            )
            cursor.execute("DROP TABLE linkage_new_pairs")
        return CandidatePair.objects.filter(run=run).count()
    with path.open(newline="", encoding="utf-8") as f:
        rows: list[CandidatePair] = []
        for a, b, p, reasons in csv.reader(f):
            rows.append(
                CandidatePair(
                    unit_id=run.unit_id,
                    run=run,
                    a_id=int(a),
                    b_id=int(b),
                    score=float(p),
                    reasons=json.loads(reasons),
                )
            )
            if len(rows) >= 5000:
                CandidatePair.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        CandidatePair.objects.bulk_create(rows, ignore_conflicts=True)
    return CandidatePair.objects.filter(run=run).count()


def _decide(
    model: Any, pair: Any, *, actor: Any, same: bool, survivor_id: int | None, merge: Any
) -> Any:
    """The one decision on a pair of people or of households: "same" merges them (the survivor
    chosen by the user, ``a`` by default), "different" is remembered and never proposed again."""
    pair = model.objects.select_for_update().select_related("a", "b", "unit").get(pk=pair.pk)
    if pair.status != PairStatus.OPEN:
        raise ApplicationError(_("Cặp này đã được quyết định."))
    if same:
        keep_a = survivor_id in (None, pair.a_id)
        survivor, merged = (pair.a, pair.b) if keep_a else (pair.b, pair.a)
        merge(actor=actor, survivor=survivor, merged=merged)
    elif not can(actor, "data.edit", pair.unit):
        raise ApplicationError(_("Bạn không có quyền quyết định tại đơn vị này."))
    pair.status = PairStatus.SAME if same else PairStatus.DIFFERENT
    pair.decided_by = actor
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    if not same:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=pair,
            unit_path=pair.unit.path,
            changes={"decision": [None, "different"]},
        )
    return pair


@transaction.atomic
def pair_decide(
    *, actor: Any, pair: CandidatePair, same: bool, survivor_id: int | None = None
) -> CandidatePair:
    # Other open pairs that involved the merged record are then about the survivor.
    return _decide(
        CandidatePair,
        pair,
        actor=actor,
        same=same,
        survivor_id=survivor_id,
        merge=people.person_merge,
    )


def pairs_decide(
    *, actor: Any, pairs: list[CandidatePair] | list[HouseholdPair], same: bool
) -> tuple[int, list[str]]:
    """Decide many pairs (of people or of households) at once; each in its own transaction,
    failures reported, not fatal."""
    done, problems = 0, []
    for pair in pairs:
        try:
            if isinstance(pair, HouseholdPair):
                household_pair_decide(actor=actor, pair=pair, same=same)
            else:
                pair_decide(actor=actor, pair=pair, same=same)
            done += 1
        except (ApplicationError, IntegrityError) as exc:
            problems.append(f"{pair.a} ~ {pair.b}: {exc}")
    return done, problems


def pair_sensitive_viewed(*, actor: Any, pair: CandidatePair, ip: str | None) -> None:
    """Every side-by-side view of a pair with unmasked identifiers (citizen ID, CMND, phone) is
    logged, naming the two records shown."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=pair,
        unit_path=pair.unit.path,
        changes={"persons": [None, [pair.a_id, pair.b_id]]},
        ip_address=ip,
    )


# --- households ----------------------------------------------------------------------------------

HOUSEHOLD_GROUP_MAX = 30  # a code or an address shared by more households is not evidence
HEAD_NAME_SIMILAR = 85  # token_sort_ratio of the heads' folded names, out of 100
# Strength of each kind of evidence; several combine as independent signals (1 - Π(1 - s)).
HEAD_SAME = 0.99
CODE_SAME_WARD, CODE_ONLY = 0.95, 0.8


def household_pairs_find(run: LinkageRun) -> int:
    """Household pairs of the run's scope: heads who are one person (after a merge) or a
    candidate pair of people (at the probability of that pair), the same household code, or the
    same ward and address with heads of near-identical names. Pairs already proposed are not
    proposed again. Returns the number of new pairs."""
    from rapidfuzz.fuzz import token_sort_ratio

    from nhandao.core.text import fold

    scope = path_filter("unit__path", [run.unit.path])
    rows = list(
        Household.objects.filter(scope, merged_into__isnull=True).values_list(
            "pk", "code", "head_id", "ward_id", "address_detail", "head__name_key"
        )
    )
    evidence: dict[tuple[int, int], dict[str, float]] = {}

    def add(x: int, y: int, code: str, strength: float) -> None:
        if x != y:
            key = (min(x, y), max(x, y))
            found = evidence.setdefault(key, {})
            found[code] = max(strength, found.get(code, 0.0))

    def groups(key_of: Any) -> list[list[tuple[Any, ...]]]:
        by_key: dict[Any, list[tuple[Any, ...]]] = {}
        for row in rows:
            key = key_of(row)
            if key:
                by_key.setdefault(key, []).append(row)
        return [g for g in by_key.values() if 1 < len(g) <= HOUSEHOLD_GROUP_MAX]

    by_head: dict[int, list[int]] = {}
    for pk, _code, head, *_rest in rows:
        if head:
            by_head.setdefault(head, []).append(pk)
    for same_head in by_head.values():
        for i, x in enumerate(same_head):
            for y in same_head[i + 1 :]:
                add(x, y, "household:head_same", HEAD_SAME)
    heads = Household.objects.filter(scope, merged_into__isnull=True, head__isnull=False)
    person_pairs = CandidatePair.objects.filter(
        a_id__in=heads.values("head_id"),
        b_id__in=heads.values("head_id"),
        status__in=[PairStatus.OPEN, PairStatus.SAME],
    ).values_list("a_id", "b_id", "score")
    for a, b, p in person_pairs.iterator(chunk_size=10_000):
        for x in by_head.get(a, []):
            for y in by_head.get(b, []):
                add(x, y, "household:head_pair", p)
    for group in groups(lambda r: r[1].strip().upper()):
        for i, (x, _c, _h, ward_x, *_r) in enumerate(group):
            for y, _c2, _h2, ward_y, *_r2 in group[i + 1 :]:
                same_ward = ward_x is not None and ward_x == ward_y
                add(x, y, "household:code", CODE_SAME_WARD if same_ward else CODE_ONLY)
    for group in groups(lambda r: (r[3], fold(r[4])) if r[3] and r[4].strip() else None):
        for i, (x, *_r, name_x) in enumerate(group):
            for y, *_r2, name_y in group[i + 1 :]:
                similar = token_sort_ratio(name_x or "", name_y or "")
                if name_x and name_y and similar >= HEAD_NAME_SIMILAR:
                    # 0.6 for names 85% alike, up to 0.9 for the same name
                    strength = 0.6 + 0.3 * (similar - HEAD_NAME_SIMILAR) / (100 - HEAD_NAME_SIMILAR)
                    add(x, y, "household:address", strength)

    known = set(
        HouseholdPair.objects.filter(path_filter("a__unit__path", [run.unit.path])).values_list(
            "a_id", "b_id"
        )
    )
    new = []
    for (a, b), found in evidence.items():
        if (a, b) in known:
            continue
        miss = 1.0
        for strength in found.values():
            miss *= 1 - strength
        new.append(
            HouseholdPair(
                unit_id=run.unit_id,
                run=run,
                a_id=a,
                b_id=b,
                score=round(1 - miss, 4),
                reasons=sorted(found, key=lambda c: -found[c]),
            )
        )
    HouseholdPair.objects.bulk_create(new, batch_size=5000, ignore_conflicts=True)
    return HouseholdPair.objects.filter(run=run).count()


@transaction.atomic
def household_pair_decide(
    *, actor: Any, pair: HouseholdPair, same: bool, survivor_id: int | None = None
) -> HouseholdPair:
    """ "Same household": merge (``people.household_merge``, the survivor chosen by the user);
    "different": remembered, never proposed again."""
    return _decide(
        HouseholdPair,
        pair,
        actor=actor,
        same=same,
        survivor_id=survivor_id,
        merge=people.household_merge,
    )
