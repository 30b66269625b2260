"""The public self-registration form (no login, mounted at /tham-gia/): rate-limited per
address through the configured cache, a honeypot field and a minimum fill time carried by a
signed timestamp; plain text only. Applications are kept apart from the registry until a branch
confirms them (``views_volunteers.application_confirm``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.signals import client_ip

from . import applications
from . import selectors_volunteers as selectors
from .forms_volunteers import PublicForm

PUBLIC_LIMIT = 5  # applications per IP address per hour (NHANDAO_PUBLIC_FORM_LIMIT)
PUBLIC_MIN_SECONDS = 3  # a person takes longer to fill the form (NHANDAO_PUBLIC_FORM_MIN_SECONDS)
PUBLIC_SALT = "nhandao.members.public"


def _skills() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in selectors.skill_list()]


def _rate_key(request: HttpRequest) -> str:
    return f"members:public:{client_ip(request) or 'unknown'}"


def _too_fast_or_stale(token: str) -> bool:
    try:
        started = signing.TimestampSigner(salt=PUBLIC_SALT).unsign(token, max_age=86400)
    except signing.BadSignature:
        return True
    elapsed = timezone.now().timestamp() - float(started)
    return elapsed < getattr(settings, "NHANDAO_PUBLIC_FORM_MIN_SECONDS", PUBLIC_MIN_SECONDS)


def _stamp() -> str:
    return signing.TimestampSigner(salt=PUBLIC_SALT).sign(str(timezone.now().timestamp()))


def _count(request: HttpRequest) -> None:
    key = _rate_key(request)
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, 3600)


def _public_data(d: dict[str, Any]) -> applications.ApplicationData:
    return applications.ApplicationData(
        kind=d["kind"],
        unit_id=d.get("unit"),
        full_name=d["full_name"],
        birth=d["birth"],
        phone=d["phone"],
        email=d.get("email") or "",
        sex=d.get("sex") or "",
        address_detail=d.get("address_detail") or "",
        skills=d.get("skills") or [],
        message=d.get("message") or "",
    )


def _with_trail(units: list[Any]) -> list[tuple[Any, str]]:
    trail = selectors.unit_trail(units)
    return [(u, trail.get(u.pk, "")) for u in units]


def public_join(request: HttpRequest) -> HttpResponse:
    finding = "find" in request.POST  # the "Tìm" button without JavaScript: search, keep typing
    form = PublicForm(None if finding else (request.POST or None), skills=_skills())
    if finding:
        form.initial = {**request.POST.dict(), "skills": request.POST.getlist("skills")}
    units = selectors.public_units(request.POST.get("unit_q") or request.GET.get("unit_q", ""))
    if request.method == "POST" and not finding and form.is_valid():
        d = form.cleaned_data
        if d["website"] or _too_fast_or_stale(d["started"]):
            return redirect("public_thanks")  # a robot: thanked, nothing kept
        limit = getattr(settings, "NHANDAO_PUBLIC_FORM_LIMIT", PUBLIC_LIMIT)
        if cache.get(_rate_key(request), 0) >= limit:
            return render(request, "members/public/limited.html", status=429)
        data = _public_data(d)
        try:
            applications.application_submit(data=data, ip=client_ip(request))
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            _count(request)
            return redirect("public_thanks")
    started = request.POST.get("started") or _stamp()
    chosen = request.POST.get("unit")
    context = {
        "form": form,
        "units": _with_trail(units),
        "chosen": chosen,
        "started": started,
    }
    return render(request, "members/public/join.html", context)


def public_units(request: HttpRequest) -> HttpResponse:
    """htmx: active communes and branches matching what the visitor typed."""
    units = selectors.public_units(request.GET.get("unit_q", ""))
    context = {"units": _with_trail(units), "chosen": None}
    return render(request, "members/public/_units.html", context)


def public_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "members/public/thanks.html")
