"""Pages of members (dashboard of counts, list, register, page with card and history, status,
dues, transfers), youth Red Cross in schools, and branches in agencies and enterprises. Views
only speak HTTP; reading is in ``selectors``, changing in ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit, can, require_view
from nhandao.orgs.selectors import unit_parent_name
from nhandao.people import selectors as people
from nhandao.people import services as people_services

from . import exports, selectors, services
from .forms import (
    ActivityForm,
    BulkTransferForm,
    CardForm,
    DuesForm,
    MemberFilterForm,
    MemberForm,
    StatusForm,
    TransferForm,
    YouthForm,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000


# --- helpers ---------------------------------------------------------------------------------


def _may_edit(request: HttpRequest, unit: Any) -> None:
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied


def _chosen_unit(request: HttpRequest) -> Any:
    pk = request.GET.get("unit")
    return orgs.unit_get(user=request.user, pk=pk) if pk else active_unit(request)


def _unit_choices(request: HttpRequest, unit: Any | None = None) -> list[tuple[int, str]]:
    """The active unit and the units under it the user may see (a page's choice of branch)."""
    unit = unit or active_unit(request)
    units = orgs.unit_list(user=request.user).filter(path__startswith=unit.path, is_active=True)
    return [(u.pk, u.name) for u in units.order_by("path")[:2000]]


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 1990), 2100)


def _form_page(
    request: HttpRequest,
    form: Any,
    title: str,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A plain form page: on a valid POST ``save`` (a service call), then ``done``."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            return done(result)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/form.html", {"form": form, "title": title}, status=status)


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=4, border=1)
    svg: str = image.to_string(encoding="unicode")
    return svg


def _file(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


# --- dashboard and list ----------------------------------------------------------------------


@login_required
def member_dashboard(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = _chosen_unit(request)
    counts = selectors.unit_counts(unit, _year(request))
    return render(request, "members/dashboard.html", {"c": counts, "unit": unit})


def _filters(request: HttpRequest) -> tuple[MemberFilterForm, selectors.MemberFilters]:
    form = MemberFilterForm(request.GET or None, units=_unit_choices(request))
    data = form.cleaned_data if form.is_valid() else {}
    unit = orgs.unit_get(user=request.user, pk=data["unit"]) if data.get("unit") else None
    filters = selectors.MemberFilters(
        query=data.get("q") or "",
        status=data.get("status") or "",
        unit=unit,
        dues_year=data.get("year") or None,
        dues=data.get("dues") or "",
    )
    if filters.dues and not filters.dues_year:
        filters.dues_year = timezone.localdate().year
    return form, filters


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    form, filters = _filters(request)
    qs = selectors.member_list(request.user, filters)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_string": query.urlencode()}
    return render(request, "members/member_list.html", context)


@login_required
def member_export(request: HttpRequest) -> HttpResponse:
    require_view(request)
    _form, filters = _filters(request)
    qs = selectors.member_list(request.user, filters)
    if qs.count() > EXPORT_LIMIT:
        messages.error(request, _("Danh sách quá 50.000 dòng: hãy lọc bớt trước khi xuất."))
        return redirect("member_list")
    unit = filters.unit or active_unit(request)
    content = exports.members_workbook(
        members=qs.iterator(chunk_size=2000),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        today=timezone.localdate(),
    )
    return _file(content, "hoi-vien")


# --- one member ------------------------------------------------------------------------------


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    """A new member: a person found in the registry (duplicates offered first) or a new one."""
    require_view(request)
    initial = {"joined_on": timezone.localdate(), "unit": active_unit(request).pk}
    form = MemberForm(request.POST or None, units=_unit_choices(request), initial=initial)
    matches: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("person"):
            person: Any = people.person_get(user=request.user, pk=request.POST["person"])
        else:
            person = people_services.PersonData(**{k: data[k] for k in MemberForm.PERSON})
            try:
                checked = people_services.person_check(person)
            except ApplicationError as exc:
                show_error(form, exc)
                return _create_page(request, form, [])
            found = people.person_matches(user=request.user, values=checked.values)
            matches = [m for m in found.matches if m.score >= 0.5]
        if not matches or request.POST.get("confirm"):
            return _register(request, form, person) or _create_page(request, form, [])
    return _create_page(request, form, matches)


def _create_page(request: HttpRequest, form: Any, matches: list[Any]) -> HttpResponse:
    status = 400 if request.method == "POST" and not matches else 200
    context = {"form": form, "matches": matches}
    return render(request, "members/member_new.html", context, status=status)


def _register(request: HttpRequest, form: Any, person: Any) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        unit = orgs.unit_get(user=request.user, pk=data["unit"])
        member = services.member_register(
            actor=request.user,
            unit=unit,
            person=person,
            joined_on=data["joined_on"],
            card_no=data.get("card_no") or "",
        )
    except ApplicationError as exc:
        show_error(form, exc)
        return None
    messages.success(request, _("Đã kết nạp hội viên %s.") % member.person.full_name)
    return redirect("member_detail", pk=member.pk)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    require_view(request)
    context = {
        "m": member,
        "h": selectors.member_history(member=member),
        "may_edit": can(request.user, "data.edit", member.unit),
    }
    return render(request, "members/member_detail.html", context)


@login_required
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable card (CR80, 85.6 × 54 mm) with a QR code of the card number."""
    member = selectors.member_get(user=request.user, pk=pk)
    require_view(request)
    qr = _qr_svg(member.card_no) if member.card_no else ""
    return render(request, "members/card.html", {"m": member, "qr": qr})


@login_required
def member_card_issue(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    _may_edit(request, member.unit)
    form = CardForm(request.POST or None, initial={"on": timezone.localdate()})

    def save(d: dict[str, Any]) -> Any:
        return services.card_issue(
            actor=request.user, member=member, card_no=d["card_no"], on=d["on"]
        )

    return _form_page(request, form, _("Cấp thẻ hội viên"), save, _to_member)


def _to_member(member: Any) -> HttpResponse:
    return redirect("member_detail", pk=getattr(member, "member_id", None) or member.pk)


@login_required
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    _may_edit(request, member.unit)
    form = StatusForm(request.POST or None, initial={"on": timezone.localdate()})

    def save(d: dict[str, Any]) -> Any:
        return services.member_status_set(
            actor=request.user, member=member, status=d["status"], on=d["on"]
        )

    return _form_page(request, form, _("Đổi tình trạng hội viên"), save, _to_member)


@login_required
def member_dues(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    _may_edit(request, member.unit)
    today = timezone.localdate()
    form = DuesForm(request.POST or None, initial={"year": today.year, "paid_on": today})

    def save(d: dict[str, Any]) -> Any:
        data = services.DuesData(
            year=d["year"], status=d["status"], amount=d["amount"] or 0, paid_on=d["paid_on"]
        )
        return services.dues_record(actor=request.user, member=member, data=data)

    return _form_page(request, form, _("Ghi hội phí"), save, _to_member)


@login_required
def member_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(user=request.user, pk=pk)
    _may_edit(request, member.unit)
    initial = {"on": timezone.localdate()}
    form = TransferForm(request.POST or None, units=_unit_choices(request), initial=initial)

    def save(d: dict[str, Any]) -> Any:
        to_unit = orgs.unit_get(user=request.user, pk=d["unit"])
        return services.member_transfer(
            actor=request.user, member=member, to_unit=to_unit, on=d["on"], reason=d["reason"]
        )

    return _form_page(request, form, _("Chuyển sinh hoạt"), save, _to_member)


@login_required
def unit_members_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """When units merge: every member of this unit moves to the unit chosen."""
    unit = orgs.unit_get(user=request.user, pk=pk)
    _may_edit(request, unit)
    initial = {"on": timezone.localdate()}
    form = BulkTransferForm(request.POST or None, units=_unit_choices(request), initial=initial)
    title = _("Chuyển toàn bộ hội viên của %s") % unit.name

    def save(d: dict[str, Any]) -> Any:
        to_unit = orgs.unit_get(user=request.user, pk=d["unit"])
        return services.unit_members_transfer(
            actor=request.user, from_unit=unit, to_unit=to_unit, on=d["on"], reason=d["reason"]
        )

    def done(n: int) -> HttpResponse:
        messages.success(request, _("Đã chuyển %(n)d hội viên.") % {"n": n})
        return redirect(f"{_url('member_dashboard')}?unit={unit.pk}")

    return _form_page(request, form, title, save, done)


def _url(name: str, *args: Any) -> str:
    from django.urls import reverse

    return reverse(name, args=args)


# --- branches in agencies and enterprises ----------------------------------------------------


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = active_unit(request)
    rows = selectors.agency_branches(user=request.user, unit=unit)
    context = {"rows": rows, "unit": unit, "may_add": can(request.user, "unit.manage", unit)}
    return render(request, "members/agencies.html", context)


# --- youth Red Cross in schools --------------------------------------------------------------


def _school_year(request: HttpRequest, unit: Any) -> str:
    asked = request.GET.get("school_year", "")
    try:
        return services.check_school_year(asked)
    except ApplicationError:
        years = selectors.youth_years(unit=unit)
        if years:
            return years[0]
        return services.current_school_year()


@login_required
def school_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    unit = active_unit(request)
    schools = selectors.school_list(user=request.user, unit=unit)
    return render(request, "members/schools.html", {"schools": schools, "unit": unit})


@login_required
def school_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's own dashboard: youth by class and school year, activities, the list."""
    unit = selectors.school_get(user=request.user, pk=pk)
    require_view(request)
    school_year = _school_year(request, unit)
    context = {
        "unit": unit,
        "d": selectors.school_dashboard(unit=unit, school_year=school_year),
        "youth": selectors.youth_list(unit=unit, school_year=school_year)[:2000],
        "may_edit": can(request.user, "data.edit", unit),
        "next_year": services.next_school_year(school_year),
    }
    return render(request, "members/school.html", context)


@login_required
def youth_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.school_get(user=request.user, pk=pk)
    _may_edit(request, unit)
    form = YouthForm(request.POST or None, initial={"school_year": _school_year(request, unit)})

    def save(d: dict[str, Any]) -> Any:
        person = people_services.PersonData(**{k: d[k] for k in YouthForm.PERSON})
        return services.youth_register(
            actor=request.user,
            unit=unit,
            person=person,
            school_year=d["school_year"],
            class_name=d["class_name"],
        )

    def done(youth: Any) -> HttpResponse:
        messages.success(request, _("Đã ghi %s.") % youth.person.full_name)
        return redirect(f"{_url('school_detail', unit.pk)}?school_year={youth.school_year}")

    return _form_page(request, form, _("Thêm thanh thiếu niên Chữ thập đỏ"), save, done)


@login_required
@require_POST
def youth_promote(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.school_get(user=request.user, pk=pk)
    _may_edit(request, unit)
    school_year = request.POST.get("school_year", "")
    try:
        n = services.youth_promote(actor=request.user, unit=unit, school_year=school_year)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("school_detail", pk=unit.pk)
    messages.success(request, _("Đã chuyển %(n)d em lên năm học sau.") % {"n": n})
    following = services.next_school_year(school_year)
    return redirect(f"{_url('school_detail', unit.pk)}?school_year={following}")


@login_required
def youth_activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.school_get(user=request.user, pk=pk)
    _may_edit(request, unit)
    form = ActivityForm(request.POST or None, initial={"held_on": timezone.localdate()})

    def save(d: dict[str, Any]) -> Any:
        return services.youth_activity_create(actor=request.user, unit=unit, **d)

    def done(_activity: Any) -> HttpResponse:
        return redirect("school_detail", pk=unit.pk)

    return _form_page(request, form, _("Ghi hoạt động của chi hội trường học"), save, done)


@login_required
def youth_export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.school_get(user=request.user, pk=pk)
    require_view(request)
    school_year = _school_year(request, unit)
    content = exports.youth_workbook(
        youth=selectors.youth_list(unit=unit, school_year=school_year).iterator(chunk_size=2000),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        school_year=school_year,
        today=timezone.localdate(),
    )
    return _file(content, "thanh-thieu-nien-ctd")
