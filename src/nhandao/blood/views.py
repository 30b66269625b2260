"""Pages of blood donation: donors (list, page with card and history, edit), sessions (plan,
register in advance, results), honours for the ceremony, reminders, pledges and statistics.
Views only speak HTTP; reading is in ``selectors``, changing in the services."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.campaigns import selectors as campaigns
from nhandao.core.audit import audited_filters
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.signals import client_ip
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit, can, require_view
from nhandao.orgs.selectors import unit_parent_name
from nhandao.people import selectors as people

from . import exports, selectors
from .donor_profile import FIELDS as DONOR_FIELDS
from .donor_profile import DonorPreferences, donor_update
from .forms_main import (
    AwardForm,
    DonorEditForm,
    DonorFilterForm,
    PledgeForm,
    SessionForm,
    WithdrawForm,
)
from .honours import honour_award
from .models import HonourStatus, PledgeKind, SessionStatus
from .pledges import pledge_register, pledge_withdraw
from .services import sensitive_list_viewed, sensitive_viewed
from .sessions import SessionData, registration_add, registration_remove, session_create
from .sessions import session_update as session_save

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_LIMIT = 50_000


# --- helpers ---------------------------------------------------------------------------------


def _may_edit(request: HttpRequest, unit: Any) -> None:
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied


def _units(request: HttpRequest, unit: Any) -> list[Any]:
    return [unit, *orgs.unit_children(user=request.user, unit=unit, include_inactive=False)]


def _chosen_unit(request: HttpRequest) -> Any:
    """The unit a list is filtered to (?unit=, scoped), else the active unit."""
    pk = request.GET.get("unit")
    return orgs.unit_get(user=request.user, pk=pk) if pk else active_unit(request)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 1990), 2100)


def _file(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}{_ext(kind)}"'
    return response


def _ext(kind: str) -> str:
    return {XLSX: ".xlsx", DOCX: ".docx"}.get(kind, ".csv")


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=5, border=1)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _too_many(request: HttpRequest, n: int, back: str) -> HttpResponse | None:
    if n <= EXPORT_LIMIT:
        return None
    limit = f"{EXPORT_LIMIT:,}".replace(",", ".")
    messages.error(
        request, _("Danh sách quá %(n)s dòng: hãy lọc bớt trước khi xuất.") % {"n": limit}
    )
    return redirect(back)


def _audit_list(request: HttpRequest, unit: Any, records: int, chosen: dict[str, Any]) -> None:
    """One event per list or file served with donors' phones in full: which one, how many rows
    and with which filters (a search by number masked), never the data itself."""
    filters = audited_filters(**chosen)
    if request.GET.get("page"):
        filters["page"] = request.GET["page"][:6]
    if request.GET.get("format"):
        filters["format"] = request.GET["format"][:6]
    sensitive_list_viewed(
        actor=request.user,
        unit_path=unit.path,
        what=f"{request.method} {request.path}",
        records=records,
        filters=filters,
        ip=client_ip(request),
    )


# --- donors ----------------------------------------------------------------------------------


def _donor_filters(request: HttpRequest) -> tuple[DonorFilterForm, dict[str, Any]]:
    units = _units(request, active_unit(request))
    form = DonorFilterForm(request.GET or None, units=[(u.pk, u.name) for u in units])
    data = form.cleaned_data if form.is_valid() else {}
    chosen: dict[str, Any] = {
        "query": data.get("q") or "",
        "group": data.get("group") or "",
        "eligible_again": bool(data.get("eligible")),
    }
    if data.get("unit"):
        chosen["unit"] = orgs.unit_get(user=request.user, pk=data["unit"])
    return form, chosen


@login_required
def blood_donor_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    form, chosen = _donor_filters(request)
    qs = selectors.donor_list(user=request.user, **chosen)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    unit = chosen.get("unit") or active_unit(request)  # the list holds this unit's subtree
    show_phone = can(request.user, "pii.view", unit)
    rows = list(page.object_list)
    if show_phone and any(d.person.phone for d in rows):
        _audit_list(request, unit, len(rows), chosen)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "show_phone": show_phone,
    }
    return render(request, "blood/donor_list.html", context)


@login_required
def blood_donor_export(request: HttpRequest) -> HttpResponse:
    require_view(request)
    _form, chosen = _donor_filters(request)
    qs = selectors.donor_list(user=request.user, **chosen)
    n = qs.count()
    if refused := _too_many(request, n, "blood_donor_list"):
        return refused
    unit = chosen.get("unit") or active_unit(request)
    show_phone = can(request.user, "pii.view", unit)
    content = exports.donors_workbook(
        donors=qs.iterator(chunk_size=2000),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        today=timezone.localdate(),
        show_phone=show_phone,
    )
    if show_phone and n:
        _audit_list(request, unit, n, chosen)
    return _file(content, XLSX, "nguoi-hien-mau")


@login_required
def blood_donor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donor = selectors.donor_get(user=request.user, pk=pk)
    require_view(request)
    history = selectors.donor_history(donor=donor)
    sensitive = can(request.user, "pii.view", donor.unit)
    if sensitive and (history.deferrals or any(d.health_notes for d in history.donations)):
        sensitive_viewed(actor=request.user, donor=donor, ip=client_ip(request), what="donor_page")
    context = {
        "donor": donor,
        "h": history,
        "sensitive": sensitive,
        "qr": _qr_svg(donor.card_code),
        "may_edit": can(request.user, "data.edit", donor.unit),
    }
    return render(request, "blood/donor_detail.html", context)


@login_required
def blood_donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    donor = selectors.donor_get(user=request.user, pk=pk)
    _may_edit(request, donor.unit)
    initial = {f: getattr(donor, f) for f in DONOR_FIELDS}
    form = DonorEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            donor_update(
                actor=request.user, donor=donor, data=DonorPreferences(**form.cleaned_data)
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("blood_donor_detail", pk=donor.pk)
    title = _("Sửa thông tin hiến máu của %s") % donor.person.full_name
    return render(request, "blood/form.html", {"form": form, "title": title})


# --- sessions --------------------------------------------------------------------------------


@login_required
def blood_session_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    campaign = None
    if request.GET.get("campaign"):
        campaign = campaigns.campaign_get(user=request.user, pk=request.GET["campaign"])
    qs = selectors.session_list(user=request.user, campaign=campaign)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "campaign": campaign,
        "may_edit": can(request.user, "data.edit", active_unit(request)),
    }
    return render(request, "blood/session_list.html", context)


def _session_form(request: HttpRequest, unit: Any, initial: dict[str, Any]) -> SessionForm:
    drives = campaigns.campaign_list(user=request.user, kind="blood_drive")
    choices = [(c.pk, c.name) for c in drives if campaigns.campaign_in_area(campaign=c, unit=unit)]
    return SessionForm(request.POST or None, initial=initial, campaigns=choices)


def _session_data(request: HttpRequest, form: SessionForm) -> SessionData:
    data = dict(form.cleaned_data)
    pk = data.pop("campaign")
    data["campaign"] = campaigns.campaign_get(user=request.user, pk=pk) if pk else None
    return SessionData(**data)


@login_required
def blood_session_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    _may_edit(request, unit)
    initial = {"campaign": request.GET.get("campaign"), "status": SessionStatus.PLANNED}
    form = _session_form(request, unit, initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = _session_data(request, form)
            session = session_create(actor=request.user, unit=unit, data=data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lập buổi hiến máu «%s».") % session)
            return redirect("blood_session_detail", pk=session.pk)
    return render(request, "blood/form.html", {"form": form, "title": _("Lập buổi hiến máu")})


@login_required
def blood_session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    _may_edit(request, session.unit)
    fields = ("held_on", "place", "host", "collecting_facility", "expected_donors")
    initial = {f: getattr(session, f) for f in (*fields, "target_units", "status")}
    initial["campaign"] = session.campaign_id
    form = _session_form(request, session.unit, initial)
    if request.method == "POST" and form.is_valid():
        try:
            session_save(actor=request.user, session=session, data=_session_data(request, form))
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("blood_session_detail", pk=session.pk)
    title = _("Sửa buổi hiến máu «%s»") % session
    return render(request, "blood/form.html", {"form": form, "title": title})


@login_required
def blood_session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    require_view(request)
    context = {
        "session": session,
        "registrations": selectors.session_registrations(session=session),
        "results": selectors.session_results(session=session),
        "may_edit": can(request.user, "data.edit", session.unit),
        "sensitive": can(request.user, "pii.view", session.unit),
        "checkin_url": _checkin_url(session.pk),
    }
    return render(request, "blood/session_detail.html", context)


def _checkin_url(pk: int) -> str:
    """The check-in page of a session (B1's route), when it is mounted."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("blood_checkin", kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


@login_required
def blood_session_register(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (htmx): donors matching the search, to register. POST: register one donor."""
    session = selectors.session_get(user=request.user, pk=pk)
    _may_edit(request, session.unit)
    if request.method != "POST":
        query = request.GET.get("q", "")
        found = selectors.donor_candidates(user=request.user, session=session, query=query)
        context = {"session": session, "found": found, "query": query}
        return render(request, "blood/_register_search.html", context)
    donor = selectors.donor_get(user=request.user, pk=request.POST.get("donor") or 0)
    try:
        registration_add(actor=request.user, session=session, donor=donor)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đăng ký: %s.") % donor.person.full_name)
    return redirect("blood_session_detail", pk=session.pk)


@login_required
@require_POST
def blood_registration_remove(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    session = selectors.session_get(user=request.user, pk=pk)
    _may_edit(request, session.unit)
    registration = selectors.session_registration_get(session=session, pk=registration_id)
    try:
        registration_remove(actor=request.user, registration=registration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("blood_session_detail", pk=session.pk)


# --- honours ---------------------------------------------------------------------------------


def _honour_filters(request: HttpRequest) -> dict[str, Any]:
    status = request.GET.get("status", "")
    return {
        "unit": _chosen_unit(request),
        "year": _year(request),
        "status": status if status in HonourStatus.values else "",
    }


@login_required
def blood_honour_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    chosen = _honour_filters(request)
    honours = list(selectors.honour_list(user=request.user, **chosen)[:EXPORT_LIMIT])
    groups: dict[tuple[str, str], list[Any]] = {}
    for h in honours:
        groups.setdefault((h.rule.awarding_body, h.rule.award), []).append(h)
    context = {
        **chosen,
        "groups": groups,
        "count": len(honours),
        "units": _units(request, active_unit(request)),
        "statuses": HonourStatus.choices,
        "query_string": request.GET.urlencode(),
        "may_award": can(request.user, "data.edit", chosen["unit"]),
        "award_form": AwardForm(initial={"awarded_on": timezone.localdate()}),
    }
    return render(request, "blood/honour_list.html", context)


@login_required
def blood_honour_export(request: HttpRequest) -> HttpResponse:
    require_view(request)
    chosen = _honour_filters(request)
    honours = selectors.honour_list(user=request.user, **chosen)[:EXPORT_LIMIT]
    unit = chosen["unit"]
    args = {"unit_name": unit.name, "parent_name": unit_parent_name(unit), "year": chosen["year"]}
    if request.GET.get("format") == "docx":
        content = exports.honours_document(honours=honours, today=timezone.localdate(), **args)
        return _file(content, DOCX, f"ton-vinh-hien-mau-{chosen['year']}")
    content = exports.honours_workbook(honours=honours, today=timezone.localdate(), **args)
    return _file(content, XLSX, f"ton-vinh-hien-mau-{chosen['year']}")


@login_required
@require_POST
def blood_honour_award(request: HttpRequest, pk: int) -> HttpResponse:
    honour = selectors.honour_get(user=request.user, pk=pk)
    _may_edit(request, honour.unit)
    form = AwardForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
    else:
        try:
            honour_award(honour=honour, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi quyết định khen thưởng."))
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/blood/") else "blood_honour_list")


# --- reminders -------------------------------------------------------------------------------


def _reminder_filters(request: HttpRequest) -> dict[str, Any]:
    group = request.GET.get("group", "")
    channel = request.GET.get("channel", "")
    return {
        "unit": _chosen_unit(request),
        "group": group if group in selectors.BLOOD_GROUPS or group in ("A", "B", "AB", "O") else "",
        "channel": channel if channel in ("sms", "call") else "",
    }


@login_required
def blood_reminder_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    chosen = _reminder_filters(request)
    qs = selectors.reminder_list(user=request.user, **chosen)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    show_phone = can(request.user, "pii.view", chosen["unit"])
    rows = list(page.object_list)
    if show_phone and rows:  # every donor reminded has a phone
        _audit_list(request, chosen["unit"], len(rows), chosen)
    context = {
        **chosen,
        "page": page,
        "units": _units(request, active_unit(request)),
        "groups": selectors.BLOOD_GROUPS,
        "query_string": query.urlencode(),
        "show_phone": show_phone,
    }
    return render(request, "blood/reminder_list.html", context)


@login_required
def blood_reminder_export(request: HttpRequest) -> HttpResponse:
    require_view(request)
    chosen = _reminder_filters(request)
    qs = selectors.reminder_list(user=request.user, **chosen)
    n = qs.count()
    if refused := _too_many(request, n, "blood_reminder_list"):
        return refused
    unit = chosen["unit"]
    show_phone = can(request.user, "pii.view", unit)
    if show_phone and n:
        _audit_list(request, unit, n, chosen)
    if request.GET.get("format") == "csv":
        content = exports.reminders_csv(donors=qs.iterator(chunk_size=2000), show_phone=show_phone)
        return _file(content, "text/csv; charset=utf-8", "nhac-hien-mau")
    content = exports.reminders_workbook(
        donors=qs.iterator(chunk_size=2000),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        today=timezone.localdate(),
        show_phone=show_phone,
    )
    return _file(content, XLSX, "nhac-hien-mau")


# --- pledges ---------------------------------------------------------------------------------


@login_required
def blood_pledge_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = _chosen_unit(request)
    kind = request.GET.get("kind", "")
    withdrawn = request.GET.get("withdrawn") == "1"
    qs = selectors.pledge_list(user=request.user, unit=unit, kind=kind, include_withdrawn=withdrawn)
    context = {
        "unit": unit,
        "kind": kind,
        "withdrawn": withdrawn,
        "page": Paginator(qs, 100).get_page(request.GET.get("page")),
        "counts": selectors.pledge_counts(user=request.user, unit=unit),
        "kinds": PledgeKind.choices,
        "units": _units(request, active_unit(request)),
        "may_edit": can(request.user, "data.edit", active_unit(request)),
        "found": people.person_list(user=request.user, query=request.GET.get("q", ""))[:20]
        if len(request.GET.get("q", "")) >= 2
        else [],
        "q": request.GET.get("q", ""),
    }
    return render(request, "blood/pledge_list.html", context)


@login_required
def blood_pledge_create(request: HttpRequest, person_id: int) -> HttpResponse:
    person = people.person_get(user=request.user, pk=person_id)
    _may_edit(request, person.unit)
    form = PledgeForm(request.POST or None, initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            pledge_register(
                actor=request.user, person=person, unit=person.unit, **form.cleaned_data
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi đăng ký hiến của %s.") % person.full_name)
            donor = selectors.donor_by_person(person=person)
            return (
                redirect("blood_donor_detail", pk=donor.pk)
                if donor
                else redirect("blood_pledge_list")
            )
    title = _("Đăng ký hiến mô, tạng, xác: %s") % person.full_name
    return render(request, "blood/form.html", {"form": form, "title": title})


@login_required
def blood_pledge_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.pledge_get(user=request.user, pk=pk)
    _may_edit(request, pledge.unit)
    form = WithdrawForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            pledge_withdraw(actor=request.user, pledge=pledge, on=form.cleaned_data["withdrawn_on"])
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi rút đăng ký (vẫn lưu trong hồ sơ)."))
            return redirect("blood_pledge_list")
    title = _("Rút đăng ký «%(kind)s» của %(name)s") % {
        "kind": pledge.get_kind_display(),
        "name": pledge.person.full_name,
    }
    return render(request, "blood/form.html", {"form": form, "title": title})


# --- statistics ------------------------------------------------------------------------------


def _stats(request: HttpRequest) -> tuple[Any, Any, Any]:
    campaign = None
    if request.GET.get("campaign"):
        campaign = campaigns.campaign_get(user=request.user, pk=request.GET["campaign"])
        if campaign.kind != "blood_drive":
            raise Http404
    unit = _chosen_unit(request) if request.GET.get("unit") or campaign is None else None
    # Every row read lies in the scope of the unit acted for: pii.view there names every reason.
    named = can(request.user, "pii.view", unit or active_unit(request))
    stats = selectors.blood_stats(
        user=request.user,
        year=_year(request),
        unit=unit,
        campaign=campaign,
        small_cell=0 if named else selectors.SMALL_CELL,
    )
    return stats, unit, campaign


@login_required
def blood_stats(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, "data.view") or can(request.user, "report.view")):
        raise PermissionDenied
    stats, unit, campaign = _stats(request)
    peak = max([n for _m, n, _t in stats.months] + [1])
    context = {
        "stats": stats,
        "unit": unit,
        "campaign": campaign,
        "peak": peak,
        "units": _units(request, active_unit(request)),
        "query_string": request.GET.urlencode(),
        "drives": campaigns.campaign_list(user=request.user, kind="blood_drive")[:50],
    }
    return render(request, "blood/stats.html", context)


@login_required
def blood_stats_export(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, "data.view") or can(request.user, "report.view")):
        raise PermissionDenied
    stats, unit, campaign = _stats(request)
    owner = unit or campaign.unit
    label = campaign.name if campaign is not None else owner.name
    content = exports.stats_workbook(
        stats=stats,
        unit_name=owner.name,
        parent_name=unit_parent_name(owner),
        scope_label=label,
        today=timezone.localdate(),
    )
    return _file(content, XLSX, f"thong-ke-hien-mau-{stats.year}")
