from __future__ import annotations

from django_tasks import task


@task()
def run_linkage(run_id: int) -> None:
    from .services import linkage_run_execute

    linkage_run_execute(run_id=run_id)
