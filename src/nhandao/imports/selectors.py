"""Reads of import jobs and their rows, through the user's scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from nhandao.core.scoping import get_visible_or_404
from nhandao.orgs.permissions import can

from .models import (
    ErrorWorkbook,
    ImportJob,
    ImportResult,
    ImportRow,
    JobStatus,
    RowStatus,
    WorkbookStatus,
)

# Up to this many rows the result workbook is built while the page waits (20,000 rows: about
# 3 s); a longer list's is built by a background job with its progress.
WORKBOOK_INLINE_ROWS = 20_000
WORKBOOK_CHUNK = 4 * 1024 * 1024  # bytes read from the database per piece of a download
# Up to this many rows a commit runs while the page waits (a second or two); a longer list is
# written by a background job (1M rows: about 40 s).
COMMIT_INLINE_ROWS = 20_000


def job_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.visible_to(user).select_related("unit", "created_by")


def job_get(*, user: Any, pk: Any) -> ImportJob:
    return get_visible_or_404(ImportJob.objects.select_related("unit", "created_by"), user, pk=pk)


def job_open_to(user: Any, job: ImportJob) -> bool:
    """Whether ``user`` may open the job's pages (its file's first rows, its rows' problems, its
    result workbook): these repeat the file, citizen IDs, phones and circumstances unmasked. The
    one who uploaded it may, while they may still import lists at its unit; another importer
    there only with the right to see personal identifiers there (a data-entry clerk without it
    does not see an officer's list)."""
    if not can(user, "data.import", job.unit):
        return False
    return job.created_by_id == getattr(user, "pk", None) or can(user, "pii.view", job.unit)


def job_written(*, job: ImportJob, limit: int = 20) -> list[tuple[int, int]]:
    """(row number, id of the record it became) of the job's first written rows."""
    rows = ImportResult.objects.filter(job=job).order_by("row_number")
    return list(rows.values_list("row_number", "result_id")[:limit])


def job_problem_rows(*, job: ImportJob, limit: int = 200) -> list[ImportRow]:
    """Rows the user must look at before committing: errors, warnings, duplicates, matches."""
    rows = ImportRow.objects.filter(job=job).exclude(status=RowStatus.OK, matches=[])
    return list(rows.order_by("row_number")[:limit])


def workbook_inline(job: ImportJob) -> bool:
    """Whether the job's result workbook is built while the page waits: a short list, or a job
    without checked rows (its workbook is the header alone)."""
    limit = int(getattr(settings, "NHANDAO_IMPORT_WORKBOOK_INLINE_ROWS", WORKBOOK_INLINE_ROWS))
    return job.status not in (JobStatus.VALIDATED, JobStatus.COMMITTED) or job.total_rows < limit


def commit_inline(job: ImportJob) -> bool:
    """Whether the job's commit runs while the page waits (setting
    ``NHANDAO_IMPORT_COMMIT_INLINE_ROWS``)."""
    limit = int(getattr(settings, "NHANDAO_IMPORT_COMMIT_INLINE_ROWS", COMMIT_INLINE_ROWS))
    return job.total_rows < limit


def workbook_for(*, job: ImportJob) -> ErrorWorkbook | None:
    """The job's result workbook (without its content) if it was built, or is being built, for
    the job as it stands: one built before the commit is out of date."""
    workbook = ErrorWorkbook.objects.defer("content").filter(job=job).first()
    if workbook is None or workbook.for_status != job.status:
        return None
    return workbook


def workbook_ready(*, job: ImportJob) -> ErrorWorkbook | None:
    workbook = workbook_for(job=job)
    return workbook if workbook is not None and workbook.status == WorkbookStatus.READY else None


def workbook_chunks(*, job: ImportJob, size: int, chunk: int = WORKBOOK_CHUNK) -> Iterator[bytes]:
    """The kept workbook's bytes, a piece at a time (a million rows make about 110 MB, never held
    whole by the web process)."""
    table = ErrorWorkbook._meta.db_table
    for start in range(0, size, chunk):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT substr(content, %s, %s) FROM {table} WHERE job_id = %s",  # noqa: S608
                [start + 1, chunk, job.pk],
            )
            found = cursor.fetchone()
        if found is None or found[0] is None:
            return
        yield bytes(found[0])
