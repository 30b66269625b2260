from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .middleware import PUBLIC_PREFIX
from .permissions import can


class _Perms:
    """Template helper: ``{% if perms_here.unit_manage %}`` checks ``can`` at the active unit."""

    def __init__(self, request: HttpRequest):
        self.user = request.user

    def __getattr__(self, name: str) -> bool:
        return can(self.user, name.replace("_", ".", 1), None)


def actor(request: HttpRequest) -> dict[str, Any]:
    if request.path_info.startswith(PUBLIC_PREFIX):  # the public site is the same for everyone
        return {}
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "active_assignment": getattr(user, "active_assignment", None),
        "assignments": getattr(request, "assignments", []),
        "can_do": _Perms(request),
    }
