"""Pages of the import pipeline. Views only speak HTTP."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import StyledForm
from nhandao.core.signals import client_ip
from nhandao.core.text import fold
from nhandao.orgs.permissions import can

from . import selectors, services
from .models import JobStatus, WorkbookStatus
from .registry import get_spec, list_specs
from .workbooks import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 50 * 1024 * 1024


class UploadForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Loại danh sách"))
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx, .xls, .ods) hoặc CSV"), allow_empty_file=True
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, s.label) for k, s in list_specs().items()]  # type: ignore[attr-defined]


def _unit(request: HttpRequest) -> Any:
    assignment = getattr(request.user, "active_assignment", None)
    if assignment is None or not can(request.user, "data.import", assignment.unit):
        raise PermissionDenied
    return assignment.unit


def _job(request: HttpRequest, pk: int) -> Any:
    """An import job in the user's scope (404 outside it) for a user who may open it (403
    otherwise, see ``selectors.job_open_to``)."""
    job = selectors.job_get(user=request.user, pk=pk)
    if not selectors.job_open_to(request.user, job):
        raise PermissionDenied
    return job


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_UPLOAD:
                raise ApplicationError(
                    _("Tệp «%s» lớn quá 50 MB: hãy chia nhỏ danh sách.") % upload.name
                )
            job = services.import_upload(
                actor=request.user,
                unit=unit,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                data=upload.read(),
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("import_detail", pk=job.pk)
    jobs = list(selectors.job_list(user=request.user)[:30])
    openable = {job.pk for job in jobs if selectors.job_open_to(request.user, job)}
    return render(
        request,
        "imports/list.html",
        {"form": form, "jobs": jobs, "openable": openable, "unit": unit, "specs": list_specs()},
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    context: dict[str, Any] = {"job": job, "spec": get_spec(job.kind)}
    if job.status == JobStatus.MAPPING:
        try:
            context.update(services.mapping_context(job))
        except ApplicationError as exc:
            context["error"] = exc.message
        if request.method == "POST":
            mapping = {
                int(k[4:]): str(v)
                for k, v in request.POST.items()
                if k.startswith("col_") and k[4:].isdigit()
            }
            try:
                services.import_set_mapping(actor=request.user, job=job, mapping=mapping)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            return redirect("import_detail", pk=job.pk)
    elif job.status in (JobStatus.VALIDATED, JobStatus.COMMITTED):
        context["problem_rows"] = selectors.job_problem_rows(job=job)
        if not selectors.workbook_inline(job):
            context["workbook"] = selectors.workbook_for(job=job)
            context["workbook_job"] = True
        if job.status == JobStatus.COMMITTED:
            context["written"] = _written_links(job)
    return render(request, "imports/detail.html", context)


def _written_links(job: Any) -> list[tuple[int, str]]:
    """The first written rows, each with the page of the record it became (where the list
    names one)."""
    spec = get_spec(job.kind)
    links = []
    for row_number, result_id in selectors.job_written(job=job):
        try:
            links.append((row_number, reverse(spec.detail_url, args=[result_id])))
        except NoReverseMatch:
            links.append((row_number, ""))
    return links


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    response = render(request, "imports/_progress.html", {"job": job})
    if job.status not in (JobStatus.VALIDATING, JobStatus.COMMITTING) or job.stalled:
        # Done (the page shows the preview or the result) or stalled (it offers to start
        # again, and stops polling): reload the page.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    warnings = request.POST.get("warnings") == "on"
    try:
        if selectors.commit_inline(job):
            job = services.import_commit(actor=request.user, job=job, include_warnings=warnings)
            messages.success(request, _("Đã ghi %d dòng vào sổ.") % job.counts.get("written", 0))
        else:
            services.import_commit_request(actor=request.user, job=job, include_warnings=warnings)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("import_detail", pk=job.pk)


@login_required
@require_POST
def import_revalidate(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_revalidate(actor=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("import_detail", pk=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        services.import_cancel(actor=request.user, job=job)
        messages.success(request, _("Đã hủy lượt nhập; không có dữ liệu nào được ghi."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("import_list")


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """The result workbook: built now for a short list; a long list's as its background job
    left it, or, while there is none, the page that builds it."""
    job = _job(request, pk)
    name = f'attachment; filename="ket-qua-kiem-tra-{job.pk}.xlsx"'
    if selectors.workbook_inline(job):
        services.record_workbook_download(actor=request.user, job=job, ip=client_ip(request))
        response = HttpResponse(services.job_workbook(job), content_type=XLSX)
        response["Content-Disposition"] = name
        return response
    workbook = selectors.workbook_ready(job=job)
    if workbook is None:
        return redirect("import_workbook", pk=job.pk)
    services.record_workbook_download(actor=request.user, job=job, ip=client_ip(request))
    streamed = StreamingHttpResponse(
        selectors.workbook_chunks(job=job, size=workbook.size), content_type=XLSX
    )
    streamed["Content-Length"] = str(workbook.size)
    streamed["Content-Disposition"] = name
    return streamed


@login_required
def import_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """A long list's result workbook: started by a POST, then its progress until it is ready."""
    job = _job(request, pk)
    if request.method == "POST":
        try:
            services.workbook_request(actor=request.user, job=job)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("import_detail", pk=job.pk)
        return redirect("import_workbook", pk=job.pk)
    if selectors.workbook_inline(job):
        return redirect("import_errors", pk=job.pk)
    context = {"job": job, "workbook": selectors.workbook_for(job=job)}
    return render(request, "imports/workbook.html", context)


@login_required
def import_workbook_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    workbook = selectors.workbook_for(job=job)
    response = render(
        request, "imports/_workbook_progress.html", {"job": job, "workbook": workbook}
    )
    if workbook is None or workbook.status != WorkbookStatus.BUILDING or workbook.stalled:
        response["HX-Refresh"] = "true"  # done, gone or stalled: the page says what next
    return response


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = get_spec(kind)
    content = template_workbook(str(spec.label), spec.columns, spec.example_rows)
    response = HttpResponse(content, content_type=XLSX)
    name = slugify(fold(str(spec.label))) or kind
    response["Content-Disposition"] = f'attachment; filename="mau-{name}.xlsx"'
    return response
