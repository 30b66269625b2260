"""Resolve who the signed-in user acts as, and hold admins at the second-factor step."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import selectors

SESSION_KEY = "nhandao_assignment_id"
OPEN_PREFIXES = ("/static/", "/i18n/", "/accounts/", "/api/", "/favicon")
# The public site: the same for everyone, so the user (and the session) is not even looked at,
# and its answers do not vary on the cookie (shared caches may keep them).
PUBLIC_PREFIX = "/cong-khai/"


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(PUBLIC_PREFIX):
            request.assignments = []  # type: ignore[attr-defined]
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            assignments = selectors.assignment_list_for_user(user=user)
            wanted = request.session.get(SESSION_KEY)
            active = next((a for a in assignments if a.pk == wanted), None)
            if active is None and assignments:
                active = assignments[0]
            user._assignment_cache = assignments  # type: ignore[union-attr,attr-defined]
            user.active_assignment = active  # type: ignore[union-attr]
            request.assignments = assignments  # type: ignore[attr-defined]
            if self._second_factor_missing(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('otp_verify')}?{query}")
        else:
            request.assignments = []  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _second_factor_missing(request: HttpRequest) -> bool:
        if not settings.NHANDAO_REQUIRE_2FA:
            return False
        if request.path.startswith(OPEN_PREFIXES):
            return False
        user = request.user
        if user.is_verified():  # type: ignore[union-attr]
            return False
        if user.is_superuser:
            return True
        # The assignments are already loaded with their roles: no extra query per page.
        return any(a.role.requires_2fa for a in getattr(request, "assignments", []))
