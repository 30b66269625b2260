"""Household pages: make a household around a person, its members, its poverty status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.orgs.permissions import can, require_view

from . import selectors, services
from .forms import HouseholdForm
from .models import Household


def _merged_into_visible(request: HttpRequest, household: Household) -> Household | None:
    """The household this one was merged into, when the user's scope holds it (else None: the
    page then says only that it went to another unit's household)."""
    if not household.merged_into_id:
        return None
    try:
        return selectors.household_get(user=request.user, pk=household.merged_into_id)
    except Http404:
        return None


@login_required
@require_POST
def household_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A household with this person as its head."""
    require_view(request)
    person = selectors.person_get(user=request.user, pk=person_pk)
    form = HouseholdForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin hộ chưa hợp lệ."))
        return redirect(request.POST.get("back") or "dashboard")
    try:
        household = services.household_create(
            actor=request.user,
            unit=person.unit,
            head=person,
            code=form.cleaned_data["code"],
            ward_id=person.ward_id,
            address_detail=person.address_detail,
            poverty_status=form.cleaned_data["poverty_status"] or "",
            poverty_year=form.cleaned_data["poverty_year"],
            poverty_standard=form.cleaned_data["poverty_standard"] or "",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("back") or "dashboard")
    return redirect("household_detail", pk=household.pk)


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    household = selectors.household_get(user=request.user, pk=pk)
    members = selectors.household_members(user=request.user, household=household)
    may_edit = can(request.user, "data.edit", household.unit) and not household.merged_into_id
    form = HouseholdForm(
        request.POST or None,
        members=members,
        initial={
            "code": household.code,
            "head": household.head_id,
            "poverty_status": household.poverty_status,
            "poverty_year": household.poverty_year,
            "poverty_standard": household.poverty_standard,
        },
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            head = next((m for m in members if m.pk == data["head"]), None)
            try:
                services.household_update(
                    actor=request.user,
                    household=household,
                    head=head,
                    code=data["code"],
                    poverty_status=data["poverty_status"] or "",
                    poverty_year=data["poverty_year"],
                    poverty_standard=data["poverty_standard"] or "",
                )
                messages.success(request, _("Đã lưu thông tin hộ."))
                return redirect("household_detail", pk=household.pk)
            except ApplicationError as exc:
                show_error(form, exc)
    query = request.GET.get("q", "").strip()[:100]
    candidates = (
        list(
            selectors.person_list(user=request.user, query=query).exclude(household=household)[:20]
        )
        if query and may_edit
        else []
    )
    return render(
        request,
        "people/household.html",
        {
            "household": household,
            "merged_into": _merged_into_visible(request, household),
            "members": members,
            "form": form,
            "may_edit": may_edit,
            "query": query,
            "candidates": candidates,
        },
    )


@login_required
@require_POST
def household_member(request: HttpRequest, pk: int) -> HttpResponse:
    require_view(request)
    household = selectors.household_get(user=request.user, pk=pk)
    person = selectors.person_get(user=request.user, pk=request.POST.get("person", ""))
    try:
        if request.POST.get("action") == "remove":
            services.household_remove_member(actor=request.user, household=household, person=person)
        else:
            services.household_add_member(actor=request.user, household=household, person=person)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("household_detail", pk=household.pk)
