"""Pages of volunteers and collaborators, teams, hours, the "active" rule, staff and
applications (the public form itself is in ``views_public``). Views only speak HTTP; reading is in
``selectors_volunteers``, changing in ``volunteers``, ``staff`` and ``applications``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.campaigns import selectors as campaigns
from nhandao.core.audit import audited_filters
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.masking import mask_phone
from nhandao.core.signals import client_ip
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit, can
from nhandao.orgs.selectors import unit_parent_name
from nhandao.people import selectors as people_selectors
from nhandao.people import services as people

from . import applications, exports_volunteers, staff, volunteers
from . import selectors_volunteers as selectors
from .forms_volunteers import (
    ConfirmForm,
    HoursForm,
    RuleForm,
    StaffForm,
    TeamAddForm,
    VolunteerEditForm,
    VolunteerFilterForm,
    VolunteerForm,
)
from .models import ApplicationStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000


# --- helpers ---------------------------------------------------------------------------------


def _may(request: HttpRequest, perm: str, unit: Any = None) -> None:
    if not can(request.user, perm, unit):
        raise PermissionDenied


def _skills() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in selectors.skill_list()]


def _teams(request: HttpRequest, unit: Any) -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in selectors.team_list(user=request.user, unit=unit)[:500]]


def _campaigns(request: HttpRequest) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in campaigns.campaign_list(user=request.user)[:200]]


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _person_data(data: dict[str, Any]) -> people.PersonData:
    return people.PersonData(
        full_name=data["full_name"],
        birth=data.get("birth") or None,
        sex=data.get("sex") or "",
        id_number=data.get("id_number") or "",
        phone=data.get("phone") or "",
        address_detail=data.get("address_detail") or "",
    )


# --- volunteers ------------------------------------------------------------------------------


def _volunteer_filters(request: HttpRequest) -> tuple[VolunteerFilterForm, selectors.Filters]:
    unit = active_unit(request)
    form = VolunteerFilterForm(request.GET or None, skills=_skills(), teams=_teams(request, unit))
    data = form.cleaned_data if form.is_valid() else {}
    team = selectors.team_get(user=request.user, pk=data["team"]) if data.get("team") else None
    filters = selectors.Filters(
        query=data.get("q") or "",
        kind=data.get("kind") or "",
        skill=data.get("skill") or "",
        team=team,
        active=data.get("active") or "",
    )
    return form, filters


@login_required
def volunteer_list(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    form, filters = _volunteer_filters(request)
    qs = selectors.volunteer_list(user=request.user, unit=active_unit(request), filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    flags = selectors.active_flags(list(page.object_list))
    context = {
        "page": page,
        "form": form,
        "rows": [(v, flags.get(v.pk)) for v in page.object_list],
        "query_string": _without_page(request),
        "may_edit": can(request.user, "data.edit", active_unit(request)),
    }
    return render(request, "members/volunteers/list.html", context)


@login_required
def volunteer_export(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    _form, filters = _volunteer_filters(request)
    unit = active_unit(request)
    rows = list(
        selectors.volunteer_list(user=request.user, unit=unit, filters=filters)[:EXPORT_LIMIT]
    )
    show_phone = can(request.user, "pii.view", unit)  # the list holds the unit's subtree
    content = exports_volunteers.volunteers_workbook(
        rows=rows,
        active=selectors.active_flags(rows),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        today=timezone.localdate(),
        show_phone=show_phone,
    )
    if show_phone and any(v.person.phone for v in rows):
        volunteers.volunteers_sensitive_viewed(
            actor=request.user,
            unit=unit,
            what=f"{request.method} {request.path}",
            records=len(rows),
            filters=audited_filters(
                q=filters.query,
                kind=filters.kind,
                skill=filters.skill,
                team=filters.team,
                active=filters.active,
            ),
            ip=client_ip(request),
        )
    return _xlsx(content, "tinh-nguyen-vien")


@login_required
def volunteer_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    _may(request, "data.edit", unit)
    form = VolunteerForm(request.POST or None, skills=_skills())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        v_data = volunteers.VolunteerData(
            kind=data["kind"],
            skills=data["skills"],
            availability=data["availability"],
            rank=data["rank"],
            joined_on=data.get("joined_on"),
        )
        try:
            person: Any = _person_data(data)
            if data.get("existing"):
                person = people_selectors.person_get(user=request.user, pk=data["existing"])
            v = volunteers.volunteer_register(
                actor=request.user, unit=unit, person=person, data=v_data
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã đăng ký «%s».") % v.person.full_name)
            return redirect("volunteer_detail", pk=v.pk)
    context = {"form": form, "unit": unit, "title": _("Đăng ký tình nguyện viên")}
    return render(request, "members/volunteers/form.html", context)


@login_required
def volunteer_match(request: HttpRequest) -> HttpResponse:
    """htmx: likely existing records while the officer types (in scope listed, outside counted)."""
    active_unit(request)
    data = request.GET
    result = None
    if (
        len((data.get("full_name") or "").strip()) >= 4
        or data.get("id_number")
        or data.get("phone")
    ):
        draft = people.PersonData(
            full_name=data.get("full_name") or "xx",
            birth=data.get("birth") or None,
            id_number=data.get("id_number") or "",
            phone=data.get("phone") or "",
        )
        try:
            values = people.person_check(draft).values
        except ApplicationError:
            values = people.person_keys({"full_name": draft.full_name, "ward_id": None})
            values["full_name"] = draft.full_name
        result = people_selectors.person_matches(user=request.user, values=values)
    return render(request, "members/volunteers/_matches.html", {"result": result, "pick": True})


@login_required
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may(request, "data.view")
    v = selectors.volunteer_get(user=request.user, pk=pk)
    may_edit = can(request.user, "data.edit", v.unit)
    context = {
        "v": v,
        "skills": list(v.skills.all()),
        "teams": selectors.volunteer_teams(volunteer=v),
        "hours": selectors.volunteer_hours(volunteer=v)[:200],
        "total": selectors.hours_total(volunteer=v),
        "active": selectors.active_flags([v]).get(v.pk),
        "rule": selectors.rule_for(v.unit),
        "may_edit": may_edit,
        "hours_form": HoursForm(
            campaigns=_campaigns(request), initial={"served_on": timezone.localdate()}
        ),
        "team_form": TeamAddForm(teams=_teams(request, active_unit(request))),
    }
    return render(request, "members/volunteers/detail.html", context)


@login_required
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.volunteer_get(user=request.user, pk=pk)
    _may(request, "data.edit", v.unit)
    initial = {
        "kind": v.kind,
        "skills": [s.code for s in v.skills.all()],
        "availability": v.availability,
        "rank": v.rank,
    }
    form = VolunteerEditForm(request.POST or None, initial=initial, skills=_skills())
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = volunteers.VolunteerData(
            kind=d["kind"], skills=d["skills"], availability=d["availability"], rank=d["rank"]
        )
        try:
            volunteers.volunteer_update(actor=request.user, volunteer=v, data=data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("volunteer_detail", pk=v.pk)
    context = {"form": form, "v": v, "title": _("Sửa thông tin tình nguyện viên")}
    return render(request, "members/volunteers/form.html", context)


@login_required
@require_POST
def volunteer_hours(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.volunteer_get(user=request.user, pk=pk)
    _may(request, "data.edit", v.unit)
    form = HoursForm(request.POST, campaigns=_campaigns(request))
    if form.is_valid():
        d = form.cleaned_data
        try:
            campaign = (
                campaigns.campaign_get(user=request.user, pk=d["campaign"])
                if d.get("campaign")
                else None
            )
            volunteers.hours_log(
                actor=request.user,
                volunteer=v,
                served_on=d["served_on"],
                hours=d["hours"],
                activity=d["activity"],
                campaign=campaign,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi %s giờ tình nguyện.") % d["hours"])
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("volunteer_detail", pk=v.pk)


@login_required
@require_POST
def volunteer_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.volunteer_get(user=request.user, pk=pk)
    form = TeamAddForm(request.POST, teams=_teams(request, active_unit(request)))
    if form.is_valid():
        team = selectors.team_get(user=request.user, pk=form.cleaned_data["team"])
        try:
            volunteers.team_add(
                actor=request.user,
                team=team,
                volunteer=v,
                role=form.cleaned_data["role"],
                joined_on=form.cleaned_data.get("joined_on"),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã thêm vào đội «%s».") % team.name)
    else:
        messages.error(request, _("Hãy chọn một đội."))
    return redirect("volunteer_detail", pk=v.pk)


# --- teams -----------------------------------------------------------------------------------


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    teams = selectors.team_list(user=request.user, unit=active_unit(request))
    return render(request, "members/volunteers/teams.html", {"teams": teams})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may(request, "data.view")
    team = selectors.team_get(user=request.user, pk=pk)
    context = {
        "team": team,
        "members": selectors.team_members(team=team),
        "may_edit": can(request.user, "data.edit", team),
    }
    return render(request, "members/volunteers/team.html", context)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    team = selectors.team_get(user=request.user, pk=pk)
    membership = selectors.membership_get(user=request.user, pk=membership_id, team=team)
    try:
        volunteers.team_remove(actor=request.user, membership=membership)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã cho %s rời đội.") % membership.volunteer.person.full_name)
    return redirect("team_detail", pk=team.pk)


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    """The "active" rules in scope; an administrator sets the one of a unit (?unit=, scoped)."""
    unit_pk = request.POST.get("unit") or request.GET.get("unit")
    unit = orgs.unit_get(user=request.user, pk=unit_pk) if unit_pk else active_unit(request)
    _may(request, "data.view")
    rule = selectors.rule_for(unit)
    initial = {"min_hours": rule.min_hours, "period_months": rule.period_months} if rule else {}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.rule_set(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã đặt tiêu chí cho %s.") % unit.name)
            return redirect(f"{request.path}?unit={unit.pk}")
    context = {
        "form": form,
        "unit": unit,
        "rule": rule,
        "rules": selectors.rule_list(user=request.user),
        "may_set": can(request.user, "unit.manage", unit),
    }
    return render(request, "members/volunteers/rules.html", context)


# --- staff -----------------------------------------------------------------------------------


def _staff_context(request: HttpRequest) -> tuple[Any, list[Any], bool]:
    unit_pk = request.GET.get("unit")
    unit = orgs.unit_get(user=request.user, pk=unit_pk) if unit_pk else active_unit(request)
    current = timezone.localdate() if request.GET.get("current") else None
    rows = list(
        selectors.staff_list(user=request.user, unit=unit, current_on=current)[:EXPORT_LIMIT]
    )
    show = can(request.user, "pii.view", unit)
    if show and rows:
        staff.staff_sensitive_viewed(
            actor=request.user, unit=unit, ip=client_ip(request), what=_("Danh sách cán bộ")
        )
    return unit, rows, show


def _staff_units(request: HttpRequest) -> list[Any]:
    home = active_unit(request)
    children = orgs.unit_children(user=request.user, unit=home, include_inactive=False, limit=300)
    return [home, *children]


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    unit, rows, show = _staff_context(request)
    context = {
        "unit": unit,
        "units": _staff_units(request),
        "rows": rows,
        "show_pii": show,
        "query_string": request.GET.urlencode(),
        "may_edit": can(request.user, "data.edit", active_unit(request)),
    }
    return render(request, "members/staff/list.html", context)


@login_required
def staff_export(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    unit, rows, show = _staff_context(request)
    content = exports_volunteers.staff_workbook(
        rows=rows,
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        today=timezone.localdate(),
        show_pii=show,
    )
    return _xlsx(content, "can-bo")


def _staff_data(d: dict[str, Any]) -> staff.StaffData:
    start, end = d.get("term_from"), d.get("term_to")
    if d.get("term"):
        term_from, term_to = staff.parse_term(d["term"])
        start, end = start or term_from, end or term_to
    if start is None:
        raise ApplicationError(_("Cần ghi nhiệm kỳ hoặc ngày bắt đầu."), field="term")
    return staff.StaffData(
        position=d["position"],
        employment=d["employment"],
        basis=d["basis"],
        term_from=start,
        term_to=end,
        education=d.get("education") or "",
        political_theory=d.get("political_theory") or "",
        state_management=d.get("state_management") or "",
        insurance_no=d.get("insurance_no") or "",
        salary_grade=d.get("salary_grade") or "",
    )


@login_required
def staff_create(request: HttpRequest) -> HttpResponse:
    unit = active_unit(request)
    _may(request, "data.edit", unit)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = staff.staff_add(
                actor=request.user,
                unit=unit,
                person=_person_data(form.cleaned_data),
                data=_staff_data(form.cleaned_data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi cán bộ «%s».") % s.person.full_name)
            return redirect("staff_detail", pk=s.pk)
    return render(request, "members/staff/form.html", {"form": form, "title": _("Thêm cán bộ")})


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may(request, "data.view")
    s = selectors.staff_get(user=request.user, pk=pk)
    show = can(request.user, "pii.view", s.unit)
    if show:
        staff.staff_sensitive_viewed(
            actor=request.user, unit=s.unit, ip=client_ip(request), what=str(s)
        )
    context = {"s": s, "show_pii": show, "may_edit": can(request.user, "data.edit", s.unit)}
    return render(request, "members/staff/detail.html", context)


@login_required
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.staff_get(user=request.user, pk=pk)
    _may(request, "data.edit", s.unit)
    _may(request, "pii.view", s.unit)  # the form shows the sensitive fields
    fields = ["position", "employment", "basis", "term_from", "term_to", *staff.TEXT_FIELDS]
    initial = {k: getattr(s, k) for k in fields}
    initial.update(full_name=s.person.full_name, birth=s.person.birth_display)
    form = StaffForm(request.POST or None, initial=initial)
    for name in ("full_name", "birth", "sex", "id_number", "phone", "address_detail"):
        form.fields[name].disabled = True
        form.fields[name].required = False
    if request.method == "POST" and form.is_valid():
        try:
            staff.staff_update(actor=request.user, staff=s, data=_staff_data(form.cleaned_data))
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("staff_detail", pk=s.pk)
    context = {"form": form, "s": s, "title": _("Sửa thông tin cán bộ")}
    return render(request, "members/staff/form.html", context)


# --- applications ----------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    _may(request, "data.view")
    status = request.GET.get("status", ApplicationStatus.PENDING)
    status = status if status in ApplicationStatus.values else ""
    qs = selectors.application_list(user=request.user, status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ApplicationStatus.choices,
        "status_query": _without_page(request),
    }
    return render(request, "members/applications/list.html", context)


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _may(request, "data.view")
    app = selectors.application_get(user=request.user, pk=pk)
    result = None
    if app.status == ApplicationStatus.PENDING:
        try:
            values = people.person_check(applications.application_person_data(app)).values
            result = people_selectors.person_matches(user=request.user, values=values)
        except ApplicationError:
            result = None
    show_phone = can(request.user, "pii.view", app.unit)
    if show_phone and app.phone:
        applications.application_sensitive_viewed(
            actor=request.user, app=app, ip=client_ip(request)
        )
    context = {
        "app": app,
        "phone": app.phone if show_phone else mask_phone(app.phone),
        "result": result,
        "skills": [n for c, n in _skills() if c in app.skills.split(",")],
        "may_edit": can(request.user, "data.edit", app.unit),
        "volunteer": (
            selectors.volunteer_of(user=request.user, person=app.person) if app.person else None
        ),
    }
    return render(request, "members/applications/detail.html", context)


@login_required
@require_POST
def application_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, pk=pk)
    form = ConfirmForm(request.POST)
    same = form.cleaned_data.get("same_person") if form.is_valid() else None
    try:
        person = people_selectors.person_get(user=request.user, pk=same) if same else None
        applications.application_confirm(actor=request.user, application=app, person=person)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("application_detail", pk=app.pk)
    messages.success(request, _("Đã xác nhận đơn của %s.") % app.full_name)
    return redirect("application_detail", pk=app.pk)


@login_required
@require_POST
def application_reject(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.application_get(user=request.user, pk=pk)
    try:
        applications.application_reject(actor=request.user, application=app)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã không xác nhận đơn của %s.") % app.full_name)
    return redirect("application_list")
