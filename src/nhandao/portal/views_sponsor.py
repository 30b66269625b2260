"""The sponsor's private page (no login): their commitment, what was given, and the address told
only as far as the beneficiary consented. Everything shown comes from ``sponsor_view``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from nhandao.funds.sponsorships import sponsor_view


@require_GET
def sponsor_page(request: HttpRequest, token: str) -> HttpResponse:
    view = sponsor_view(token)
    if view is None:
        raise Http404
    response = render(
        request, "portal/sponsor/page.html", {"v": view, "today": timezone.localdate()}
    )
    # A private link: never cached by shared caches, never indexed, never leaked as a referrer.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
