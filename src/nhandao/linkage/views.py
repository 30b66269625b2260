"""Duplicate search pages: start a run (background, with progress), review pairs side by side,
decide one pair or many at once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.masking import mask_id, mask_phone
from nhandao.core.signals import client_ip
from nhandao.core.text import fold
from nhandao.orgs.permissions import can
from nhandao.people import selectors as people_selectors

from . import selectors, services
from .evidence import evidence
from .models import RunStatus

FIELDS = [
    ("full_name", gettext_lazy("Họ và tên")),
    ("birth_display", gettext_lazy("Ngày sinh")),
    ("sex", gettext_lazy("Giới tính")),
    ("id_number", gettext_lazy("Số CCCD")),
    ("legacy_id", gettext_lazy("Số CMND")),
    ("phone", gettext_lazy("Điện thoại")),
    ("address_detail", gettext_lazy("Thôn, tổ")),
    ("ward", gettext_lazy("Xã/phường")),
    ("source_ref", gettext_lazy("Mã tham chiếu")),
    ("unit", gettext_lazy("Đơn vị quản lý")),
]
# Fields that agree when they read the same without diacritics, case or spacing ("Lê Văn Tám"
# and "Le Van Tam"), as the match's evidence counts them.
FOLDED = {"full_name", "address_detail"}
SENSITIVE = {"id_number": mask_id, "legacy_id": mask_id, "phone": mask_phone}


def _unit(request: HttpRequest) -> Any:
    """The unit the user searches duplicates for; 403 without the right to decide pairs there."""
    assignment = getattr(request.user, "active_assignment", None)
    if assignment is None or not can(request.user, "data.edit", assignment.unit):
        raise PermissionDenied
    return assignment.unit


def _require_decide(request: HttpRequest, unit: Any) -> None:
    """Every duplicate page shows people side by side: only for those who may decide the pairs
    (the right the duplicates home page asks for), on the unit of the run, pair or list."""
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied


@login_required
def linkage_home(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if request.method == "POST":
        try:
            services.linkage_run_start(actor=request.user, unit=unit)
            messages.success(request, _("Đã bắt đầu tìm hồ sơ trùng trong phạm vi %s.") % unit.name)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("linkage_home")
    try:
        min_score = min(max(float(request.GET.get("min") or 0), 0.0), 1.0)
    except ValueError:
        min_score = 0.0
    pairs = selectors.pair_list(user=request.user, min_score=min_score)
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    for pair in page.object_list:
        pair.evidence = evidence(pair.reasons)
    runs = selectors.run_list(user=request.user)[:5]
    running = any(r.status in (RunStatus.QUEUED, RunStatus.RUNNING) for r in runs)
    return render(
        request,
        "linkage/home.html",
        {"unit": unit, "page": page, "runs": runs, "running": running, "min_score": min_score},
    )


@login_required
def linkage_progress(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    _require_decide(request, run.unit)
    response = render(request, "linkage/_progress.html", {"run": run})
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        response["HX-Refresh"] = "true"
    return response


def _side_by_side(pair: Any, show: bool) -> list[tuple[str, str, str, bool]]:
    rows = []
    for name, label in FIELDS:
        values = []
        for person in (pair.a, pair.b):
            value = getattr(person, name, "")
            if name == "sex":
                value = person.get_sex_display() if value else ""
            value = "" if value is None else str(value)
            values.append(value)
        agree = bool(values[0]) and (
            values[0] == values[1] or (name in FOLDED and fold(values[0]) == fold(values[1]))
        )
        if not show and name in SENSITIVE:
            values = [SENSITIVE[name](v) for v in values]
        rows.append((str(label), values[0], values[1], agree))
    return rows


def _decide_one(
    request: HttpRequest, decide: Any, pair: Any, done: tuple[str, str], back: str
) -> HttpResponse:
    """The decision posted from a pair's page (people or households), then back to the list."""
    same = request.POST.get("decision") == "same"
    survivor = request.POST.get("survivor")
    try:
        decide(
            actor=request.user,
            pair=pair,
            same=same,
            survivor_id=int(survivor) if survivor and survivor.isdigit() else None,
        )
        messages.success(request, done[0] if same else done[1])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.pair_get(user=request.user, pk=pk)
    _require_decide(request, pair.unit)
    if request.method == "POST":
        done = (_("Đã gộp hai hồ sơ."), _("Đã ghi: hai hồ sơ là hai người khác nhau."))
        return _decide_one(request, services.pair_decide, pair, done, "linkage_home")
    show = can(request.user, "pii.view", pair.unit)
    if show:
        services.pair_sensitive_viewed(actor=request.user, pair=pair, ip=client_ip(request))
    return render(
        request,
        "linkage/pair.html",
        {"pair": pair, "rows": _side_by_side(pair, show), "evidence": evidence(pair.reasons)},
    )


def _decide_selected(request: HttpRequest, pairs: Any, back: str) -> HttpResponse:
    """The bulk decision of both lists: the ticked pairs, looked up through the scope."""
    ids = [int(i) for i in request.POST.getlist("pair") if i.isdigit()][:1000]
    chosen = list(pairs.filter(pk__in=ids))
    same = request.POST.get("decision") == "same"
    done, problems = services.pairs_decide(actor=request.user, pairs=chosen, same=same)
    messages.success(request, _("Đã quyết định %d cặp.") % done)
    for problem in problems[:10]:
        messages.error(request, problem)
    return redirect(back)


@login_required
@require_POST
def pairs_bulk(request: HttpRequest) -> HttpResponse:
    _unit(request)
    return _decide_selected(request, selectors.pair_list(user=request.user), "linkage_home")


@login_required
@require_POST
def household_pairs_bulk(request: HttpRequest) -> HttpResponse:
    _unit(request)
    pairs = selectors.household_pair_list(user=request.user)
    return _decide_selected(request, pairs, "household_pairs")


@login_required
def household_pairs(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    pairs = selectors.household_pair_list(user=request.user)
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    for pair in page.object_list:
        pair.evidence = evidence(pair.reasons)
    return render(request, "linkage/households.html", {"unit": unit, "page": page})


HOUSEHOLD_FIELDS = [
    ("code", gettext_lazy("Mã hộ")),
    ("head", gettext_lazy("Chủ hộ")),
    ("ward", gettext_lazy("Xã/phường")),
    ("address_detail", gettext_lazy("Thôn, tổ, số nhà")),
    ("poverty", gettext_lazy("Hộ nghèo/cận nghèo")),
    ("unit", gettext_lazy("Đơn vị quản lý")),
]


def _household_value(household: Any, name: str) -> str:
    if name == "poverty":
        if not household.poverty_status:
            return ""
        year = f" {household.poverty_year}" if household.poverty_year else ""
        return f"{household.get_poverty_status_display()}{year}"
    value = getattr(household, name)
    return "" if value is None else str(value)


@login_required
def household_pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair = selectors.household_pair_get(user=request.user, pk=pk)
    _require_decide(request, pair.unit)
    if request.method == "POST":
        done = (_("Đã gộp hai hộ."), _("Đã ghi: hai hộ là hai hộ khác nhau."))
        return _decide_one(request, services.household_pair_decide, pair, done, "household_pairs")
    rows = []
    for name, label in HOUSEHOLD_FIELDS:
        a, b = _household_value(pair.a, name), _household_value(pair.b, name)
        rows.append((label, a, b, bool(a) and a == b))
    members = [
        people_selectors.household_members(user=request.user, household=h) for h in (pair.a, pair.b)
    ]
    return render(
        request,
        "linkage/household_pair.html",
        {"pair": pair, "rows": rows, "members": members, "evidence": evidence(pair.reasons)},
    )
