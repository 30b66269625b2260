"""Pages of training: plans, courses with their participants, attendance and results,
certificates (printable, with a QR of their verification page), who is trained in what and the
certificates that expire soon. Views only speak HTTP."""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit, can, require_view
from nhandao.orgs.selectors import unit_parent_name
from nhandao.people import selectors as people

from . import exports, selectors, services
from .forms import CourseForm, ExpiringForm, IssueForm, PlanForm, RecordForm
from .models import Result, Topic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unit(request: HttpRequest) -> Any:
    require_view(request)
    return active_unit(request)


def _chosen_unit(request: HttpRequest) -> Any:
    """The unit a list is about: ``?unit=`` (through the scoped getter) or the user's own; the
    reader needs ``data.view`` either way (there too when they chose one)."""
    pk = request.GET.get("unit")
    if not pk:
        return _unit(request)
    require_view(request)
    unit = orgs.unit_get(user=request.user, pk=pk)
    if not can(request.user, "data.view", unit):
        raise PermissionDenied
    return unit


def _may_edit(request: HttpRequest, unit: Any) -> None:
    if not can(request.user, "data.edit", unit):
        raise PermissionDenied


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else None


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=4, border=1)
    svg: str = image.to_string(encoding="unicode")
    return svg


# --- plans and courses -----------------------------------------------------------------------


@login_required
def training_home(request: HttpRequest) -> HttpResponse:
    unit = _chosen_unit(request)
    topic = request.GET.get("topic", "")
    filters = selectors.CourseFilters(
        unit=unit,
        year=_year(request),
        topic=topic if topic in Topic.values else "",
        query=request.GET.get("q", "")[:100],
    )
    page = Paginator(selectors.course_list(user=request.user, filters=filters), 50)
    context = {"page": page.get_page(request.GET.get("page")), "unit": unit, "filters": filters}
    context.update(topics=Topic.choices, can_edit=can(request.user, "data.edit", unit))
    return render(request, "training/course_list.html", context)


@login_required
def training_plan_list(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _may_edit(request, unit)
        if form.is_valid():
            try:
                services.plan_create(actor=request.user, unit=unit, **form.cleaned_data)
            except ApplicationError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("Đã lưu kế hoạch tập huấn."))
                return redirect("training_plan_list")
    plans = selectors.plan_list(user=request.user, unit=unit, year=_year(request))
    context = {"plans": plans, "form": form, "unit": unit}
    return render(request, "training/plan_list.html", context)


@login_required
def training_course_create(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    _may_edit(request, unit)
    plans = selectors.plan_list(user=request.user, unit=unit).filter(unit=unit)
    choices = [(p.pk, f"{p.title} ({p.year})") for p in plans]
    form = CourseForm(request.POST or None, plans=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["plan"] = plans.get(pk=data["plan"]) if data["plan"] else None
        try:
            course = services.course_create(
                actor=request.user, unit=unit, data=services.CourseData(**data)
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã mở lớp tập huấn."))
            return redirect("training_course_detail", pk=course.pk)
    return render(request, "training/form.html", {"form": form, "title": _("Mở lớp tập huấn")})


@login_required
def training_course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    _unit(request)
    query = request.GET.get("q", "").strip()[:100]
    found = list(people.person_list(user=request.user, query=query)[:20]) if query else []
    context = {
        "course": course,
        "participants": selectors.course_participants(course=course),
        "query": query,
        "found": found,
        "days": services.course_days(course),
        "can_edit": can(request.user, "data.edit", course.unit),
    }
    return render(request, "training/course_detail.html", context)


@login_required
@require_POST
def training_participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, pk=pk)
    _may_edit(request, course.unit)
    person = people.person_get(user=request.user, pk=request.POST.get("person"))
    try:
        services.participant_add(actor=request.user, course=course, person=person)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thêm %s vào lớp.") % person.full_name)
    return redirect("training_course_detail", pk=course.pk)


# --- participants and certificates -----------------------------------------------------------


@login_required
def training_participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = selectors.participant_get(user=request.user, pk=pk)
    course = participant.course
    _may_edit(request, course.unit)
    initial = {"attended_days": participant.attended_days, "result": participant.result}
    record = RecordForm(
        request.POST if "record" in request.POST else None,
        initial={**initial, "score": participant.score},
    )
    issue = IssueForm(
        request.POST if "issue" in request.POST else None,
        initial={"issued_on": max(timezone.localdate(), course.starts_on)},
    )
    try:
        if record.is_bound and record.is_valid():
            participant = services.participant_record(
                actor=request.user, participant=participant, **record.cleaned_data
            )
            # Stay on the participant: a passed one gets the certificate right here.
            name = participant.person.full_name
            if participant.result == Result.PASSED and not participant.certificate_no:
                messages.success(
                    request,
                    _("Đã ghi kết quả của %s: Đạt. Có thể cấp chứng nhận ngay trên trang này.")
                    % name,
                )
            else:
                messages.success(request, _("Đã ghi kết quả của %s.") % name)
            return redirect("training_participant_edit", pk=participant.pk)
        if issue.is_bound and issue.is_valid():
            services.certificate_issue(
                actor=request.user, participant=participant, **issue.cleaned_data
            )
            messages.success(request, _("Đã cấp chứng nhận số %s.") % participant.certificate_no)
            return redirect("training_certificate", pk=participant.pk)
    except ApplicationError as exc:
        show_error(record if record.is_bound else issue, exc)
    context = {"participant": participant, "course": course, "record": record, "issue": issue}
    return render(request, "training/participant_edit.html", context)


@login_required
def training_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable certificate (A4 landscape), with the QR of its verification page."""
    participant = selectors.participant_get(user=request.user, pk=pk)
    _unit(request)
    if not participant.certificate_no:
        messages.error(request, _("Học viên này chưa được cấp chứng nhận."))
        return redirect("training_participant_edit", pk=participant.pk)
    verify = reverse("training_certificate_verify") + "?no=" + participant.certificate_no
    url = request.build_absolute_uri(verify)
    context = {"p": participant, "course": participant.course, "qr": _qr_svg(url), "url": url}
    return render(request, "training/certificate.html", context)


@login_required
def training_certificate_verify(request: HttpRequest) -> HttpResponse:
    _unit(request)
    number = request.GET.get("no", "")[:60]
    found = selectors.certificate_find(user=request.user, number=number)
    context = {"number": number, "p": found, "today": timezone.localdate()}
    return render(request, "training/verify.html", context)


# --- who is trained in what ------------------------------------------------------------------


@login_required
def training_person(request: HttpRequest, person_id: int) -> HttpResponse:
    person = people.person_get(user=request.user, pk=person_id)
    _unit(request)
    rows = selectors.person_training(person=person)
    context = {"person": person, "rows": rows, "today": timezone.localdate()}
    return render(request, "training/person.html", context)


@login_required
def training_stats(request: HttpRequest) -> HttpResponse:
    unit = _chosen_unit(request)
    last = _year(request) or timezone.localdate().year
    years = list(range(last - 2, last + 1))
    rows = selectors.unit_topic_counts(user=request.user, unit=unit, years=years)
    children = orgs.unit_children(user=request.user, unit=unit, include_inactive=False)
    context = {"rows": rows, "years": years, "unit": unit, "children": children}
    return render(request, "training/stats.html", context)


def _expiring(request: HttpRequest) -> tuple[Any, ExpiringForm, Any, int]:
    unit = _chosen_unit(request)
    form = ExpiringForm(request.GET or None, initial={"days": 90, "topic": Topic.FIRST_AID})
    data = form.cleaned_data if form.is_valid() else {"days": 90, "topic": Topic.FIRST_AID}
    days = data["days"]
    rows = selectors.expiring_list(
        user=request.user,
        unit=unit,
        today=timezone.localdate(),
        days=days,
        topic=data["topic"] if "topic" in request.GET else Topic.FIRST_AID,
    )
    return unit, form, rows, days


@login_required
def training_expiring(request: HttpRequest) -> HttpResponse:
    unit, form, rows, days = _expiring(request)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"unit": unit, "form": form, "page": page, "days": days}
    context.update(show_phone=can(request.user, "pii.view", unit), query=request.GET.urlencode())
    return render(request, "training/expiring.html", context)


@login_required
def training_expiring_export(request: HttpRequest) -> HttpResponse:
    unit, _form, rows, days = _expiring(request)
    content = exports.expiring_xlsx(
        participants=rows[:50_000],
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        days=days,
        today=timezone.localdate(),
        show_phone=can(request.user, "pii.view", unit),
    )
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="chung-nhan-het-han-{stamp}.xlsx"'
    return response
