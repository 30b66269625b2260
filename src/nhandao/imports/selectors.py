"""Reads of import jobs and their rows, through the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from nhandao.core.scoping import get_visible_or_404

from .models import ImportJob, ImportRow, RowStatus


def job_list(*, user: Any) -> QuerySet[ImportJob]:
    return ImportJob.objects.visible_to(user).select_related("unit", "created_by")


def job_get(*, user: Any, pk: Any) -> ImportJob:
    return get_visible_or_404(ImportJob.objects.select_related("unit", "created_by"), user, pk=pk)


def job_problem_rows(*, job: ImportJob, limit: int = 200) -> list[ImportRow]:
    """Rows the user must look at before committing: errors, warnings, duplicates, matches."""
    rows = ImportRow.objects.filter(job=job).exclude(status=RowStatus.OK, matches=[])
    return list(rows.order_by("row_number")[:limit])
