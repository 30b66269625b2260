"""Pages of campaigns: list, form, campaign page with charts, targets, coverage, reports.
Views only speak HTTP; the services write and the selectors read, scoped."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core import lunar
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.money import parse_vnd
from nhandao.core.signals import client_ip
from nhandao.orgs.permissions import active_unit, can
from nhandao.orgs.selectors import unit_get

from . import exports, reports, selectors, services, tasks
from .forms import CampaignForm, ExampleForm, FilterForm, SplitForm
from .models import Campaign, CampaignKind, Metric

PAGE_SIZE = 50
WIDGET_SIZE = 5  # running campaigns on a dashboard, each with its coverage
LOWEST_KINDS = {"commune", "branch", "group", "team", "club"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _need(request: HttpRequest, perm: str) -> None:
    if not can(request.user, perm):
        raise PermissionDenied


def _groups() -> list[tuple[str, str]]:
    from nhandao.beneficiaries.selectors import group_list

    return [(g.code, g.name) for g in group_list()]


def _focus(request: HttpRequest, campaign: Campaign) -> Any:
    """The unit a campaign page shows: ``?unit=`` (through the scoped getter) or the user's own;
    the campaign's unit when that lies above it; 404 outside the campaign's area."""
    unit = active_unit(request)
    if request.GET.get("unit"):
        unit = unit_get(user=request.user, pk=request.GET["unit"])
    if unit.path.startswith(campaign.unit.path):
        return unit
    if campaign.unit.path.startswith(unit.path):
        return campaign.unit
    raise Http404


def _may_manage(request: HttpRequest, campaign: Campaign) -> bool:
    """Launch, close, freeze and edit: only the units whose subtree launched the campaign."""
    if not can(request.user, "campaign.manage", campaign.unit):
        return False
    try:
        selectors.campaign_get_owned(user=request.user, pk=campaign.pk)
    except Http404:
        return False
    return True


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _need(request, "data.view")
    unit = active_unit(request)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.campaign_list(
        user=request.user,
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        year=data.get("year"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "unit": unit, "query": request.GET.urlencode()}
    context["may_create"] = can(request.user, "campaign.manage", unit)
    return render(request, "campaigns/list.html", context)


def _campaign_data(data: dict[str, Any]) -> services.CampaignData:
    return services.CampaignData(
        kind=data["kind"],
        year=data.get("year"),
        lunar_year=data.get("lunar_year"),
        name=data.get("name") or "",
        theme=data.get("theme") or "",
        area=data.get("area") or "",
        starts_on=data.get("starts_on"),
        ends_on=data.get("ends_on"),
        peak_from=data.get("peak_from"),
        peak_to=data.get("peak_to"),
        groups=list(data.get("groups") or []),
        gift_rule=data.get("gift_rule") or "household",
        min_gift_value=data.get("min_gift_value") or 0,
        description=data.get("description") or "",
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _next_tet_year() -> int:
    """The lunar year of the coming Tết (this year's until it has passed)."""
    today = timezone.localdate()
    return today.year if today <= lunar.tet_date(today.year) else today.year + 1


def _defaults(query: Any) -> dict[str, Any]:
    """Initial values of a new campaign of the kind (and year) picked: the Tết Nhân ái name and
    window from the lunar calendar, May with its peak for Tháng Nhân đạo, the activity area."""
    kind = query.get("kind") if query.get("kind") in CampaignKind.values else CampaignKind.TET
    year, lunar_year = _int(query.get("year")), _int(query.get("lunar_year"))
    if kind == CampaignKind.TET and lunar_year is None:
        lunar_year = _next_tet_year()
    groups = ["poor", "near_poor"]
    try:
        data = services.CampaignData(kind=kind, year=year, lunar_year=lunar_year, groups=groups)
        values = dataclasses.asdict(services.campaign_defaults(data))
    except ApplicationError:
        return {"kind": kind, "year": year, "lunar_year": lunar_year, "groups": groups}
    values["min_gift_value"] = ""
    return values


def _save(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> Any:
    try:
        data = _campaign_data(form.cleaned_data)
        if campaign is None:
            return services.campaign_create(
                actor=request.user, unit=active_unit(request), data=data
            )
        return services.campaign_update(actor=request.user, campaign=campaign, data=data)
    except ApplicationError as exc:
        show_error(form, exc)
        return None


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    if not can(request.user, "campaign.manage", unit):
        raise PermissionDenied
    if request.method == "POST":
        form = CampaignForm(request.POST, groups=_groups())
        saved = _save(request, form, None) if form.is_valid() else None
        if saved is not None:
            messages.success(request, _("Đã tạo phong trào «%s».") % saved.name)
            return redirect("campaign_detail", pk=saved.pk)
    else:
        form = CampaignForm(initial=_defaults(request.GET), groups=_groups())
    context = {"form": form, "unit": unit, "title": _("Tạo phong trào")}
    return render(request, "campaigns/form.html", context)


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_owned(user=request.user, pk=pk)
    if not can(request.user, "campaign.manage", campaign.unit):
        raise PermissionDenied
    if request.method == "POST":
        form = CampaignForm(request.POST, groups=_groups())
        if form.is_valid() and _save(request, form, campaign) is not None:
            messages.success(request, _("Đã lưu phong trào."))
            return redirect("campaign_detail", pk=campaign.pk)
    else:
        initial = {f: getattr(campaign, f) for f in services.FIELDS}
        initial["groups"] = list(campaign.groups.values_list("code", flat=True))
        initial["min_gift_value"] = f"{campaign.min_gift_value:,}".replace(",", ".")
        form = CampaignForm(initial=initial, groups=_groups())
    context = {"form": form, "campaign": campaign, "title": _("Sửa phong trào")}
    return render(request, "campaigns/form.html", context)


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    campaign = selectors.campaign_get_owned(user=request.user, pk=pk)
    try:
        result = action(actor=request.user, campaign=campaign)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        count = result if isinstance(result, int) else 0
        messages.success(request, done % {"n": f"{count:,}".replace(",", ".")})
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    msg = _("Đã phát động phong trào: các đơn vị trực thuộc đã thấy trên trang tổng quan.")
    return _act(request, pk, services.campaign_launch, msg)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.campaign_close, _("Đã kết thúc phong trào."))


@login_required
@require_POST
def campaign_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or resume) the freeze as a background job; the page shows its progress."""
    campaign = selectors.campaign_get_owned(user=request.user, pk=pk)
    try:
        with transaction.atomic():
            campaign = services.campaign_freeze_start(actor=request.user, campaign=campaign)
            actor_id = request.user.pk
            transaction.on_commit(lambda: tasks.freeze.enqueue(campaign.pk, actor_id))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Đang chốt danh sách đối tượng; trang này hiện tiến độ."))
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
def campaign_freeze_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "data.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return render(request, "campaigns/_freeze_progress.html", {"campaign": campaign})


@login_required
@require_POST
def campaign_freeze_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, services.campaign_freeze_cancel, _("Đã hủy lần chốt danh sách dở dang.")
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "data.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    report = reports.campaign_report(campaign=campaign, unit=unit, days=True)
    context = {
        "campaign": campaign,
        "unit": unit,
        "report": report,
        "charts": reports.chart_data(report),
        "example_form": ExampleForm(),
        "may_manage": _may_manage(request, campaign),
        "may_record": can(request.user, "data.edit", unit),
        "may_refresh": can(request.user, "campaign.manage", unit),
    }
    return render(request, "campaigns/detail.html", context)


@login_required
@require_POST
def campaign_example_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    form = ExampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa có tên gương, mô hình."))
        return redirect("campaign_detail", pk=campaign.pk)
    try:
        services.example_record(
            actor=request.user, campaign=campaign, unit=unit, **form.cleaned_data
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận gương điển hình."))
    return redirect("campaign_detail", pk=campaign.pk)


# --- Targets ----------------------------------------------------------------------------------


def _target_setup(request: HttpRequest, campaign: Campaign, unit: Any) -> dict[str, Any]:
    group = request.GET.get("group") or request.POST.get("group") or None
    groups = _groups()
    if group not in {code for code, _n in groups}:
        group = None
    existing = selectors.target_list(campaign=campaign, unit=unit).filter(group_id=group)
    values = {(t.unit_id, t.metric): t.value for t in existing}
    picked = [m for m in request.GET.getlist("metric") if m in Metric.values]
    metrics = picked or sorted({m for _u, m in values}) or [Metric.GIFTS, Metric.VALUE]
    counts = selectors.eligible_by_child(campaign=campaign, unit=unit)
    children = selectors.child_units(campaign=campaign, unit=unit)
    return {
        "group": group,
        "groups": groups,
        "metrics": [(m, Metric(m).label) for m in metrics],
        "all_metrics": Metric.choices,
        "values": values,
        "units": [unit, *children],
        "eligible": {c.pk: counts.get(c.path, 0) for c in children},
        "eligible_total": sum(counts.values()),
    }


def _table(setup: dict[str, Any], posted: Any) -> list[dict[str, Any]]:
    """The rows of the targets table: the unit first, then its sub-units, each with its eligible
    count and one input per metric (what was typed, when a save was refused)."""
    table = []
    for n, unit in enumerate(setup["units"]):
        cells = []
        for metric, _label in setup["metrics"]:
            name = f"v-{unit.pk}-{metric}"
            value = setup["values"].get((unit.pk, metric))
            shown = posted.get(name, "") if posted is not None else _dots(value)
            cells.append({"name": name, "value": shown})
        eligible = setup["eligible_total"] if n == 0 else setup["eligible"].get(unit.pk, 0)
        table.append({"unit": unit, "own": n == 0, "eligible": eligible, "cells": cells})
    return table


def _dots(value: int | None) -> str:
    return "" if value is None else f"{value:,}".replace(",", ".")


def _target_rows(post: Any, setup: dict[str, Any]) -> list[services.TargetRow]:
    rows = []
    for unit in setup["units"]:
        for metric, label in setup["metrics"]:
            raw = (post.get(f"v-{unit.pk}-{metric}") or "").strip()
            if not raw:
                continue
            try:
                value = parse_vnd(raw)
            except ValueError as exc:
                raise ApplicationError(
                    _("Chỉ tiêu “%(metric)s” của %(unit)s: %(error)s")
                    % {"metric": label, "unit": unit.name, "error": exc}
                ) from exc
            rows.append(services.TargetRow(unit, metric, value, setup["group"]))
    return rows


def _targets_post(request: HttpRequest, campaign: Campaign, unit: Any, setup: Any) -> bool:
    """Save the table or the split; True when saved (errors go to messages)."""
    try:
        if request.POST.get("action") == "split":
            form = SplitForm(request.POST, groups=setup["groups"])
            if not form.is_valid():
                raise ApplicationError(" ".join(str(e) for es in form.errors.values() for e in es))
            data = form.cleaned_data
            services.targets_split(
                actor=request.user,
                campaign=campaign,
                parent=unit,
                metric=data["metric"],
                total=data["total"],
                group=data["group"] or None,
            )
        else:
            rows = _target_rows(request.POST, setup)
            services.targets_set(actor=request.user, campaign=campaign, parent=unit, rows=rows)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, _("Đã lưu chỉ tiêu."))
    return True


@login_required
def campaign_targets(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "data.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    setup = _target_setup(request, campaign, unit)
    posted = None
    if request.method == "POST":
        if _targets_post(request, campaign, unit, setup):
            return redirect(request.get_full_path())
        posted = request.POST
    context = {"campaign": campaign, "unit": unit, "table": _table(setup, posted), **setup}
    context["may_set"] = can(request.user, "campaign.manage", unit)
    context["split_form"] = SplitForm(initial={"group": setup["group"]}, groups=setup["groups"])
    return render(request, "campaigns/targets.html", context)


# --- Coverage ---------------------------------------------------------------------------------


class _Uncovered:
    """Looks like a list to the paginator: the count and one page, each in one query."""

    def __init__(self, campaign: Campaign, unit: Any):
        self.campaign, self.unit = campaign, unit
        self._total: int | None = None

    def count(self) -> int:
        if self._total is None:
            self._total = selectors.uncovered_list(
                campaign=self.campaign, unit=self.unit, limit=0
            ).total
        return self._total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Any]:
        start, stop = item.start or 0, item.stop or 0
        got = selectors.uncovered_list(
            campaign=self.campaign, unit=self.unit, limit=stop - start, offset=start
        )
        return got.people


def _with_groups(people: list[Any], show_pii: bool) -> list[tuple[Any, list[str]]]:
    groups = selectors.groups_of_people(person_ids=[p.pk for p in people], sensitive=show_pii)
    return [(p, groups.get(p.pk, [])) for p in people]


def _audit_uncovered(
    request: HttpRequest,
    campaign: Campaign,
    unit: Any,
    rows: list[tuple[Any, list[str]]],
    **filters: Any,
) -> None:
    """One event per uncovered list served with unmasked data: a citizen ID in full or a
    sensitive group (only ``pii.view`` holders get either); count and filters, not the data."""
    from nhandao.beneficiaries.selectors import group_list

    if not rows:
        return
    shown = any(p.id_number for p, _groups in rows)
    if not shown:
        sensitive = set(group_list().filter(sensitive=True).values_list("name", flat=True))
        shown = any(sensitive.intersection(groups) for _p, groups in rows)
    if shown:
        services.record_uncovered_view(
            actor=request.user,
            campaign=campaign,
            unit=unit,
            what=f"{request.method} {request.path}",
            records=len(rows),
            filters={"unit": unit.pk, **filters},
            ip=client_ip(request),
        )


@login_required
def campaign_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "data.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    coverage = selectors.coverage(campaign=campaign, unit=unit)
    lowest = unit.kind in LOWEST_KINDS or all(r.own for r in coverage.rows)
    context: dict[str, Any] = {"campaign": campaign, "unit": unit, "coverage": coverage}
    context["show_pii"] = can(request.user, "pii.view", unit)
    context["may_refresh"] = can(request.user, "campaign.manage", unit)
    if lowest:
        source: Any = _Uncovered(campaign, unit)
        page: Any = Paginator(source, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = _with_groups(list(page.object_list), context["show_pii"])
        if context["show_pii"]:
            _audit_uncovered(request, campaign, unit, context["rows"], page=page.number)
    return render(request, "campaigns/coverage.html", context)


@login_required
@require_POST
def campaign_summary_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Cập nhật ngay": compute the campaign's summary again in the background."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    if not can(request.user, "campaign.manage", unit):
        raise PermissionDenied
    selectors.summary_refresh(campaign=campaign)
    messages.success(request, _("Đang tính lại số liệu; tải lại trang sau ít phút."))
    back = "campaign_coverage" if request.POST.get("back") == "coverage" else "campaign_detail"
    return redirect(reverse(back, args=[campaign.pk]) + f"?unit={unit.pk}")


@login_required
def campaign_uncovered_print(request: HttpRequest, pk: int) -> HttpResponse:
    _need(request, "data.view")
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    unit = _focus(request, campaign)
    show_pii = can(request.user, "pii.view", unit)
    got = selectors.uncovered_list(campaign=campaign, unit=unit, limit=exports.PRINT_LIMIT)
    context = {"campaign": campaign, "unit": unit, "total": got.total, "show_pii": show_pii}
    context["rows"] = _with_groups(got.people, show_pii)
    if show_pii:
        _audit_uncovered(request, campaign, unit, context["rows"], print=True)
    context["today"] = timezone.localdate()
    context["parent"] = type(unit).objects.get_parent(unit)
    return render(request, "campaigns/uncovered_print.html", context)


@login_required
def campaign_dashboard_widget(request: HttpRequest) -> HttpResponse:
    """htmx fragment on the unit dashboard: the campaigns running for the user's unit."""
    if not can(request.user, "data.view"):
        return HttpResponse("")
    unit = active_unit(request)
    running = [
        (c, selectors.coverage(campaign=c, unit=selectors.focus_unit(campaign=c, unit=unit)))
        for c in selectors.campaigns_running(user=request.user)[:WIDGET_SIZE]
    ]
    return render(request, "campaigns/_widget.html", {"running": running})


# --- Reports ----------------------------------------------------------------------------------


def _report(request: HttpRequest, pk: int) -> reports.CampaignReport:
    if not (can(request.user, "report.view") or can(request.user, "data.view")):
        raise PermissionDenied
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return reports.campaign_report(campaign=campaign, unit=_focus(request, campaign))


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def campaign_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    content = exports.report_workbook(report, today=timezone.localdate())
    return _download(content, XLSX, f"bao-cao-phong-trao-{report.campaign.pk}.xlsx")


@login_required
def campaign_report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    content = exports.report_document(report, today=timezone.localdate())
    return _download(content, DOCX, f"bao-cao-phong-trao-{report.campaign.pk}.docx")
