"""A long list's commit and result workbook, each run by a background job with its progress (a
short list's are done while the page waits: test_pipeline)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nhandao.core.errors import ApplicationError
from nhandao.geo.services import geo_load_official
from nhandao.imports import selectors, services, workbooks
from nhandao.imports.models import ErrorWorkbook, ImportFile, ImportJob, JobStatus, WorkbookStatus
from nhandao.orgs.models import RoleAssignment
from nhandao.people.models import Person
from tests.conftest import login

pytestmark = pytest.mark.django_db

LIST = (
    "Họ và tên,Ngày sinh,CCCD\n"
    "Lê Văn An,1960,\n"
    "Trần Thị Bình,31/02/1990,\n"
    "Phạm Văn Cường,1970,0011234\n"
    "Ngô Thị Dung,12/03/1955,\n"
).encode()


@pytest.fixture(autouse=True)
def geo(db):
    geo_load_official()


@pytest.fixture
def long_list(settings):
    """Every list counts as long here: its workbook and its commit go through background jobs."""
    settings.NHANDAO_IMPORT_WORKBOOK_INLINE_ROWS = 2
    settings.NHANDAO_IMPORT_COMMIT_INLINE_ROWS = 2


def _validated(client, people, django_capture_on_commit_callbacks) -> ImportJob:
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, people.clerk)
    response = client.post(
        reverse("import_list"),
        {"kind": "beneficiaries", "file": SimpleUploadedFile("ds.csv", LIST)},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    mapping = {f"col_{col}": field for col, field in page.context["match"].mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, mapping)
    job = ImportJob.objects.latest("pk")
    assert job.status == "validated" and job.total_rows == 4
    return job


def _sheet(content: bytes) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _request(client, job, django_capture_on_commit_callbacks, *, run: bool = True):
    with django_capture_on_commit_callbacks(execute=run):
        response = client.post(reverse("import_workbook", args=[job.pk]))
    assert response.status_code == 302
    return ErrorWorkbook.objects.get(job=job)


def test_a_long_lists_workbook_is_built_in_the_background_then_downloaded(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    # No workbook yet: the download leads to the page that builds it, and the job's page
    # offers to build it instead of a link that would keep the page waiting.
    first = client.get(reverse("import_errors", args=[job.pk]))
    assert first.status_code == 302 and first.url == reverse("import_workbook", args=[job.pk])
    detail = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="workbook-form"' in detail and "Lập tệp kết quả kiểm tra" in detail
    page = client.get(reverse("import_workbook", args=[job.pk])).content.decode()
    assert 'id="workbook-form"' in page

    workbook = _request(client, job, django_capture_on_commit_callbacks)
    assert workbook.status == WorkbookStatus.READY and workbook.for_status == "validated"
    assert workbook.rows_done == workbook.rows_total == 4 and workbook.progress == 100
    assert workbook.size == len(workbook.content) > 1000 and workbook.built_at is not None
    assert workbook.requested_by_id == people.clerk.pk

    page = client.get(reverse("import_workbook", args=[job.pk])).content.decode()
    assert 'id="workbook-ready"' in page and 'id="workbook-form"' not in page
    detail = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert reverse("import_errors", args=[job.pk]) in detail and 'id="workbook-form"' not in detail
    download = client.get(reverse("import_errors", args=[job.pk]))
    assert download.status_code == 200 and download.streaming
    assert download["Content-Length"] == str(workbook.size)
    content = b"".join(download.streaming_content)
    assert content == bytes(workbook.content)
    table = _sheet(content)
    by_row = {int(r[0]): r for r in table[1:]}
    assert sorted(by_row) == [2, 3, 4, 5]
    assert by_row[3][1:3] == ["Trần Thị Bình", "31/02/1990"] and "B:" in by_row[3][-1]
    assert "C:" in by_row[4][-1] and by_row[2][-1] == ""
    # Read from the database a piece at a time, the bytes are the same.
    pieces = list(selectors.workbook_chunks(job=job, size=workbook.size, chunk=1000))
    assert len(pieces) == -(-workbook.size // 1000) and b"".join(pieces) == content
    # Asked again, a ready workbook is kept, not built again.
    assert _request(client, job, django_capture_on_commit_callbacks).attempt == workbook.attempt


def test_the_progress_is_reported_and_the_page_reloads_when_done(
    client, people, long_list, monkeypatch, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    workbook = _request(client, job, django_capture_on_commit_callbacks, run=False)
    assert workbook.status == WorkbookStatus.BUILDING and workbook.rows_done == 0
    fragment = client.get(reverse("import_workbook_progress", args=[job.pk]))
    assert "HX-Refresh" not in fragment and "Đang đọc lại tệp gốc" in fragment.content.decode()
    assert "hx-get" in fragment.content.decode()
    seen: list[int] = []
    original = services.write_error_workbook

    def watched(target, job, headers, cells, progress=None):
        def heard(done: int) -> None:
            progress(done)
            seen.append(ErrorWorkbook.objects.get(job=job).rows_done)

        original(target, job, headers, cells, heard)

    monkeypatch.setattr(workbooks, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(services, "write_error_workbook", watched)
    services.workbook_build(job_id=job.pk, attempt=workbook.attempt)
    assert seen == [1, 2, 3, 4, 4]  # every row here (every 10,000 in use), then the end
    fragment = client.get(reverse("import_workbook_progress", args=[job.pk]))
    assert fragment["HX-Refresh"] == "true"


def test_after_the_commit_the_workbook_is_built_again(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    before = _request(client, job, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks)
    assert job.status == "committed"
    # The workbook of the validated list is out of date: not served, offered again.
    assert selectors.workbook_for(job=job) is None
    stale = client.get(reverse("import_errors", args=[job.pk]))
    assert stale.status_code == 302
    after = _request(client, job, django_capture_on_commit_callbacks)
    assert after.attempt == before.attempt + 1 and after.for_status == "committed"
    assert after.status == WorkbookStatus.READY


def test_a_failed_build_says_why_and_can_be_started_again(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    kept = bytes(ImportFile.objects.get(job=job).content)
    ImportFile.objects.filter(job=job).update(content=b"\x00\x01 not a list")
    failed = _request(client, job, django_capture_on_commit_callbacks)
    assert failed.status == WorkbookStatus.FAILED and failed.content == b""
    page = client.get(reverse("import_workbook", args=[job.pk])).content.decode()
    assert "Tệp «ds.csv» không phải là bảng tính" in failed.message and failed.message in page
    assert "Lập lại tệp kết quả" in page
    ImportFile.objects.filter(job=job).update(content=kept)
    again = _request(client, job, django_capture_on_commit_callbacks)
    assert again.status == WorkbookStatus.READY and again.attempt == failed.attempt + 1
    assert again.message == ""


def test_a_build_started_again_leaves_the_older_one_without_effect(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    first = _request(client, job, django_capture_on_commit_callbacks, run=False)
    # Still building and alive: asking again starts nothing.
    assert _request(client, job, django_capture_on_commit_callbacks, run=False).attempt == 1
    # Silent for longer than a build ever is: taken as gone, started again.
    ErrorWorkbook.objects.filter(job=job).update(
        updated_at=timezone.now() - dt.timedelta(minutes=16)
    )
    assert ErrorWorkbook.objects.get(job=job).stalled
    page = client.get(reverse("import_workbook", args=[job.pk])).content.decode()
    assert "đã dừng giữa chừng" in page and 'id="workbook-form"' in page
    # A page left open meanwhile reloads once to show it, and stops polling.
    fragment = client.get(reverse("import_workbook_progress", args=[job.pk]))
    assert fragment["HX-Refresh"] == "true" and "hx-get" not in fragment.content.decode()
    second = _request(client, job, django_capture_on_commit_callbacks, run=False)
    assert second.attempt == first.attempt + 1 == 2 and not second.stalled
    services.workbook_build(job_id=job.pk, attempt=first.attempt)  # the older one, late
    still = ErrorWorkbook.objects.get(job=job)
    assert still.status == WorkbookStatus.BUILDING and still.rows_done == 0 and still.size == 0
    services.workbook_build(job_id=job.pk, attempt=second.attempt)
    assert ErrorWorkbook.objects.get(job=job).status == WorkbookStatus.READY


def test_cancelling_the_job_removes_its_workbook_and_unchecked_jobs_have_none(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    _request(client, job, django_capture_on_commit_callbacks)
    services.import_cancel(actor=people.clerk, job=job)
    assert not ErrorWorkbook.objects.filter(job=job).exists()
    job.refresh_from_db()
    with pytest.raises(ApplicationError, match="đã kiểm tra xong"):
        services.workbook_request(actor=people.clerk, job=job)
    # A job without checked rows has the header alone, built at once.
    assert selectors.workbook_inline(job)
    book = client.get(reverse("import_errors", args=[job.pk]))
    assert book.status_code == 200 and len(_sheet(book.content)) == 1


def _commit(client, job, django_capture_on_commit_callbacks, *, run: bool = True):
    with django_capture_on_commit_callbacks(execute=run):
        response = client.post(reverse("import_commit", args=[job.pk]), {"warnings": "on"})
    assert response.status_code == 302 and response.url == reverse("import_detail", args=[job.pk])
    job.refresh_from_db()
    return job


def test_a_long_lists_commit_runs_in_the_background_and_the_page_follows_it(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks, run=False)
    # Handed over, not yet written: the page shows the write going on and polls.
    assert job.status == JobStatus.COMMITTING and Person.objects.count() == 0
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Đang ghi vào sổ" in page and 'id="commit-form"' not in page
    fragment = client.get(reverse("import_progress", args=[job.pk]))
    assert "HX-Refresh" not in fragment and "hx-get" in fragment.content.decode()
    # Asked again meanwhile: nothing more is handed over.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(reverse("import_commit", args=[job.pk]), {"warnings": "on"})
    assert queued == []
    services.import_commit_job(job_id=job.pk, actor_id=people.clerk.pk, include_warnings=True)
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED and job.counts["written"] == 2
    assert Person.objects.count() == 2 and job.message == ""
    assert client.get(reverse("import_progress", args=[job.pk]))["HX-Refresh"] == "true"
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Đã ghi" in page
    # A second run of the same task (a queue that ran it twice) writes nothing more.
    services.import_commit_job(job_id=job.pk, actor_id=people.clerk.pk, include_warnings=True)
    assert Person.objects.count() == 2


def test_the_page_posts_once_and_the_worker_writes(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks)  # the task runs at once here
    assert job.status == JobStatus.COMMITTED and job.counts["written"] == 2
    # The two good rows; the impossible date and the short citizen ID stay out.
    names = set(Person.objects.values_list("full_name", flat=True))
    assert names == {"Lê Văn An", "Ngô Thị Dung"}


def test_a_failed_background_commit_writes_nothing_and_says_why(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks, run=False)
    # The clerk loses the right to import before the worker gets to the list.
    RoleAssignment.objects.filter(user=people.clerk).update(is_active=False)
    services.import_commit_job(job_id=job.pk, actor_id=people.clerk.pk, include_warnings=True)
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED and Person.objects.count() == 0
    assert job.message == "Bạn không có quyền nhập danh sách tại đơn vị này."
    RoleAssignment.objects.filter(user=people.clerk).update(is_active=True)
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="commit-failed"' in page and job.message in page and 'id="commit-form"' in page
    # Committed again, it goes through, and the old reason is gone.
    job = _commit(client, job, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.COMMITTED and job.message == "" and Person.objects.count() == 2


def test_a_stalled_background_commit_can_be_committed_again(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks, run=False)
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="commit-stalled"' not in page
    # The worker went away with the task: a quarter of an hour later the page offers to retry.
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=16))
    job.refresh_from_db()
    assert job.stalled
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="commit-stalled"' in page
    job = _commit(client, job, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.COMMITTED and Person.objects.count() == 2


def test_a_cancelled_list_is_not_written_by_a_late_worker(
    client, people, long_list, django_capture_on_commit_callbacks
):
    job = _validated(client, people, django_capture_on_commit_callbacks)
    job = _commit(client, job, django_capture_on_commit_callbacks, run=False)
    services.import_cancel(actor=people.clerk, job=job)
    services.import_commit_job(job_id=job.pk, actor_id=people.clerk.pk, include_warnings=True)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and Person.objects.count() == 0


def _mapped(client, people, django_capture_on_commit_callbacks) -> ImportJob:
    """Uploaded and mapped, its validation handed to a worker that never ran it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, people.clerk)
    response = client.post(
        reverse("import_list"),
        {"kind": "beneficiaries", "file": SimpleUploadedFile("ds.csv", LIST)},
    )
    page = client.get(response.url)
    mapping = {f"col_{col}": field for col, field in page.context["match"].mapping.items()}
    with django_capture_on_commit_callbacks(execute=False):
        client.post(response.url, mapping)
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.VALIDATING
    return job


def test_a_stalled_validation_can_be_started_again(
    client, people, django_capture_on_commit_callbacks
):
    job = _mapped(client, people, django_capture_on_commit_callbacks)
    # Still young: nothing to start again, and the page keeps polling.
    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("import_revalidate", args=[job.pk]))
    assert queued == [] and ImportJob.objects.get(pk=job.pk).status == JobStatus.VALIDATING
    fragment = client.get(reverse("import_progress", args=[job.pk]))
    assert "HX-Refresh" not in fragment and "hx-get" in fragment.content.decode()
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="validation-stalled"' not in page
    # A quarter of an hour without progress: the page reloads once, stops polling and offers
    # to check the list again.
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=16))
    fragment = client.get(reverse("import_progress", args=[job.pk]))
    assert fragment["HX-Refresh"] == "true" and "hx-get" not in fragment.content.decode()
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert 'id="validation-stalled"' in page and "Kiểm tra lại" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_revalidate", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED and job.counts["total"] == 4
    assert job.rows.count() == 4


def test_a_validation_that_ends_second_stores_nothing(
    client, people, monkeypatch, django_capture_on_commit_callbacks
):
    """Two workers on one list (a stalled validation asked for again, the first worker back
    after all): the one that ends second finds the list checked and stores no rows."""
    job = _mapped(client, people, django_capture_on_commit_callbacks)
    original = services._check_rows

    def other_worker_ends_first(job, *args):
        checked = original(job, *args)
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.VALIDATED)
        return checked

    monkeypatch.setattr(services, "_check_rows", other_worker_ends_first)
    services.import_validate(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED and job.rows.count() == 0
