"""Pages of the humanitarian-address registry. Views only speak HTTP."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.masking import mask_id, mask_phone
from nhandao.core.signals import client_ip
from nhandao.geo import selectors as geo
from nhandao.orgs.permissions import active_unit, can, require_view
from nhandao.orgs.selectors import unit_parent_name, unit_ward_id
from nhandao.people import selectors as people_selectors
from nhandao.people import services as people
from nhandao.people.forms import HouseholdForm

from . import selectors, services
from .exports import beneficiary_workbook
from .forms import BeneficiaryForm, ConsentForm, FilterForm, VerifyForm
from .models import Beneficiary

EXPORT_LIMIT = 20_000


def _choices(unit: Any, *, sensitive: bool = True) -> dict[str, Any]:
    """Wards of the unit's province and the groups (the sensitive ones only when ``sensitive``)."""
    wards = geo.ward_list(province_code=unit.province_id) if unit.province_id else []
    return {
        "wards": [(w.code, w.name) for w in wards],
        "groups": [(g.code, g.name) for g in selectors.group_list(sensitive=sensitive)],
    }


def _filters(form: FilterForm) -> selectors.Filters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.Filters(
        query=data.get("q") or "",
        ward=data.get("ward"),
        group=data.get("group") or "",
        status=data.get("status") or "",
        verification=data.get("verification") or "",
    )


def _filter_form(request: HttpRequest, unit: Any, show: bool) -> tuple[FilterForm, str, bool]:
    """The list's filters; a filter by a sensitive group that the user may not use is left out
    (the caller says so). Returns the form, its query string and whether a filter was left out."""
    data = request.GET.copy()
    refused = not selectors.group_filter_allowed(user=request.user, code=data.get("group", ""))
    if refused:
        data.pop("group")
    form = FilterForm(data or None, **_choices(unit, sensitive=show))
    return form, data.urlencode(), refused


def _audit_list(
    request: HttpRequest, unit: Any, rows: list[Beneficiary], shown: tuple[str, ...], **extra: Any
) -> None:
    """One event per list served with unmasked sensitive data (count and filters, not data)."""
    if any(selectors.holds_sensitive(b, shown=shown) for b in rows):
        services.record_sensitive_list_view(
            actor=request.user,
            unit_path=unit.path,
            what=f"{request.method} {request.path}",
            records=len(rows),
            filters=extra,
            ip=client_ip(request),
        )


@login_required
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = active_unit(request)
    show = can(request.user, "pii.view", unit)
    form, query_string, refused = _filter_form(request, unit, show)
    if refused:
        messages.warning(request, str(selectors.SENSITIVE_GROUP_FILTER))
    filters = _filters(form)
    qs = selectors.beneficiary_list(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if show:
        _audit_list(
            request,
            unit,
            list(page.object_list),
            selectors.LIST_SHOWS,
            **selectors.filters_summary(filters),
            page=page.number,
        )
    return render(
        request,
        "beneficiaries/list.html",
        {
            "form": form,
            "page": page,
            "unit": unit,
            "query_string": query_string,
            "show_pii": show,
            "may_edit": can(request.user, "data.edit", unit),
        },
    )


@login_required
def beneficiary_export(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = active_unit(request)
    show = can(request.user, "pii.view", unit)
    form, _query, refused = _filter_form(request, unit, show)
    if refused:  # the list says why, and what it shows without that filter
        return redirect(f"{reverse('beneficiary_list')}?{request.GET.urlencode()}")
    filters = _filters(form)
    qs = selectors.beneficiary_list(user=request.user, filters=filters)
    if qs.count() > EXPORT_LIMIT:
        messages.error(
            request,
            _("Danh sách quá %(n)s dòng: hãy lọc bớt trước khi xuất.")
            % {"n": f"{EXPORT_LIMIT:,}".replace(",", ".")},
        )
        return redirect(f"{reverse('beneficiary_list')}?{request.GET.urlencode()}")
    rows = list(qs)
    content = beneficiary_workbook(
        rows=rows,
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        show_identifiers=show,
        today=timezone.localdate(),
    )
    if show:
        _audit_list(
            request, unit, rows, selectors.EXPORT_SHOWS, **selectors.filters_summary(filters)
        )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="dia-chi-nhan-dao-{stamp}.xlsx"'
    return response


def _person_data(data: dict[str, Any]) -> people.PersonData:
    return people.PersonData(
        full_name=data["full_name"],
        birth=data.get("birth") or None,
        sex=data.get("sex") or "",
        id_number=data.get("id_number") or "",
        legacy_id=data.get("legacy_id") or "",
        phone=data.get("phone") or "",
        ward_id=data.get("ward"),
        address_detail=data.get("address_detail") or "",
    )


def _profile_data(data: dict[str, Any]) -> services.ProfileData:
    year, standard = data.get("poverty_year"), data.get("poverty_standard") or ""
    groups = [
        services.GroupEntry(
            code,
            year if code in ("poor", "near_poor") else None,
            standard if code in ("poor", "near_poor") else "",
        )
        for code in data.get("groups", [])
    ]
    return services.ProfileData(
        groups=groups,
        circumstances=data.get("circumstances") or "",
        status=data.get("status") or "active",
    )


def _save(
    request: HttpRequest, form: BeneficiaryForm, unit: Any, beneficiary: Beneficiary | None
) -> Beneficiary | None:
    """Check, show warnings to confirm, then save. Returns the record, or None to re-render.
    An edit by a user who does not see the hidden fields keeps their stored values when left
    empty (``services.hidden_kept``), and the checks run on those."""
    data = form.cleaned_data
    person, profile = _person_data(data), _profile_data(data)
    if beneficiary is not None:
        person, profile = services.hidden_kept(
            actor=request.user, beneficiary=beneficiary, person=person, profile=profile
        )
    try:
        checked = people.person_check(person)
        if checked.warnings and not data.get("confirm_warnings"):
            form.warnings = checked.warnings  # type: ignore[attr-defined]
            return None
        upload = data.get("photo")
        photo = (upload.name, upload.read()) if upload else None
        if beneficiary is None:
            return services.beneficiary_register(
                actor=request.user, unit=unit, person=person, profile=profile, photo=photo
            )
        return services.beneficiary_update(
            actor=request.user,
            beneficiary=beneficiary,
            person=person,
            profile=profile,
            photo=photo,
        )
    except ApplicationError as exc:
        show_error(form, exc)
        return None


@login_required
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied
    form = BeneficiaryForm(
        request.POST or None,
        request.FILES or None,
        initial={"ward": unit_ward_id(unit)},  # a commune's clerk records people of the commune
        **_choices(unit),
    )
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, unit, None)
        if saved is not None:
            messages.success(request, _("Đã ghi địa chỉ nhân đạo «%s».") % saved.person.full_name)
            return redirect("beneficiary_detail", pk=saved.pk)
    return render(
        request,
        "beneficiaries/form.html",
        {"form": form, "unit": unit, "title": _("Thêm địa chỉ nhân đạo")},
    )


@login_required
def beneficiary_match(request: HttpRequest) -> HttpResponse:
    """htmx: likely existing records for a draft (in scope: listed; outside: counted only), for
    the forms that enter data: only for users who may enter it."""
    unit = active_unit(request)
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied
    data = request.GET
    context: dict[str, Any] = {"result": None}
    if (
        len((data.get("full_name") or "").strip()) >= 4
        or data.get("id_number")
        or data.get("phone")
    ):
        ward = data.get("ward") or ""
        draft = people.PersonData(
            full_name=data.get("full_name") or "xx",
            birth=data.get("birth") or None,
            id_number=data.get("id_number") or "",
            phone=data.get("phone") or "",
            ward_id=int(ward) if ward.isdigit() else None,
        )
        try:
            values = people.person_check(draft).values
        except ApplicationError:
            values = people.person_keys({"full_name": draft.full_name, "ward_id": draft.ward_id})
            values["full_name"] = draft.full_name
        context["result"] = people_selectors.person_matches(
            user=request.user, values=values, exclude_pk=None
        )
        context["show_pii"] = can(request.user, "pii.view", unit)
    return render(request, "beneficiaries/_matches.html", context)


@login_required
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    show = selectors.may_see_sensitive(request.user, beneficiary)
    if show:
        services.record_sensitive_view(
            actor=request.user, beneficiary=beneficiary, ip=client_ip(request)
        )
    person = beneficiary.person
    merged = people_selectors.merged_records(user=request.user, person=person)
    return render(
        request,
        "beneficiaries/detail.html",
        {
            "b": beneficiary,
            "person": person,
            "show_pii": show,
            "id_shown": person.id_number if show else selectors.mask_id(person.id_number),
            "phone_shown": person.phone if show else selectors.mask_phone(person.phone),
            "may_edit": can(request.user, "data.edit", beneficiary.unit),
            "verify_form": VerifyForm(),
            "consent_form": ConsentForm(),
            "household_form": HouseholdForm(),
            "has_consent": selectors.has_active_consent(beneficiary),
            "merged_records": [
                (m, m.id_number if show else selectors.mask_id(m.id_number)) for m in merged.records
            ],
            "merged_outside": merged.outside_scope,
        },
    )


def _edit_initial(beneficiary: Beneficiary, show: bool) -> dict[str, Any]:
    """The stored values for the edit form; without ``pii.view``, none of the hidden ones."""
    p = beneficiary.person
    memberships = [m for m in beneficiary.memberships.all() if show or not m.group.sensitive]
    poverty = next((m for m in memberships if m.group_id in ("poor", "near_poor")), None)
    return {
        "full_name": p.full_name,
        "birth": p.birth_display,
        "sex": p.sex,
        "id_number": p.id_number if show else "",
        "legacy_id": p.legacy_id if show else "",
        "phone": p.phone if show else "",
        "ward": p.ward_id,
        "address_detail": p.address_detail,
        "groups": [m.group_id for m in memberships],
        "poverty_year": poverty.year if poverty else None,
        "poverty_standard": poverty.standard if poverty else "",
        "circumstances": beneficiary.circumstances if show else "",
        "status": beneficiary.status,
    }


@login_required
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    if not can(request.user, "data.edit", beneficiary.unit):
        raise PermissionDenied
    show = selectors.may_see_sensitive(request.user, beneficiary)
    form = BeneficiaryForm(
        request.POST or None,
        request.FILES or None,
        initial=_edit_initial(beneficiary, show),
        **_choices(beneficiary.unit, sensitive=show),
    )
    if not show:
        p = beneficiary.person
        form.hide_stored(
            id_number=mask_id(p.id_number),
            legacy_id=mask_id(p.legacy_id),
            phone=mask_phone(p.phone),
        )
    if request.method == "POST":
        if form.is_valid():
            saved = _save(request, form, beneficiary.unit, beneficiary)
            if saved is not None:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("beneficiary_detail", pk=saved.pk)
    elif show:  # the form opens with the stored values: a view of sensitive data
        services.record_sensitive_view(
            actor=request.user,
            beneficiary=beneficiary,
            ip=client_ip(request),
            what=f"{request.method} {request.path}",
        )
    return render(
        request,
        "beneficiaries/form.html",
        {
            "form": form,
            "unit": beneficiary.unit,
            "b": beneficiary,
            "title": _("Sửa địa chỉ nhân đạo"),
            "hidden_stored": not show,
        },
    )


@login_required
@require_POST
def beneficiary_verify(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    form = VerifyForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Hãy chọn kết quả xác minh."))
        services.beneficiary_verify(
            actor=request.user, beneficiary=beneficiary, result=form.cleaned_data["result"]
        )
        messages.success(request, _("Đã ghi kết quả xác minh."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("beneficiary_detail", pk=pk)


@login_required
@require_POST
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    form = ConsentForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(" ".join(str(e) for errs in form.errors.values() for e in errs))
        services.consent_record(actor=request.user, beneficiary=beneficiary, **form.cleaned_data)
        messages.success(request, _("Đã ghi sự đồng ý công khai."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("beneficiary_detail", pk=pk)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    consent = next((c for c in beneficiary.consents.all() if c.pk == consent_id), None)
    if consent is None:
        from django.http import Http404

        raise Http404
    try:
        services.consent_withdraw(actor=request.user, consent=consent, on=timezone.localdate())
        messages.success(request, _("Đã ghi việc rút lại sự đồng ý."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("beneficiary_detail", pk=pk)


@login_required
def beneficiary_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The photo, only through the scope and only for roles that may see personal data."""
    from django.http import FileResponse, Http404

    beneficiary = selectors.beneficiary_get(user=request.user, pk=pk)
    if not beneficiary.photo or not selectors.may_see_sensitive(request.user, beneficiary):
        raise Http404
    response = FileResponse(beneficiary.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response
