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
from nhandao.people.models import Person

from . import engine
from .models import CandidatePair, LinkageRun, PairStatus, RunStatus

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


@transaction.atomic
def pair_decide(
    *, actor: Any, pair: CandidatePair, same: bool, survivor_id: int | None = None
) -> CandidatePair:
    pair = (
        CandidatePair.objects.select_for_update().select_related("a", "b", "unit").get(pk=pair.pk)
    )
    if pair.status != PairStatus.OPEN:
        raise ApplicationError(_("Cặp này đã được quyết định."))
    if same:
        keep_a = survivor_id in (None, pair.a_id)
        survivor, merged = (pair.a, pair.b) if keep_a else (pair.b, pair.a)
        people.person_merge(actor=actor, survivor=survivor, merged=merged)
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
    # Other open pairs that involved the merged record are now about the survivor.
    return pair


def pairs_decide(*, actor: Any, pairs: list[CandidatePair], same: bool) -> tuple[int, list[str]]:
    """Decide many pairs at once; each in its own transaction, failures reported, not fatal."""
    done, problems = 0, []
    for pair in pairs:
        try:
            pair_decide(actor=actor, pair=pair, same=same)
            done += 1
        except (ApplicationError, IntegrityError) as exc:
            problems.append(f"{pair.a} ~ {pair.b}: {exc}")
    return done, problems
