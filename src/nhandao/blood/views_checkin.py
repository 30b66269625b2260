"""The check-in desk of a session (phone first): find the donor, see at once whether they may
donate today and why not, record the donation or a deferral, register a new donor; and the
certificate page with the free transfusions used against it. Views only speak HTTP."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.orgs.permissions import can, require_view
from nhandao.people import selectors as people
from nhandao.people import services as people_services

from . import checkin as desk
from . import eligibility, services
from .forms import DeferralForm, DonationForm, NewDonorForm, UseForm
from .models import BloodSession, DonationKind
from .selectors import donor_get, session_get, session_registrations


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or ""
    return kind if kind in DonationKind.values else DonationKind.WHOLE_BLOOD


@login_required
def checkin_home(request: HttpRequest) -> HttpResponse:
    """Sessions around today in the user's scope, each with its check-in desk."""
    require_view(request)
    sessions = desk.session_list_around(user=request.user)
    return render(request, "blood/checkin/home.html", {"sessions": sessions})


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_get(user=request.user, pk=pk)
    require_view(request)
    query, kind = request.GET.get("q", "").strip(), _kind(request)
    rows = desk.checkin_lookup(user=request.user, query=query, on=session.held_on, kind=kind)
    context = {"session": session, "query": query, "kind": kind, "rows": rows}
    context["kinds"] = DonationKind.choices
    context["registered"] = [] if query else session_registrations(session=session)
    template = "blood/checkin/_results.html" if request.htmx else "blood/checkin/desk.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _donor_context(request: HttpRequest, session: BloodSession, donor: Any) -> dict[str, Any]:
    kind = _kind(request)
    weight = request.POST.get("weight_kg") or request.GET.get("weight_kg") or None
    try:
        kg = services.check_weight(weight) if weight else None
    except ApplicationError:
        kg = None
    facts = services.donor_facts(donor=donor, on=session.held_on, weight_kg=kg)
    rules = services.rules_on(session.held_on)
    decision = eligibility.check(rules, facts, on=session.held_on, kind=kind)
    show = can(request.user, "pii.view", donor.unit)
    deferrals = list(donor.deferrals.order_by("-deferred_on", "-pk")[:5])
    if show and deferrals:
        services.sensitive_viewed(
            actor=request.user, donor=donor, ip=_ip(request), what="deferral_reasons"
        )
    return {
        "session": session,
        "donor": donor,
        "kind": kind,
        "kinds": DonationKind.choices,
        "facts": facts,
        "decision": decision,
        "show_pii": show,
        "deferrals": deferrals,
        "donations": list(donor.donations.select_related("unit").order_by("-donated_on")[:5]),
        "reasons": services.DEFERRAL_REASONS,
        "gift_minimums": eligibility.gift_minimums_text(rules, kind),
        "travel_max": rules.travel_max,
        "meal_max": rules.meal_max,
    }


@login_required
def checkin_donor(request: HttpRequest, pk: int, donor_id: int) -> HttpResponse:
    """The donor at the desk: the decision, and the donation form (POST records it)."""
    session = session_get(user=request.user, pk=pk)
    donor = donor_get(user=request.user, pk=donor_id)
    require_view(request)
    context = _donor_context(request, session, donor)
    weight = context["facts"].weight_kg
    # "60" or "60,5", as the weight is shown above the form (not "60.0").
    initial = {"kind": context["kind"], "weight_kg": eligibility.kg(weight) if weight else ""}
    volumes = context["decision"].allowed_volumes or _all_volumes(context["kind"])
    form = DonationForm(request.POST or None, initial=initial, volumes=volumes)
    if request.method == "POST" and form.is_valid():
        data = services.DonationData(**form.cleaned_data)
        try:
            donation = services.donation_record(
                actor=request.user, donor=donor, session=session, data=data
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi nhận: %(who)s hiến %(kind)s %(ml)d ml.")
                % {
                    "who": donor.person.full_name,
                    "kind": eligibility.kind_label(donation.kind),
                    "ml": donation.volume_ml,
                },
            )
            return redirect("blood_certificate", pk=donation.pk)
    context.update(form=form, deferral_form=DeferralForm())
    return render(request, "blood/checkin/donor.html", context)


def _all_volumes(kind: str) -> list[int]:
    rules = eligibility.Rules()
    if kind == DonationKind.WHOLE_BLOOD:
        return list(rules.whole_blood_volumes)
    return list(range(250, rules.apheresis_heavy_max_ml + 1, 50))


@login_required
@require_POST
def checkin_defer(request: HttpRequest, pk: int, donor_id: int) -> HttpResponse:
    session = session_get(user=request.user, pk=pk)
    donor = donor_get(user=request.user, pk=donor_id)
    require_view(request)
    form = DeferralForm(request.POST)
    if form.is_valid():
        try:
            services.deferral_record(
                actor=request.user,
                donor=donor,
                session=session,
                data=services.DeferralData(**form.cleaned_data),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi tạm hoãn cho %s.") % donor.person.full_name)
            return redirect("blood_checkin", pk=session.pk)
    context = _donor_context(request, session, donor)
    volumes = context["decision"].allowed_volumes or _all_volumes(context["kind"])
    context.update(form=DonationForm(volumes=volumes), deferral_form=form)
    return render(request, "blood/checkin/donor.html", context, status=400)


@login_required
def checkin_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new donor at the desk: the person (duplicates offered first), blood group, weight."""
    session = session_get(user=request.user, pk=pk)
    require_view(request)
    form = NewDonorForm(request.POST or None, initial={"id_number": request.GET.get("q", "")})
    matches: list[Any] = []
    if request.method == "POST" and request.POST.get("person"):
        person = people.person_get(user=request.user, pk=request.POST["person"])
        return _register(request, session, form, person) or _new_page(request, session, form, [])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = people_services.PersonData(
            **{k: data[k] for k in ("full_name", "birth", "sex", "id_number", "phone")}
        )
        try:
            checked = people_services.person_check(draft)
        except ApplicationError as exc:
            show_error(form, exc)
            return _new_page(request, session, form, [])
        found = people.person_matches(user=request.user, values=checked.values)
        matches = [m for m in found.matches if m.score >= 0.5]
        if not matches or request.POST.get("confirm"):
            return _register(request, session, form, draft) or _new_page(request, session, form, [])
    return _new_page(request, session, form, matches)


def _new_page(request: HttpRequest, session: Any, form: Any, matches: list[Any]) -> HttpResponse:
    context = {"session": session, "form": form, "matches": matches}
    return render(request, "blood/checkin/new.html", context)


def _register(request: HttpRequest, session: Any, form: Any, person: Any) -> HttpResponse | None:
    data = form.cleaned_data if form.is_valid() else {}
    donor_data = services.DonorData(
        abo=data.get("abo", ""),
        rh=data.get("rh", ""),
        weight_kg=data.get("weight_kg") or None,
        contact_sms=data.get("contact_sms", True),
        contact_call=data.get("contact_call", True),
    )
    try:
        donor = services.donor_register(
            actor=request.user,
            unit=session.unit,
            person=person,
            data=donor_data,
            on=min(session.held_on, timezone.localdate()),
        )
    except ApplicationError as exc:
        show_error(form, exc)
        return None
    messages.success(request, _("Đã đăng ký người hiến máu, thẻ số %s.") % donor.card_code)
    return redirect("blood_checkin_donor", pk=session.pk, donor_id=donor.pk)


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """A donation's certificate: what was donated, the free transfusions used, what remains."""
    donation = desk.donation_get(user=request.user, pk=pk)
    require_view(request)
    form = UseForm(request.POST or None, initial={"used_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfusion_use_record(
                actor=request.user, donation=donation, **form.cleaned_data
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận sử dụng máu miễn phí."))
            return redirect("blood_certificate", pk=donation.pk)
    show = can(request.user, "pii.view", donation.donor.unit)
    if show and donation.health_notes:
        services.sensitive_viewed(
            actor=request.user, donor=donation.donor, ip=_ip(request), what="health_notes"
        )
    used = services.volume_used(donation)
    context = {
        "donation": donation,
        "uses": desk.transfusion_use_list(donation=donation),
        "used": used,
    }
    context.update(left=donation.volume_ml - used, form=form, show_pii=show)
    return render(request, "blood/checkin/certificate.html", context)
