"""The one staged import pipeline: upload → header found → columns mapped → every row validated
(a background job with progress) → preview → commit in one transaction → report and error workbook.

A failed import changes nothing: rows are written only by ``import_commit``, in one transaction,
and a job can be cancelled at any stage before it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can
from nhandao.people.matching import BatchIndex

from .headers import (
    HeaderMatch,
    apply_mapping,
    data_rows,
    find_header,
    mapping_to_remember,
    shape_signature,
)
from .legacy_encoding import fix_table
from .models import ImportJob, ImportRow, JobStatus, RowStatus, SavedMapping
from .readers import Table, column_letter, read_table
from .registry import get_spec

A = AuditEvent.Action
BATCH = 500
IN_FILE_DUPLICATE = 0.6  # same name, same birth year, same commune is enough to hold a row back


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _read(job_or_data: ImportJob | bytes, filename: str = "") -> Table:
    if isinstance(job_or_data, ImportJob):
        table = read_table(
            bytes(job_or_data.content), job_or_data.filename, sheet=job_or_data.sheet_name or None
        )
    else:
        table = read_table(job_or_data, filename)
    rows, encoding = fix_table(table.rows)
    table.rows = rows
    if encoding:
        table.legacy_encoding = encoding
    return table


def _header(job: ImportJob, table: Table) -> HeaderMatch:
    spec = get_spec(job.kind)
    return find_header(table.rows, spec.columns, filename=job.filename, sheet_name=table.sheet_name)


@transaction.atomic
def import_upload(*, actor: Any, unit: Any, kind: str, filename: str, data: bytes) -> ImportJob:
    """Read the file, find its header and propose a mapping (the one remembered for files of the
    same shape when there is one). Bad files raise ApplicationError with a Vietnamese message."""
    if not can(actor, "data.import", unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    spec = get_spec(kind)
    table = _read(data, filename)
    match = find_header(table.rows, spec.columns, filename=filename, sheet_name=table.sheet_name)
    signature = shape_signature(match.header_texts)
    mapping = dict(match.mapping)
    saved = SavedMapping.objects.filter(unit=unit, kind=kind, signature=signature).first()
    if saved is not None:
        mapping = apply_mapping(match.header_texts, saved.mapping) or mapping
    job = ImportJob.objects.create(
        unit=unit,
        kind=kind,
        filename=filename[:255],
        content=data,
        sheet_name=table.sheet_name,
        source_encoding=table.source_encoding or "",
        header_row=match.header_row,
        mapping={str(k): v for k, v in mapping.items()},
        signature=signature,
        created_by=actor,
        status=JobStatus.MAPPING,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=job,
        unit_path=unit.path,
        changes={"file": [None, filename], "kind": [None, kind]},
    )
    return job


def mapping_context(job: ImportJob) -> dict[str, Any]:
    """What the mapping page shows: header texts, the proposed mapping, the fields wanted."""
    table = _read(job)
    match = _header(job, table)
    preview = [row for _n, row in data_rows(table.rows, match)[:5]]
    return {
        "headers": match.header_texts,
        "match": match,
        "preview": preview,
        "columns": get_spec(job.kind).columns,
        "table": table,
    }


@transaction.atomic
def import_set_mapping(*, actor: Any, job: ImportJob, mapping: dict[int, str]) -> ImportJob:
    """Confirm the column mapping (remembered for the next file of the same shape)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.MAPPING:
        raise ApplicationError(_("Lượt nhập này không còn ở bước ghép cột."))
    spec = get_spec(job.kind)
    known = {c.field for c in spec.columns}
    chosen = {col: f for col, f in mapping.items() if f}
    unknown = set(chosen.values()) - known
    if unknown:
        raise ApplicationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    seen: dict[str, list[int]] = defaultdict(list)
    for col, name in chosen.items():
        seen[name].append(col)
    twice = [(f, cols) for f, cols in seen.items() if len(cols) > 1]
    if twice:
        f, cols = twice[0]
        label = next(c.label for c in spec.columns if c.field == f)
        raise ApplicationError(
            _("«%(field)s» được ghép với nhiều cột: %(cols)s. Hãy chọn một.")
            % {"field": label, "cols": ", ".join(column_letter(c) for c in cols)}
        )
    missing = [c.label for c in spec.columns if c.required and c.field not in seen]
    if missing:
        raise ApplicationError(_("Chưa chọn cột cho trường bắt buộc: %s.") % ", ".join(missing))
    table = _read(job)
    headers = _header(job, table).header_texts
    SavedMapping.objects.update_or_create(
        unit=job.unit,
        kind=job.kind,
        signature=job.signature,
        defaults={"mapping": mapping_to_remember(headers, chosen)},
    )
    job.mapping = {str(k): v for k, v in chosen.items()}
    job.status = JobStatus.VALIDATING
    job.processed_rows = 0
    job.save(update_fields=["mapping", "status", "processed_rows", "updated_at"])
    from . import tasks

    transaction.on_commit(lambda: tasks.validate_job.enqueue(job.pk))
    return job


def import_validate(*, job_id: int) -> ImportJob:
    """Check every row (background job): values, problems, duplicates in the file and in the
    registry, rows already imported. Progress is saved every batch for the progress bar."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != JobStatus.VALIDATING:
        return job
    spec = get_spec(job.kind)
    try:
        table = _read(job)
        match = _header(job, table)
    except ApplicationError as exc:
        return _fail(job, exc.message)
    mapping = {int(k): v for k, v in job.mapping.items()}
    rows = data_rows(table.rows, match)
    ImportRow.objects.filter(job=job).delete()
    job.total_rows = len(rows)
    job.save(update_fields=["total_rows", "updated_at"])
    long_cells = {(p.row, p.col): p.message for p in table.cell_problems}
    user = job.created_by
    if user is not None:
        user.active_assignment = None
    parsed_rows: list[ImportRow] = []
    first_by_key: dict[str, int] = {}
    in_file = BatchIndex()
    for done, (excel_row, cells) in enumerate(rows, 1):
        by_field = {name: cells[col] if col < len(cells) else None for col, name in mapping.items()}
        parsed = spec.parse(by_field, job.unit)
        column_of = {name: column_letter(col) for col, name in mapping.items()}
        problems = [p.as_dict(column_of.get(p.field, "")) for p in parsed.problems]
        for col in range(len(cells)):
            if (excel_row - 1, col) in long_cells:
                problems.append(
                    {
                        "field": mapping.get(col, ""),
                        "column": column_letter(col),
                        "message": long_cells[(excel_row - 1, col)],
                        "level": "error",
                    }
                )
        status = RowStatus.OK
        if any(p["level"] == "error" for p in problems):
            status = RowStatus.ERROR
        elif problems:
            status = RowStatus.WARNING
        row = ImportRow(
            job=job,
            row_number=excel_row,
            raw=[_jsonable(c) for c in cells],
            values=parsed.values,
            natural_key=parsed.natural_key[:200],
            status=status,
            problems=problems,
        )
        if status != RowStatus.ERROR and parsed.natural_key:
            if parsed.natural_key in first_by_key:
                row.status = RowStatus.DUPLICATE
                row.duplicate_of_row = first_by_key[parsed.natural_key]
            else:
                first_by_key[parsed.natural_key] = excel_row
        if row.status in (RowStatus.OK, RowStatus.WARNING) and parsed.match_values:
            # The same person entered twice in one list, with or without diacritics, year only…
            same = in_file.best(parsed.match_values)
            if same is not None and same[1].score >= IN_FILE_DUPLICATE:
                row.status = RowStatus.DUPLICATE
                row.duplicate_of_row = same[0]
                row.problems.append(
                    {
                        "field": "full_name",
                        "column": "",
                        "level": "warning",
                        "message": _("Có thể là cùng người với dòng %(row)d (%(why)s).")
                        % {"row": same[0], "why": ", ".join(same[1].reasons)},
                    }
                )
            in_file.add(excel_row, parsed.match_values)
        if row.status in (RowStatus.OK, RowStatus.WARNING) and parsed.match_values and user:
            row.matches = spec.matches(user, parsed.match_values)
        parsed_rows.append(row)
        if done % BATCH == 0:
            _flush(job, parsed_rows, done)
    _flush(job, parsed_rows, len(rows))
    existing = spec.existing(job.unit, list(first_by_key))
    if existing:
        ImportRow.objects.filter(job=job, natural_key__in=existing).exclude(
            status=RowStatus.ERROR
        ).update(status=RowStatus.EXISTING)
    job.counts = _counts(job)
    job.status = JobStatus.VALIDATED
    job.save(update_fields=["counts", "status", "updated_at"])
    return job


def _flush(job: ImportJob, rows: list[ImportRow], done: int) -> None:
    ImportRow.objects.bulk_create(rows, batch_size=BATCH)
    rows.clear()
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, updated_at=timezone.now())


def _counts(job: ImportJob) -> dict[str, int]:
    counts = {s.value: 0 for s in RowStatus}
    for status in ImportRow.objects.filter(job=job).values_list("status", flat=True):
        counts[status] += 1
    counts["with_matches"] = ImportRow.objects.filter(job=job).exclude(matches=[]).count()
    counts["total"] = sum(counts[s.value] for s in RowStatus)
    return counts


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = JobStatus.FAILED
    job.message = message
    job.save(update_fields=["status", "message", "updated_at"])
    return job


@transaction.atomic
def import_commit(*, actor: Any, job: ImportJob, include_warnings: bool = True) -> ImportJob:
    """Write every valid row in one transaction; rows already in the registry are skipped, so
    importing the same file twice adds nothing. Any failure rolls everything back."""
    job = ImportJob.objects.select_for_update().select_related("unit").get(pk=job.pk)
    if not can(actor, "data.import", job.unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    if job.status != JobStatus.VALIDATED:
        raise ApplicationError(_("Chỉ ghi được lượt nhập đã kiểm tra xong."))
    spec = get_spec(job.kind)
    wanted = [RowStatus.OK] + ([RowStatus.WARNING] if include_warnings else [])
    rows = list(ImportRow.objects.filter(job=job, status__in=wanted))
    existing = spec.existing(job.unit, [r.natural_key for r in rows if r.natural_key])
    written = 0
    for row in rows:
        if row.natural_key in existing:
            row.status = RowStatus.EXISTING
            row.save(update_fields=["status"])
            continue
        try:
            row.result_id = spec.write(actor, job.unit, row.values)
        except ApplicationError as exc:
            raise ApplicationError(
                _("Dòng %(row)d: %(msg)s Không dòng nào được ghi.")
                % {"row": row.row_number, "msg": exc.message}
            ) from exc
        row.save(update_fields=["result_id"])
        written += 1
    job.status = JobStatus.COMMITTED
    job.committed_at = timezone.now()
    job.counts = {**_counts(job), "written": written}
    job.save(update_fields=["status", "committed_at", "counts", "updated_at"])
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=job,
        unit_path=job.unit.path,
        changes={"written": [None, written], "file": [None, job.filename]},
    )
    return job


@transaction.atomic
def import_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (JobStatus.COMMITTED, JobStatus.CANCELLED):
        raise ApplicationError(_("Lượt nhập này đã kết thúc."))
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    ImportRow.objects.filter(job=job).delete()
    return job


def job_headers(job: ImportJob) -> list[str]:
    return list(_header(job, _read(job)).header_texts)
