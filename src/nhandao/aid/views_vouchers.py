"""Pages of "Hội chợ - Tặng quà - Vui Tết" fairs: the fair and its stalls, issuing vouchers, the
printable voucher sheet, the phone page that redeems them at a stall, and the reconciliation.
Views only speak HTTP: every rule lives in ``vouchers``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nhandao.campaigns import selectors as campaigns
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import StyledForm, show_error
from nhandao.core.money import parse_vnd
from nhandao.orgs.permissions import active_unit, can
from nhandao.orgs.selectors import unit_children, unit_get

from . import selectors as aid_selectors
from . import vouchers
from .services import partner_of

SHEET_PAGE = 400  # cards per printed batch


class FairForm(StyledForm):
    campaign = forms.TypedChoiceField(label=gettext_lazy("Phong trào"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Tên hội chợ"), max_length=255)
    place = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=255, required=False)
    held_from = forms.DateField(label=gettext_lazy("Từ ngày (dd/mm/yyyy)"))
    held_to = forms.DateField(label=gettext_lazy("Đến ngày (dd/mm/yyyy)"))
    voucher_value = forms.CharField(
        label=gettext_lazy("Mệnh giá phiếu (đồng)"), max_length=30, initial="500.000"
    )

    def clean_voucher_value(self) -> int:
        try:
            return parse_vnd(self.cleaned_data["voucher_value"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class StallForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Tên gian hàng"), max_length=150)


class RedeemForm(StyledForm):
    code = forms.CharField(label=gettext_lazy("Mã phiếu"), max_length=200)


def _fail(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _staff_read(request: HttpRequest, fair: Any) -> None:
    """The fair's recipients, voucher codes and totals are for chapter staff who may read data
    where the fair is held; never for a partner organisation's login (it sees its own stalls)."""
    if partner_of(request.user) is not None or not can(request.user, "data.view", fair.unit):
        raise PermissionDenied


@login_required
def fair_list(request: HttpRequest) -> HttpResponse:
    partner_login = can(request.user, "aid.partner") and partner_of(request.user) is not None
    if not (can(request.user, "data.view") or partner_login):
        raise PermissionDenied
    fairs = vouchers.fair_list(user=request.user)[:200]
    return render(request, "aid/vouchers/fair_list.html", {"fairs": fairs})


@login_required
def fair_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied
    running = campaigns.campaign_list(user=request.user, status="launched")
    form = FairForm(request.POST or None)
    form.fields["campaign"].choices = [(c.pk, c.name) for c in running]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = vouchers.FairData(
            d["name"], d["held_from"], d["held_to"], d["voucher_value"], d["place"]
        )
        try:
            campaign = campaigns.campaign_get(user=request.user, pk=d["campaign"])
            fair = vouchers.fair_create(actor=request.user, campaign=campaign, unit=unit, data=data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã tạo hội chợ."))
            return redirect("fair_detail", pk=fair.pk)
    return render(request, "aid/vouchers/fair_form.html", {"form": form, "unit": unit})


def _fair_for_partner(request: HttpRequest, fair: Any, partner: Any) -> HttpResponse:
    """A partner organisation's view of a fair: its own stalls, with the link to the phone page
    that redeems vouchers there and what each took in; no recipient, no code, no other stall."""
    if not can(request.user, "aid.partner", fair.unit):
        raise PermissionDenied
    lines = [
        line for line in vouchers.reconcile(fair=fair).stalls if line.stall.partner_id == partner.pk
    ]
    if not lines:
        raise Http404  # not a fair it takes part in
    lines.sort(key=lambda line: line.stall.name)
    ctx = {"fair": fair, "partner": partner, "lines": lines}
    return render(request, "aid/vouchers/fair_partner.html", ctx)


@login_required
def fair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    partner = partner_of(request.user)
    if partner is not None:
        return _fair_for_partner(request, fair, partner)
    _staff_read(request, fair)
    rec = vouchers.reconcile(fair=fair)
    query = request.GET.get("q", "")
    found = [
        {"v": v, "code": vouchers.code_display(v.code)}
        for v in vouchers.voucher_search(fair=fair, query=query)
    ]
    return render(
        request,
        "aid/vouchers/fair_detail.html",
        {
            "fair": fair,
            "rec": rec,
            "query": query,
            "found": found,
            "stalls": vouchers.stall_list(fair=fair),
            "partners": aid_selectors.partner_choices(user=request.user, unit=fair.unit),
            "sub_units": unit_children(user=request.user, unit=fair.unit, include_inactive=False),
            "may_edit": can(request.user, "data.edit", fair.unit),
            "uncovered": campaigns.uncovered_list(campaign=fair.campaign, unit=fair.unit, limit=0),
        },
    )


@login_required
@require_POST
def stall_add(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    form = StallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Chưa có tên gian hàng."))
        return redirect("fair_detail", pk=fair.pk)
    partner = None
    if request.POST.get("partner", "").isdigit():
        partners = aid_selectors.partner_choices(user=request.user, unit=fair.unit)
        partner = partners.filter(pk=int(request.POST["partner"][:18])).first()
    try:
        vouchers.stall_add(
            actor=request.user, fair=fair, name=form.cleaned_data["name"], partner=partner
        )
        messages.success(request, _("Đã thêm gian hàng."))
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("fair_detail", pk=fair.pk)


@login_required
@require_POST
def voucher_issue(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    try:
        limit = max(
            1, min(int(request.POST.get("limit") or vouchers.MAX_ISSUE), vouchers.MAX_ISSUE)
        )
    except ValueError:
        limit = vouchers.MAX_ISSUE
    unit = fair.unit
    if request.POST.get("unit", "").isdigit():
        unit = unit_get(user=request.user, pk=int(request.POST["unit"][:18]))
    try:
        issued = vouchers.voucher_issue_uncovered(
            actor=request.user, fair=fair, unit=unit, limit=limit
        )
        messages.success(request, _("Đã phát %(n)d phiếu.") % {"n": len(issued)})
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("fair_detail", pk=fair.pk)


@login_required
def voucher_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    _staff_read(request, fair)
    status = request.GET.get("status", "issued")
    qs = vouchers.voucher_list(fair=fair)
    if status in ("issued", "redeemed", "void"):
        qs = qs.filter(status=status)
    page = Paginator(qs, SHEET_PAGE).get_page(request.GET.get("page"))
    cards = [
        {"v": v, "code": vouchers.code_display(v.code), "qr": vouchers.qr_svg(v.code)} for v in page
    ]
    ctx = {"fair": fair, "cards": cards, "page": page, "status": status}
    return render(request, "aid/vouchers/sheet.html", ctx)


@login_required
def voucher_redeem(request: HttpRequest, pk: int, stall_pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    stall = vouchers.stall_get(fair=fair, pk=stall_pk)
    form = RedeemForm(request.POST or None)
    result, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            result = vouchers.voucher_redeem(
                actor=request.user, fair=fair, stall=stall, code=form.cleaned_data["code"]
            )
            form = RedeemForm()
        except ApplicationError as exc:
            error = exc.message
    ctx = {"fair": fair, "stall": stall, "form": form, "result": result, "error": error}
    if result is not None:
        ctx["code"] = vouchers.code_display(result.code)
    return render(request, "aid/vouchers/redeem.html", ctx, status=400 if error else 200)


@login_required
def fair_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    _staff_read(request, fair)
    rec = vouchers.reconcile(fair=fair)
    return render(request, "aid/vouchers/reconcile.html", {"fair": fair, "rec": rec})


@login_required
def fair_reconcile_export(request: HttpRequest, pk: int) -> HttpResponse:
    fair = vouchers.fair_get(user=request.user, pk=pk)
    _staff_read(request, fair)
    content = vouchers.reconcile_workbook(rec=vouchers.reconcile(fair=fair))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="doi-soat-phieu-{fair.pk}-{stamp}.xlsx"'
    )
    return response


@login_required
@require_POST
def voucher_void(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = vouchers.voucher_get(user=request.user, pk=pk)
    try:
        vouchers.voucher_void(
            actor=request.user, voucher=voucher, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Đã hủy phiếu."))
    except ApplicationError as exc:
        _fail(request, exc)
    return redirect("fair_detail", pk=voucher.fair_id)
