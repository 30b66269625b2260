"""A commit under way holds its list: asking for it again says so instead of handing the list to
a second worker, even once the list looks stalled (PostgreSQL only)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.imports.models import ImportJob, JobStatus
from tests.browser.conftest import seed_roles
from tests.conftest import actor
from tests.races import POSTGRES_RACE

pytestmark = POSTGRES_RACE


@pytest.fixture(autouse=True)
def _seeded(transactional_db):
    """Each transactional test starts from a flushed database: the roles the data migrations
    seed are put back before the tree and its users are made."""
    seed_roles()


def test_a_list_held_by_a_running_commit_is_not_handed_over_again(tree, people):
    job = ImportJob.objects.create(
        unit=tree.hoan_kiem,
        kind="beneficiaries",
        filename="ds.csv",
        created_by=people.clerk,
        status=JobStatus.COMMITTING,
        total_rows=50_000,
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    job.refresh_from_db()
    assert job.stalled
    writer = connection.get_new_connection(connection.get_connection_params())
    try:
        writer.autocommit = False
        table = ImportJob._meta.db_table
        writer.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [job.pk])  # noqa: S608
        with pytest.raises(ApplicationError, match="đang được ghi"):
            services.import_commit_request(actor=actor(people.clerk), job=job)
    finally:
        writer.close()
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.COMMITTING  # untouched
    # Once nothing holds it, a stalled list is handed over again (and, the test settings' tasks
    # running at once, written: a job without rows writes nothing).
    services.import_commit_request(actor=actor(people.clerk), job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED and job.counts["written"] == 0


def test_a_list_being_written_cannot_be_cancelled_and_the_user_is_told_at_once(tree, people):
    job = ImportJob.objects.create(
        unit=tree.hoan_kiem,
        kind="beneficiaries",
        filename="ds.csv",
        created_by=people.clerk,
        status=JobStatus.COMMITTING,
        total_rows=50_000,
    )
    writer = connection.get_new_connection(connection.get_connection_params())
    try:
        writer.autocommit = False
        table = ImportJob._meta.db_table
        writer.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [job.pk])  # noqa: S608
        with pytest.raises(ApplicationError, match="đang được ghi"):
            services.import_cancel(actor=actor(people.clerk), job=job)
    finally:
        writer.close()
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.COMMITTING
    # Nothing holds it (its worker not yet come): it is cancelled.
    services.import_cancel(actor=actor(people.clerk), job=job)
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED
