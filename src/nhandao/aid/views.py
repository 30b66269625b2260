"""Pages of aid: partners, distributions with their planned and acknowledgement lists, quick
recording, ticking a returned list, voiding, and the list of records. Views only speak HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import qrcode
import qrcode.image.svg
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

from nhandao.campaigns import selectors as campaigns
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.orgs.permissions import active_unit, can
from nhandao.orgs.selectors import unit_parent_name
from nhandao.people import selectors as people

from . import selectors, services
from .exports import records_workbook
from .forms import (
    DistributionForm,
    PartnerForm,
    PartnerLoginForm,
    RecordFilterForm,
    RecordForm,
    TickForm,
    VoidForm,
)
from .models import Distribution

EXPORT_LIMIT = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _units(request: HttpRequest, unit: Any) -> list[Any]:
    """A unit and its active sub-units (the choices of a unit filter on its pages)."""
    from nhandao.orgs import selectors as orgs

    return [unit, *orgs.unit_children(user=request.user, unit=unit, include_inactive=False)]


def _may_see_aid(request: HttpRequest) -> None:
    """Chapter staff who see data, and partner logins (which see only their own). A partner
    role not linked to a partner organisation has nothing of its own to see: without the link
    the partner filter would not apply, so it is refused."""
    if can(request.user, "data.view"):
        return
    if not can(request.user, "aid.partner") or services.partner_of(request.user) is None:
        raise PermissionDenied


def _registry(request: HttpRequest) -> None:
    if not can(request.user, "data.view") or services.partner_of(request.user) is not None:
        raise PermissionDenied


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=4, border=1)
    svg: str = image.to_string(encoding="unicode")
    return svg


# --- partners -------------------------------------------------------------------------------


def _partner_data(data: dict[str, Any]) -> services.PartnerData:
    return services.PartnerData(
        **{k: data.get(k) or "" for k in services.PARTNER_FIELDS[:-1]},
        is_active=bool(data.get("is_active")),
    )


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    _registry(request)
    query = request.GET.get("q", "")
    page = Paginator(selectors.partner_list(user=request.user, query=query), 50).get_page(
        request.GET.get("page")
    )
    may_edit = can(request.user, "data.edit", active_unit(request))
    context = {"page": page, "query": query, "may_edit": may_edit}
    return render(request, "aid/partner_list.html", context)


@login_required
def partner_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _partner_data(form.cleaned_data)
        try:
            partner = services.partner_create(actor=request.user, unit=unit, data=data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã thêm tổ chức phối hợp «%s».") % partner.name)
            return redirect("partner_detail", pk=partner.pk)
    title = _("Thêm tổ chức, doanh nghiệp phối hợp")
    return render(request, "aid/form.html", {"form": form, "title": title})


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(user=request.user, pk=pk)
    _registry(request)
    context = {
        "partner": partner,
        "logins": selectors.partner_logins(partner=partner),
        "distributions": selectors.distribution_list(user=request.user)
        .filter(partner=partner)
        .select_related("campaign")[:50],
        "may_edit": can(request.user, "data.edit", partner.unit),
        "may_login": can(request.user, "user.manage", partner.unit),
        "login_form": PartnerLoginForm(),
    }
    return render(request, "aid/partner_detail.html", context)


@login_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(user=request.user, pk=pk)
    if not can(request.user, "data.edit", partner.unit):
        raise PermissionDenied
    initial = {k: getattr(partner, k) for k in services.PARTNER_FIELDS}
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = _partner_data(form.cleaned_data)
        try:
            services.partner_update(actor=request.user, partner=partner, data=data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("partner_detail", pk=partner.pk)
    title = _("Sửa «%s»") % partner.name
    return render(request, "aid/form.html", {"form": form, "title": title})


@login_required
def partner_login_create(request: HttpRequest, pk: int) -> HttpResponse:
    partner = selectors.partner_get(user=request.user, pk=pk)
    if not can(request.user, "user.manage", partner.unit):
        raise PermissionDenied
    form = PartnerLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.partner_login_create(
                actor=request.user, partner=partner, **form.cleaned_data
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã tạo tài khoản «%s».") % user.get_username())
            return redirect("partner_detail", pk=partner.pk)
    title = _("Tạo tài khoản cho «%s»") % partner.name
    return render(request, "aid/form.html", {"form": form, "title": title})


# --- distributions --------------------------------------------------------------------------


@login_required
def distribution_list(request: HttpRequest) -> HttpResponse:
    _may_see_aid(request)
    campaign = None
    if request.GET.get("campaign"):
        campaign = campaigns.campaign_get(user=request.user, pk=request.GET["campaign"])
    qs = selectors.distribution_list(user=request.user, campaign=campaign).select_related(
        "campaign"
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "campaign": campaign,
        "campaigns": campaigns.campaign_list(user=request.user, status="launched")[:50],
        "may_edit": services.partner_of(request.user) is None
        and can(request.user, "data.edit", active_unit(request)),
    }
    return render(request, "aid/distribution_list.html", context)


def _distribution_form(request: HttpRequest, unit: Any) -> DistributionForm:
    running = campaigns.campaign_list(user=request.user, status="launched")
    choices = [(c.pk, c.name) for c in running if campaigns.campaign_in_area(campaign=c, unit=unit)]
    partners = [(p.pk, p.name) for p in selectors.partner_choices(user=request.user, unit=unit)]
    initial = {"campaign": request.GET.get("campaign"), "held_on": timezone.localdate()}
    return DistributionForm(
        request.POST or None, initial=initial, campaigns=choices, partners=partners
    )


@login_required
def distribution_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    if services.partner_of(request.user) is not None or not can(request.user, "data.edit", unit):
        raise PermissionDenied
    form = _distribution_form(request, unit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        campaign = campaigns.campaign_get(user=request.user, pk=data.pop("campaign"))
        partner_pk = data.pop("partner")
        data["partner"] = (
            selectors.partner_choices(user=request.user, unit=unit).filter(pk=partner_pk).first()
        )
        try:
            distribution = services.distribution_create(
                actor=request.user,
                campaign=campaign,
                unit=unit,
                data=services.DistributionData(**data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lập đợt trao «%s».") % distribution.title)
            return redirect("distribution_detail", pk=distribution.pk)
    title = _("Lập đợt trao")
    return render(request, "aid/form.html", {"form": form, "title": title})


def _detail_context(request: HttpRequest, distribution: Distribution) -> dict[str, Any]:
    rows = selectors.planned_list(distribution=distribution)
    elsewhere = selectors.received_elsewhere(
        campaign=distribution.campaign,
        people=[r.person for r in rows],
        exclude_distribution=distribution,
    )
    for row in rows:
        row.elsewhere = elsewhere.get(row.person_id, [])  # type: ignore[attr-defined]
    may_plan = services.partner_of(request.user) is None and can(
        request.user, "data.edit", distribution.unit
    )
    return {
        "distribution": distribution,
        "rows": rows,
        "warned": len([r for r in rows if elsewhere.get(r.person_id)]),
        "totals": selectors.distribution_totals(distribution=distribution),
        "may_plan": may_plan,
        "may_record": may_plan or can(request.user, "aid.partner", distribution.unit),
        "units": _units(request, distribution.unit) if may_plan else [],
    }


@login_required
def distribution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _may_see_aid(request)
    return render(request, "aid/distribution_detail.html", _detail_context(request, distribution))


@login_required
@require_POST
def distribution_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a distribution held (done), cancelled, or planned again."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _registry(request)
    try:
        services.distribution_set_status(
            actor=request.user, distribution=distribution, status=request.POST.get("status", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("distribution_detail", pk=distribution.pk)


@login_required
def planned_search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: people to add to the planned list, found by name, ID, phone or code."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _registry(request)
    found = selectors.recipient_lookup(
        user=request.user, distribution=distribution, query=request.GET.get("q", "")
    )
    context = {"distribution": distribution, "found": found}
    return render(request, "aid/_planned_search.html", context)


@login_required
@require_POST
def planned_add(request: HttpRequest, pk: int) -> HttpResponse:
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _registry(request)
    try:
        if request.POST.get("unit"):
            unit = _in_distribution_unit(request, distribution, request.POST["unit"])
            n = services.planned_add_uncovered(
                actor=request.user, distribution=distribution, unit=unit
            )
        else:
            person = people.person_get(user=request.user, pk=request.POST.get("person"))
            n = services.planned_add(actor=request.user, distribution=distribution, people=[person])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thêm %(n)d người vào danh sách.") % {"n": n})
    return redirect("distribution_detail", pk=distribution.pk)


def _in_distribution_unit(request: HttpRequest, distribution: Distribution, pk: str) -> Any:
    from django.http import Http404

    for unit in _units(request, distribution.unit):
        if str(unit.pk) == pk:
            return unit
    raise Http404


@login_required
@require_POST
def planned_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _registry(request)
    planned = selectors.planned_get(distribution=distribution, pk=line_id)
    try:
        services.planned_remove(actor=request.user, distribution=distribution, planned=planned)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("distribution_detail", pk=distribution.pk)


@login_required
def distribution_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable acknowledgement list (danh sách ký nhận), each line with its code and QR."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _may_see_aid(request)
    rows = selectors.planned_list(distribution=distribution)
    for row in rows:
        row.code = selectors.person_code(row.person)  # type: ignore[attr-defined]
        row.qr = _qr_svg(row.code)  # type: ignore[attr-defined]
    unit = distribution.unit
    parent = type(unit).objects.get_parent(unit) if unit.depth > 1 else None
    context = {"distribution": distribution, "rows": rows, "parent": parent}
    return render(request, "aid/distribution_sheet.html", context)


# --- recording ------------------------------------------------------------------------------


@login_required
def distribution_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick-record page: scan or type a code, or search a name; record in one click."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _may_see_aid(request)
    if request.method == "POST":
        return _record_one(request, distribution)
    context = {
        "distribution": distribution,
        "totals": selectors.distribution_totals(distribution=distribution),
    }
    return render(request, "aid/record.html", context)


@login_required
def distribution_lookup(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the people matching the typed or scanned text, each with any earlier gift."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _may_see_aid(request)
    found = selectors.recipient_lookup(
        user=request.user, distribution=distribution, query=request.GET.get("q", "")
    )
    earlier = selectors.received_elsewhere(campaign=distribution.campaign, people=found.people)
    rows = [
        (p, earlier.get(p.pk, []), _given_here(distribution, p, earlier.get(p.pk, [])))
        for p in found.people
    ]
    context = {
        "distribution": distribution,
        "rows": rows,
        "truncated": found.truncated,
        "query": request.GET.get("q", ""),
        "may_override": can(request.user, "aid.override", distribution.unit),
    }
    return render(request, "aid/_lookup.html", context)


def _given_here(distribution: Distribution, person: Any, earlier: list[Any]) -> Any:
    """The person's own latest live record of this distribution, if any: the quick-record page
    shows when it was given instead of the button."""
    mine = [r for r in earlier if r.distribution_id == distribution.pk and r.person_id == person.pk]
    return max(mine, key=lambda r: (r.recorded_at, r.pk)) if mine else None


def _refreshed(request: HttpRequest, distribution: Distribution, person: Any) -> dict[str, Any]:
    """What an htmx answer to a record swaps out of band: the header's counter and the person's
    card (which then says when the gift was given), so the page is right without a reload."""
    earlier = selectors.received_elsewhere(campaign=distribution.campaign, people=[person])
    mine = earlier.get(person.pk, [])
    return {
        "may_override": can(request.user, "aid.override", distribution.unit),
        "totals": selectors.distribution_totals(distribution=distribution),
        "card": {
            "person": person,
            "earlier": mine,
            "given": _given_here(distribution, person, mine),
        },
    }


def _fragment_status(request: HttpRequest) -> int:
    """htmx swaps only successful answers: a refusal it must show comes back as 200."""
    return 200 if request.htmx else 422  # type: ignore[attr-defined]


def _record_one(request: HttpRequest, distribution: Distribution) -> HttpResponse:
    form = RecordForm(request.POST)
    context: dict[str, Any] = {"distribution": distribution}
    if not form.is_valid():
        context["error"] = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return render(request, "aid/_recorded.html", context, status=_fragment_status(request))
    found = selectors.recipient_lookup(
        user=request.user, distribution=distribution, query=f"P{form.cleaned_data['person']}"
    )
    if not found.people:
        from django.http import Http404

        raise Http404
    person = found.people[0]
    overrides: dict[str, Any] = {"override_reason": form.cleaned_data["override_reason"]}
    if form.cleaned_data["value"]:
        overrides["value"] = form.cleaned_data["value"]
    try:
        record = services.aid_record(
            actor=request.user,
            campaign=distribution.campaign,
            person=person,
            data=services.distribution_aid_data(distribution, **overrides),
            distribution=distribution,
        )
    except ApplicationError as exc:
        context.update(
            error=exc.message,
            person=person,
            overlap=exc.extra.get("overlap", False),
            may_override=can(request.user, "aid.override", distribution.unit),
        )
        if request.htmx:  # type: ignore[attr-defined]
            context.update(_refreshed(request, distribution, person))
        return render(request, "aid/_recorded.html", context, status=_fragment_status(request))
    context.update(record=record, person=person)
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, _("Đã ghi nhận: %s.") % person.full_name)
        return redirect("distribution_record", pk=distribution.pk)
    context.update(_refreshed(request, distribution, person))
    return render(request, "aid/_recorded.html", context)


@login_required
@require_POST
def distribution_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the ticked lines of a returned acknowledgement list, all or nothing."""
    distribution = selectors.distribution_get(user=request.user, pk=pk)
    _may_see_aid(request)
    rows = selectors.planned_list(distribution=distribution)
    by_line = {r.line: r for r in rows}
    form = TickForm(request.POST, lines=list(by_line))
    if not form.is_valid() or not form.cleaned_data["lines"]:
        messages.error(request, _("Chưa đánh dấu người nào trong danh sách."))
        return redirect("distribution_detail", pk=distribution.pk)
    ticked = [by_line[n] for n in form.cleaned_data["lines"]]
    ticked = [r for r in ticked if r.recorded is None]  # type: ignore[attr-defined]
    given_on: dt.date | None = form.cleaned_data["given_on"]
    data = services.distribution_aid_data(
        distribution, **({"given_on": given_on} if given_on else {})
    )
    try:
        result = services.aid_record_many(
            actor=request.user,
            distribution=distribution,
            people=[r.person for r in ticked],
            data=data,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        n = len(result.recorded)
        messages.success(request, _("Đã ghi nhận %(n)d người theo danh sách ký nhận.") % {"n": n})
    return redirect("distribution_detail", pk=distribution.pk)


@login_required
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.aid_get(user=request.user, pk=pk)
    _may_see_aid(request)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.aid_void(actor=request.user, record=record, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã hủy bản ghi."))
            return redirect("aid_detail", pk=record.pk)
    context = {
        "record": record,
        "form": form,
        "may_photo": record.voided_at is None
        and (
            can(request.user, "data.edit", record.recorded_unit)
            or (record.partner_id is not None and can(request.user, "aid.partner"))
        ),
        "may_void": record.voided_at is None
        and can(request.user, "data.edit", record.recorded_unit),
    }
    return render(request, "aid/record_detail.html", context)


@login_required
def aid_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the acknowledgement photo, only through the scope. POST: upload it."""
    from django.http import FileResponse, Http404

    record = selectors.aid_get(user=request.user, pk=pk)
    _may_see_aid(request)
    if request.method == "POST":
        upload = request.FILES.get("photo")
        if upload is None:
            messages.error(request, _("Chưa chọn ảnh."))
        else:
            try:
                services.aid_set_photo(
                    actor=request.user, record=record, name=upload.name or "", data=upload.read()
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu ảnh xác nhận."))
        return redirect("aid_detail", pk=record.pk)
    if not record.photo:
        raise Http404
    response = FileResponse(record.photo.open("rb"))
    response["Cache-Control"] = "private, no-store"
    return response


def _record_filters(request: HttpRequest) -> tuple[RecordFilterForm, dict[str, Any]]:
    from nhandao.orgs import selectors as orgs

    unit = active_unit(request)
    running = campaigns.campaign_list(user=request.user)[:100]
    units = _units(request, unit)
    form = RecordFilterForm(
        request.GET or None,
        campaigns=[(c.pk, c.name) for c in running],
        units=[(u.pk, u.name) for u in units],
    )
    data = form.cleaned_data if form.is_valid() else {}
    chosen: dict[str, Any] = {"include_voided": bool(data.get("voided"))}
    if data.get("campaign"):
        chosen["campaign"] = campaigns.campaign_get(user=request.user, pk=data["campaign"])
    if data.get("unit"):
        chosen["unit"] = orgs.unit_get(user=request.user, pk=data["unit"])
    return form, chosen


@login_required
def aid_list(request: HttpRequest) -> HttpResponse:
    _may_see_aid(request)
    form, chosen = _record_filters(request)
    qs = selectors.record_list(user=request.user, **chosen)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode(), **chosen}
    return render(request, "aid/record_list.html", context)


@login_required
def aid_export(request: HttpRequest) -> HttpResponse:
    _may_see_aid(request)
    _form, chosen = _record_filters(request)
    qs = selectors.record_list(user=request.user, **chosen)
    if qs.count() > EXPORT_LIMIT:
        messages.error(
            request,
            _("Danh sách quá %(n)s dòng: hãy lọc bớt trước khi xuất.")
            % {"n": f"{EXPORT_LIMIT:,}".replace(",", ".")},
        )
        return redirect(f"{reverse('aid_list')}?{request.GET.urlencode()}")
    unit = chosen.get("unit") or active_unit(request)
    content = records_workbook(
        rows=qs,
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        campaign_name=chosen["campaign"].name if chosen.get("campaign") else "",
        today=timezone.localdate(),
    )
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="ho-tro-da-trao-{stamp}.xlsx"'
    return response
