"""Pages of donors, donations, receipts and pledges under /funds/. Views only speak HTTP: reading
is in ``selectors_donations``, writing in the services (``services``, ``donors``, ``pledges``,
``receipts``); a broken rule comes back as a Vietnamese message beside its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

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

from nhandao.core.audit import audit_record, audited_filters
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.masking import mask_phone
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.signals import client_ip
from nhandao.core.workbooks import official_list
from nhandao.orgs.permissions import active_unit as _unit
from nhandao.orgs.permissions import can
from nhandao.orgs.permissions import require_view as _may_view
from nhandao.orgs.selectors import unit_parent_name

from . import donors as donor_services
from . import pledges as pledge_services
from . import privacy, receipts, services
from . import selectors_donations as sel
from .forms_donations import (
    ContactForm,
    DonationFilterForm,
    DonationForm,
    DonorFilterForm,
    DonorForm,
    PledgeFilterForm,
    PledgeForm,
    ReasonForm,
    ReceiptIssueForm,
)
from .ledger import Earmark
from .models import DonationMethod, DonationStatus, DonorContact, DonorKind, PledgeStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = receipts.DOCX
EXPORT_LIMIT = 50_000
PAGE_SIZE = 50


# --- helpers ---------------------------------------------------------------------------------


def _scope_path(request: HttpRequest) -> str:
    """The path of the unit the user acts for, for the audit trail ("" without one)."""
    assignment = getattr(request.user, "active_assignment", None)
    return assignment.unit.path if assignment is not None else ""


def _unmasked(request: HttpRequest, donor: Any) -> bool:
    return privacy.shows_pii(request.user, donor) and bool(donor.phone or donor.id_number)


def _audit_donors(
    request: HttpRequest,
    donors: list[Any],
    *,
    what: str = "",
    records: int | None = None,
    unmasked: bool | None = None,
    **filters: Any,
) -> None:
    """One event per list or file of donors served with a phone or an ID number in full."""
    if unmasked is None:
        unmasked = any(_unmasked(request, d) for d in donors)
    if unmasked:
        privacy.donors_listed(
            actor=request.user,
            unit_path=_scope_path(request),
            what=what or f"{request.method} {request.path}",
            records=len(donors) if records is None else records,
            filters=audited_filters(**filters),
            ip=client_ip(request),
        )


def _may_record(request: HttpRequest, unit: Any = None) -> None:
    if not can(request.user, "donation.record", unit):
        raise PermissionDenied


def _file(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _campaign_choices(request: HttpRequest) -> list[tuple[int, str]]:
    from nhandao.campaigns import selectors as campaigns

    return [(c.pk, c.name) for c in campaigns.campaign_list(user=request.user)[:200]]


def _unit_choices(request: HttpRequest) -> list[tuple[int, str]]:
    from nhandao.orgs import selectors as orgs

    unit = _unit(request)
    children = orgs.unit_children(user=request.user, unit=unit, include_inactive=False)
    return [(u.pk, u.name) for u in [unit, *children]]


def _fund_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(f.pk, f"{f.name} ({f.code})") for f in sel.funds_receivable(user=request.user)]


def _earmark(request: HttpRequest, data: dict[str, Any]) -> Earmark:
    """The earmark chosen on a form; targets are read through the user's scope."""
    kind = data.get("earmark_kind") or ""
    if not kind:
        return Earmark()
    if kind == "campaign":
        from nhandao.campaigns import selectors as campaigns

        pk = data.get("earmark_campaign")
        return Earmark(
            "campaign",
            campaign_id=campaigns.campaign_get(user=request.user, pk=pk).pk if pk else None,
        )
    if kind == "area":
        from nhandao.orgs import selectors as orgs

        pk = data.get("earmark_unit")
        return Earmark("area", unit_id=orgs.unit_get(user=request.user, pk=pk).pk if pk else None)
    if kind == "beneficiary":
        from nhandao.beneficiaries import selectors as beneficiaries

        pk = data.get("earmark_beneficiary")
        return Earmark(
            "beneficiary",
            beneficiary_id=beneficiaries.beneficiary_get(user=request.user, pk=pk).pk
            if pk
            else None,
        )
    raise ApplicationError(_("Chỉ định không hợp lệ."), field="earmark_kind")


# --- donors ----------------------------------------------------------------------------------


def _donor_filters(request: HttpRequest) -> tuple[DonorFilterForm, dict[str, Any]]:
    form = DonorFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {"query": data.get("q") or "", "kind": data.get("kind") or ""}


@login_required
def donor_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    form, chosen = _donor_filters(request)
    qs = sel.donor_list(user=request.user, **chosen)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    donors = list(page.object_list)
    _audit_donors(request, donors, page=page.number, **chosen)
    context = {
        "form": form,
        "page": page,
        "rows": [(d, privacy.phone_for(request.user, d)) for d in donors],
        "query_string": _query_string(request),
        "may_record": can(request.user, "donation.record"),
    }
    return render(request, "funds/donors/list.html", context)


@login_required
def donor_export(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    _form, chosen = _donor_filters(request)
    qs = sel.donor_list(user=request.user, **chosen)
    if qs.count() > EXPORT_LIMIT:
        messages.error(request, _("Danh sách quá dài: hãy lọc bớt trước khi xuất."))
        return redirect("donor_list")
    unit = _unit(request)
    served = {"records": 0, "unmasked": False}

    def rows() -> Iterator[list[Any]]:
        for n, x in enumerate(qs.iterator(chunk_size=2000), start=1):
            served["records"] = n
            served["unmasked"] = served["unmasked"] or _unmasked(request, x)
            phone = privacy.phone_for(request.user, x)
            kind = str(x.get_kind_display())
            yield [n, x.name, kind, x.tax_code, phone, x.email, x.address, x.unit.name]

    content = official_list(
        title=_("Danh sách nhà hảo tâm"),
        subtitle=_("Ngày %(d)s") % {"d": _d(timezone.localdate())},
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        headers=[
            (_("STT"), 6),
            (_("Tên"), 36),
            (_("Loại"), 18),
            (_("Mã số thuế"), 14),
            (_("Điện thoại"), 14),
            (_("Thư điện tử"), 24),
            (_("Địa chỉ"), 30),
            (_("Đơn vị quản lý"), 28),
        ],
        rows=rows(),
        today=timezone.localdate(),
    )
    # Logged once the workbook is built: how many rows it holds, not what they say.
    _audit_donors(
        request, [], records=served["records"], unmasked=bool(served["unmasked"]), **chosen
    )
    return _file(content, XLSX, f"nha-hao-tam-{_stamp()}.xlsx")


def _donor_data(form: DonorForm) -> services.DonorData:
    return services.DonorData(**form.cleaned_data)


@login_required
def donor_create(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    _may_record(request, unit)
    form = DonorForm(request.POST or None, initial={"kind": DonorKind.INDIVIDUAL})
    if request.method == "POST" and form.is_valid():
        try:
            donor = services.donor_create(actor=request.user, unit=unit, data=_donor_data(form))
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã thêm nhà hảo tâm «%s».") % donor.name)
            return redirect("donor_detail", pk=donor.pk)
    context = {"form": form, "title": _("Thêm nhà hảo tâm")}
    return render(request, "funds/donors/form.html", context)


@login_required
def donor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donor = sel.donor_get(user=request.user, pk=pk)
    _may_view(request)
    if donor.merged_into_id:
        survivor = sel.donor_survivor(donor)
        messages.info(
            request,
            _("Hồ sơ «%(a)s» đã được hợp nhất vào «%(b)s».")
            % {"a": donor.name, "b": survivor.name},
        )
        return redirect("donor_detail", pk=survivor.pk)
    history = sel.donor_history(donor=donor, user=request.user)
    if privacy.holds_unmasked(request.user, donor, contacts=history.contacts):
        privacy.donor_viewed(
            actor=request.user, donor=donor, ip=client_ip(request), what="donor_page"
        )
    context = {
        "donor": donor,
        "h": history,
        "id_number": privacy.id_number_for(request.user, donor),
        "phone": privacy.phone_for(request.user, donor),
        "contacts": [
            (c, privacy.phone_for(request.user, donor, c.phone)) for c in history.contacts
        ],
        "may_record": can(request.user, "donation.record", donor.unit),
        "contact_form": ContactForm(),
        "this_year": timezone.localdate().year,
    }
    return render(request, "funds/donors/detail.html", context)


@login_required
def donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    donor = sel.donor_get(user=request.user, pk=pk)
    _may_record(request, donor.unit)
    if donor.merged_into_id:
        raise Http404
    fields = (
        "kind",
        "name",
        "tax_code",
        "phone",
        "email",
        "address",
        "country",
        "public_name",
        "note",
    )
    initial = {f: getattr(donor, f) for f in fields}
    show_id = privacy.shows_pii(request.user, donor)
    if show_id:
        initial["id_number"] = donor.id_number
    else:
        initial["phone"] = mask_phone(donor.phone)  # sent back unchanged, the number is kept
    form = DonorForm(request.POST or None, initial=initial)
    if not show_id:
        form.fields.pop("id_number")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.setdefault("id_number", donor.id_number)
        data["phone"] = privacy.phone_kept(request.user, donor, data.get("phone") or "")
        try:
            services.donor_update(actor=request.user, donor=donor, data=services.DonorData(**data))
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("donor_detail", pk=donor.pk)
    context = {"form": form, "title": _("Sửa nhà hảo tâm «%s»") % donor.name, "donor": donor}
    return render(request, "funds/donors/form.html", context)


@login_required
@require_POST
def donor_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    donor = sel.donor_get(user=request.user, pk=pk)
    _may_record(request, donor.unit)
    if donor.merged_into_id:
        raise Http404
    form = ContactForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            contact = DonorContact.objects.create(donor=donor, **form.cleaned_data)
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.UPDATE,
                obj=donor,
                unit_path=donor.unit.path,
                changes={"contact_added": contact.name, "contact_id": contact.pk},
            )
        messages.success(request, _("Đã thêm người liên hệ %s.") % contact.name)
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Chưa thêm được người liên hệ: %s") % errors)
    return redirect("donor_detail", pk=donor.pk)


@login_required
@require_POST
def donor_contact_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    donor = sel.donor_get(user=request.user, pk=pk)
    _may_record(request, donor.unit)
    contact = DonorContact.objects.filter(donor=donor, pk=contact_id).first()
    if contact is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE,
            obj=donor,
            unit_path=donor.unit.path,
            changes={"contact_removed": contact.name, "contact_id": contact.pk},
        )
        contact.delete()
    messages.success(request, _("Đã xóa người liên hệ %s.") % contact.name)
    return redirect("donor_detail", pk=donor.pk)


@login_required
def donor_thanks_year(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    donor = sel.donor_get(user=request.user, pk=pk)
    _may_view(request)
    if not 1990 <= year <= 2100:
        raise Http404
    donations = sel.donor_year_donations(donor=donor, user=request.user, year=year)
    content = receipts.thank_you_year_docx(donor, donations, year, unit=_unit(request))
    return _file(content, DOCX, f"thu-cam-on-{donor.pk}-{year}.docx")


@login_required
def donor_search(request: HttpRequest) -> HttpResponse:
    """htmx: donors matching what is typed, to pick on the donation and pledge forms."""
    _may_view(request)
    query = request.GET.get("donor_query") or request.GET.get("q") or ""
    found = sel.donor_list(user=request.user, query=query)[:15] if query.strip() else []
    # A picker only needs to tell namesakes apart: the phone is always shown masked here.
    rows = [(d, mask_phone(d.phone)) for d in found]
    return render(request, "funds/donors/_search.html", {"found": rows, "query": query})


# --- duplicates ------------------------------------------------------------------------------


@login_required
def donor_duplicates(request: HttpRequest) -> HttpResponse:
    _may_record(request)
    pairs = donor_services.donor_pairs(user=request.user)
    return render(request, "funds/donors/duplicates.html", {"pairs": pairs})


@login_required
def donor_pair(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    a = sel.donor_get(user=request.user, pk=pk)
    b = sel.donor_get(user=request.user, pk=other)
    _may_record(request, a.unit)
    if a.pk == b.pk:
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "same":
                keep = request.POST.get("survivor")
                survivor, gone = (b, a) if keep == str(b.pk) else (a, b)
                donor_services.donor_merge(actor=request.user, survivor=survivor, other=gone)
                messages.success(
                    request,
                    _("Đã hợp nhất «%(b)s» vào «%(a)s».") % {"a": survivor.name, "b": gone.name},
                )
                return redirect("donor_detail", pk=survivor.pk)
            if decision == "different":
                donor_services.donor_pair_reject(actor=request.user, a=a, b=b)
                messages.success(request, _("Đã ghi nhận: hai nhà hảo tâm khác nhau."))
                return redirect("donor_duplicates")
            messages.error(request, _("Hãy chọn một quyết định."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    show_id = privacy.shows_pii(request.user, a) and privacy.shows_pii(request.user, b)
    if show_id:
        _audit_donors(request, [a, b], what="donor_pair", a=a.pk, b=b.pk)
    context = {
        "a": a,
        "b": b,
        "rows": donor_services.pair_rows(a, b, show_id=show_id),
        "decided": donor_services.decided_pair(a, b),
    }
    return render(request, "funds/donors/pair.html", context)


# --- donations -------------------------------------------------------------------------------


def _donation_filters(request: HttpRequest) -> tuple[DonationFilterForm, sel.DonationFilters]:
    funds = sel.funds_visible(user=request.user)
    form = DonationFilterForm(
        request.GET or None, funds=[(f.pk, f"{f.name} ({f.code})") for f in funds[:300]]
    )
    data = form.cleaned_data if form.is_valid() else {}
    fund = funds.filter(pk=data["fund"]).first() if data.get("fund") else None
    donor = None
    if request.GET.get("donor"):
        donor = sel.donor_get(user=request.user, pk=request.GET["donor"])
    filters = sel.DonationFilters(
        fund=fund,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        method=data.get("method") or "",
        status=data.get("status") or "",
        query=data.get("q") or "",
        donor=donor,
    )
    return form, filters


@login_required
def donation_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    form, filters = _donation_filters(request)
    qs = sel.donation_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": sel.donation_totals(qs),
        "query_string": _query_string(request),
        "may_record": can(request.user, "donation.record"),
    }
    return render(request, "funds/donations/list.html", context)


@login_required
def donation_export(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    _form, filters = _donation_filters(request)
    qs = sel.donation_list(user=request.user, filters=filters)
    if qs.count() > EXPORT_LIMIT:
        messages.error(request, _("Danh sách quá dài: hãy lọc bớt trước khi xuất."))
        return redirect("donation_list")
    unit = _unit(request)

    def rows() -> Any:
        for n, x in enumerate(qs.iterator(chunk_size=2000), start=1):
            receipt = getattr(x, "receipt", None)
            yield [
                n,
                _d(x.received_on),
                x.donor_name,
                str(x.get_method_display()),
                x.amount,
                x.fund.code,
                receipt.code if receipt is not None else "",
                x.reference,
                str(x.get_status_display()),
                x.note,
            ]

    content = official_list(
        title=_("Danh sách khoản ủng hộ"),
        subtitle=_("Ngày %(d)s") % {"d": _d(timezone.localdate())},
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        headers=[
            (_("STT"), 6),
            (_("Ngày nhận"), 12),
            (_("Người ủng hộ"), 32),
            (_("Hình thức"), 14),
            (_("Số tiền (đồng)"), 16),
            (_("Quỹ"), 12),
            (_("Số giấy xác nhận"), 14),
            (_("Mã tham chiếu"), 14),
            (_("Trạng thái"), 16),
            (_("Ghi chú"), 30),
        ],
        rows=rows(),
        today=timezone.localdate(),
    )
    return _file(content, XLSX, f"khoan-ung-ho-{_stamp()}.xlsx")


def _donation_form(request: HttpRequest, initial: dict[str, Any]) -> DonationForm:
    data = request.POST if request.method == "POST" else None
    donor_pk = (data.get("donor") if data is not None else None) or initial.get("donor")
    donor = None
    if donor_pk:
        try:
            donor = sel.donor_get(user=request.user, pk=donor_pk)
        except Http404:
            donor = None
    pledges = [
        (p.pk, f"{p.fund.code} · {format_vnd(p.amount)} · {_d(p.pledged_on)}")
        for p in sel.pledges_open_for(donor=donor)
    ]
    return DonationForm(
        data,
        initial=initial,
        funds=_fund_choices(request),
        campaigns=_campaign_choices(request),
        units=_unit_choices(request),
        pledges=pledges,
    )


def _initial(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    initial: dict[str, Any] = {"received_on": today, "method": DonationMethod.CASH}
    funds = sel.funds_receivable(user=request.user)
    fund_pk = request.GET.get("fund")
    fund = None
    if fund_pk:
        fund = funds.filter(pk=fund_pk).first() if fund_pk.isdigit() else None
    if fund is None:
        unit = _unit(request)
        fund = (
            services.fund_activity_for(unit) if can(request.user, "donation.record", unit) else None
        )
    if fund is not None:
        initial["fund"] = fund.pk
    for key in ("method", "received_on"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    if request.GET.get("donor"):
        donor = sel.donor_get(user=request.user, pk=request.GET["donor"])
        initial["donor"] = donor.pk
        initial["donor_query"] = donor.name
    if request.GET.get("pledge"):
        pledge = sel.pledge_get(user=request.user, pk=request.GET["pledge"])
        initial.update(
            {
                "pledge": pledge.pk,
                "donor": pledge.donor_id,
                "donor_query": pledge.donor.name,
                "fund": pledge.fund_id,
                "earmark_kind": pledge.earmark_kind,
                "earmark_campaign": pledge.earmark_campaign_id,
                "earmark_unit": pledge.earmark_unit_id,
                "earmark_beneficiary": pledge.earmark_beneficiary_id,
            }
        )
        view = sel.pledge_view(pledge)
        due = next((i for i in view.instalments if i.outstanding > 0), None)
        if due is not None:
            initial["amount"] = f"{due.outstanding:,}".replace(",", ".")
    return initial


def _record(request: HttpRequest, form: DonationForm) -> Any:
    """Record the gift (and the new donor typed inline) all or nothing."""
    data = form.cleaned_data
    fund = sel.fund_receivable_get(user=request.user, pk=data["fund"])
    unit = sel.receiving_unit(user=request.user, fund=fund)
    earmark = _earmark(request, data)
    with transaction.atomic():
        donor = None
        if data.get("donor"):
            donor = sel.donor_get(user=request.user, pk=data["donor"])
            if donor.merged_into_id:
                donor = sel.donor_survivor(donor)
        elif data.get("new_donor_name", "").strip() or data.get("new_donor_kind"):
            if not data.get("new_donor_kind"):
                raise ApplicationError(
                    _("Hãy chọn loại của nhà hảo tâm mới."), field="new_donor_kind"
                )
            donor = services.donor_create(
                actor=request.user,
                unit=unit,
                data=services.DonorData(
                    kind=data["new_donor_kind"],
                    name=data.get("new_donor_name", ""),
                    public_name=not data.get("anonymous"),
                ),
            )
        pledge = None
        if data.get("pledge"):
            pledge = sel.pledge_get(user=request.user, pk=data["pledge"])
        items = [services.ItemData(**v) for v in form.item_values]
        donation = services.donation_record(
            actor=request.user,
            unit=unit,
            data=services.DonationData(
                fund=fund,
                amount=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                donor=donor,
                anonymous=True if data.get("anonymous") else (None if donor is None else False),
                note=data.get("note") or "",
                earmark=earmark,
                items=items,
                valued_by=data.get("valued_by") or "",
                pledge=pledge,
                receipt_number=data.get("receipt_number"),
            ),
        )
        if pledge is not None:
            pledge_services.pledge_refresh(pledge, actor=request.user)
    return donation


@login_required
def donation_create(request: HttpRequest) -> HttpResponse:
    _may_record(request)
    form = _donation_form(request, _initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            donation = _record(request, form)
        except ApplicationError as exc:
            show_error(form, exc)
        except Http404:
            form.add_error(
                None,
                _("Không tìm thấy quỹ, nhà hảo tâm, cam kết hoặc nơi được chỉ định trong phạm vi."),
            )
        else:
            receipt = sel.donation_receipt(donation)
            messages.success(
                request,
                _("Đã ghi nhận %(amount)s của %(name)s; giấy xác nhận số %(code)s.")
                % {
                    "amount": format_vnd(donation.amount),
                    "name": donation.donor_name,
                    "code": receipt.code if receipt else "—",
                },
            )
            if request.POST.get("next") == "new":
                query = urlencode(
                    {
                        "fund": donation.fund_id,
                        "method": donation.method,
                        "received_on": _d(donation.received_on),
                    }
                )
                return redirect(f"{reverse('donation_create')}?{query}")
            return redirect("donation_detail", pk=donation.pk)
    context = {"form": form, "title": _("Ghi nhận ủng hộ")}
    return render(request, "funds/donations/form.html", context)


@login_required
def donation_pledge_options(request: HttpRequest) -> HttpResponse:
    """htmx: the open pledges of the donor just picked, as options of the pledge select."""
    _may_view(request)
    donor = None
    if request.GET.get("donor"):
        donor = sel.donor_get(user=request.user, pk=request.GET["donor"])
    pledges = sel.pledges_open_for(donor=donor)
    return render(request, "funds/donations/_pledge_options.html", {"pledges": pledges})


@login_required
def donation_beneficiary_search(request: HttpRequest) -> HttpResponse:
    """htmx: humanitarian addresses matching what is typed, for an earmark."""
    _may_view(request)
    from nhandao.beneficiaries import selectors as beneficiaries

    query = (request.GET.get("beneficiary_query") or "").strip()
    found = []
    if query:
        found = list(
            beneficiaries.beneficiary_list(
                user=request.user, filters=beneficiaries.Filters(query=query)
            )[:15]
        )
    return render(request, "funds/donations/_beneficiaries.html", {"found": found, "query": query})


@login_required
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donation = sel.donation_get(user=request.user, pk=pk)
    _may_view(request)
    receipt = sel.donation_receipt(donation)
    context = {
        "donation": donation,
        "entries": sel.donation_entries(donation=donation),
        "receipt": receipt,
        "line": sel.donation_statement_line(donation),
        "items": list(donation.items.all()),
        "earmark": sel.earmark_label(donation),
        "may_record": can(request.user, "donation.record", donation.unit),
        "email_to": receipts.receipt_address(receipt) if receipt else "",
        "issue_form": ReceiptIssueForm(),
    }
    return render(request, "funds/donations/detail.html", context)


@login_required
def donation_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    donation = sel.donation_get(user=request.user, pk=pk)
    _may_record(request, donation.unit)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.donation_reverse(
                    actor=request.user, donation=donation, reason=form.cleaned_data["reason"]
                )
                if donation.pledge is not None:
                    pledge_services.pledge_refresh(donation.pledge, actor=request.user)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã hủy khoản ủng hộ bằng bút toán đảo."))
            return redirect("donation_detail", pk=donation.pk)
    context = {
        "form": form,
        "title": _("Hủy khoản ủng hộ %(ref)s") % {"ref": donation.reference},
        "donation": donation,
    }
    return render(request, "funds/donations/reverse.html", context)


@login_required
def donation_thanks(request: HttpRequest, pk: int) -> HttpResponse:
    donation = sel.donation_get(user=request.user, pk=pk)
    _may_view(request)
    if donation.status != DonationStatus.RECORDED:
        messages.error(request, _("Khoản ủng hộ đã hủy."))
        return redirect("donation_detail", pk=donation.pk)
    return _file(receipts.thank_you_docx(donation), DOCX, f"thu-cam-on-{donation.reference}.docx")


# --- receipts --------------------------------------------------------------------------------


@login_required
def receipt_print(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = sel.receipt_get(user=request.user, donation_pk=pk)
    _may_view(request)
    from nhandao.core.documents import date_line, place_of

    context = {
        "receipt": receipt,
        "donation": receipt.donation,
        "lines": receipts.receipt_lines(receipt),
        "items": list(receipt.donation.items.all()),
        "parent_name": unit_parent_name(receipt.unit),
        "date_line": date_line(place_of(receipt.unit.name), receipt.issued_on),
        "paper": "A4" if request.GET.get("paper") == "a4" else "A5",
    }
    return render(request, "funds/donations/receipt.html", context)


@login_required
def receipt_docx(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = sel.receipt_get(user=request.user, donation_pk=pk)
    _may_view(request)
    return _file(receipts.receipt_docx(receipt), DOCX, receipts.receipt_file_name(receipt))


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = sel.receipt_get(user=request.user, donation_pk=pk)
    _may_view(request)
    from .receipt_pdf import receipt_pdf as render_pdf

    try:
        content = render_pdf(receipt)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("donation_detail", pk=pk)
    return _file(content, receipts.PDF, receipts.receipt_file_name(receipt, "pdf"))


@login_required
@require_POST
def receipt_issue(request: HttpRequest, pk: int) -> HttpResponse:
    donation = sel.donation_get(user=request.user, pk=pk)
    _may_record(request, donation.unit)
    form = ReceiptIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Số giấy xác nhận phải là số nguyên dương."))
        return redirect("donation_detail", pk=donation.pk)
    try:
        receipt = services.receipt_issue(
            actor=request.user, donation=donation, number=form.cleaned_data.get("number")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã lập giấy xác nhận số %s.") % receipt.code)
    return redirect("donation_detail", pk=donation.pk)


@login_required
@require_POST
def receipt_email(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = sel.receipt_get(user=request.user, donation_pk=pk)
    _may_record(request, receipt.unit)
    try:
        receipts.receipt_email(actor=request.user, receipt=receipt)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi giấy xác nhận tới %s.") % receipt.emailed_to)
    return redirect("donation_detail", pk=pk)


# --- pledges ---------------------------------------------------------------------------------


@login_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    form = PledgeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = sel.pledge_list(
        user=request.user, status=data.get("status") or "", due_within=data.get("due_within")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "views": sel.pledge_views(list(page.object_list)),
        "query_string": _query_string(request),
        "may_record": can(request.user, "donation.record"),
    }
    return render(request, "funds/pledges/list.html", context)


@login_required
def pledge_create(request: HttpRequest) -> HttpResponse:
    _may_record(request)
    initial: dict[str, Any] = {"pledged_on": timezone.localdate(), "schedule": "equal", "count": 1}
    if request.GET.get("donor"):
        donor = sel.donor_get(user=request.user, pk=request.GET["donor"])
        initial.update({"donor": donor.pk, "donor_query": donor.name})
    if request.GET.get("fund", "").isdigit():
        initial["fund"] = int(request.GET["fund"])
    form = PledgeForm(
        request.POST or None,
        initial=initial,
        funds=_fund_choices(request),
        campaigns=_campaign_choices(request),
        units=_unit_choices(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = sel.fund_receivable_get(user=request.user, pk=data["fund"])
            donor = sel.donor_get(user=request.user, pk=data["donor"])
            rows = data["schedule"] == "rows"
            pledge = pledge_services.pledge_create(
                actor=request.user,
                unit=sel.receiving_unit(user=request.user, fund=fund),
                data=pledge_services.PledgeData(
                    donor=donor,
                    fund=fund,
                    amount=data["amount"],
                    pledged_on=data["pledged_on"],
                    earmark=_earmark(request, data),
                    note=data.get("note") or "",
                    instalments=form.instalment_values if rows else [],
                    count=None if rows else data.get("count"),
                    first_due=None if rows else data.get("first_due"),
                ),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        except Http404:
            form.add_error("donor", _("Hãy chọn nhà hảo tâm trong danh sách tìm được."))
        else:
            messages.success(request, _("Đã ghi cam kết của %s.") % pledge.donor.name)
            return redirect("pledge_detail", pk=pledge.pk)
    return render(request, "funds/pledges/form.html", {"form": form, "title": _("Ghi cam kết")})


@login_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = sel.pledge_get(user=request.user, pk=pk)
    _may_view(request)
    context = {
        "pledge": pledge,
        "view": sel.pledge_view(pledge),
        "earmark": sel.earmark_label(pledge),
        "donations": list(pledge.donations.select_related("receipt").order_by("received_on", "id")),
        "may_record": can(request.user, "donation.record", pledge.unit),
        "open": pledge.status == PledgeStatus.OPEN,
    }
    return render(request, "funds/pledges/detail.html", context)


@login_required
def pledge_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Record a payment": the donation form, prefilled with the pledge's donor and fund."""
    pledge = sel.pledge_get(user=request.user, pk=pk)
    _may_record(request, pledge.unit)
    if request.method == "POST":
        raise Http404
    return redirect(f"{reverse('donation_create')}?{urlencode({'pledge': pledge.pk})}")


@login_required
def pledge_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = sel.pledge_get(user=request.user, pk=pk)
    _may_record(request, pledge.unit)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pledge_services.pledge_cancel(
                actor=request.user, pledge=pledge, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã hủy cam kết."))
            return redirect("pledge_detail", pk=pledge.pk)
    context = {"form": form, "title": _("Hủy cam kết của %s") % pledge.donor.name}
    return render(request, "funds/donors/form.html", context)


@login_required
def pledge_reminders(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    try:
        days = min(max(int(request.GET.get("days") or pledge_services.REMIND_DAYS), 0), 366)
    except ValueError:
        days = pledge_services.REMIND_DAYS
    due = pledge_services.reminders_due(user=request.user, days=days)
    _audit_donors(request, list({p.donor_id: p.donor for p, _i in due}.values()), days=days)
    rows = [(p, i, privacy.phone_for(request.user, p.donor)) for p, i in due]
    context = {
        "rows": rows,
        "days": days,
        "today": timezone.localdate(),
        "may_record": can(request.user, "donation.record"),
    }
    return render(request, "funds/pledges/reminders.html", context)


@login_required
@require_POST
def pledge_remind(request: HttpRequest, pk: int) -> HttpResponse:
    instalment = sel.instalment_get(user=request.user, pk=pk)
    _may_record(request, instalment.pledge.unit)
    try:
        address = pledge_services.reminder_send(actor=request.user, instalment=instalment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if address:
            messages.success(request, _("Đã gửi thư nhắc tới %s.") % address)
        else:
            messages.warning(
                request,
                _("Nhà hảo tâm chưa có thư điện tử: đã ghi nhận việc nhắc, hãy gọi điện."),
            )
    if request.POST.get("back") == "pledge":
        return redirect("pledge_detail", pk=instalment.pledge_id)
    return redirect("pledge_reminders")
