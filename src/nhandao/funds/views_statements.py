"""Pages of bank statements: a fund's statements and the upload, the column-mapping step and the
progress of a large file, a statement's page, and the queue of credits still unmatched. Views only
speak HTTP; ``statements.py`` reads, writes and audits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd
from nhandao.core.text import fold
from nhandao.orgs.permissions import can

from . import bank_layouts as layouts
from . import statements
from .forms_statements import IgnoreForm, MappingForm, QueueFilterForm, RecordForm, UploadForm
from .models import Donation, Donor, Fund, MatchStatus, StatementLine

PAGE_SIZE = 50


def _fund(request: HttpRequest, fund_id: int, perm: str = "data.view") -> Fund:
    fund = statements.fund_get(user=request.user, pk=fund_id)
    if not can(request.user, perm, fund.unit):
        raise PermissionDenied
    return fund


def _line(request: HttpRequest, pk: int) -> StatementLine:
    line = statements.line_get(user=request.user, pk=pk)
    if not can(request.user, "donation.record", line.unit):
        raise PermissionDenied
    return line


def _next(request: HttpRequest) -> str:
    """The page to go back to: only one of our own funds pages."""
    target = request.POST.get("next", "")
    return target if target.startswith("/funds/") and "//" not in target else ""


def _back(request: HttpRequest, line: StatementLine) -> HttpResponse:
    return redirect(_next(request) or reverse("statement_queue", args=[line.fund_id]))


def _figures_message(statement: Any) -> str:
    return _(
        "Đã nhập «%(file)s»: %(total)s dòng, %(new)s dòng mới, %(dup)s dòng đã có, "
        "%(auto)s dòng khớp tự động."
    ) % {
        "file": statement.file_name,
        "total": statement.lines_total,
        "new": statement.lines_new,
        "dup": statement.lines_duplicate,
        "auto": statement.matched_auto,
    }


@login_required
def statement_list(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = _fund(request, fund_id)
    may_import = can(request.user, "donation.record", fund.unit)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            options = {
                "layout": form.cleaned_data["layout"],
                "mapping": form.cleaned_data["mapping"] or "",
                "header_row": form.cleaned_data["header_row"],
            }
            try:
                if statements.estimate_lines(data, upload.name) > statements.BACKGROUND_LINES:
                    pending = statements.PendingUpload.create(
                        fund=fund, actor=request.user, data=data, filename=upload.name, **options
                    )
                    statements.pending_start(pending)
                    return redirect("statement_pending", fund_id=fund.pk, token=pending.token)
                statement = statements.statement_import(
                    actor=request.user, fund=fund, data=data, filename=upload.name, **options
                )
            except ApplicationError as exc:
                if exc.extra.get("need_mapping"):
                    pending = statements.PendingUpload.create(
                        fund=fund,
                        actor=request.user,
                        data=data,
                        filename=upload.name,
                        **(options | {"status": "mapping", "message": exc.message}),
                    )
                    return redirect("statement_pending", fund_id=fund.pk, token=pending.token)
                form.add_error(None, exc.message)
            else:
                messages.success(request, _figures_message(statement))
                return redirect("statement_detail", pk=statement.pk)
    page = Paginator(statements.statement_list(user=request.user, fund=fund), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    waiting = statements.queue_lines(user=request.user, fund=fund).count()
    return render(
        request,
        "funds/statements/list.html",
        {
            "fund": fund,
            "form": form,
            "page": page,
            "waiting": waiting,
            "may_import": may_import,
            "presets": layouts.PRESETS.values(),
        },
    )


@login_required
def statement_pending(request: HttpRequest, fund_id: int, token: str) -> HttpResponse:
    """A file waiting for its column mapping, or being imported in the background."""
    fund = _fund(request, fund_id, "donation.record")
    pending, state = statements.pending_for(user=request.user, fund=fund, token=token)
    status = state.get("status")
    if status == "done":
        target = reverse("statement_detail", kwargs={"pk": state["statement"]})
        if request.headers.get("HX-Request"):
            response = HttpResponse()
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    context: dict[str, Any] = {"fund": fund, "state": state, "token": token}
    percent = int(100 * state.get("done", 0) / state["total"]) if state.get("total") else 0
    context["percent"] = percent
    if request.headers.get("HX-Request"):
        return render(request, "funds/statements/_progress.html", context)
    if status == "mapping":
        try:
            preview = statements.preview_rows(pending.data(), state["filename"])
        except ApplicationError as exc:
            preview = []
            context["error"] = exc.message
        width = max((len(r) for r in preview), default=0)
        header = next((r for r in preview if sum(1 for c in r if c) >= 2), [""] * width)
        columns = [
            (
                layouts.column_letter(i),
                f"{layouts.column_letter(i)} — {header[i][:40]}"
                if i < len(header) and header[i]
                else layouts.column_letter(i),
            )
            for i in range(width)
        ]
        form = MappingForm(request.POST or None, columns=columns)
        if request.method == "POST" and form.is_valid():
            pending.update(
                status="new",
                layout=layouts.GENERIC,
                mapping=form.mapping(),
                header_row=form.cleaned_data["header_row"],
            )
            data = pending.data()
            if statements.estimate_lines(data, state["filename"]) > statements.BACKGROUND_LINES:
                statements.pending_start(pending)
            else:
                statements.pending_run(pending.token)
                done = pending.read()
                if done.get("status") == "done":
                    messages.success(
                        request,
                        _figures_message(
                            statements.statement_get(user=request.user, pk=done["statement"])
                        ),
                    )
            return redirect("statement_pending", fund_id=fund.pk, token=token)
        context.update(
            form=form,
            preview=preview,
            letters=[layouts.column_letter(i) for i in range(width)],
        )
    return render(request, "funds/statements/pending.html", context)


@login_required
def statement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    statement = statements.statement_get(user=request.user, pk=pk)
    if not can(request.user, "data.view", statement.unit):
        raise PermissionDenied
    lines = statements.queue_lines(
        user=request.user,
        fund=statement.fund,
        filters=statements.QueueFilter(status="", statement_id=statement.pk),
    ).order_by("row")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/statements/detail.html",
        {
            "statement": statement,
            "fund": statement.fund,
            "figures": statements.statement_figures(statement),
            "page": page,
            "may_act": can(request.user, "donation.record", statement.unit),
        },
    )


def _filters(form: QueueFilterForm) -> statements.QueueFilter:
    if not form.is_valid():
        return statements.QueueFilter()
    data = form.cleaned_data
    status = data.get("status") if "status" in form.data else MatchStatus.UNMATCHED
    return statements.QueueFilter(
        status=status or "",
        q=data.get("q") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        amount=data.get("amount"),
    )


@login_required
def statement_queue(request: HttpRequest, fund_id: int) -> HttpResponse:
    """The fund's credits waiting for a donation, each with its likely donations."""
    fund = _fund(request, fund_id)
    form = QueueFilterForm(request.GET or None)
    filters = _filters(form)
    page = Paginator(
        statements.queue_lines(user=request.user, fund=fund, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    lines = list(page.object_list)
    found = statements.candidates_for(lines)
    names = {fold(line.counterparty) for line in lines if line.counterparty}
    donors: dict[str, list[Donor]] = {}
    for donor in Donor.objects.visible_to(request.user).active().filter(name_key__in=names)[:200]:
        donors.setdefault(donor.name_key, []).append(donor)
    rows = [
        {
            "line": line,
            "candidates": found.get(line.pk, []),
            "donors": donors.get(fold(line.counterparty), []) if line.counterparty else [],
        }
        for line in lines
    ]
    return render(
        request,
        "funds/statements/queue.html",
        {
            "fund": fund,
            "form": form,
            "page": page,
            "rows": rows,
            "may_act": can(request.user, "donation.record", fund.unit),
            "next": request.get_full_path(),
        },
    )


@login_required
@require_POST
def statement_queue_record(request: HttpRequest, fund_id: int) -> HttpResponse:
    """Record the selected credits as new donations, all or none."""
    fund = _fund(request, fund_id, "donation.record")
    ids = [int(v) for v in request.POST.getlist("line") if v.isdigit()]
    lines = list(
        StatementLine.objects.visible_to(request.user)
        .filter(fund=fund, pk__in=ids)
        .select_related("unit")
        .order_by("posted_on", "id")
    )
    if not lines:
        messages.error(request, _("Chưa chọn dòng nào."))
    else:
        try:
            made = statements.lines_record(
                actor=request.user, lines=lines, anonymous=request.POST.get("anonymous") == "on"
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            total = sum(line.amount for line in made)
            messages.success(
                request,
                _("Đã ghi %(n)s khoản ủng hộ mới, tổng %(total)s.")
                % {"n": len(made), "total": format_vnd(total)},
            )
    return redirect(_next(request) or reverse("statement_queue", args=[fund.pk]))


@login_required
@require_POST
def statement_rematch(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = _fund(request, fund_id, "donation.record")
    try:
        n = statements.statement_rematch(actor=request.user, fund=fund)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Khớp lại: %(n)s dòng đã khớp.") % {"n": n})
    return redirect("statement_queue", fund_id=fund.pk)


@login_required
@require_POST
def statement_line_match(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    donation_id = request.POST.get("donation", "")
    donation = (
        Donation.objects.visible_to(request.user).filter(pk=int(donation_id)).first()
        if donation_id.isdigit()
        else None
    )
    if donation is None:
        messages.error(request, _("Không tìm thấy khoản ủng hộ."))
        return _back(request, line)
    try:
        statements.line_match(actor=request.user, line=line, donation=donation)
        messages.success(
            request,
            _("Đã khớp dòng %(row)s với khoản ủng hộ %(ref)s.")
            % {"row": line.row, "ref": donation.reference},
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, line)


@login_required
@require_POST
def statement_line_record(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    form = RecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Dữ liệu chưa hợp lệ."))
        return _back(request, line)
    donor = None
    if form.cleaned_data.get("donor"):
        donor = Donor.objects.visible_to(request.user).filter(pk=form.cleaned_data["donor"]).first()
        if donor is None:
            raise Http404
    try:
        done = statements.line_record(
            actor=request.user,
            line=line,
            data=statements.RecordData(
                donor=donor,
                donor_name=form.cleaned_data.get("donor_name") or "",
                anonymous=form.cleaned_data.get("anonymous") or False,
            ),
        )
        messages.success(
            request,
            _("Đã ghi khoản ủng hộ mới %(ref)s (%(amount)s).")
            % {
                "ref": done.donation.reference if done.donation is not None else "",
                "amount": format_vnd(done.amount),
            },
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, line)


@login_required
@require_POST
def statement_line_ignore(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    form = IgnoreForm(request.POST)
    reason = form.data.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    try:
        statements.line_ignore(actor=request.user, line=line, reason=str(reason))
        messages.success(
            request, _("Đã đánh dấu dòng %(row)s không phải khoản ủng hộ.") % {"row": line.row}
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, line)


@login_required
@require_POST
def statement_line_unmatch(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    try:
        statements.line_unmatch(actor=request.user, line=line)
        messages.success(request, _("Dòng %(row)s đã trở lại hàng chờ.") % {"row": line.row})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, line)
