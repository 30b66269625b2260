"""The one staged import pipeline: upload → header found → columns mapped → every row validated
(a background job with progress) → preview → commit in one transaction → report and error workbook.

A failed import changes nothing: rows are written only by ``import_commit``, in one transaction,
and a job can be cancelled at any stage before it."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.collector import collector_paused
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can
from nhandao.people.bulk import InFileIndex, memoised_reasons

from . import parallel, sql
from .headers import (
    HeaderMatch,
    apply_mapping,
    data_rows,
    find_header,
    mapping_to_remember,
    shape_signature,
)
from .models import (
    ErrorWorkbook,
    ImportFile,
    ImportJob,
    ImportResult,
    ImportRow,
    JobStatus,
    RowStatus,
    SavedMapping,
    WorkbookStatus,
)
from .readers import Cell, Table, cell_text, column_letter, read_table
from .registry import get_spec
from .workbooks import write_error_workbook

logger = logging.getLogger(__name__)

A = AuditEvent.Action
BATCH = 10_000  # rows per progress update
HEAD_ROWS = 200  # rows read to find the header and show the mapping page
KEYS_TABLE = "imports_staged_keys"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
COMMIT_TABLE = "imports_commit_rows"
RESULTS_TABLE = "imports_commit_results"
IN_FILE_DUPLICATE = 0.6  # same name, same birth year, same commune is enough to hold a row back


def _jsonable(value: Any) -> Any:
    """A cell or value as JSON stores it: dates as ISO text, anything else unusual as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def max_upload_bytes() -> int:
    return int(getattr(settings, "NHANDAO_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read(
    job_or_data: ImportJob | bytes,
    filename: str = "",
    *,
    head: int | None = None,
    max_bytes: int | None = None,
) -> Table:
    """The file as a table (``head``: only its first rows, enough to find the header). A job's
    file passed the size limit when it was uploaded."""
    if isinstance(job_or_data, ImportJob):
        data = bytes(ImportFile.objects.values_list("content", flat=True).get(job=job_or_data))
        return read_table(
            data,
            job_or_data.filename,
            sheet=job_or_data.sheet_name or None,
            max_bytes=max(len(data), max_upload_bytes()),
            head_rows=head,
        )
    return read_table(
        job_or_data, filename, max_bytes=max_bytes or max_upload_bytes(), head_rows=head
    )


def _header(job: ImportJob, table: Table) -> HeaderMatch:
    spec = get_spec(job.kind)
    return find_header(table.rows, spec.columns, filename=job.filename, sheet_name=table.sheet_name)


@transaction.atomic
def import_upload(
    *,
    actor: Any,
    unit: Any,
    kind: str,
    filename: str,
    data: bytes,
    max_bytes: int | None = None,
) -> ImportJob:
    """Read the head of the file, find its header and propose a mapping (the one remembered for
    files of the same shape when there is one). Bad files raise ApplicationError with a
    Vietnamese message. ``max_bytes``: the size limit (settings.NHANDAO_IMPORT_MAX_BYTES)."""
    if not can(actor, "data.import", unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    spec = get_spec(kind)
    table = _read(data, filename, head=HEAD_ROWS, max_bytes=max_bytes)
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
        sheet_name=table.sheet_name,
        source_encoding=table.source_encoding or "",
        header_row=match.header_row,
        header_texts=list(match.header_texts),
        mapping={str(k): v for k, v in mapping.items()},
        signature=signature,
        created_by=actor,
        status=JobStatus.MAPPING,
    )
    _store_file(job, data)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=job,
        unit_path=unit.path,
        changes={"file": [None, filename], "kind": [None, kind]},
    )
    return job


def _store_file(job: ImportJob, data: bytes) -> None:
    """Keep the uploaded file. PostgreSQL: one binary COPY, the bytes as they are (a parameter
    of a query travels as hex text twice the size of the file and is decoded again)."""
    if not sql.is_pg():
        ImportFile.objects.create(job=job, content=data)
        return
    table = ImportFile._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} (job_id, content) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(["int8", "bytea"])
        copy.write_row((job.pk, data))


def mapping_context(job: ImportJob) -> dict[str, Any]:
    """What the mapping page shows: header texts, the proposed mapping, the fields wanted."""
    table = _read(job, head=HEAD_ROWS)
    match = _header(job, table)
    preview = [[cell_text(v) for v in row] for _n, row in data_rows(table.rows, match)[:5]]
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
    headers = job_headers(job)
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
    registry, rows already imported. Set-based: the rows are parsed in memory (progress saved
    every ``BATCH`` rows), then the registry is asked once per check through staged keys, and the
    rows are stored in one bulk load."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != JobStatus.VALIDATING:
        return job
    with collector_paused():  # millions of acyclic row objects, from reading to storing
        return _validate(job)


def _validate(job: ImportJob) -> ImportJob:
    spec = get_spec(job.kind)
    try:
        table = _read(job)
        match = _header(job, table)
    except ApplicationError as exc:
        return _fail(job, exc.message)
    rows = data_rows(table.rows, match)
    long_cells = {(p.row, p.col): p.message for p in table.cell_problems}
    del table
    n = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(
        total_rows=n, processed_rows=0, updated_at=timezone.now()
    )
    with memoised_reasons():
        checked = _check_rows(job, spec, rows, long_cells)
    numbers = [number for number, _cells in rows]
    del rows
    with connection.cursor() as cursor, sql.bulk_session(cursor):
        existing = _existing(cursor, spec, job.unit, checked.first_by_key)
    for i in range(n):
        if checked.status[i] != RowStatus.ERROR and checked.keys[i] in existing:
            checked.status[i] = RowStatus.EXISTING
    matches: dict[int, list[Any]] = {}
    if checked.wanted:
        with memoised_reasons():
            items = [(i, checked.match_values[i] or {}) for i in checked.wanted]
            # Within the job's unit, not the uploader's whole scope: everyone who may open the
            # job (whoever imports at its unit) sees its matches, and an uploader's other
            # assignments (another province's, say) are no business of this list.
            matches = spec.matches([job.unit.path], items)
    # A row that may be someone already in the registry is one to look at before it is written
    # (the commit writes such rows only when asked to write those to look at again).
    for i in matches:
        if checked.status[i] == RowStatus.OK:
            checked.status[i] = RowStatus.WARNING.value
    counts = {s.value: 0 for s in RowStatus}
    for status in checked.status:
        counts[status] += 1
    counts["with_matches"] = sum(1 for i in range(n) if matches.get(i))
    counts["total"] = n
    # Only rows that may be written keep their values (a commit reads no others, and turns rows
    # into "already imported", never back): a list's duplicates and known rows store nothing.
    writable = (RowStatus.OK.value, RowStatus.WARNING.value)
    stored = (
        (
            job.pk,
            numbers[i],
            checked.values[i] if checked.status[i] in writable else "{}",
            checked.keys[i],
            checked.status[i],
            _json(checked.problems[i]) if checked.problems[i] else "[]",
            _json(matches[i]) if i in matches else "[]",
            checked.duplicate_of[i],
        )
        for i in range(n)
    )
    with transaction.atomic(), connection.cursor() as cursor, sql.bulk_session(cursor):
        # A validation asked for again (a stalled one, whose worker came back after all) may
        # have stored the rows meanwhile: the first to end stores them, the other nothing.
        mine = ImportJob.objects.select_for_update().filter(pk=job.pk, status=JobStatus.VALIDATING)
        if not mine.exists():
            job.refresh_from_db()
            return job
        ImportRow.objects.filter(job=job).delete()
        sql.bulk_load(cursor, ImportRow._meta.db_table, ROW_COLUMNS, stored)
        if sql.is_pg() and n >= parallel.min_rows():
            # A list long enough to be parsed by two processes: the commit's plans then know
            # how many rows the job has (a first sight of the job's rows, as the statistics
            # stand after a load, is "one row").
            sql.analyze(cursor, ImportRow._meta.db_table)
        ImportJob.objects.filter(pk=job.pk).update(
            counts=counts,
            status=JobStatus.VALIDATED,
            processed_rows=n,
            updated_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


ROW_COLUMNS = (
    "job_id",
    "row_number",
    '"values"',
    "natural_key",
    "status",
    "problems",
    "matches",
    "duplicate_of_row",
)


def _json(value: Any) -> str:
    """Compact JSON text, non-ASCII kept (orjson: dates as ISO text, a fifth of the time of the
    standard encoder, which mattered at a few JSON texts per row of a million-row list)."""
    return orjson.dumps(value, default=_jsonable).decode()


@dataclass
class _Checked:
    """What validation learnt of each row, by position (rows in file order)."""

    status: list[str]
    keys: list[str]
    values: list[str]  # JSON texts
    problems: list[list[dict[str, str]]]
    duplicate_of: list[int | None]
    match_values: list[dict[str, Any] | None]
    wanted: list[int]  # rows to look up in the registry
    first_by_key: dict[str, int]


def _check_rows(
    job: ImportJob,
    spec: Any,
    rows: list[tuple[int, list[Cell]]],
    long_cells: dict[tuple[int, int], str],
) -> _Checked:
    """Every row parsed by the list's parser (which memoises per distinct value), then, in file
    order, duplicates of an earlier row (same natural key, or the same person by the matching
    keys). The parsing is pure and, for a long list, shared with a forked process
    (:mod:`.parallel`); progress is saved every ``BATCH`` rows."""
    n = len(rows)
    mapping = sorted((int(k), v) for k, v in job.mapping.items())
    column_of = {name: column_letter(col) for col, name in mapping}
    parse = spec.parser(job.unit)
    long_rows = {r for r, _c in long_cells}

    def parse_rows(start: int, stop: int, tick: Any) -> list[tuple[Any, ...]]:
        """(problems, natural key, match values, values as JSON) of each row."""
        parsed_rows: list[tuple[Any, ...]] = []
        add = parsed_rows.append
        for i in range(start, stop):
            excel_row, cells = rows[i]
            width = len(cells)
            parsed = parse({name: cells[col] if col < width else None for col, name in mapping})
            problems = [p.as_dict(column_of.get(p.field, "")) for p in parsed.problems]
            if excel_row - 1 in long_rows:
                problems += [
                    {
                        "field": job.mapping.get(str(col), ""),
                        "column": column_letter(col),
                        "message": long_cells[(excel_row - 1, col)],
                        "level": "error",
                    }
                    for col in range(width)
                    if (excel_row - 1, col) in long_cells
                ]
            add(
                (
                    problems,
                    parsed.natural_key[:200],
                    parsed.match_values,
                    _json(parsed.values),
                )
            )
            if (i + 1 - start) % BATCH == 0:
                tick(i + 1 - start)
        return parsed_rows

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, updated_at=timezone.now())

    index = InFileIndex(floor=IN_FILE_DUPLICATE)
    out = _Checked(
        status=[""] * n,
        keys=[""] * n,
        values=[""] * n,
        problems=[[] for _ in range(n)],
        duplicate_of=[None] * n,
        match_values=[None] * n,
        wanted=[],
        first_by_key={},
    )
    ok, warning, error, duplicate = (
        RowStatus.OK.value,
        RowStatus.WARNING.value,
        RowStatus.ERROR.value,
        RowStatus.DUPLICATE.value,
    )
    first_by_key = out.first_by_key
    same_person = _("Có thể là cùng người với dòng %(row)d (%(why)s).")
    # The in-file check needs file order: it works through this process's part of the rows
    # while the forked process still parses the rest (so this process takes the smaller part).
    i = -1
    for part in parallel.in_parts(parse_rows, n, progress, share=spec.parent_share):
        for problems, key, values, values_json in part:
            i += 1
            excel_row = rows[i][0]
            status = ok
            if problems:
                status = error if any(p["level"] == "error" for p in problems) else warning
            if status != error and key:
                if key in first_by_key:
                    status = duplicate
                    out.duplicate_of[i] = first_by_key[key]
                else:
                    first_by_key[key] = excel_row
            if status != error and status != duplicate and values:
                # The same person twice in one list, with or without diacritics, year only…
                same = index.check(excel_row, values)
                if same is not None and same[1].score >= IN_FILE_DUPLICATE:
                    status = duplicate
                    out.duplicate_of[i] = same[0]
                    problems.append(
                        {
                            "field": "full_name",
                            "column": "",
                            "level": "warning",
                            "message": same_person
                            % {"row": same[0], "why": ", ".join(same[1].reasons)},
                        }
                    )
                else:
                    out.wanted.append(i)
                    out.match_values[i] = values
            out.status[i] = status
            out.keys[i] = key
            out.problems[i] = problems
            out.values[i] = values_json
    progress(n)
    return out


def _existing(cursor: Any, spec: Any, unit: Any, keys: Iterable[str]) -> set[str]:
    """Natural keys already stored, asked of the list once through a staging table."""
    sql.temp_table(cursor, KEYS_TABLE, "nk text")
    try:
        sql.bulk_load(cursor, KEYS_TABLE, ("nk",), ((k,) for k in keys))
        sql.analyze(cursor, KEYS_TABLE)
        return set(spec.existing(cursor, unit, KEYS_TABLE))
    finally:
        sql.drop(cursor, KEYS_TABLE)


def _counts(job: ImportJob) -> dict[str, int]:
    counts = {s.value: 0 for s in RowStatus}
    counts["with_matches"] = 0
    # One pass over the job's rows for both counts.
    for status, number, with_matches in (
        ImportRow.objects.filter(job=job)
        .values_list("status")
        .annotate(n=Count("id"), m=Count("id", filter=~Q(matches=[])))
    ):
        counts[status] = number
        counts["with_matches"] += with_matches
    counts["total"] = sum(counts[s.value] for s in RowStatus)
    return counts


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.status = JobStatus.FAILED
    job.message = message
    job.save(update_fields=["status", "message", "updated_at"])
    return job


@transaction.atomic
def import_commit(*, actor: Any, job: ImportJob, include_warnings: bool = True) -> ImportJob:
    """Write every valid row in one transaction, set-based: rows already in the registry are
    skipped (checked again now), so importing the same file twice adds nothing; the list writes
    the rest with a few statements. Any failure rolls everything back. The import is audited as
    one event with its counts; an ImportResult per written row keeps the id of what it became."""
    job = ImportJob.objects.select_for_update().select_related("unit").get(pk=job.pk)
    if not can(actor, "data.import", job.unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    # COMMITTING: handed to the background job (``import_commit_request``), not yet written.
    if job.status not in (JobStatus.VALIDATED, JobStatus.COMMITTING):
        raise ApplicationError(_("Chỉ ghi được lượt nhập đã kiểm tra xong."))
    spec = get_spec(job.kind)
    wanted = [RowStatus.OK.value] + ([RowStatus.WARNING.value] if include_warnings else [])
    marks = ", ".join(["%s"] * len(wanted))
    rows_table = ImportRow._meta.db_table
    with connection.cursor() as cursor, sql.bulk_session(cursor):
        sql.temp_table(cursor, KEYS_TABLE, "nk text")
        cursor.execute(
            f"INSERT INTO {KEYS_TABLE} (nk) SELECT natural_key FROM {rows_table} "  # noqa: S608
            f"WHERE job_id = %s AND status IN ({marks}) AND natural_key <> ''",
            [job.pk, *wanted],
        )
        existing = spec.existing(cursor, job.unit, KEYS_TABLE)
        sql.drop(cursor, KEYS_TABLE)
        if existing:
            sql.temp_table(cursor, KEYS_TABLE, "nk text")
            sql.bulk_load(cursor, KEYS_TABLE, ("nk",), ((k,) for k in existing))
            cursor.execute(
                f"UPDATE {rows_table} SET status = %s WHERE job_id = %s "  # noqa: S608
                f"AND status IN ({marks}) AND natural_key IN (SELECT nk FROM {KEYS_TABLE})",
                [RowStatus.EXISTING.value, job.pk, *wanted],
            )
            sql.drop(cursor, KEYS_TABLE)
        sql.drop(cursor, COMMIT_TABLE)
        values = sql.as_json('"values"')  # JSON the lists' writers can read inside
        with sql.rows_in_parallel():
            cursor.execute(
                f"CREATE TEMP TABLE {COMMIT_TABLE} AS SELECT id AS row_id, row_number, "  # noqa: S608
                f"{values} AS v, CAST(%s AS TEXT) AS source_file FROM {rows_table} "
                f"WHERE job_id = %s AND status IN ({marks})",
                # A record keeps the reference of its source list: the list's own code, or else
                # the file and the row (``source_file`` is there for the list's writer to use).
                [job.filename[:100], job.pk, *wanted],
            )
        loading = cursor.rowcount  # the rows it took (PostgreSQL; SQLite says -1)
        if loading < 0:
            cursor.execute(f"SELECT COUNT(*) FROM {COMMIT_TABLE}")  # noqa: S608
            loading = int(cursor.fetchone()[0])
        # Its size known, the writers' joins on it hash instead of sorting it (on disk at 1M).
        sql.analyze(cursor, COMMIT_TABLE)
        sql.temp_table(cursor, RESULTS_TABLE, "row_id bigint, result_id bigint")
        results = ImportResult._meta.db_table
        with sql.indexes_set_aside(cursor, (*spec.tables, results), loading):
            try:
                written = spec.write(cursor, actor, job.unit, COMMIT_TABLE, RESULTS_TABLE)
            except (ApplicationError, DatabaseError) as exc:
                # The transaction is rolled back (temporary tables and set-aside indexes with it).
                detail = exc.message if isinstance(exc, ApplicationError) else str(exc)[:300]
                raise ApplicationError(
                    _("Không ghi được danh sách: %(msg)s Không dòng nào được ghi.")
                    % {"msg": detail}
                ) from exc
            cursor.execute(
                f"INSERT INTO {results} (job_id, row_number, result_id) "  # noqa: S608
                f"SELECT %s, r.row_number, c.result_id FROM {RESULTS_TABLE} c "
                f"JOIN {COMMIT_TABLE} r ON r.row_id = c.row_id",
                [job.pk],
            )
        sql.drop(cursor, COMMIT_TABLE, RESULTS_TABLE)
    job.status = JobStatus.COMMITTED
    job.committed_at = timezone.now()
    job.counts = {**_counts(job), "written": written}
    job.message = ""  # a failed earlier try's reason
    job.save(update_fields=["status", "committed_at", "counts", "message", "updated_at"])
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=job,
        unit_path=job.unit.path,
        changes={
            "written": [None, written],
            "file": [None, job.filename],
            "existing": [None, job.counts.get("existing", 0)],
        },
    )
    return job


@transaction.atomic
def import_commit_request(
    *, actor: Any, job: ImportJob, include_warnings: bool = True
) -> ImportJob:
    """Hand a long list's commit to a background job: the job shows "being written" meanwhile.
    The write itself is ``import_commit``, one transaction: a commit that fails or whose worker
    is gone leaves nothing written, and the list can be committed again. A commit already handed
    over is not handed over twice, unless it has stalled (``ImportJob.stalled``, and, on
    PostgreSQL, no transaction holding the job)."""
    try:
        job = (
            ImportJob.objects.select_for_update(nowait=sql.is_pg(), of=("self",))
            .select_related("unit")
            .get(pk=job.pk)
        )
    except DatabaseError as exc:  # PostgreSQL: a commit holds the job, writing it now
        raise ApplicationError(_("Danh sách này đang được ghi vào sổ; hãy chờ.")) from exc
    if not can(actor, "data.import", job.unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    if job.status == JobStatus.COMMITTING and not job.stalled:
        return job
    if job.status not in (JobStatus.VALIDATED, JobStatus.COMMITTING):
        raise ApplicationError(_("Chỉ ghi được lượt nhập đã kiểm tra xong."))
    job.status = JobStatus.COMMITTING
    job.message = ""
    job.save(update_fields=["status", "message", "updated_at"])
    from . import tasks

    actor_id = actor.pk
    transaction.on_commit(lambda: tasks.commit_job.enqueue(job.pk, actor_id, include_warnings))
    return job


@transaction.atomic
def import_revalidate(*, actor: Any, job: ImportJob) -> ImportJob:
    """Check a list again whose validation stalled (``ImportJob.stalled``: its worker is gone).
    A validation stores its rows in one transaction at its end, so a stalled one left none: it
    starts again from the kept file."""
    job = ImportJob.objects.select_for_update(of=("self",)).select_related("unit").get(pk=job.pk)
    if not can(actor, "data.import", job.unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    if job.status != JobStatus.VALIDATING or not job.stalled:
        raise ApplicationError(_("Lượt nhập này không cần kiểm tra lại."))
    job.processed_rows = 0
    job.save(update_fields=["processed_rows", "updated_at"])
    from . import tasks

    transaction.on_commit(lambda: tasks.validate_job.enqueue(job.pk))
    return job


def import_commit_job(*, job_id: int, actor_id: int, include_warnings: bool) -> None:
    """The background commit of a long list. A failure puts the list back to "checked" with the
    reason for the page; nothing is written (one transaction). A commit that finds the list no
    longer waiting for it (written meanwhile, cancelled) does nothing."""
    from django.contrib.auth import get_user_model

    job = ImportJob.objects.filter(pk=job_id, status=JobStatus.COMMITTING).first()
    if job is None:
        return
    actor = get_user_model().objects.filter(pk=actor_id).first()
    try:
        if actor is None:
            raise ApplicationError(_("Người ra lệnh ghi không còn trong hệ thống."))
        actor.active_assignment = None
        import_commit(actor=actor, job=job, include_warnings=include_warnings)
    except ApplicationError as exc:
        message = exc.message
    except Exception:  # the page must say it failed, not show a write that never ends
        logger.exception("The background commit of import job %s failed.", job_id)
        message = _("Không ghi được danh sách vì lỗi hệ thống. Không dòng nào được ghi.")
    else:
        return
    ImportJob.objects.filter(pk=job_id, status=JobStatus.COMMITTING).update(
        status=JobStatus.VALIDATED, message=message, updated_at=timezone.now()
    )


def import_cancel(*, actor: Any, job: ImportJob) -> ImportJob:
    """Cancel a list not yet written: its staged rows and result workbook go. A list whose
    commit is writing it now cannot be cancelled (the commit holds it: PostgreSQL's row lock,
    SQLite's write lock); the user is told so at once instead of waiting for the whole write
    (SQLite: an error after its five-second wait). A commit still waiting for its worker is
    cancelled, and the worker, coming later, writes nothing."""
    try:
        with transaction.atomic():
            return _cancel(actor, job)
    except DatabaseError as exc:
        raise ApplicationError(_("Danh sách này đang được ghi vào sổ; hãy chờ.")) from exc


def _cancel(actor: Any, job: ImportJob) -> ImportJob:
    job = (
        ImportJob.objects.select_for_update(nowait=sql.is_pg(), of=("self",))
        .select_related("unit")
        .get(pk=job.pk)
    )
    if not can(actor, "data.import", job.unit):
        raise ApplicationError(_("Bạn không có quyền nhập danh sách tại đơn vị này."))
    if job.status in (JobStatus.COMMITTED, JobStatus.CANCELLED):
        raise ApplicationError(_("Lượt nhập này đã kết thúc."))
    job.status = JobStatus.CANCELLED
    job.save(update_fields=["status", "updated_at"])
    ImportRow.objects.filter(job=job).delete()
    ErrorWorkbook.objects.filter(job=job).delete()  # it repeats the file's personal data
    return job


@transaction.atomic
def workbook_request(*, actor: Any, job: ImportJob) -> ErrorWorkbook:
    """Have the result workbook of a long list built by a background job (see
    ``selectors.workbook_inline`` for the short ones). A workbook already built, or being
    built, for the job as it stands is kept; one built before the commit, a failed build and a
    stalled one are started again."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in (JobStatus.VALIDATED, JobStatus.COMMITTED):
        raise ApplicationError(_("Chỉ lập được tệp kết quả cho lượt nhập đã kiểm tra xong."))
    workbook = ErrorWorkbook.objects.defer("content").filter(job=job).first()
    if workbook is not None and workbook.for_status == job.status:
        if workbook.status == WorkbookStatus.READY:
            return workbook
        if workbook.status == WorkbookStatus.BUILDING and not workbook.stalled:
            return workbook
    if workbook is None:
        workbook = ErrorWorkbook(job=job)
    workbook.status = WorkbookStatus.BUILDING
    workbook.for_status = job.status
    workbook.attempt += 1
    workbook.rows_total = job.total_rows
    workbook.rows_done = 0
    workbook.message = ""
    workbook.size = 0
    workbook.content = b""
    workbook.requested_by = actor
    workbook.built_at = None
    workbook.save()
    attempt = workbook.attempt
    from . import tasks

    transaction.on_commit(lambda: tasks.build_workbook.enqueue(job.pk, attempt))
    return workbook


def workbook_build(*, job_id: int, attempt: int) -> None:
    """Build a requested result workbook (background job), reporting the rows written every
    10,000. Nothing is written by a build that was started again meanwhile (``attempt``), and a
    failure is kept as the workbook's message, for the page to show with a button to try again."""
    mine = ErrorWorkbook.objects.filter(
        job_id=job_id, attempt=attempt, status=WorkbookStatus.BUILDING
    )
    if not mine.exists():
        return
    job = ImportJob.objects.get(pk=job_id)

    def progress(done: int) -> None:
        mine.update(rows_done=done, updated_at=timezone.now())

    try:
        with tempfile.TemporaryFile() as target:
            write_job_workbook(job, target, progress)
            target.seek(0)
            content = target.read()
    except ApplicationError as exc:
        mine.update(status=WorkbookStatus.FAILED, message=exc.message, updated_at=timezone.now())
        return
    except Exception:  # the page must say it failed, not show a build that never ends
        logger.exception("The result workbook of import job %s failed.", job_id)
        mine.update(
            status=WorkbookStatus.FAILED,
            message=_("Không lập được tệp kết quả vì lỗi hệ thống. Hãy thử lại sau."),
            updated_at=timezone.now(),
        )
        return
    mine.update(
        status=WorkbookStatus.READY,
        content=content,
        size=len(content),
        built_at=timezone.now(),
        updated_at=timezone.now(),
    )


def write_job_workbook(
    job: ImportJob, target: Any, progress: Callable[[int], None] | None = None
) -> None:
    """The job's result workbook into ``target``: its rows as validation left them, beside the
    file's own cells read again from the kept file."""
    with collector_paused():  # a million rows of cells, read and dropped at once
        write_error_workbook(target, job, job_headers(job), job_cells(job), progress)


def job_workbook(job: ImportJob) -> bytes:
    """The job's result workbook as bytes (a short list's, built while the page waits, or the
    command line's)."""
    buffer = io.BytesIO()
    write_job_workbook(job, buffer)
    return buffer.getvalue()


def record_workbook_download(*, actor: Any, job: ImportJob, ip: str | None) -> None:
    """A result workbook repeats its file, citizen IDs and circumstances included: each download
    is logged as a view of sensitive data."""
    audit_record(
        actor=actor,
        action=A.VIEW_SENSITIVE,
        obj=job,
        unit_path=job.unit.path,
        changes={"download": [None, f"ket-qua-kiem-tra-{job.pk}.xlsx"]},
        ip_address=ip,
    )


def job_cells(job: ImportJob) -> dict[int, list[Cell]]:
    """The cells of each data row of the job's file, by Excel row number, read again from the file
    as validation read them (the rows keep only what validation made of them: the file is
    stored once, not a second time as a million JSON texts). A job without rows (failed,
    cancelled, not yet validated) does not read its file, which may not be readable."""
    if not ImportRow.objects.filter(job=job).exists():
        return {}
    table = _read(job)
    return dict(data_rows(table.rows, _header(job, table)))


def job_headers(job: ImportJob) -> list[str]:
    """The header's text per column: as kept at upload, or read again from the file."""
    if job.header_texts:
        return list(job.header_texts)
    return list(_header(job, _read(job, head=HEAD_ROWS)).header_texts)
