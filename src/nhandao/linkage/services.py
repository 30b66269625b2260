"""Batch duplicate search over a scope and the decisions on its candidate pairs.

Candidates come from the same indexed blocking keys as the check at data entry (citizen ID, old
CMND, phone, folded name + birth year, given name + ward, folded full name): records sharing a key
are grouped set-wise in SQL, each pair is scored once, and pairs already decided are never
proposed again."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can
from nhandao.people import services as people
from nhandao.people.matching import BLOCKING_KEYS, score
from nhandao.people.models import Person

from .models import CandidatePair, LinkageRun, PairStatus, RunStatus

A = AuditEvent.Action
THRESHOLD = 0.5
MAX_BLOCK = 200  # a key shared by more records than this is too common to say anything


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


def linkage_run_execute(*, run_id: int) -> LinkageRun:
    run = LinkageRun.objects.select_related("unit").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    people_here = Person.objects.filter(
        unit__path__startswith=run.unit.path, merged_into__isnull=True
    )
    decided = set(
        CandidatePair.objects.filter(unit__path__startswith=run.unit.path).values_list(
            "a_id", "b_id"
        )
    )
    candidate_ids: set[tuple[int, int]] = set()
    for key in BLOCKING_KEYS:
        shared = (
            people_here.exclude(**{key: ""})
            .values(key)
            .annotate(n=Count("pk"))
            .filter(n__gt=1, n__lte=MAX_BLOCK)
            .values_list(key, flat=True)
        )
        groups: dict[str, list[int]] = {}
        for pk, value in people_here.filter(**{f"{key}__in": shared}).values_list("pk", key):
            if value and not str(value).endswith("|"):
                groups.setdefault(value, []).append(pk)
        for ids in groups.values():
            candidate_ids.update(combinations(sorted(ids), 2))
    candidate_ids -= decided
    run.total = len(candidate_ids)
    run.save(update_fields=["total"])
    found = _score_pairs(run, sorted(candidate_ids))
    run.pairs_found = found
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["pairs_found", "status", "finished_at", "processed"])
    return run


def _score_pairs(run: LinkageRun, pairs: list[tuple[int, int]]) -> int:
    found = 0
    batch = 1000
    for start in range(0, len(pairs), batch):
        chunk = pairs[start : start + batch]
        ids = {i for pair in chunk for i in pair}
        persons = Person.objects.in_bulk(ids)
        rows = []
        for a_id, b_id in chunk:
            a, b = persons[a_id], persons[b_id]
            values = {
                "name_key": a.name_key,
                "birth_date": a.birth_date,
                "birth_precision": a.birth_precision,
                "id_number": a.id_number,
                "legacy_id": a.legacy_id,
                "phone": a.phone,
                "ward_id": a.ward_id,
            }
            match = score(values, b)
            if match.score >= THRESHOLD:
                rows.append(
                    CandidatePair(
                        unit=run.unit,
                        run=run,
                        a_id=a_id,
                        b_id=b_id,
                        score=round(match.score, 4),
                        reasons=match.reasons,
                    )
                )
        CandidatePair.objects.bulk_create(rows, ignore_conflicts=True)
        found += len(rows)
        run.processed = start + len(chunk)
        LinkageRun.objects.filter(pk=run.pk).update(processed=run.processed)
    return found


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
