"""Thin job entry points: take ids, call one service."""

from __future__ import annotations

from django_tasks import task


@task()
def validate_job(job_id: int) -> None:
    from .services import import_validate

    import_validate(job_id=job_id)


@task()
def build_workbook(job_id: int, attempt: int) -> None:
    from .services import workbook_build

    workbook_build(job_id=job_id, attempt=attempt)


@task()
def commit_job(job_id: int, actor_id: int, include_warnings: bool) -> None:
    from .services import import_commit_job

    import_commit_job(job_id=job_id, actor_id=actor_id, include_warnings=include_warnings)
