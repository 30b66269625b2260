"""Pages of sponsorships of humanitarian addresses: the list (printable, .xlsx), a commitment with
its periods and fulfilments, linking a sponsor, recording and voiding fulfilments, ending, and the
addresses still without a sponsor. Views only speak HTTP: the rules are in ``sponsorships.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.beneficiaries import selectors as beneficiaries
from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.money import format_vnd
from nhandao.core.scoping import get_visible_or_404
from nhandao.core.text import fold
from nhandao.core.workbooks import official_list
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit as _unit
from nhandao.orgs.permissions import can
from nhandao.orgs.permissions import require_view as _may_view
from nhandao.orgs.selectors import unit_parent_name

from . import services
from . import sponsorships as sp
from .forms_sponsorships import (
    EndForm,
    FulfilmentForm,
    ListFilterForm,
    SponsorshipForm,
    UnsponsoredFilterForm,
    VoidForm,
)
from .models import Donor, SponsorshipFulfilment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000
OVERDUE_LIMIT = 5_000  # rows read to find the overdue ones (periods are computed in Python)
MAIN_FIELDS = ("commitment", "kind", "amount", "frequency", "starts_on", "ends_on", "note")


def _units(request: HttpRequest) -> list[tuple[int, str]]:
    unit = _unit(request)
    children = orgs.unit_children(user=request.user, unit=unit, include_inactive=False)
    return [(u.pk, u.name) for u in [unit, *children]]


def _may_edit(request: HttpRequest, s: Any) -> None:
    if not can(request.user, sp.PERM, s.unit):
        raise PermissionDenied


# --- lists -----------------------------------------------------------------------------------


def _list_filters(request: HttpRequest) -> tuple[ListFilterForm, sp.ListFilters, Any]:
    form = ListFilterForm(request.GET or None, units=_units(request))
    data = form.cleaned_data if form.is_valid() else {}
    unit = orgs.unit_get(user=request.user, pk=data["unit"]) if data.get("unit") else None
    donor = None
    if data.get("donor"):
        donor = get_visible_or_404(Donor.objects.all(), request.user, pk=data["donor"])
    filters = sp.ListFilters(
        unit=unit,
        status=data.get("status") or "",
        overdue=bool(data.get("overdue")),
        query=data.get("q") or "",
    )
    return form, filters, donor


def _rows(request: HttpRequest, filters: sp.ListFilters, donor: Any) -> Any:
    qs = sp.sponsorship_list(user=request.user, filters=filters)
    if donor is not None:
        qs = qs.filter(donor=donor)
    if filters.overdue:
        return sp.overdue_only(qs[:OVERDUE_LIMIT])
    return qs


@login_required
def sponsorship_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    form, filters, donor = _list_filters(request)
    rows = _rows(request, filters, donor)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    if not filters.overdue:
        sp.with_progress(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funds/sponsorships/list.html",
        {
            "form": form,
            "page": page,
            "donor": donor,
            "query_string": query.urlencode(),
            "unit": filters.unit or _unit(request),
            "today": timezone.localdate(),
            "may_add": can(request.user, sp.PERM, _unit(request)),
        },
    )


@login_required
def sponsorship_export(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    _form, filters, donor = _list_filters(request)
    rows = _rows(request, filters, donor)
    total = len(rows) if isinstance(rows, list) else rows.count()
    if total > EXPORT_LIMIT:
        messages.error(
            request,
            _("Danh sách quá %(n)s dòng: hãy lọc bớt trước khi xuất.")
            % {"n": f"{EXPORT_LIMIT:,}".replace(",", ".")},
        )
        return redirect(f"{reverse('sponsorship_list')}?{request.GET.urlencode()}")
    items = rows if isinstance(rows, list) else sp.with_progress(rows)
    unit = filters.unit or _unit(request)
    today = timezone.localdate()

    def lines() -> Any:
        for n, s in enumerate(items, 1):
            p = s.progress
            yield [
                n,
                s.donor.name,
                s.beneficiary.person.full_name,
                s.unit.name,
                s.commitment,
                s.amount,
                str(s.get_frequency_display()),
                s.starts_on.strftime("%d/%m/%Y"),
                s.ends_on.strftime("%d/%m/%Y") if s.ends_on else "",
                f"{p.periods_covered}/{p.periods_due}",
                p.expected,
                p.given,
                _("Quá hạn") if p.overdue else str(s.get_status_display()),
            ]

    content = official_list(
        title=_("Danh sách gắn kết địa chỉ nhân đạo"),
        subtitle=_("(Số liệu đến ngày %(day)s)") % {"day": today.strftime("%d/%m/%Y")},
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        headers=[
            ("STT", 6),
            (_("Nhà tài trợ"), 30),
            (_("Địa chỉ nhân đạo"), 24),
            (_("Đơn vị"), 24),
            (_("Nội dung cam kết"), 30),
            (_("Mỗi lần (đồng)"), 14),
            (_("Tần suất"), 12),
            (_("Từ ngày"), 12),
            (_("Đến ngày"), 12),
            (_("Số kỳ đã thực hiện/đến hạn"), 14),
            (_("Phải trao (đồng)"), 15),
            (_("Đã trao (đồng)"), 15),
            (_("Trạng thái"), 14),
        ],
        rows=lines(),
        today=today,
        sheet_name=_("Gắn kết"),
    )
    response = HttpResponse(content, content_type=XLSX)
    stamp = today.strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="gan-ket-dia-chi-nhan-dao-{stamp}.xlsx"'
    )
    return response


@login_required
def sponsorship_unsponsored(request: HttpRequest) -> HttpResponse:
    """Active addresses in scope with no active sponsor (paginated, printable, counted)."""
    _may_view(request)
    groups = [(g.code, g.name) for g in beneficiaries.group_list()]
    form = UnsponsoredFilterForm(request.GET or None, units=_units(request), groups=groups)
    data = form.cleaned_data if form.is_valid() else {}
    unit = orgs.unit_get(user=request.user, pk=data["unit"]) if data.get("unit") else None
    ids = sp.unsponsored_ids(user=request.user, unit=unit, group=data.get("group") or "")
    page = Paginator(ids, 100).get_page(request.GET.get("page"))
    page.object_list = sp.unsponsored_rows(list(page.object_list))  # type: ignore[assignment]
    shown = unit or _unit(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funds/sponsorships/unsponsored.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "unit": shown,
            "parent_name": unit_parent_name(shown),
            "today": timezone.localdate(),
            "show_sensitive": can(request.user, "pii.view", shown),
            "may_add": can(request.user, sp.PERM, _unit(request)),
        },
    )


# --- one commitment --------------------------------------------------------------------------


def _donation_choices(s: Any) -> list[tuple[int, str]]:
    return [
        (
            d.pk,
            f"{d.reference} · {d.received_on:%d/%m/%Y} · {format_vnd(d.amount)} · {d.fund.code}",
        )
        for d in sp.eligible_donations(s)[:200]
    ]


def _detail(request: HttpRequest, s: Any, **forms: Any) -> HttpResponse:
    today = timezone.localdate()
    p = sp.progress(s, today=today, with_periods=True)
    context = {
        "s": s,
        "p": p,
        "periods": p.periods[-24:],  # the latest two years of monthly periods
        "periods_hidden": max(len(p.periods) - 24, 0),
        "fulfilments": sp.fulfilments_of(s),
        "history": sp.history_of(s),
        "end_reason": sp.end_reason(s),
        "may_edit": can(request.user, sp.PERM, s.unit),
        "fulfil_form": forms.get("fulfil_form")
        or FulfilmentForm(
            initial={"given_on": today, "amount": s.amount}, donations=_donation_choices(s)
        ),
        "end_form": forms.get("end_form") or EndForm(initial={"on": today}),
        "void_form": VoidForm(),
        "public_url": request.build_absolute_uri(reverse("portal_sponsor", args=[s.token])),
        "today": today,
    }
    status = 400 if forms else 200
    return render(request, "funds/sponsorships/detail.html", context, status=status)


@login_required
def sponsorship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    s = sp.sponsorship_get(user=request.user, pk=pk)
    _may_view(request)
    return _detail(request, s)


@login_required
@require_POST
def sponsorship_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    s = sp.sponsorship_get(user=request.user, pk=pk)
    _may_edit(request, s)
    form = FulfilmentForm(request.POST, donations=_donation_choices(s))
    if form.is_valid():
        data = form.cleaned_data
        donation = None
        if data.get("donation"):
            donation = sp.eligible_donations(s).filter(pk=data["donation"]).first()
        try:
            sp.fulfilment_record(
                actor=request.user,
                sponsorship=s,
                given_on=data["given_on"],
                amount=data["amount"],
                description=data.get("description") or "",
                donation=donation,
            )
            messages.success(request, _("Đã ghi lần thực hiện cam kết."))
            return redirect("sponsorship_detail", pk=s.pk)
        except ApplicationError as exc:
            show_error(form, exc)
    return _detail(request, s, fulfil_form=form)


@login_required
@require_POST
def sponsorship_fulfilment_void(request: HttpRequest, pk: int, fulfilment_id: int) -> HttpResponse:
    s = sp.sponsorship_get(user=request.user, pk=pk)
    _may_edit(request, s)
    f = SponsorshipFulfilment.objects.filter(sponsorship=s, pk=fulfilment_id).first()
    if f is None:
        raise Http404
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Cần ghi lý do hủy."))
        sp.fulfilment_void(actor=request.user, fulfilment=f, reason=form.cleaned_data["reason"])
        messages.success(request, _("Đã hủy lần trao ngày %s.") % f.given_on.strftime("%d/%m/%Y"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("sponsorship_detail", pk=s.pk)


@login_required
@require_POST
def sponsorship_end(request: HttpRequest, pk: int) -> HttpResponse:
    s = sp.sponsorship_get(user=request.user, pk=pk)
    _may_edit(request, s)
    form = EndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sp.sponsorship_end(
                actor=request.user,
                sponsorship=s,
                status=data["status"],
                on=data["on"],
                reason=data["reason"],
            )
            messages.success(request, _("Đã ghi việc kết thúc cam kết."))
            return redirect("sponsorship_detail", pk=s.pk)
        except ApplicationError as exc:
            show_error(form, exc)
    return _detail(request, s, end_form=form)


# --- linking a sponsor -----------------------------------------------------------------------


def _beneficiary_or_none(request: HttpRequest, pk: Any) -> Beneficiary | None:
    if not pk:
        return None
    try:
        return beneficiaries.beneficiary_get(user=request.user, pk=int(pk))
    except (Http404, ValueError, TypeError):
        return None


def _donor_or_none(request: HttpRequest, pk: Any) -> Donor | None:
    if not pk:
        return None
    try:
        return get_visible_or_404(Donor.objects.active(), request.user, pk=int(pk))
    except (Http404, ValueError, TypeError):
        return None


@login_required
def sponsorship_create(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if not can(request.user, sp.PERM, unit):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    initial = {
        "starts_on": timezone.localdate(),
        "beneficiary": request.GET.get("beneficiary"),
        "donor": request.GET.get("donor"),
    }
    form = SponsorshipForm(request.POST or None, initial=initial)
    beneficiary = _beneficiary_or_none(request, source.get("beneficiary"))
    donor = _donor_or_none(request, source.get("donor"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if beneficiary is None:
                raise ApplicationError(
                    _("Không tìm thấy địa chỉ nhân đạo trong phạm vi của bạn."), field="beneficiary"
                )
            if data.get("donor") and donor is None:
                raise ApplicationError(
                    _("Không tìm thấy nhà tài trợ trong phạm vi của bạn."), field="donor"
                )
            made = _link(request, unit, data, beneficiary, donor)
            messages.success(
                request,
                _("Đã gắn %(donor)s với địa chỉ nhân đạo %(name)s.")
                % {"donor": made.donor.name, "name": beneficiary.person.full_name},
            )
            return redirect("sponsorship_detail", pk=made.pk)
        except ApplicationError as exc:
            show_error(form, exc)
    return render(
        request,
        "funds/sponsorships/form.html",
        {
            "form": form,
            "main_fields": [form[name] for name in MAIN_FIELDS],
            "beneficiary": beneficiary,
            "donor": donor,
        },
        status=400 if form.is_bound else 200,
    )


def _link(
    request: HttpRequest, unit: Any, data: dict[str, Any], beneficiary: Any, donor: Any
) -> Any:
    """Create the sponsor inline when asked, then the link; one transaction for both."""
    from django.db import transaction

    with transaction.atomic():
        if donor is None:
            donor = services.donor_create(
                actor=request.user,
                unit=unit,
                data=services.DonorData(kind=data["new_donor_kind"], name=data["new_donor_name"]),
            )
        return sp.sponsorship_create(
            actor=request.user,
            data=sp.SponsorshipData(
                donor=donor,
                beneficiary=beneficiary,
                commitment=data["commitment"],
                amount=data["amount"],
                frequency=data["frequency"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                goods=data["kind"] == "goods",
                note=data.get("note") or "",
            ),
        )


@login_required
def sponsorship_donor_search(request: HttpRequest) -> HttpResponse:
    """htmx: sponsors in scope whose name (folded) contains what is typed, or the tax code."""
    _may_view(request)
    q = (request.GET.get("donor_q") or "").strip()[:100]
    rows: list[Any] = []
    if len(q) >= 2:
        key = fold(q)
        rows = list(
            Donor.objects.visible_to(request.user)
            .active()
            .filter(name_key__contains=key)
            .order_by("sort_key", "id")[:20]
        ) or list(Donor.objects.visible_to(request.user).active().filter(tax_code=q)[:20])
    return render(request, "funds/sponsorships/_donor_options.html", {"rows": rows, "q": q})


@login_required
def sponsorship_beneficiary_search(request: HttpRequest) -> HttpResponse:
    """htmx: active addresses in scope by name, ID number or phone."""
    _may_view(request)
    q = (request.GET.get("beneficiary_q") or "").strip()[:100]
    rows: list[Any] = []
    if len(q) >= 2:
        rows = list(
            beneficiaries.beneficiary_list(
                user=request.user, filters=beneficiaries.Filters(query=q, status="active")
            )[:20]
        )
    return render(request, "funds/sponsorships/_beneficiary_options.html", {"rows": rows, "q": q})
